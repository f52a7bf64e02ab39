"""Service and collaboration: reps' help requests to support with their reply thread, customer feedback and
complaints (客户反馈/投诉) with a first-response deadline, the links a customer answers without signing in, NPS
answers, and the hits that rate-limit those public forms."""
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, SmallIntegerField, TextField

from ..core.db import BaseModel, utcnow
from ..core.i18n import _l, lazy_pgettext
from .customers import Customer
from .files import StoredFile
from .people import User
from .pipeline import Deal
from .visits import Task

URGENCIES = ("low", "normal", "high")
URGENCY_LABELS = {"high": _l("Urgent: with the customer now"), "normal": lazy_pgettext("urgency", "Today"),
                  "low": lazy_pgettext("urgency", "This week")}
HELP_STATUSES = ("open", "answered", "closed")
HELP_STATUS_LABELS = {"open": lazy_pgettext("help request status", "Open"), "answered": _l("Answered"),
                      "closed": _l("Closed")}
# the desk's queue of help requests: its statuses, and the open ones the reader claimed
HELP_QUEUE_LABELS = {"open": lazy_pgettext("help request status", "Open"), "mine": _l("Claimed by me"),
                     "answered": _l("Answered"), "closed": _l("Closed")}
FEEDBACK_KINDS = ("complaint", "suggestion", "praise")
FEEDBACK_KIND_LABELS = {"complaint": _l("Complaint"), "suggestion": _l("Suggestion"), "praise": _l("Praise")}
FEEDBACK_CHANNELS = ("phone", "visit", "email", "wechat", "web", "other")
FEEDBACK_CHANNEL_LABELS = {"phone": _l("Phone"), "visit": _l("Visit"), "email": _l("E-mail"), "wechat": _l("WeChat"),
                           "web": _l("Feedback form"), "other": _l("Other")}
SEVERITIES = ("low", "medium", "high")
SEVERITY_LABELS = {"high": _l("High"), "medium": _l("Medium"), "low": _l("Low")}
# where a feedback case stands, from its times (open, responded, resolved, closed; overdue: open past its due time)
FEEDBACK_STATE_LABELS = {"open": _l("Waiting for a response"), "overdue": _l("Response overdue"),
                         "responded": _l("Responded"), "resolved": _l("Resolved, waiting for satisfaction"),
                         "closed": _l("Closed")}
# Feedback.satisfaction, as the form posts it
SATISFACTION_LABELS = {"5": _l("5 · very satisfied"), "4": _l("4 · satisfied"), "3": _l("3 · neutral"),
                       "2": _l("2 · dissatisfied"), "1": _l("1 · very dissatisfied")}
LINK_PURPOSES = ("feedback", "survey")
LINK_PURPOSE_LABELS = {"feedback": _l("Feedback form"), "survey": _l("NPS survey")}


class HelpRequest(BaseModel):
    asked_by = ForeignKeyField(User, backref="help_requests", on_delete="CASCADE")
    question = TextField()
    urgency = CharField(max_length=8, default="normal")
    urgency_rank = SmallIntegerField(default=1)  # high 0, normal 1, low 2: the queue sorts on it
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL")
    deal = ForeignKeyField(Deal, null=True, backref="+", on_delete="SET NULL")
    file = ForeignKeyField(StoredFile, null=True, backref="+", on_delete="RESTRICT")
    file_name = CharField(max_length=255, default="")
    status = CharField(max_length=10, default="open")
    claimed_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    claimed_at = DateTimeField(null=True)
    answered_at = DateTimeField(null=True)
    closed_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    version = IntegerField(default=1)

    class Meta:
        indexes = ((("status", "urgency_rank", "created_at"), False), (("asked_by", "updated_at"), False))


class HelpReply(BaseModel):
    request = ForeignKeyField(HelpRequest, backref="replies", on_delete="CASCADE")
    author = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    body = TextField()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("request", "created_at"), False),)


class CustomerLink(BaseModel):
    """A link a rep sends a customer: the feedback form or the NPS survey, bound to that customer, until it ends."""
    token = CharField(max_length=64, unique=True)
    purpose = CharField(max_length=10)
    customer = ForeignKeyField(Customer, backref="+", on_delete="CASCADE")
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    revoked_at = DateTimeField(null=True)
    uses = IntegerField(default=0)

    class Meta:
        indexes = ((("customer", "created_at"), False),)


class Feedback(BaseModel):
    customer = ForeignKeyField(Customer, backref="feedback", on_delete="CASCADE")
    kind = CharField(max_length=12)
    channel = CharField(max_length=10)
    severity = CharField(max_length=8, default="medium")
    description = TextField()
    contact_name = CharField(max_length=100, default="")  # who wrote, on the customer's own form
    source = CharField(max_length=10, default="staff")  # staff or customer
    link = ForeignKeyField(CustomerLink, null=True, backref="+", on_delete="SET NULL")
    logged_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    response_due_at = DateTimeField()
    responded_at = DateTimeField(null=True)
    responded_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    response = TextField(default="")
    escalated_at = DateTimeField(null=True)
    escalated_to = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    resolved_at = DateTimeField(null=True)
    resolved_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    resolution = TextField(default="")
    satisfaction = SmallIntegerField(null=True)  # 1-5, from the follow-up; it closes the case
    closed_at = DateTimeField(null=True)
    task = ForeignKeyField(Task, null=True, backref="+", on_delete="SET NULL")  # the open step's task
    version = IntegerField(default=1)

    class Meta:
        indexes = ((("customer", "created_at"), False), (("responded_at", "response_due_at"), False),
                   (("closed_at", "created_at"), False))


class SurveyAnswer(BaseModel):
    """One NPS answer per survey link; the rep who sent the link carries it into team figures."""
    link = ForeignKeyField(CustomerLink, unique=True, backref="+", on_delete="CASCADE")
    customer = ForeignKeyField(Customer, backref="+", on_delete="CASCADE")
    rep = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    score = SmallIntegerField()
    comment = TextField(default="")
    answered_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("answered_at",), False), (("customer", "answered_at"), False))


class PublicHit(BaseModel):
    """One request to a public form, kept for an hour or so: rate limits count these, so every worker agrees."""
    key = CharField(max_length=100)
    at = DateTimeField()

    class Meta:
        indexes = ((("key", "at"), False),)
