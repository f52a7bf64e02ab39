"""The forms of the ops pages: the pipeline's stages and loss reasons, and the allocation console."""
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ...web.forms import Form, as_id, options
from ...core.i18n import _l
from ...models import STAGE_KIND_LABELS, TIERS
from ...pipeline import stages as stages_service


class StageForm(Form):
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=stages_service.STAGE_NAME_MAX)])
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=stages_service.STAGE_NAME_MAX)])
    probability = IntegerField(_l("Probability (%)"), validators=[
        InputRequired(), NumberRange(0, 100, message=_l("Enter a percentage from 0 to 100."))],
        render_kw={"inputmode": "numeric"})
    kind = SelectField(_l("Kind"), choices=options(STAGE_KIND_LABELS.items()), default="open")
    rotting_days = IntegerField(_l("Rotting days"), validators=[
        Optional(), NumberRange(1, stages_service.ROTTING_DAYS_MAX,
                                message=_l("Enter a number of days from 1 to 365, or leave it empty."))],
        render_kw={"inputmode": "numeric"})

    def values(self):
        return {"name_en": self.name_en.data, "name_zh": self.name_zh.data, "probability": self.probability.data,
                "kind": self.kind.data, "rotting_days": self.rotting_days.data}


class ReasonForm(Form):
    name_en = StringField(_l("Reason (English)"),
                          validators=[DataRequired(), Length(max=stages_service.REASON_NAME_MAX)])
    name_zh = StringField(_l("Reason (Chinese)"),
                          validators=[DataRequired(), Length(max=stages_service.REASON_NAME_MAX)])

    def values(self):
        return {"name_en": self.name_en.data, "name_zh": self.name_zh.data}


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
