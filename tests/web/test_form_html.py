"""The HTML our forms' fields write (pages and tests compare it), and WTForms' own words in the reader's language."""
from markupsafe import Markup
from wtforms import BooleanField, Form, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length

from salesweb.web.forms import options


def test_a_select_writes_its_options_escaped_with_the_chosen_one_selected(app):
    choices = options([("", "Anyone"), ("1", "Zhang <b>"), ('x"y', Markup("<i>em</i>")), (True, "yes"), (3, "三"),
                       (Markup('a "b"'), "quoted")])

    class Filter(Form):
        pick = SelectField(choices=choices, validators=[InputRequired()])

    assert str(Filter(data={"pick": "1"}).pick(class_="f")) == (
        '<select class="f" id="pick" name="pick" required><option value="">Anyone</option>'
        '<option selected value="1">Zhang &lt;b&gt;</option><option value="x&#34;y"><i>em</i></option>'
        '<option value="True">yes</option><option value="3">三</option>'
        '<option value="a &quot;b&quot;">quoted</option></select>')
    for value in ("", "1", 'x"y', "3"):
        assert str(Filter(data={"pick": value}).pick()).count("<option selected ") == 1


def test_a_select_tells_apart_text_and_markup_in_labels_and_attributes(app):
    def written(pairs, value="1", **attributes):
        class One(Form):
            pick = SelectField(choices=options(pairs))
        return str(One(data={"pick": value}).pick(**attributes))

    assert "&lt;b&gt;A&lt;/b&gt;" in written([("1", "<b>A</b>")])
    assert "<b>A</b>" in written([("1", Markup("<b>A</b>"))])
    assert 'selected value="2"' in written([("1", "A"), ("2", "B")], "2")
    assert 'title="&lt;b&gt;"' in written([("1", "A")], title="<b>")
    assert 'title="<b>"' in written([("1", "A")], title=Markup("<b>"))


def test_inputs_and_labels_write_their_attributes_sorted_and_escaped(app):
    class Contact(Form):
        name = StringField(validators=[InputRequired(), Length(max=5)], render_kw={"data_x": 'a"b'})
        box = BooleanField()

    form = Contact(data={"name": "<x>", "box": True})
    assert str(form.name()) == ('<input data-x="a&#34;b" id="name" maxlength="5" name="name" required type="text" '
                                'value="&lt;x&gt;">')
    assert str(form.box()) == '<input checked id="box" name="box" type="checkbox" value="y">'
    assert str(form.box.label(class_="c")) == '<label class="c" for="box">Box</label>'


def test_wtforms_words_follow_the_request_language_and_are_read_once_per_language(app):
    from flask_babel import force_locale

    from salesweb.web.forms import Form

    class Required(Form):
        class Meta:
            csrf = False

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

    class Amount(Form):
        class Meta:
            csrf = False

        amount = IntegerField()

    with app.test_request_context("/", method="POST", data={"amount": "x"}, headers={"Accept-Language": "zh"}):
        form = Amount()
        form.validate()
        assert form.amount.errors == ["不是有效的整数。"]
