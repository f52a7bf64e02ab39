"""The forms of the ops pages: the pipeline's stages and loss reasons."""
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ...web.forms import options
from ...core.i18n import _l
from ...models import STAGE_KIND_LABELS
from ...pipeline import stages as stages_service


class StageForm(FlaskForm):
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


class ReasonForm(FlaskForm):
    name_en = StringField(_l("Reason (English)"),
                          validators=[DataRequired(), Length(max=stages_service.REASON_NAME_MAX)])
    name_zh = StringField(_l("Reason (Chinese)"),
                          validators=[DataRequired(), Length(max=stages_service.REASON_NAME_MAX)])

    def values(self):
        return {"name_en": self.name_en.data, "name_zh": self.name_zh.data}
