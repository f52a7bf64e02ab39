"""The settings form, for any set of setting definitions: the admin's page holds them all, the ops settings area
the sales process's. Money is entered in whole currency units and kept in minor units."""
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..admin.forms import LOCALE_CHOICES
from ..web.forms import Form, options
from ..core import settings as settings_service


def form_class(definitions):
    """A form with one field per definition."""

    class SettingsForm(Form):
        def values(self):
            """The settings as typed, as they are kept: money in minor units, text without surrounding spaces."""
            kept = {}
            for d in definitions:
                value = getattr(self, d.key).data
                kept[d.key] = value * 100 if d.kind == "money" else (value.strip() if isinstance(value, str) else value)
            return kept

    for d in definitions:
        if d.kind == "text":
            field = StringField(d.label, validators=[DataRequired(), Length(max=d.maximum)])
        elif d.kind == "timezone":
            field = StringField(d.label, validators=[DataRequired(), Length(max=64)])
        elif d.kind == "choice":
            labels = dict(LOCALE_CHOICES) if d.choices == settings_service.LOCALES else {}
            field = SelectField(d.label, choices=options((c, labels.get(c, c)) for c in d.choices))
        else:
            lo = d.minimum // 100 if d.kind == "money" else d.minimum
            hi = d.maximum // 100 if d.kind == "money" else d.maximum
            field = IntegerField(d.label, validators=[InputRequired(), NumberRange(lo, hi)])
        setattr(SettingsForm, d.key, field)
    return SettingsForm


def shown(definitions, current):
    """The form filled from the settings in force (`current`), money in whole units."""
    kinds = {d.key: d.kind for d in definitions}
    return form_class(definitions)(data={k: v // 100 if kinds[k] == "money" else v
                                         for k, v in current.items() if k in kinds})
