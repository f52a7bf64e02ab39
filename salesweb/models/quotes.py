"""The product catalogue, quotes with their lines and decisions, and a won deal's contract, payment plan and
payments (回款). Money is in minor units; discounts are in basis points (1 % = 100)."""
from peewee import (BigIntegerField, BooleanField, CharField, DateField, DateTimeField, DecimalField, ForeignKeyField,
                    IntegerField, TextField)

from ..core.db import BaseModel, utcnow
from ..core.i18n import _l
from .customers import Customer
from .files import StoredFile
from .people import User
from .pipeline import Deal
from .visits import Task

QUOTE_STATUSES = ("draft", "pending", "approved", "sent", "accepted", "rejected", "expired")
# a quote's status as people see it (templates/quotes/_status.html shows the same words)
QUOTE_STATUS_LABELS = {"draft": _l("Draft"), "pending": _l("Waiting for approval"), "approved": _l("Approved"),
                       "sent": _l("Sent"), "accepted": _l("Accepted"), "rejected": _l("Rejected"),
                       "expired": _l("Expired")}


class Product(BaseModel):
    sku = CharField(max_length=40, unique=True)
    name = CharField(max_length=200)
    unit = CharField(max_length=20, default="")
    unit_price = BigIntegerField()  # minor units
    active = BooleanField(default=True)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("active", "name"), False),)


class QuoteCounter(BaseModel):
    """The last quote number given out in a year: one row per year, bumped inside the creating transaction."""
    year = IntegerField(primary_key=True)
    last = IntegerField(default=0)


class Quote(BaseModel):
    number = CharField(max_length=20, unique=True)  # Q-YYYY-NNNN
    deal = ForeignKeyField(Deal, backref="quotes", on_delete="CASCADE")
    customer = ForeignKeyField(Customer, backref="quotes", on_delete="CASCADE")
    prepared_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    status = CharField(max_length=10, default="draft")
    valid_until = DateField()
    notes = TextField(default="")
    discount_bp = IntegerField(default=0)  # the overall discount, on top of the lines'
    list_total = BigIntegerField(default=0)  # the lines at catalogue prices
    subtotal = BigIntegerField(default=0)  # the lines after their own discounts
    total = BigIntegerField(default=0)  # after the overall discount
    effective_bp = IntegerField(default=0)  # 1 - total / list_total: what the authority rule judges
    needs = CharField(max_length=8, default="")  # whose approval it waits for: manager, ops, or nobody
    # who last set the discount (the overall one, or prices and lines that change it): never its approver
    discount_set_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    decided_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    decided_at = DateTimeField(null=True)
    decision_note = CharField(max_length=500, default="")
    sent_on = DateField(null=True)
    answered_on = DateField(null=True)
    follow_up = ForeignKeyField(Task, null=True, backref="+", on_delete="SET NULL")
    version = IntegerField(default=1)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("deal", "created_at"), False), (("customer", "created_at"), False),
                   (("status", "needs"), False), (("created_at",), False),
                   (("status", "created_at", "id"), False))  # a status's quotes, newest first, in the list's order


class QuoteLine(BaseModel):
    quote = ForeignKeyField(Quote, backref="lines", on_delete="CASCADE")
    position = IntegerField()
    product = ForeignKeyField(Product, backref="+", on_delete="RESTRICT")
    name = CharField(max_length=200)  # the product's name and unit when quoted
    unit = CharField(max_length=20, default="")
    quantity = DecimalField(max_digits=15, decimal_places=3, auto_round=True)
    list_price = BigIntegerField()  # the catalogue price when quoted
    unit_price = BigIntegerField()  # the price offered
    discount_bp = IntegerField(default=0)
    net = BigIntegerField()

    class Meta:
        indexes = ((("quote", "position"), False),)


class QuoteEvent(BaseModel):
    """A step in a quote's life: who moved it from which status to which, and what they said."""
    quote = ForeignKeyField(Quote, backref="events", on_delete="CASCADE")
    action = CharField(max_length=12)  # created, edited, submitted, approved, returned, sent, accepted, rejected
    from_status = CharField(max_length=10, default="")
    to_status = CharField(max_length=10)
    by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    note = CharField(max_length=500, default="")
    at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("quote", "at"), False),)


class Contract(BaseModel):
    deal = ForeignKeyField(Deal, backref="contracts", unique=True, on_delete="CASCADE")
    number = CharField(max_length=60, unique=True)
    signed_on = DateField()
    value = BigIntegerField()  # minor units; the payment plan sums to it
    # the plan's instalments less the payments received, kept by the writes of either (infra/rollups.py): what is
    # overdue is looked for among the contracts still owed, not in every instalment of the history
    outstanding = BigIntegerField(default=0, index=True)
    file = ForeignKeyField(StoredFile, null=True, backref="+", on_delete="RESTRICT")
    file_name = CharField(max_length=255, default="")
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    updated_at = DateTimeField(default=utcnow)


class Instalment(BaseModel):
    contract = ForeignKeyField(Contract, backref="instalments", on_delete="CASCADE")
    due_on = DateField()
    amount = BigIntegerField()

    class Meta:
        indexes = ((("contract", "due_on"), False), (("due_on",), False))


class Payment(BaseModel):
    contract = ForeignKeyField(Contract, backref="payments", on_delete="CASCADE")
    received_on = DateField()
    amount = BigIntegerField()
    note = CharField(max_length=200, default="")
    recorded_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("contract", "received_on"), False), (("received_on",), False))
