"""The settings form, for any set of setting definitions: the admin's page holds them all, the ops settings area
the sales process's. Saving goes through tiers.update_settings: the settings service validates the whole and
audits each change, and the customers' due dates and tiers follow."""
from flask import flash, redirect, request, url_for
from flask_login import current_user
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..admin.forms import LOCALE_CHOICES
from ..web.forms import Form, options
from ..core.i18n import _
from ..core import settings as settings_service
from ..customers import tiers
from ..core.settings import current_settings, settings_fallbacks
from ..core.clock import local_today
from ..web.pages import render, submit


def form_class(definitions):
    """A form with one field per definition; money is entered in whole currency units."""

    class SettingsForm(Form):
        pass

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


def edit(definitions, endpoint, template, **context):
    """The settings page for `definitions`: shows the current values, saves a valid post (redirecting to
    `endpoint`), or shows the form again with its messages."""
    kinds = {d.key: d.kind for d in definitions}
    if request.method == "GET":
        form = form_class(definitions)(data={k: v // 100 if kinds[k] == "money" else v
                                             for k, v in current_settings().items() if k in kinds})
    else:
        form = form_class(definitions)()
    changed = {}

    def save():
        values = {k: getattr(form, k).data for k in kinds}
        values = {k: v * 100 if kinds[k] == "money" else (v.strip() if isinstance(v, str) else v)
                  for k, v in values.items()}
        changed.update(tiers.update_settings(values, by=current_user, fallbacks=settings_fallbacks(),
                                             today=local_today()))

    done, status = submit(form, save)
    if done:
        flash(_("Settings saved.") if changed else _("Nothing changed."), "success")
        return redirect(url_for(endpoint))
    return render(template, form=form, definitions=definitions, status=status, **context)
