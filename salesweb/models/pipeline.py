"""The pipeline: stages (data, edited by ops), deals on them, every stage change, loss reasons."""
from peewee import (BigIntegerField, BooleanField, CharField, DateField, DateTimeField, DoubleField, ForeignKeyField, IntegerField,
                    TextField)

from ..core.db import BaseModel, utcnow
from ..core.i18n import _l
from .customers import Customer
from .people import User

STAGE_KINDS = ("open", "won", "lost")
STAGE_KIND_LABELS = {"open": _l("Open"), "won": _l("Won"), "lost": _l("Lost")}


class Stage(BaseModel):
    name_en = CharField(max_length=60)
    name_zh = CharField(max_length=60)
    position = IntegerField(index=True)
    probability = IntegerField()  # percent
    kind = CharField(max_length=8, default="open")
    rotting_days = IntegerField(null=True)  # None: a deal never rots here

    def name(self, locale):
        return self.name_zh if locale == "zh" else self.name_en


class LossReason(BaseModel):
    name_en = CharField(max_length=80)
    name_zh = CharField(max_length=80)
    position = IntegerField()
    active = BooleanField(default=True)

    def name(self, locale):
        return self.name_zh if locale == "zh" else self.name_en


class Deal(BaseModel):
    title = CharField(max_length=200)
    customer = ForeignKeyField(Customer, backref="deals", on_delete="RESTRICT")
    owner = ForeignKeyField(User, backref="deals", on_delete="RESTRICT")
    amount = BigIntegerField(default=0)  # minor units
    stage = ForeignKeyField(Stage, backref="deals", on_delete="RESTRICT")
    position = DoubleField()  # order within the column: fractional, so a move rewrites one row
    probability = IntegerField()
    probability_overridden = BooleanField(default=False)
    expected_close = DateField(null=True)
    next_step = CharField(max_length=200, default="")
    next_step_due = DateField(null=True)
    lost_reason = ForeignKeyField(LossReason, null=True, backref="+", on_delete="SET NULL")
    lost_note = CharField(max_length=500, default="")
    won_on = DateField(null=True)
    lost_on = DateField(null=True)
    stage_entered_at = DateTimeField(default=utcnow)
    last_activity_at = DateTimeField(default=utcnow)
    # kept by the writes (infra.stale): the due day's last moment on the install's calendar, and when the deal goes
    # stale (it is once now is past it; None on a closed stage)
    step_due_at = DateTimeField(null=True)
    stale_at = DateTimeField(null=True)
    version = IntegerField(default=1)
    notes = TextField(default="")
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    updated_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        indexes = (
            (("stage", "position", "id"), False),  # a column's first cards in their order (0043)
            (("owner", "stage", "position"), False),  # an owner's column, in order
            (("expected_close",), False),
            (("won_on",), False),
            (("created_at",), False),  # new deals per month
            (("lost_on",), False),
            # a scope's deals won, lost or made in a period: its people's, by the day, not all they ever had
            (("owner", "won_on"), False),
            (("owner", "lost_on"), False),
            (("owner", "created_at"), False),
            # the stale open deals per stage (the funnel, the board, Today): a range of each stage's, or each
            # person's in a stage (0046)
            (("stage", "stale_at"), False),
            (("stage", "owner", "stale_at"), False),
        )


class StageChange(BaseModel):
    deal = ForeignKeyField(Deal, backref="stage_changes", on_delete="CASCADE")
    from_stage = ForeignKeyField(Stage, null=True, backref="+", on_delete="SET NULL")
    to_stage = ForeignKeyField(Stage, backref="+", on_delete="CASCADE")
    by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("deal", "at"), False), (("to_stage", "at"), False))
