"""What every form module shares: the base form every form of the app inherits from, and helpers for fields."""
import decimal
from functools import lru_cache

from babel import support
from flask import current_app, has_request_context

from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import fields, i18n, widgets
from wtforms.csrf.core import CSRFTokenField
from wtforms.fields.choices import Choice, SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets.core import clean_key

from ..core.i18n import _l, locale_name


def as_id(value):
    """A posted id as an int, or None for anything that is not one (so a bad value is "not found", not a 500)."""
    return int(value) if str(value).isdecimal() and len(str(value)) < 19 else None


def options(pairs):
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class DateRange:
    """A date between two bounds (dates far outside them break date arithmetic)."""

    def __init__(self, earliest, latest):
        self.earliest, self.latest = earliest, latest

    def __call__(self, form, field):
        if field.data and not self.earliest <= field.data <= self.latest:
            raise ValidationError(_l("Choose a date between %(a)s and %(b)s.", a=self.earliest.isoformat(),
                                     b=self.latest.isoformat()))


@lru_cache(maxsize=8)
def wtforms_messages(locale):
    """WTForms' own messages ("This field is required.") in `locale` (a code such as "zh"), read from their
    catalogue once per locale."""
    return support.Translations.load(i18n.messages_path(), [locale], "wtforms")


def upload_limits():
    """(where uploads are stored, the most bytes a file may have), as configured."""
    return current_app.config["UPLOAD_DIR"], int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024


def uploaded(field):
    """A file field's upload as the rules take it, (stream, filename, upload dir, most bytes), or None when no
    file was chosen."""
    upload = field.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return (upload.stream, upload.filename, *upload_limits())


class Form(FlaskForm):
    """The base of every form: fields are written by `write_field`, WTForms' own messages come from
    `wtforms_messages` in the request's locale (the app turns Flask-WTF's per-request reading off)."""

    class Meta:
        def render_field(self, field, render_kw):
            html = write_field(field, render_kw)
            return super().render_field(field, render_kw) if html is None else html

        def get_translations(self, form):
            return wtforms_messages(locale_name()) if has_request_context() else None


# The HTML of the common widgets, written as WTForms' own widgets write it (attributes sorted and escaped the same
# way; tests/web/test_form_html.py compares every form of the app) with plain string operations: WTForms formats
# each attribute through Markup.format, and a form writes a hundred attributes. Any other widget, and any field
# whose value is written by a field class not listed in VALUES, is left to the field's own widget. (A datalist
# given by its id alone cannot be seen through WTForms' API: no form has one, and that test would show it.)


def attributes(values):
    """HTML attributes as WTForms' `html_params` writes them: sorted by name, `True` bare, `False` left out."""
    written = []
    for key, value in sorted(values.items()):
        key = escape(clean_key(key))
        if value is True:
            written.append(key)
        elif value is not False:
            written.append(f'{key}="{quoted(value)}"')
    return " ".join(written)


def quoted(value):
    """An attribute's value, escaped; a Markup value's own quotes too."""
    return str(escape(value)).replace('"', "&quot;")


def _text(field):
    return str(field.data) if field.data is not None else ""


def _number(field):
    if field.raw_data:
        return field.raw_data[0]
    return str(field.data) if field.data is not None else ""


def _decimal(field):
    if field.use_locale:
        return None
    if field.raw_data:
        return field.raw_data[0]
    if field.data is None:
        return ""
    if field.places is None:
        return str(field.data)
    if not hasattr(field.data, "quantize"):
        return f"%.{field.places}f" % field.data
    exp = decimal.Decimal(".1") ** field.places
    if field.rounding is None:
        return str(field.data.quantize(exp))
    return str(field.data.quantize(exp, rounding=field.rounding))


def _moment(field):
    if field.raw_data:
        return " ".join(field.raw_data)
    return field.data and field.data.strftime(field.format[0]) or ""


def _checkbox(field):
    return str(field.raw_data[0]) if field.raw_data else "y"


def _token(field):
    return field.current_token


# The value each field class shows in its control, by the exact class (a subclass may show its value its own way).
VALUES = {
    **dict.fromkeys((fields.StringField, fields.TextAreaField, fields.PasswordField, fields.HiddenField,
                     fields.EmailField, fields.SearchField, fields.TelField, fields.URLField), _text),
    fields.IntegerField: _number, fields.FloatField: _number, fields.DecimalField: _decimal,
    fields.DateField: _moment, fields.TimeField: _moment, fields.DateTimeField: _moment,
    fields.BooleanField: _checkbox, CSRFTokenField: _token,
}


def value_of(field):
    """What the field's control shows, or None when it is not known here."""
    shown = VALUES.get(type(field))
    if shown is not None:
        return shown(field)
    if isinstance(getattr(field, "choice", None), Choice):  # one option of a radio or checkbox list
        return str(field.data)
    return None


def _flags(field, names, kwargs, call=False):
    """The validators' flags a widget writes as attributes (`required`, `maxlength`), unless given (a flag reads
    None when no validator set it)."""
    flags = field.flags
    for name in names:
        if name not in kwargs:
            value = getattr(flags, name)
            if value is not None:
                kwargs[name] = value() if call and callable(value) else value


def _input(field, widget, kwargs):
    kwargs.setdefault("id", field.id)
    kwargs.setdefault("type", widget.input_type)
    if "value" not in kwargs:
        kwargs["value"] = value_of(field)
        if kwargs["value"] is None:
            return None
    _flags(field, widget.validation_attrs, kwargs, call=True)
    if "name" in kwargs or field.datalist():
        return None
    return Markup(f"<input {attributes({'name': field.name, **kwargs})}>")


def _password(field, widget, kwargs):
    if widget.hide_value:
        kwargs["value"] = ""
    return _input(field, widget, kwargs)


def _checkbox_input(field, widget, kwargs):
    if getattr(field, "checked", field.data):
        kwargs.setdefault("checked", True)
    return _input(field, widget, kwargs)


def _radio(field, widget, kwargs):
    if field.checked:
        kwargs.setdefault("checked", True)
    return _input(field, widget, kwargs)


def _file(field, widget, kwargs):
    kwargs["value"] = False  # a browser ignores a file input's value
    if widget.multiple:
        kwargs["multiple"] = True
    return _input(field, widget, kwargs)


def _submit(field, widget, kwargs):
    kwargs.setdefault("value", field.label.text)
    return _input(field, widget, kwargs)


def _number_input(field, widget, kwargs):
    for name in ("step", "min", "max"):
        if getattr(widget, name) is not None:
            kwargs.setdefault(name, getattr(widget, name))
    return _input(field, widget, kwargs)


def _moment_input(field, widget, kwargs):
    pattern = getattr(field, "format", None)
    if pattern is not None:
        pattern = pattern[0] if isinstance(pattern, list) else pattern
        for name in ("min", "max"):
            value = kwargs.get(name, getattr(field.flags, name, None))
            if callable(value):
                value = value()
            if hasattr(value, "strftime"):
                kwargs[name] = value.strftime(pattern)
    return _input(field, widget, kwargs)


def _textarea(field, widget, kwargs):
    kwargs.setdefault("id", field.id)
    _flags(field, widget.validation_attrs, kwargs)
    value = value_of(field)
    if value is None or "name" in kwargs:
        return None
    return Markup(f"<textarea {attributes({'name': field.name, **kwargs})}>\r\n{escape(value)}</textarea>")


def _select(field, widget, kwargs):
    kwargs.setdefault("id", field.id)
    if widget.multiple:
        kwargs["multiple"] = True
    _flags(field, widget.validation_attrs, kwargs)
    if "name" in kwargs or field.has_groups():
        return None
    html = [f"<select {attributes({'name': field.name, **kwargs})}>"]
    for choice in field.iter_choices():
        if not isinstance(choice, Choice):
            return None
        html.append(option_tag(choice))
    html.append("</select>")
    return Markup("".join(html))


def option_tag(choice):
    """An <option> as WTForms' Select writes it."""
    value = str(choice.value) if isinstance(choice.value, bool) else choice.value
    label = choice.label
    if isinstance(label, LazyString):  # translated once, where `label or value` would translate it twice
        label = escape(label) or escape(choice.value)
    else:
        label = escape(label or choice.value)
    if choice.render_kw:
        written = {"value": value, **choice.render_kw}
        if choice.selected:
            written["selected"] = True
        return f"<option {attributes(written)}>{label}</option>"
    if choice.selected:
        return f'<option selected value="{quoted(value)}">{label}</option>'
    return f'<option value="{quoted(value)}">{label}</option>'


WRITERS = {
    **dict.fromkeys((widgets.TextInput, widgets.EmailInput, widgets.HiddenInput), _input),
    widgets.PasswordInput: _password, widgets.NumberInput: _number_input,
    widgets.DateInput: _moment_input, widgets.TimeInput: _moment_input,
    widgets.CheckboxInput: _checkbox_input, widgets.RadioInput: _radio, widgets.FileInput: _file,
    widgets.SubmitInput: _submit, widgets.TextArea: _textarea, widgets.Select: _select,
}


def write_field(field, render_kw):
    """The field's control as its widget would write it, or None for a widget written by the widget itself.
    The attributes given when rendering win over the field's own `render_kw`, as in WTForms' render_field."""
    write = WRITERS.get(type(field.widget))
    if write is None:
        return None
    kwargs = {clean_key(k): v for k, v in render_kw.items()}
    if field.render_kw is not None:
        kwargs = {**{clean_key(k): v for k, v in field.render_kw.items()}, **kwargs}
    return write(field, field.widget, kwargs)
