"""The allocation console's forms: the customer filters, and the reassignment with its preview step."""
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField
from wtforms.validators import Length, Optional

from ..web.forms import Form, as_id, options
from ..core.i18n import _l
from ..models import TIERS


class FilterForm(Form):
    class Meta:
        csrf = False

    owner = SelectField(_l("Owner"), coerce=as_id, validate_choice=False)
    region = SelectField(_l("Region"), validate_choice=False)
    tier = SelectField(_l("Tier"), choices=options([("", _l("Any tier"))] + [(t, t) for t in TIERS]),
                       validate_choice=False)
    overdue = BooleanField(_l("Overdue for a visit only"))
    q = StringField(_l("Name or phone"), validators=[Optional(), Length(max=100)])

    def criteria(self):
        return {"owner": self.owner.data, "region": self.region.data or "", "tier": self.tier.data or "",
                "overdue": bool(self.overdue.data), "q": (self.q.data or "").strip()}


class MoveForm(Form):
    to_owner = SelectField(_l("Give them to"), coerce=as_id, validate_choice=False)
    pick = RadioField(_l("Which customers"), choices=options([("all", _l("All matching")),
                                                              ("ticked", _l("Only those ticked"))]),
                      default="all", validate_choice=False)
    move_deals = BooleanField(_l("Their open deals go along"), default=True)
    step = HiddenField()
