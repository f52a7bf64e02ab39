import datetime
from decimal import ROUND_HALF_UP, Decimal

from wtforms import (BooleanField, DateField, DecimalField, HiddenField, IntegerField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, StopValidation

from ..web.forms import Form, as_id, options
from ..core.i18n import _l, lazy_pgettext
from ..models import STAGE_KIND_LABELS
from .stages import REASON_NAME_MAX, ROTTING_DAYS_MAX, STAGE_NAME_MAX


def finite(form, field):
    """NaN, infinities (and signalling NaN, which NumberRange cannot even compare) are not amounts."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(_l("Enter an amount between 0 and 100,000,000,000."))


AMOUNT = [InputRequired(), finite,
          NumberRange(0, 100_000_000_000, message=_l("Enter an amount between 0 and 100,000,000,000."))]


class DealForm(Form):
    title = StringField(lazy_pgettext("deal", "Title"), validators=[DataRequired(), Length(max=200)])
    customer = SelectField(_l("Customer"), coerce=as_id, validate_choice=False)
    amount = DecimalField(_l("Amount"), places=2, validators=AMOUNT, render_kw={"inputmode": "decimal"})
    owner = SelectField(_l("Owner"), coerce=as_id)
    stage = SelectField(_l("Stage"), coerce=as_id)
    expected_close = DateField(_l("Expected close"), validators=[Optional()])
    probability = IntegerField(_l("Probability (%)"), validators=[Optional(), NumberRange(0, 100)])
    next_step = StringField(_l("Next step"), validators=[Optional(), Length(max=200)])
    next_step_due = DateField(_l("Next step due"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    version = HiddenField()


class QuickAddForm(Form):
    title = StringField(lazy_pgettext("deal", "Title"), validators=[DataRequired(), Length(max=200)])
    customer = SelectField(_l("Customer"), coerce=as_id, validate_choice=False)
    amount = DecimalField(_l("Amount"), places=2, validators=AMOUNT, render_kw={"inputmode": "decimal"})
    stage = HiddenField()


class MoveForm(Form):
    """A deal put in an open stage: a card dragged on the board, a button on the deal page."""
    class Meta:
        csrf = False  # CSRFProtect checks every POST's token (the board posts it with each move)

    stage = SelectField(_l("Move to"), coerce=as_id, validate_choice=False)
    version = IntegerField(validators=[InputRequired()])
    before = HiddenField()
    after = HiddenField()
    next_step = StringField(_l("Next step"), validators=[Optional(), Length(max=200)])
    next_step_due = DateField(_l("Next step due"), validators=[Optional()])


class NextStepForm(Form):
    """A deal's next step, offered on the board after a move that came without one."""
    class Meta:
        csrf = False  # CSRFProtect checks every POST's token (the board posts it with each request)

    next_step = StringField(_l("Next step"), validators=[DataRequired(), Length(max=200)])
    next_step_due = DateField(_l("Next step due"), validators=[Optional()])
    version = IntegerField(validators=[InputRequired()])


class CloseForm(MoveForm):
    """A deal put in Won or Lost, with what closing it needs."""
    lost_reason = SelectField(_l("Why was it lost?"), coerce=as_id, validate_choice=False)
    lost_note = StringField(_l("Details"), validators=[Optional(), Length(max=500)])
    amount = DecimalField(_l("Amount won"), places=2, validators=[Optional(), finite, NumberRange(0, 100_000_000_000)])
    won_on = DateField(_l("Won on"), validators=[Optional()], default=datetime.date.today)


class BoardFilterForm(Form):
    class Meta:
        csrf = False

    owner = SelectField(_l("Owner"), default="", validate_choice=False)
    close = SelectField(_l("Expected close"), default="", validate_choice=False)
    tier = SelectField(_l("Customer tier"), default="", validate_choice=False)
    stale = BooleanField(_l("Stale only"))


class StageForm(Form):
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=STAGE_NAME_MAX)])
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=STAGE_NAME_MAX)])
    probability = IntegerField(_l("Probability (%)"), validators=[
        InputRequired(), NumberRange(0, 100, message=_l("Enter a percentage from 0 to 100."))],
        render_kw={"inputmode": "numeric"})
    kind = SelectField(_l("Kind"), choices=options(STAGE_KIND_LABELS.items()), default="open")
    rotting_days = IntegerField(_l("Rotting days"), validators=[
        Optional(), NumberRange(1, ROTTING_DAYS_MAX,
                                message=_l("Enter a number of days from 1 to 365, or leave it empty."))],
        render_kw={"inputmode": "numeric"})

    def values(self):
        return {"name_en": self.name_en.data, "name_zh": self.name_zh.data, "probability": self.probability.data,
                "kind": self.kind.data, "rotting_days": self.rotting_days.data}


class ReasonForm(Form):
    name_en = StringField(_l("Reason (English)"),
                          validators=[DataRequired(), Length(max=REASON_NAME_MAX)])
    name_zh = StringField(_l("Reason (Chinese)"),
                          validators=[DataRequired(), Length(max=REASON_NAME_MAX)])

    def values(self):
        return {"name_en": self.name_en.data, "name_zh": self.name_zh.data}


def minor_units(amount):
    """A decimal amount from a form as integer minor units (0.005 rounds half up)."""
    return int((Decimal(amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)) if amount is not None else None
