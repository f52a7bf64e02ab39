"""Customers, their contacts, notes, tier history and moves in and out of the pool (公海)."""
from peewee import BooleanField, CharField, DateField, DateTimeField, DoubleField, ForeignKeyField, TextField

from ..core.db import BaseModel, utcnow
from ..core.i18n import _l
from .people import User

TIERS = ("A", "B", "C")
SOURCES = ("visit", "website", "trade_show", "referral", "other")
SOURCE_LABELS = {"visit": _l("Visit"), "website": _l("Website registration"), "trade_show": _l("Trade show"),
                 "referral": _l("Referral"), "other": _l("Other")}
STATUSES = ("lead", "prospect", "customer", "dormant")
STATUS_LABELS = {"lead": _l("Lead"), "prospect": _l("Prospect"), "customer": _l("Customer"),
                 "dormant": _l("Dormant")}
# TierChange.reason
TIER_REASON_LABELS = {"created": _l("created"), "rule": _l("revenue rule"), "lock": _l("locked by hand"),
                      "unlock": _l("unlocked"), "import": _l("imported")}
# PoolMove.kind
POOL_MOVE_LABELS = {"claim": _l("Claimed from the pool"), "release": _l("Released to the pool"),
                    "recycle": _l("Returned to the pool after no activity"), "reassign": _l("Reassigned")}


class Customer(BaseModel):
    name = CharField(max_length=200)
    name_key = CharField(max_length=200, index=True)  # normalised name, for duplicate checks
    industry = CharField(max_length=100, default="")
    region = CharField(max_length=64, default="", index=True)
    address = CharField(max_length=300, default="")
    phone = CharField(max_length=40, default="")
    website = CharField(max_length=200, default="")
    source = CharField(max_length=16, default="other")
    status = CharField(max_length=16, default="lead")
    owner = ForeignKeyField(User, null=True, backref="customers", on_delete="SET NULL")
    tier = CharField(max_length=1, default="C")
    tier_locked = BooleanField(default=False)
    tier_lock_reason = CharField(max_length=300, default="")
    notes = TextField(default="")
    last_visit_at = DateTimeField(null=True)
    next_visit_due = DateField()
    last_activity_at = DateTimeField()
    claimed_at = DateTimeField(null=True)  # set while a rep holds it after claiming it from the pool
    lat = DoubleField(null=True)  # where the customer is: check-ins are measured against it
    lon = DoubleField(null=True)
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("owner", "tier", "next_visit_due"), False),
            # the list's pages in its order (due, then id), everyone's or a tier's: a page is read from the
            # index's start, where PostgreSQL sorted every row of the tier again by id (0043)
            (("tier", "next_visit_due", "id"), False),
            (("next_visit_due", "id"), False),
            (("owner", "last_activity_at"), False),
            (("owner", "region"), False),  # a team's regions, for the list's filter
            (("owner", "created_at"), False),  # customers won per person and team in a period (costs, reports)
            (("created_at",), False),  # everyone's new customers in a period
        )


# The pool's list, by name: a page of it is the first entries of an index of the unowned alone (0048), the
# (name_key) one on PostgreSQL, the (owner, name_key) one on SQLite without statistics (it takes the owner's
# equality over any scan in order).
Customer.add_index(Customer.index(Customer.name_key, name="customer_pool_name_key", where=Customer.owner.is_null()))
Customer.add_index(Customer.index(Customer.owner, Customer.name_key, name="customer_pool_owner_name_key",
                                  where=Customer.owner.is_null()))


class Contact(BaseModel):
    customer = ForeignKeyField(Customer, backref="contacts", on_delete="CASCADE")
    name = CharField(max_length=100, index=True)
    title = CharField(max_length=100, default="")
    phone = CharField(max_length=40, default="", index=True)
    email = CharField(max_length=254, default="")
    wechat = CharField(max_length=64, default="")
    is_primary = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)


class CustomerNote(BaseModel):
    customer = ForeignKeyField(Customer, backref="customer_notes", on_delete="CASCADE")
    author = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    body = TextField()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("customer", "created_at"), False),)


class TierChange(BaseModel):
    customer = ForeignKeyField(Customer, backref="tier_changes", on_delete="CASCADE")
    old_tier = CharField(max_length=1, null=True)
    new_tier = CharField(max_length=1)
    reason = CharField(max_length=16)  # created, rule, lock, unlock, import
    note = CharField(max_length=300, default="")
    by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")  # None: by rule
    at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("customer", "at"), False),)


class PoolMove(BaseModel):
    """A customer going into or out of the pool, or between owners in bulk; recycles can be reverted."""
    customer = ForeignKeyField(Customer, backref="pool_moves", on_delete="CASCADE")
    kind = CharField(max_length=16)  # claim, release, recycle, reassign
    from_owner = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    to_owner = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")  # None: by rule
    at = DateTimeField(default=utcnow, index=True)
    reverted_at = DateTimeField(null=True)
    reverted_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
