"""Visits (planned and done), who was met, managers' comments, tasks, and the weekly report (销售周报)."""
from peewee import (BooleanField, CharField, DateField, DateTimeField, DoubleField, ForeignKeyField, IntegerField,
                    TextField)

from ..core.db import BaseModel, utcnow
from ..core.i18n import _l
from .customers import Contact, Customer
from .files import StoredFile
from .people import User
from .pipeline import Deal

VISIT_KINDS = ("on_site", "phone", "video", "event")
VISIT_KIND_LABELS = {"on_site": _l("On site"), "phone": _l("Phone"), "video": _l("Video call"), "event": _l("Event")}
OUTCOMES = ("positive", "neutral", "negative")
OUTCOME_LABELS = {"positive": _l("Positive"), "neutral": _l("Neutral"), "negative": _l("Negative")}
VISIT_STATUSES = ("planned", "done", "cancelled")
# Visit.check_problem: why a check-in was not verified
CHECK_PROBLEM_LABELS = {"far": _l("too far from the customer"), "inaccurate": _l("position not accurate enough"),
                        "stale": _l("position too old"), "reused": _l("position used before"),
                        "no_place": _l("the customer's location was not known; it is now")}


class Visit(BaseModel):
    customer = ForeignKeyField(Customer, backref="visits", on_delete="CASCADE")
    rep = ForeignKeyField(User, backref="visits", on_delete="RESTRICT")
    status = CharField(max_length=10, default="done")
    planned_for = DateField(null=True)  # a planned visit's day
    occurred_at = DateTimeField(null=True)  # a done visit's time (UTC)
    duration_minutes = IntegerField(default=45)
    kind = CharField(max_length=10, default="on_site")
    purpose = CharField(max_length=200, default="")
    notes = TextField(default="")
    outcome = CharField(max_length=10, default="")
    next_step = CharField(max_length=200, default="")
    next_visit_on = DateField(null=True)
    deal = ForeignKeyField(Deal, null=True, backref="visits", on_delete="SET NULL")
    market_note = TextField(default="")
    market_tags = CharField(max_length=300, default="")
    lat = DoubleField(null=True)
    lon = DoubleField(null=True)
    accuracy_m = DoubleField(null=True)
    fix_at = DateTimeField(null=True)  # when the browser took the position
    distance_m = IntegerField(null=True)  # from the customer's stored location
    verified = BooleanField(default=False)
    check_problem = CharField(max_length=16, default="")  # why not verified: far, inaccurate, stale, reused, no_place
    photo = ForeignKeyField(StoredFile, null=True, backref="+", on_delete="RESTRICT")
    client_uuid = CharField(max_length=36, null=True)  # the id the sending form or phone made: one visit per rep and id
    captured_at = DateTimeField(null=True)  # when it was saved on the phone (UTC); received: created_at
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)  # a done visit's: when the server received it (a fulfilled plan's too)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("rep", "client_uuid"), True),  # a visit sent twice is recorded once (0044)
            (("rep", "occurred_at", "status"), False),  # my visits this week; a team's visits by date and per month
            (("rep", "status", "planned_for"), False),  # planned today, the week plan
            (("rep", "status", "occurred_at"), False),  # a rep's visit list, newest first (0039)
            (("customer", "occurred_at"), False),   # the customer's timeline
            (("occurred_at", "status"), False),  # visits done per month, counted in the index alone
        )


class VisitContact(BaseModel):
    visit = ForeignKeyField(Visit, backref="contacts_met", on_delete="CASCADE")
    contact = ForeignKeyField(Contact, backref="+", on_delete="CASCADE")

    class Meta:
        indexes = ((("visit", "contact"), True),)


class VisitComment(BaseModel):
    """A manager's coaching on a visit; the rep sees it on Today until they have read it."""
    visit = ForeignKeyField(Visit, backref="comments", on_delete="CASCADE")
    author = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    body = TextField()
    created_at = DateTimeField(default=utcnow)
    read_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("visit", "created_at"), False),)


# A check-in's fix is compared with every earlier one (a reused fix does not verify a visit).
Visit.add_index(Visit.index(Visit.fix_at, name="visit_fix_at", where=Visit.fix_at.is_null(False)))

# Unread comments are few: a partial index finds them without walking every visit of the rep.
VisitComment.add_index(VisitComment.index(VisitComment.visit, name="visit_comment_unread",
                                          where=VisitComment.read_at.is_null()))


class Task(BaseModel):
    title = CharField(max_length=200)
    assignee = ForeignKeyField(User, backref="tasks", on_delete="CASCADE")
    due_on = DateField()
    customer = ForeignKeyField(Customer, null=True, backref="tasks", on_delete="CASCADE")
    deal = ForeignKeyField(Deal, null=True, backref="tasks", on_delete="SET NULL")
    visit = ForeignKeyField(Visit, null=True, backref="tasks", on_delete="SET NULL")
    source = CharField(max_length=16, default="manual")  # manual, next_visit, ...
    done_at = DateTimeField(null=True)
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("assignee", "done_at", "due_on"), False),)


class WeeklyReport(BaseModel):
    rep = ForeignKeyField(User, backref="weekly_reports", on_delete="CASCADE")
    year = IntegerField()
    week = IntegerField()
    feedback = TextField(default="")
    market = TextField(default="")
    plan = TextField(default="")
    forecast = TextField(default="")
    submitted_at = DateTimeField(null=True)
    figures = TextField(null=True)  # the week's figures as they stood at submission (JSON); a draft has none
    comment = TextField(default="")
    commented_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    commented_at = DateTimeField(null=True)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("rep", "year", "week"), True), (("year", "week"), False))
