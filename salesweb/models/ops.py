"""Sales operations: regions and the rep who covers each, bulk reallocations of customers (kept for undo),
team budgets per quarter and category, and reps' expense claims (费用报销)."""
from peewee import (BigIntegerField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField,
                    SmallIntegerField, TextField)

from ..core.db import BaseModel, utcnow
from ..core.i18n import _l
from .customers import Customer
from .files import StoredFile
from .people import Team, User
from .pipeline import Deal
from .visits import Visit

EXPENSE_CATEGORIES = ("travel", "events", "samples", "hospitality", "other")
EXPENSE_CATEGORY_LABELS = {"travel": _l("Travel"), "events": _l("Events"), "samples": _l("Samples"),
                           "hospitality": _l("Hospitality"), "other": _l("Other")}
EXPENSE_STATUSES = ("submitted", "approved", "rejected", "paid", "withdrawn")
EXPENSE_STATUS_LABELS = {"submitted": _l("Waiting for approval"), "approved": _l("Approved, to be paid"),
                         "rejected": _l("Rejected"), "paid": _l("Paid"), "withdrawn": _l("Withdrawn")}
# what the allocation console marks on an owner's load
ALLOCATION_FLAG_LABELS = {"left": _l("Left the company"), "heavy": _l("Heavy load"), "light": _l("Light load"),
                          "behind": _l("Many overdue"), "below_norm": _l("Below visit norm")}


class Region(BaseModel):
    """A region name as customers carry it, and the rep new customers there go to."""
    name = CharField(max_length=64)
    name_key = CharField(max_length=64, unique=True)  # case-folded, so "East China" and "east china" are one
    rep = ForeignKeyField(User, null=True, backref="regions", on_delete="SET NULL")
    updated_at = DateTimeField(default=utcnow)
    updated_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")


class Reallocation(BaseModel):
    """One bulk reassignment of customers (and their open deals) to one owner; undoable for a while."""
    by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    to_owner = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    customers = IntegerField(default=0)
    deals = IntegerField(default=0)
    created_at = DateTimeField(default=utcnow, index=True)
    undone_at = DateTimeField(null=True)
    undone_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")


class ReallocationMove(BaseModel):
    """A customer's move in a reallocation (deal None), or one of its open deals' (deal set)."""
    reallocation = ForeignKeyField(Reallocation, backref="moves", on_delete="CASCADE")
    customer = ForeignKeyField(Customer, backref="+", on_delete="CASCADE")
    deal = ForeignKeyField(Deal, null=True, backref="+", on_delete="CASCADE")
    from_owner = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    to_owner = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")


class Budget(BaseModel):
    team = ForeignKeyField(Team, backref="budgets", on_delete="CASCADE")
    year = SmallIntegerField()
    quarter = SmallIntegerField()  # 1-4
    category = CharField(max_length=16)
    amount = BigIntegerField(default=0)  # minor units
    updated_at = DateTimeField(default=utcnow)
    updated_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        indexes = ((("team", "year", "quarter", "category"), True),)


class Expense(BaseModel):
    claimant = ForeignKeyField(User, backref="expenses", on_delete="RESTRICT")
    team = ForeignKeyField(Team, null=True, backref="+", on_delete="SET NULL")  # the claimant's team when filed
    spent_on = DateField()
    category = CharField(max_length=16)
    amount = BigIntegerField()  # minor units
    description = TextField()
    visit = ForeignKeyField(Visit, null=True, backref="+", on_delete="SET NULL")
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL")
    receipt = ForeignKeyField(StoredFile, backref="+", on_delete="RESTRICT")
    receipt_name = CharField(max_length=255)
    status = CharField(max_length=10, default="submitted")
    decided_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    decided_at = DateTimeField(null=True)
    decision_note = CharField(max_length=500, default="")
    over_budget = SmallIntegerField(default=0)  # 1: approved although it took its budget over
    paid_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    paid_at = DateTimeField(null=True)
    payment_reference = CharField(max_length=100, default="")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    version = IntegerField(default=1)

    class Meta:
        indexes = (
            (("claimant", "created_at"), False),
            (("status", "created_at"), False),
            # a team's spent of a period, per category and status (its cost of sales, its budget lines): read from
            # the index alone (0048)
            (("team", "spent_on", "category", "status", "amount"), False),
        )
