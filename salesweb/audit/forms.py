"""The audit log's filters."""
import datetime

from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from ..web.forms import DateRange, Form, options
from ..core.i18n import _l
from ..models import AUDIT_ACTION_LABELS


class AuditFilterForm(Form):
    class Meta:
        csrf = False

    action = SelectField(_l("Action"), choices=options([("", _l("All actions"))] + list(AUDIT_ACTION_LABELS.items())),
                         default="")
    actor = SelectField(_l("Who"), default="")
    q = StringField(_l("Text"), validators=[Optional(), Length(max=100)])
    since = DateField(_l("From"), validators=[Optional(), DateRange(datetime.date(2000, 1, 1), datetime.date(2999, 12, 31))])
    until = DateField(_l("To"), validators=[Optional(), DateRange(datetime.date(2000, 1, 1), datetime.date(2999, 12, 31))])
