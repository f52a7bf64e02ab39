from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..core.i18n import _l, lazy_pgettext
from ..web.forms import Form, as_id, options
from ..models import ROLE_LABELS, ROLES

LOCALE_CHOICES = [("", _l("Follow the browser")), ("en", "English"), ("zh", "简体中文")]


def _coerce_id(value):
    """Select values are ids or '' for none; anything else is no choice."""
    if value in (None, "", "None"):
        return None
    chosen = as_id(value)
    return -1 if chosen is None else chosen


class UserForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    role = SelectField(_l("Role"), choices=options((r, ROLE_LABELS[r]) for r in ROLES))
    team = SelectField(_l("Team"), coerce=_coerce_id, validate_choice=True)
    reports_to = SelectField(_l("Reports to"), coerce=_coerce_id, validate_choice=True)
    locale = SelectField(_l("Language"), choices=options(LOCALE_CHOICES))


class NewUserForm(UserForm):
    password = PasswordField(_l("Initial password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "new-password"})


class ResetPasswordForm(Form):
    password = PasswordField(_l("New password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "new-password"})


class TeamForm(Form):
    name = StringField(lazy_pgettext("name of a thing", "Name"), validators=[DataRequired(), Length(max=100)])
    manager = SelectField(_l("Manager"), coerce=_coerce_id, validate_choice=True)


class UserFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), choices=options([("", _l("All roles"))] + [(r, ROLE_LABELS[r]) for r in ROLES]),
                       validate_choice=False)
    status = SelectField(_l("Status"), choices=options([("active", _l("Active")), ("inactive", _l("Deactivated")),
                                                        ("", _l("All"))]),
                         default="active", validate_choice=False)


