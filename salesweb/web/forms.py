"""What every form module shares."""
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from ..core.i18n import _l


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
