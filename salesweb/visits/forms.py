import datetime

from flask_wtf.file import FileField
from wtforms import (DateField, HiddenField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField,
                     TimeField, widgets)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..web.forms import DateRange, Form, as_id, options
from ..core.i18n import _l
from ..models import OUTCOME_LABELS, VISIT_KIND_LABELS

DATES = DateRange(datetime.date(2000, 1, 1), datetime.date(2100, 12, 31))


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class VisitForm(Form):
    customer = SelectField(_l("Customer"), coerce=as_id, validate_choice=False)
    occurred_on = DateField(_l("Date"), validators=[InputRequired(_l("When was the visit?")), DATES])
    occurred_time = TimeField(_l("Time"), validators=[InputRequired(_l("When was the visit?"))])
    duration_minutes = IntegerField(_l("Duration (minutes)"), validators=[
        InputRequired(_l("Enter minutes from 1 to %(n)d.", n=600)),
        NumberRange(1, 600, message=_l("Enter minutes from 1 to %(n)d.", n=600))], render_kw={"inputmode": "numeric"})
    kind = SelectField(_l("Kind"), choices=options(VISIT_KIND_LABELS.items()), default="on_site")
    purpose = StringField(_l("Purpose"), validators=[Optional(), Length(max=200)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=10000)])
    outcome = SelectField(_l("Outcome"), choices=options([("", "—")] + list(OUTCOME_LABELS.items())), default="")
    next_step = StringField(_l("Next step"), validators=[Optional(), Length(max=200)])
    next_visit_on = DateField(_l("Next visit date"), validators=[Optional(), DATES])
    deal = SelectField(_l("Deal"), coerce=as_id, validate_choice=False)
    contacts = MultiCheckboxField(_l("People met"), coerce=as_id, validate_choice=False)
    market_note = TextAreaField(_l("Market note"), validators=[Optional(), Length(max=5000)])
    market_tags = StringField(_l("Market tags"), validators=[Optional(), Length(max=300)])
    lat = HiddenField()
    lon = HiddenField()
    accuracy = HiddenField()
    fix_at = HiddenField()
    photo = FileField(_l("Photo"), render_kw={"accept": "image/*", "capture": "environment"})  # the camera, on a phone
    planned = HiddenField()
    client_uuid = HiddenField()  # made afresh for each form shown: the same form sent twice is one visit
    captured_at = HiddenField()  # from a phone's outbox: when the visit was saved there (ISO 8601 with offset)
    next = HiddenField()


class PlanForm(Form):
    customer = HiddenField()
    day = DateField(_l("Visit on"), validators=[InputRequired(_l("Choose a day from today to a year ahead.")), DATES])
    next = HiddenField()


class CommentForm(Form):
    body = TextAreaField(_l("Comment"), validators=[InputRequired(), Length(max=2000)])


class FilterForm(Form):
    class Meta:
        csrf = False

    rep = SelectField(_l("Rep"), default="", validate_choice=False)
    since = DateField(_l("From"), validators=[Optional(), DATES])
    until = DateField(_l("To"), validators=[Optional(), DATES])
    tier = SelectField(_l("Tier"), choices=options([("", _l("Any tier")), ("A", "A"), ("B", "B"), ("C", "C")]),
                       default="", validate_choice=False)
    kind = SelectField(_l("Kind"), choices=options([("", _l("Any kind"))] + list(VISIT_KIND_LABELS.items())),
                       default="", validate_choice=False)
    verified = SelectField(_l("Check-in"), choices=options([("", _l("Any")), ("yes", _l("Verified on site")),
                                                            ("no", _l("Not verified"))]),
                           default="", validate_choice=False)

    def criteria(self):
        self.validate()  # bad dates are dropped, not fatal
        return {"rep": as_id(self.rep.data or ""),
                "since": self.since.data if not self.since.errors else None,
                "until": self.until.data if not self.until.errors else None,
                "tier": self.tier.data, "kind": self.kind.data, "verified": self.verified.data}


class HandOnForm(Form):
    """A task handed to someone else in the manager's team."""
    assignee = SelectField(_l("Hand on to"), coerce=as_id, validate_choice=True)


class TaskForm(Form):
    title = StringField(_l("Task"), validators=[InputRequired(), Length(max=200)])
    due_on = DateField(_l("Due"), validators=[InputRequired(), DATES])
    assignee = SelectField(_l("For"), coerce=as_id, validate_choice=False)
    customer = SelectField(_l("Customer"), coerce=as_id, validate_choice=False)
    deal = HiddenField()
