"""What every form module shares."""
import flask_wtf.i18n
import wtforms.i18n
import wtforms.widgets
import wtforms.widgets.core
from babel import support
from flask import has_request_context
from flask_babel import get_locale
from markupsafe import Markup, escape
from wtforms import fields, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from .i18n import _l
from .services import cache


def as_id(value):
    """A posted id as an int, or None for anything that is not one (so a bad value is "not found", not a 500)."""
    return int(value) if str(value).isdecimal() and len(str(value)) < 19 else None


def options(pairs):
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def html_params(**kwargs):
    """WTForms' html_params, giving the same text: its own formats each attribute through Markup.format
    (~8 µs an attribute), and a form of fifteen fields has a hundred attributes."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = widgets.core.clean_key(key)
        if value is True:
            params.append(str(escape(key)))
        elif value is not False:
            params.append(f'{escape(key)}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(params))


def install_html_params():
    """Every WTForms widget (and a field's label) writes its attributes with `html_params`; inputs and buttons
    hold it as their own attribute."""
    wtforms.widgets.core.html_params = wtforms.widgets.html_params = html_params
    for widget in vars(wtforms.widgets.core).values():
        if isinstance(widget, type) and "html_params" in vars(widget):
            widget.html_params = staticmethod(html_params)


_wtforms_catalogues = {}


def _wtforms_translations():
    """WTForms' own words (a hidden field's default label, "This field is required.") in the request's
    language. Flask-WTF finds, opens and parses their catalogue anew for every request that builds a form with
    an unlabelled field (~0.5 ms, half a card move's floor); it cannot change while the app runs, so each
    language's is read once."""
    if not has_request_context():
        return None
    locale = get_locale()
    key = str(locale)
    catalogue = _wtforms_catalogues.get(key)
    if catalogue is None:
        catalogue = _wtforms_catalogues[key] = support.Translations.load(
            wtforms.i18n.messages_path(), [locale], domain="wtforms")
    return catalogue


def install_form_translations():
    """Flask-WTF's forms read WTForms' words through `_wtforms_translations`."""
    flask_wtf.i18n._get_translations = _wtforms_translations


# Selects as written, by everything they are written from: an owner filter's sixty options are the same from one
# request to the next. Cleared with every kept result (services.cache.clear_all).
_kept_selects = cache.Results(limit=1024, max_bytes=8 * 1024 * 1024)


class Select(widgets.Select):
    """WTForms' select, writing a plain option (no extra attributes) straight out: its own way builds each
    option's attributes through a sorted, escaped, formatted list (~45 µs an option), and a filter of owners
    or customers has a hundred options. The same HTML, attribute order included."""

    def __call__(self, field, **kwargs):
        """A select of plain options (`options`: no groups, no attributes of their own) written from the field's
        choices as they are; WTForms builds two objects per option on the way (~2 µs an option)."""
        choices = field.choices
        if self.multiple or type(choices) is not list or not all(
                type(c) is SelectChoice and c.optgroup is None and not c.render_kw for c in choices):
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = vars(field.flags)
        for k in self.validation_attrs:
            if k in flags and k not in kwargs:
                kwargs[k] = flags[k]
        coerce, data = field.coerce, field.data
        try:  # what it is written from (a Markup value, label or attribute is written unlike a str: types too)
            key = (field.name, tuple((k, type(v), v) for k, v in sorted(kwargs.items())), coerce, data,
                   tuple((type(c.value), c.value, type(c.label), str(c.label)) for c in choices))
            html = _kept_selects.get(key)
        except TypeError:  # an attribute or the data that cannot be a key: written each time
            key = html = None
        if html is None:
            option = self._option
            html = Markup("".join([f"<select {html_params(name=field.name, **kwargs)}>",
                                   *(option(c.value, c.label, coerce(c.value) == data) for c in choices),
                                   "</select>"]))
            if key is not None:
                _kept_selects.put(key, html, size=2 * len(html) + 64 * len(choices))
        return html

    @classmethod
    def render_option(cls, choice, **kwargs):
        if choice.render_kw or kwargs:
            return super().render_option(choice, **kwargs)
        return Markup(cls._option(choice.value, choice.label, choice.selected))

    @staticmethod
    def _option(value, label, selected):
        label = escape(label or value)
        value = str(value) if isinstance(value, bool) else value
        value = str(escape(value)).replace('"', "&quot;")  # a Markup value is not escaped, its quotes are
        return (f'<option selected value="{value}">{label}</option>' if selected
                else f'<option value="{value}">{label}</option>')


class SelectField(fields.SelectField):
    """A select rendered by `Select`; every form's selects are these."""
    widget = Select()


class DateRange:
    """A date between two bounds (dates far outside them break date arithmetic)."""

    def __init__(self, earliest, latest):
        self.earliest, self.latest = earliest, latest

    def __call__(self, form, field):
        if field.data and not self.earliest <= field.data <= self.latest:
            raise ValidationError(_l("Choose a date between %(a)s and %(b)s.", a=self.earliest.isoformat(),
                                     b=self.latest.isoformat()))
