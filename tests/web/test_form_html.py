"""Our quicker html_params and Select write exactly what WTForms' own write."""
import importlib.util

import pytest
import wtforms
from markupsafe import Markup
from wtforms import BooleanField, Form, StringField
from wtforms.validators import InputRequired, Length

from salesweb.forms import SelectField, html_params, options


def _wtforms_own():
    """A fresh copy of WTForms' widgets module, whose html_params the app has not replaced."""
    spec = importlib.util.find_spec("wtforms.widgets.core")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("attributes", [
    {}, {"name": "a", "id": "b", "class_": "c d"}, {"checked": True, "readonly": False, "abc": 'he"l<lo'},
    {"data_x_y": 1, "aria_label": "x&y", "value": None}, {"value": Markup('a "b" <i>')}, {"value": 0, "title": "中文"},
    {"hx-get": "/x?a=1&b=2", "required": True}, {"for_": "id", "value": 2.5},
])
def test_html_params_writes_what_wtforms_writes(attributes):
    own = _wtforms_own().html_params(**attributes)
    assert html_params(**attributes) == own and type(html_params(**attributes)) is Markup


def test_select_writes_what_wtforms_select_writes(app):
    choices = options([("", "Anyone"), ("1", "Zhang <b>"), ('x"y', Markup("<i>em</i>")), (True, "yes"), (3, "三"),
                       (Markup('a "b"'), "quoted")])

    class Pair(Form):
        ours = SelectField(choices=choices, validators=[InputRequired()])
        theirs = wtforms.SelectField(choices=choices, widget=_wtforms_own().Select(), validators=[InputRequired()])

    for value in ("", "1", 'x"y', "3", "1", ""):  # the second time a select is written it is the kept one
        form = Pair(data={"ours": value, "theirs": value})
        theirs = str(form.theirs(class_="f")).replace('name="theirs"', 'name="ours"').replace('id="theirs"', 'id="ours"')
        assert str(form.ours(class_="f")) == theirs and " required" in theirs
        assert form.ours().count("<option selected ") == 1


def test_a_kept_select_is_told_apart_by_each_option_and_the_type_of_its_text(app):
    def written(pairs, value="1", **attributes):
        class One(Form):
            pick = SelectField(choices=options(pairs))
        return str(One(data={"pick": value}).pick(**attributes))

    plain = written([("1", "<b>A</b>")])
    assert "&lt;b&gt;A&lt;/b&gt;" in plain and written([("1", "<b>A</b>")]) == plain
    assert "<b>A</b>" in written([("1", Markup("<b>A</b>"))])
    assert 'selected value="1"' in written([("1", "A"), ("2", "B")]) and 'selected value="2"' in written(
        [("1", "A"), ("2", "B")], "2")
    assert written([("1", "A"), ("2", "B")]) != written([("1", "A"), ("2", "C")])
    assert 'title="&lt;b&gt;"' in written([("1", "A")], title="<b>")
    assert 'title="<b>"' in written([("1", "A")], title=Markup("<b>"))


def test_inputs_write_what_wtforms_inputs_write(app):
    own = _wtforms_own()

    class Pair(Form):
        ours = StringField(validators=[InputRequired(), Length(max=5)], render_kw={"data_x": 'a"b'})
        theirs = StringField(validators=[InputRequired(), Length(max=5)], render_kw={"data_x": 'a"b'},
                             widget=own.TextInput())
        ours_box = BooleanField()
        theirs_box = BooleanField(widget=own.CheckboxInput())

    form = Pair(data={"ours": "<x>", "theirs": "<x>", "ours_box": True, "theirs_box": True})
    assert str(form.ours()) == str(form.theirs()).replace("theirs", "ours") and "maxlength" in str(form.ours())
    assert str(form.ours_box()) == str(form.theirs_box()).replace("theirs", "ours")


def test_wtforms_words_follow_the_request_language_and_are_read_once(app, monkeypatch):
    from babel import support
    from flask_babel import force_locale
    from flask_wtf import FlaskForm

    from salesweb import forms

    class Required(FlaskForm):
        class Meta:
            csrf = False

        hidden_name = StringField(validators=[InputRequired()])  # no label: WTForms' own words make one

    loads = []
    load = support.Translations.load
    monkeypatch.setattr(support.Translations, "load", lambda *a, **k: loads.append(a) or load(*a, **k))
    monkeypatch.setattr(forms, "_wtforms_catalogues", {})
    errors = {}
    for locale in ("zh", "en", "zh", "en"):
        with app.test_request_context("/", method="POST", data={}), force_locale(locale):
            form = Required()
            form.validate()
            errors[locale] = form.hidden_name.errors[0]
    assert errors == {"zh": "该字段是必填字段。", "en": "This field is required."}
    assert len(loads) == 2  # once per language, not per request
