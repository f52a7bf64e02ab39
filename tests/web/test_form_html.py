"""The HTML our forms' fields write (pages and tests compare it), and WTForms' own words in the reader's language."""
import datetime
import decimal
import importlib
import pkgutil

import flask_babel
import flask_wtf.i18n
import pytest
import wtforms
from salesweb.core.i18n import force_locale
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import (BooleanField, DateField, DecimalField, FloatField, IntegerField, MultipleFileField, PasswordField,
                     RadioField, SearchField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField,
                     TimeField)
from wtforms.fields.choices import SelectChoice
from wtforms.meta import DefaultMeta
from wtforms.validators import InputRequired, Length, NumberRange

import salesweb
from salesweb.core import settings
from salesweb.core.i18n import _l
from salesweb.customers import forms as customer_forms
from salesweb.settings import forms as settings_forms
from salesweb.web.forms import Form, options


class Plain(Form):
    """The app's Form without a CSRF field, for a form's fields alone."""

    class Meta:
        csrf = False


# What a field writes, pinned for the app's Form and for WTForms' own (plain WTForms forms: a quote's rows).
@pytest.fixture(params=[Plain, wtforms.Form], ids=["ours", "wtforms"])
def base(request, app):
    with app.test_request_context("/"):
        yield request.param


def test_a_select_writes_its_options_escaped_with_the_chosen_one_selected(base):
    choices = options([("", "Anyone"), ("1", "Zhang <b>"), ('x"y', Markup("<i>em</i>")), (True, "yes"), (3, "三"),
                       (Markup('a "b"'), "quoted")])

    class Filter(base):
        pick = SelectField(choices=choices, validators=[InputRequired()])

    assert str(Filter(data={"pick": "1"}).pick(class_="f")) == (
        '<select class="f" id="pick" name="pick" required><option value="">Anyone</option>'
        '<option selected value="1">Zhang &lt;b&gt;</option><option value="x&#34;y"><i>em</i></option>'
        '<option value="True">yes</option><option value="3">三</option>'
        '<option value="a &quot;b&quot;">quoted</option></select>')
    for value in ("", "1", 'x"y', "3"):
        assert str(Filter(data={"pick": value}).pick()).count("<option selected ") == 1


def test_a_select_tells_apart_text_and_markup_in_labels_and_attributes(base):
    def written(pairs, value="1", **attributes):
        class One(base):
            pick = SelectField(choices=options(pairs))
        return str(One(data={"pick": value}).pick(**attributes))

    assert "&lt;b&gt;A&lt;/b&gt;" in written([("1", "<b>A</b>")])
    assert "<b>A</b>" in written([("1", Markup("<b>A</b>"))])
    assert 'selected value="2"' in written([("1", "A"), ("2", "B")], "2")
    assert 'title="&lt;b&gt;"' in written([("1", "A")], title="<b>")
    assert 'title="<b>"' in written([("1", "A")], title=Markup("<b>"))


def test_inputs_and_labels_write_their_attributes_sorted_and_escaped(base):
    class Contact(base):
        name = StringField(validators=[InputRequired(), Length(max=5)], render_kw={"data_x": 'a"b'})
        box = BooleanField()

    form = Contact(data={"name": "<x>", "box": True})
    assert str(form.name()) == ('<input data-x="a&#34;b" id="name" maxlength="5" name="name" required type="text" '
                                'value="&lt;x&gt;">')
    assert str(form.box()) == '<input checked id="box" name="box" type="checkbox" value="y">'
    assert str(form.box.label(class_="c")) == '<label class="c" for="box">Box</label>'


def test_wtforms_words_follow_the_request_language_and_are_read_once_per_language(app):
    class Required(Plain):
        hidden_name = StringField(validators=[InputRequired()])  # no label: WTForms' own words make one

    errors, catalogues = {}, {}
    for locale in ("zh", "en", "zh", "en"):
        with app.test_request_context("/", method="POST", data={}), force_locale(locale):
            form = Required()
            form.validate()
            errors.setdefault(locale, set()).add(form.hidden_name.errors[0])
            catalogues.setdefault(locale, []).append(form.meta.get_translations(form))
    assert errors == {"zh": {"该字段是必填字段。"}, "en": {"This field is required."}}
    zh, en = catalogues["zh"], catalogues["en"]
    assert zh[0] is zh[1] and en[0] is en[1] and zh[0] is not en[0]  # each language's catalogue read once

    class Amount(Plain):
        amount = IntegerField()

    with app.test_request_context("/", method="POST", data={"amount": "x"}, headers={"Accept-Language": "zh"}):
        form = Amount()
        form.validate()
        assert form.amount.errors == ["不是有效的整数。"]


# Every form of the app, written by the app's Form and by WTForms' own widgets (with Flask-WTF's own reading of
# WTForms' messages, as before the app had a Form of its own): the HTML and the messages must be the same.

class WTFormsOwn:
    """A form's Meta as WTForms and Flask-WTF have it: each field written by its widget, WTForms' messages through
    Flask-WTF's translations."""

    def render_field(self, field, render_kw):
        return DefaultMeta.render_field(self, field, render_kw)

    def get_translations(self, form):
        return flask_wtf.i18n.translations


def app_form_classes():
    """Every FlaskForm subclass in salesweb's modules, and the ones its factories build (settings, a CSV's mapping)."""
    found = {}
    for module in pkgutil.walk_packages(salesweb.__path__, "salesweb."):
        namespace = vars(importlib.import_module(module.name))
        for value in namespace.values():
            if isinstance(value, type) and issubclass(value, FlaskForm) and value.__module__ == module.name:
                found[f"{value.__module__}.{value.__qualname__}"] = value
    found["settings.forms.form_class(DEFINITIONS)"] = settings_forms.form_class(settings.DEFINITIONS)
    found["customers.forms.mapping_form"] = type(customer_forms.mapping_form(["Name", "电话 <b>"], {"name": 0}, "skip"))
    return found


def leaves(fields):
    """The fields a page writes one by one: a list's entries and a row's fields, not the list or the row."""
    for field in fields:
        if field.type in ("FieldList", "FormField"):
            yield from leaves(field)
        else:
            yield field


SAMPLE_CHOICES = [("", _l("Anyone")), ("1", "Zhang <b>"), ("2", Markup("<i>em</i>")), ("3", "三"), ("4", 'a "q" & b'),
                  ("5", flask_babel.lazy_gettext("<i>Flask-Babel's own lazy text is HTML</i>")), ("6", _l(""))]
TEXT = ("StringField", "SearchField", "TelField", "URLField")
POSTED = {**dict.fromkeys(TEXT, 'Zhang "张" <b>&amp;'), "TextAreaField": "line one\r\n<script>x</script>",
          "EmailField": "a&b@example.com", "PasswordField": "secret", "HiddenField": '7"<x>',
          "IntegerField": "42", "FloatField": "2.5", "DecimalField": "1234.5", "DateField": "2026-03-04",
          "TimeField": "09:30", "BooleanField": "on", "SubmitField": "y", "SelectField": "1", "RadioField": "1",
          "SelectMultipleField": ["1", "2"], "MultiCheckboxField": ["1", "3"]}
BROKEN = {**dict.fromkeys(TEXT, "x" * 6000), "TextAreaField": "y" * 12000, "EmailField": "not an address",
          "IntegerField": "4x2", "FloatField": "x", "DecimalField": "nan-ish", "DateField": ["2026-13-40", "<b>"],
          "TimeField": ["25:99", "x"], "BooleanField": '<"x">', "SelectField": "99", "RadioField": "<b>",
          "SelectMultipleField": ["9"], "MultiCheckboxField": ["99", "<i>"]}
DATA = {**dict.fromkeys(TEXT, 'Zhang "张" <b>'), "TextAreaField": "<p>a\r\nb</p>", "EmailField": "a@example.com",
        "PasswordField": "secret", "HiddenField": 12, "IntegerField": 7, "FloatField": 2.5,
        "DecimalField": decimal.Decimal("1234.541"), "DateField": datetime.date(2026, 3, 4),
        "TimeField": datetime.time(9, 30), "BooleanField": True, "SelectField": "2", "RadioField": "3",
        "SelectMultipleField": [2], "MultiCheckboxField": [1, 3]}
WAYS = ({}, {"aria-invalid": "true", "aria-describedby": "x-error"},
        {"class_": "wide", "data_x": 'a"b<', "title": Markup('say "hi" <b>')})


def _filled(blank, values):
    """What a form like `blank` posts: `values` by field type."""
    posted = MultiDict()
    for field in leaves(blank):
        value = values.get(field.type)
        if value is not None and field.type != "CSRFTokenField":
            for one in value if isinstance(value, list) else [value]:
                posted.add(field.name, one)
    return posted


def _with_choices(form):
    for field in leaves(form):
        if getattr(field, "choices", False) is None:  # the page gives these (owners, customers, deals)
            field.choices = options(SAMPLE_CHOICES)
    return form


def _written(form):
    """Everything a page takes from the form: each control as a page writes it, options one by one, labels,
    the hidden fields together, and the messages."""
    parts = [str(form.hidden_tag())]
    for field in leaves(form):
        parts.extend(f"{field.name} {ways}: {field(**ways)}" for ways in WAYS)
        parts.append(str(field.label))
        if field.type in ("RadioField", "SelectMultipleField", "MultiCheckboxField"):
            parts.extend(f"{option()} {option.label} {option.label.text}" for option in field)
        parts.append(f"{field.name} errors: {[str(e) for e in field.errors]}")
    parts.append(f"form errors: {[str(e) for e in form.form_errors]}")
    return parts


def written_alike(app, name, form_class, data=None):
    """Asserts that a form of `form_class` writes what WTForms writes, in English and Chinese: blank, posted,
    posted with values it refuses (WTForms' own messages), and given data; returns how many parts it compared."""
    class Theirs(form_class):
        Meta = WTFormsOwn

    compared = 0
    for locale in ("en", "zh"):
        with app.test_request_context("/", method="POST"), force_locale(locale):
            blank = form_class(formdata=None)
            for way in ("blank", "posted", "refused", "data"):
                if way == "data":
                    given = {**{f.short_name: DATA[f.type] for f in blank if f.type in DATA}, **(data or {})}
                    made = [_with_choices(cls(formdata=None, data=given)) for cls in (form_class, Theirs)]
                else:
                    formdata = None if way == "blank" else _filled(
                        blank, POSTED if way == "posted" else {**POSTED, **BROKEN})
                    made = [_with_choices(cls(formdata=formdata)) for cls in (form_class, Theirs)]
                    if formdata is not None:
                        for form in made:
                            form.validate()
                ours, theirs = (_written(form) for form in made)
                assert len(ours) == len(theirs)
                for mine, wtforms_own in zip(ours, theirs):
                    assert mine == wtforms_own, (name, way, locale)
                compared += len(ours)
    return compared


def test_every_form_writes_what_wtforms_writes_in_every_language(app):
    with app.test_request_context("/"):
        forms = app_form_classes()
    assert len(forms) > 60 and {"salesweb.visits.forms.VisitForm", "salesweb.quotes.forms.QuoteForm"} <= set(forms)
    assert all(issubclass(form_class, Form) for form_class in forms.values()), \
        [name for name, form_class in forms.items() if not issubclass(form_class, Form)]
    assert sum(written_alike(app, name, form_class) for name, form_class in forms.items()) > 5000


class EveryWidget(Form):
    """A field of each kind the writer knows, declared in the ways no form of the app uses yet, and a few it
    leaves to WTForms (a search box, grouped options, a datalist)."""

    text = StringField(validators=[InputRequired(), Length(min=2, max=20)],
                       render_kw={"pattern": "[a-z]+", "data_role": Markup('"x"'), "readonly": True, "hidden": False})
    search = SearchField()
    suggested = StringField(datalist=wtforms.DataList(["a", "b <c>"]))
    password = PasswordField(widget=wtforms.widgets.PasswordInput(hide_value=False))
    number = IntegerField(validators=[NumberRange(1, 10)])
    bounded = IntegerField(validators=[NumberRange(lambda: 2, lambda: 9)])
    ratio = FloatField()
    amount = DecimalField(places=None)
    rounded = DecimalField(places=1, rounding=decimal.ROUND_UP)
    from_float = DecimalField()
    day = DateField(render_kw={"min": datetime.date(2020, 1, 2), "max": Markup("2030-01-01")})
    moment = TimeField(format=["%H:%M", "%H:%M:%S"], render_kw={"min": datetime.time(8, 0)})
    agree = BooleanField(default="checked")
    save = SubmitField("Save <now>")
    files = MultipleFileField()
    note = TextAreaField(validators=[Length(max=10)], render_kw={"rows": 3})
    pick = SelectField(choices=[SelectChoice("a", "A", render_kw={"data_x": "1", "disabled": True}),
                                SelectChoice("b", _l("Bee")), SelectChoice(False, ""), SelectChoice(None, None),
                                SelectChoice(True, "yes", render_kw={"title": "t"})])
    grouped = SelectField(choices=[SelectChoice("a", "A", optgroup="G <1>"), SelectChoice("b", "B")])
    many = SelectMultipleField(choices=options([("1", "One"), ("2", "Two")]), coerce=int)
    radio = RadioField(choices=options([("x", "X"), ("y", _l("Why"))]))


def test_every_widget_the_writer_knows_writes_what_wtforms_writes(app):
    assert written_alike(app, "EveryWidget", EveryWidget, data={"from_float": 2.5, "pick": False}) > 300
