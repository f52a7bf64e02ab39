from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..web.forms import Form, as_id, options
from ..core.i18n import _l
from ..models import FEEDBACK_CHANNEL_LABELS, FEEDBACK_KIND_LABELS, SATISFACTION_LABELS, SEVERITY_LABELS, URGENCY_LABELS

LONG = [Optional(), Length(max=2000)]  # the rules say "required" where it is; a longer text gets this message


class AskForm(Form):
    question = TextAreaField(_l("Question"), validators=LONG, render_kw={"rows": 4})
    urgency = RadioField(_l("How urgent"), choices=options(URGENCY_LABELS.items()), default="normal",
                         validate_choice=False)
    customer = SelectField(_l("Customer"), coerce=as_id, validate_choice=False)
    deal = HiddenField()
    file = FileField(_l("Attachment (optional)"), render_kw={"accept": ".pdf,.png,.jpg,.jpeg,.docx,.xlsx,.pptx"})


class ReplyForm(Form):
    version = HiddenField()
    body = TextAreaField(_l("Reply"), validators=LONG, render_kw={"rows": 3})


class VersionForm(Form):
    version = HiddenField()


class FeedbackForm(Form):
    kind = RadioField(_l("Kind"), choices=options(FEEDBACK_KIND_LABELS.items()), default="complaint",
                      validate_choice=False)
    channel = SelectField(_l("Channel"), choices=options(FEEDBACK_CHANNEL_LABELS.items()), default="phone",
                          validate_choice=False)
    severity = SelectField(_l("Severity"), choices=options(SEVERITY_LABELS.items()), default="medium",
                           validate_choice=False)
    description = TextAreaField(_l("What the customer said"), validators=LONG, render_kw={"rows": 4})
    response = TextAreaField(_l("Response given on the spot (optional)"), validators=LONG, render_kw={"rows": 2})


class RespondForm(Form):
    version = HiddenField()
    response = TextAreaField(_l("First response"), validators=LONG, render_kw={"rows": 3})
    severity = SelectField(_l("Severity"), choices=options(SEVERITY_LABELS.items()), validate_choice=False)


class ResolveForm(Form):
    version = HiddenField()
    resolution = TextAreaField(_l("Resolution"), validators=LONG, render_kw={"rows": 3})


class CloseForm(Form):
    version = HiddenField()
    satisfaction = RadioField(_l("The customer's satisfaction with the resolution"),
                              choices=options(SATISFACTION_LABELS.items()), validate_choice=False)


class LinkForm(Form):
    purpose = HiddenField()


class FeedbackFilterForm(Form):
    class Meta:
        csrf = False

    show = SelectField(_l("Show"), choices=options([
        ("waiting", _l("Waiting for a response")), ("overdue", _l("Response overdue")), ("open", _l("Not closed")),
        ("closed", _l("Closed")), ("all", _l("All"))]), default="waiting", validate_choice=False)
    kind = SelectField(_l("Kind"), choices=options([("", _l("Any kind"))] + list(FEEDBACK_KIND_LABELS.items())),
                       default="", validate_choice=False)


class PublicFeedbackForm(Form):
    kind = RadioField(_l("What would you like to tell us?"), choices=options([
        ("complaint", _l("Something went wrong")), ("suggestion", _l("A suggestion")), ("praise", _l("Praise"))]),
        default="complaint", validate_choice=False)
    description = TextAreaField(_l("Your message"), validators=LONG, render_kw={"rows": 6, "maxlength": 2000})
    contact_name = StringField(_l("Your name (optional)"), validators=[Optional(), Length(max=100)])
    website = StringField(_l("Leave this field empty"), render_kw={"autocomplete": "off", "tabindex": "-1"})


class SurveyForm(Form):
    score = RadioField(_l("How likely are you to recommend us to a friend or colleague?"),
                       choices=options((str(n), str(n)) for n in range(11)), validate_choice=False)
    comment = TextAreaField(_l("What is the main reason for your score? (optional)"), validators=LONG,
                            render_kw={"rows": 4, "maxlength": 2000})
    website = StringField(_l("Leave this field empty"), render_kw={"autocomplete": "off", "tabindex": "-1"})
