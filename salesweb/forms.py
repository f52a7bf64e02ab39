"""What every form module shares."""
import flask_wtf.i18n
import wtforms.i18n
from babel import support
from flask import has_request_context
from flask_babel import get_locale
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from .i18n import _l


def as_id(value):
    """A posted id as an int, or None for anything that is not one (so a bad value is "not found", not a 500)."""
    return int(value) if str(value).isdecimal() and len(str(value)) < 19 else None


def options(pairs):
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


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


class DateRange:
    """A date between two bounds (dates far outside them break date arithmetic)."""

    def __init__(self, earliest, latest):
        self.earliest, self.latest = earliest, latest

    def __call__(self, form, field):
        if field.data and not self.earliest <= field.data <= self.latest:
            raise ValidationError(_l("Choose a date between %(a)s and %(b)s.", a=self.earliest.isoformat(),
                                     b=self.latest.isoformat()))
