from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from ..core.i18n import _l
from ..web.forms import Form


class ReportForm(Form):
    feedback = TextAreaField(_l("Customer feedback"), validators=[Optional(), Length(max=5000)])
    market = TextAreaField(_l("Market information"), validators=[Optional(), Length(max=5000)])
    plan = TextAreaField(_l("Next week's plan"), validators=[Optional(), Length(max=5000)])
    forecast = TextAreaField(_l("Forecast"), validators=[Optional(), Length(max=5000)])
