"""Rollups: sums of the history that the figures pages read instead of the rows, kept by the writes in the same
transaction (salesweb/infra/rollups.py) and rebuilt from the rows by `salesweb rebuild-rollups`.

A key column is a plain integer or text, never NULL (a unique key treats NULLs as distinct, and the writes add
to a row by its key): "nobody" is 0. Days are the install's calendar days (its time zone), months 'YYYY-MM'."""
from peewee import BigIntegerField, CharField, DateField, IntegerField

from ..core.db import BaseModel

# Which rows of a grouped rollup (`Grouped`): a person's own (as kept per person), the sums over a person's whole
# subtree by reports_to, the person included (core.access.team_ids; the person is the owner), and over everyone
# (the owner EVERYONE; the pool's rows, owner 0, are a person's own and count in everyone's).
OWN, TEAM, ALL = 0, 1, 2
EVERYONE = -1


class Grouped(BaseModel):
    """A rollup kept per person and, beside each person's rows, summed over each person's subtree and over
    everyone (`grp`: OWN, TEAM, ALL), so that a figure over a manager's whole team or over everyone reads one row
    set, not a row per person. A reader narrows to one `grp` always: `figures.metrics.Scope.narrow` and
    `core.access.visible_to` read OWN unless asked for the group sums (`totals`)."""
    grp = IntegerField(default=OWN)


def grouped_by(field):
    """The grouped rollup a column belongs to, or None (any other column or expression)."""
    model = getattr(field, "model", None)
    return model if isinstance(model, type) and issubclass(model, Grouped) else None


class VisitDay(Grouped):
    """Done visits per rep per day: how many, and how many of them verified by a check-in."""
    rep = IntegerField()
    day = DateField()
    done = IntegerField(default=0)
    verified = IntegerField(default=0)

    class Meta:
        table_name = "rollup_visit_day"
        primary_key = False
        indexes = ((("grp", "rep", "day"), True), (("grp", "day", "rep"), False))


class VisitMonth(Grouped):
    """The same per rep per month: trends and whole months read twelve rows a rep, not three hundred."""
    rep = IntegerField()
    month = CharField(max_length=7)
    done = IntegerField(default=0)
    verified = IntegerField(default=0)

    class Meta:
        table_name = "rollup_visit_month"
        primary_key = False
        indexes = ((("grp", "rep", "month"), True), (("grp", "month", "rep"), False))


class StageStay(Grouped):
    """Stays in a stage that ended on a day: per deal owner, day, the stage stayed in and the one moved to, how
    many, and their length summed in seconds. The stage flow reads them: conversion and days per stage."""
    owner = IntegerField()
    day = DateField()
    stage = IntegerField()
    next_stage = IntegerField()
    stays = IntegerField(default=0)
    seconds = BigIntegerField(default=0)

    class Meta:
        table_name = "rollup_stage_stay"
        primary_key = False
        # by day, covering: everyone's flow over 90 days reads the index alone (25,000 stays on xl)
        indexes = ((("grp", "owner", "day", "stage", "next_stage"), True),
                   (("grp", "day", "owner", "stage", "next_stage", "stays", "seconds"), False))


class MoneyDay(Grouped):
    """Receivables per deal owner per day: instalments falling due and payments received (minor units)."""
    owner = IntegerField()
    day = DateField()
    due = BigIntegerField(default=0)
    received = BigIntegerField(default=0)

    class Meta:
        table_name = "rollup_money_day"
        primary_key = False
        indexes = ((("grp", "owner", "day"), True), (("grp", "day", "owner"), False))


class MoneyMonth(Grouped):
    """The same per deal owner per month."""
    owner = IntegerField()
    month = CharField(max_length=7)
    due = BigIntegerField(default=0)
    received = BigIntegerField(default=0)

    class Meta:
        table_name = "rollup_money_month"
        primary_key = False
        indexes = ((("grp", "owner", "month"), True), (("grp", "month", "owner"), False))


class CustomerCount(Grouped):
    """Customers per owner (0: the pool), tier, status and region ('' for none): the customer list's tier tabs
    and region choices and the allocation console's loads count these rows, not the customers."""
    owner = IntegerField()
    tier = CharField(max_length=1)
    status = CharField(max_length=16)
    region = CharField(max_length=64)
    customers = IntegerField(default=0)

    class Meta:
        table_name = "rollup_customer"
        primary_key = False
        # the key leads with the owner: the readers narrow to the owners in a scope (a scope of all reads the few
        # thousand rows whole; an index for it turned the planner from the owners once the tables were analysed)
        indexes = ((("grp", "owner", "tier", "status", "region"), True),)


class StageDeals(Grouped):
    """The deals in each stage per owner, now: how many, their amounts summed, and their amounts times their
    probability (percent) summed. The board's column headers read these, not every deal (Won and Lost hold
    every deal ever closed). A row whose sums fall to zero stays (a move then writes one statement):
    `infra.rollups.kept` leaves such rows out."""
    owner = IntegerField()
    stage = IntegerField()
    deals = IntegerField(default=0)
    amount = BigIntegerField(default=0)
    weighted = BigIntegerField(default=0)  # Σ amount × probability: a header shows the sum divided by 100

    class Meta:
        table_name = "rollup_stage_deals"
        primary_key = False
        indexes = ((("grp", "owner", "stage"), True),)


class UnpaidDay(Grouped):
    """What is still unpaid of the instalments falling due on a day, per deal owner (minor units). A contract's
    payments settle its earliest instalments first, so what it has overdue today, everything that fell due before
    today less everything paid, is what is unpaid of the days before today: a sum over those days."""
    owner = IntegerField()
    day = DateField()
    unpaid = BigIntegerField(default=0)

    class Meta:
        table_name = "rollup_unpaid_day"
        primary_key = False
        indexes = ((("grp", "owner", "day"), True), (("grp", "day", "owner"), False))


class UnpaidMonth(Grouped):
    """The same per deal owner per month."""
    owner = IntegerField()
    month = CharField(max_length=7)
    unpaid = BigIntegerField(default=0)

    class Meta:
        table_name = "rollup_unpaid_month"
        primary_key = False
        indexes = ((("grp", "owner", "month"), True), (("grp", "month", "owner"), False))


class StageStayMonth(Grouped):
    """The stage stays per deal owner per month: a period's flow reads its whole months here and the days
    around them from StageStay, a row an owner and month rather than one an owner and day."""
    owner = IntegerField()
    month = CharField(max_length=7)
    stage = IntegerField()
    next_stage = IntegerField()
    stays = IntegerField(default=0)
    seconds = BigIntegerField(default=0)

    class Meta:
        table_name = "rollup_stage_stay_month"
        primary_key = False
        indexes = ((("grp", "owner", "month", "stage", "next_stage"), True),
                   (("grp", "month", "owner", "stage", "next_stage", "stays", "seconds"), False))


class StageMonthDeals(Grouped):
    """The deals in each stage per owner and expected-close month ('' for none), now: how many, their amounts
    and their amounts times their probability summed, as StageDeals keeps them per stage. The forecast reads
    the open stages' rows, not every open deal; StageDeals stays beside it so that the board's headers read a
    row an owner and stage (Won and Lost hold deals expected to close in every month there ever was)."""
    owner = IntegerField()
    stage = IntegerField()
    month = CharField(max_length=7)
    deals = IntegerField(default=0)
    amount = BigIntegerField(default=0)
    weighted = BigIntegerField(default=0)

    class Meta:
        table_name = "rollup_stage_month_deals"
        primary_key = False
        # by stage, covering: everyone's forecast reads the open stages' rows from the index alone
        indexes = ((("grp", "owner", "stage", "month"), True),
                   (("grp", "stage", "month", "owner", "deals", "amount", "weighted"), False))


class DealDay(Grouped):
    """Deals won (by the day they were won), lost (by the day they were lost) and made (by the install's day
    they were made) per owner per day: how many and their amounts; `won_seconds` sums, over the won deals, the
    time from a deal's making to the start of the day it was won (the average sales cycle)."""
    owner = IntegerField()
    day = DateField()
    won = IntegerField(default=0)
    won_amount = BigIntegerField(default=0)
    won_seconds = BigIntegerField(default=0)
    lost = IntegerField(default=0)
    lost_amount = BigIntegerField(default=0)
    created = IntegerField(default=0)
    created_amount = BigIntegerField(default=0)

    class Meta:
        table_name = "rollup_deal_day"
        primary_key = False
        indexes = ((("grp", "owner", "day"), True), (("grp", "day", "owner"), False))


class DealMonth(Grouped):
    """The same per owner per month."""
    owner = IntegerField()
    month = CharField(max_length=7)
    won = IntegerField(default=0)
    won_amount = BigIntegerField(default=0)
    won_seconds = BigIntegerField(default=0)
    lost = IntegerField(default=0)
    lost_amount = BigIntegerField(default=0)
    created = IntegerField(default=0)
    created_amount = BigIntegerField(default=0)

    class Meta:
        table_name = "rollup_deal_month"
        primary_key = False
        indexes = ((("grp", "owner", "month"), True), (("grp", "month", "owner"), False))


class ClosedDay(Grouped):
    """Deals won and lost per owner per day (won by the day they were won, lost by the day they were lost), per
    the source of the deal's customer and the reason a lost deal was lost (0: none, and every won deal): how many
    and their amounts. Won and lost by source and the loss reasons read these; a customer's new source moves its
    closed deals' rows."""
    owner = IntegerField()
    day = DateField()
    source = CharField(max_length=16)
    reason = IntegerField()
    won = IntegerField(default=0)
    won_amount = BigIntegerField(default=0)
    lost = IntegerField(default=0)
    lost_amount = BigIntegerField(default=0)

    class Meta:
        table_name = "rollup_closed_day"
        primary_key = False
        indexes = ((("grp", "owner", "day", "source", "reason"), True), (("grp", "day", "owner"), False))


class ClosedMonth(Grouped):
    """The same per owner per month."""
    owner = IntegerField()
    month = CharField(max_length=7)
    source = CharField(max_length=16)
    reason = IntegerField()
    won = IntegerField(default=0)
    won_amount = BigIntegerField(default=0)
    lost = IntegerField(default=0)
    lost_amount = BigIntegerField(default=0)

    class Meta:
        table_name = "rollup_closed_month"
        primary_key = False
        indexes = ((("grp", "owner", "month", "source", "reason"), True), (("grp", "month", "owner"), False))


class NewCustomerDay(Grouped):
    """Customers made per owner (0: the pool) per the install's day they were made: how many. Kept per the
    customer's owner now, as the figures count them, so a customer that changes hands moves its count."""
    owner = IntegerField()
    day = DateField()
    created = IntegerField(default=0)

    class Meta:
        table_name = "rollup_new_customer_day"
        primary_key = False
        indexes = ((("grp", "owner", "day"), True), (("grp", "day", "owner"), False))


class NewCustomerMonth(Grouped):
    """The same per owner per month."""
    owner = IntegerField()
    month = CharField(max_length=7)
    created = IntegerField(default=0)

    class Meta:
        table_name = "rollup_new_customer_month"
        primary_key = False
        indexes = ((("grp", "owner", "month"), True), (("grp", "month", "owner"), False))


class Due(Grouped):
    """Customers per owner (0: the pool), tier and when their next visit is due (none: not counted): a row per month
    (`day` 0) and a row per day of it (`day` 1-31), in one table so that a visit that moves a due day adds to its
    day's and month's rows in one statement. Customers overdue today are the months before this one and this
    month's days before today. A row whose count falls to zero stays (a write then adds to it in one statement):
    `infra.rollups.kept` leaves such rows out."""
    owner = IntegerField()
    tier = CharField(max_length=1)
    month = CharField(max_length=7)
    day = IntegerField()
    customers = IntegerField(default=0)

    class Meta:
        table_name = "rollup_due"
        primary_key = False
        # by owner: a reader names one owner (a subtree's, everyone's) or a few (an index led by the day or month
        # read every person's subtree rows of them: analysed, SQLite took it, 0.07 ms on large, 0.33 on xl); the
        # months' rows (day 0) are read by the second, the month's days by the first, so neither reads the day
        # rows of the months before, which pile up with the years
        indexes = ((("grp", "owner", "tier", "month", "day"), True), (("grp", "owner", "tier", "day", "month"), False))


class QuoteCount(Grouped):
    """Quotes per deal owner, stored status, whose approval they need (`Quote.needs`: manager, ops or '') and the
    month and day of the month (0: the whole month) they are valid until: a row per month (`day` 0) and a row per
    day of it (`day` 1-31), in one table so that a quote's write adds to its day's and month's rows in one
    statement. The quote list counts these, not the quotes: a live status's quotes are this month's days from today
    on and the months after it, the expired ones the live statuses' months before this one and this month's days
    before today; the manager's home counts the pending ones needing a manager the same way. A row whose count falls
    to zero stays (a write then adds to it in one statement): `infra.rollups.kept` leaves such rows out."""
    owner = IntegerField()
    status = CharField(max_length=10)
    needs = CharField(max_length=8, default="")
    month = CharField(max_length=7)
    day = IntegerField()
    quotes = IntegerField(default=0)

    class Meta:
        table_name = "rollup_quote"
        primary_key = False
        # by owner, as the customers by due day: a reader names one owner (a subtree's, everyone's); the months'
        # rows (day 0) are read by the second, this month's days by the first, so neither reads the day rows of
        # the months before or after, which pile up with the years; whose approval last, as the list sums over it
        indexes = ((("grp", "owner", "status", "month", "day", "needs"), True),
                   (("grp", "owner", "status", "day", "month", "needs"), False))


class RegionCount(BaseModel):
    """Customers per region ('' for none), whoever owns them: the regions in use, for the filters of those who see
    every customer, read from a row a region rather than the customer rollup's rows."""
    region = CharField(max_length=64)
    customers = IntegerField(default=0)

    class Meta:
        table_name = "rollup_region"
        primary_key = False
        indexes = ((("region",), True),)


GROUPED = [VisitDay, VisitMonth, StageStay, StageStayMonth, MoneyDay, MoneyMonth, UnpaidDay, UnpaidMonth, CustomerCount,
           StageDeals, StageMonthDeals, DealDay, DealMonth, ClosedDay, ClosedMonth, NewCustomerDay, NewCustomerMonth, Due,
           QuoteCount]
ROLLUPS = [VisitDay, VisitMonth, StageStay, StageStayMonth, MoneyDay, MoneyMonth, UnpaidDay, UnpaidMonth,
           CustomerCount, StageDeals, StageMonthDeals, DealDay, DealMonth, ClosedDay, ClosedMonth, NewCustomerDay,
           NewCustomerMonth, Due, QuoteCount, RegionCount]
