"""Visit cadence: when each customer is next due a visit, and who is overdue; and the activity with a customer
that keeps its open deals fresh.

A customer is due `interval(tier)` days after the last visit (or after creation when never
visited) and overdue once that day has passed. `next_visit_due` is stored so lists can
filter and sort on it; everything that changes its inputs goes through this module.
"""
import datetime
from collections import namedtuple

import pytz
from peewee import SQL, Case, fn

from ..core.db import is_sqlite, utcnow
from ..infra import rollups, stale
from ..models import TIERS, Customer, Deal, Stage


def interval(tier, values):
    """Days between visits for a tier, from the settings values."""
    return values[f"cadence_{tier.lower()}_days"]


def local_date(utc_time, values):
    """The calendar day of a stored (naive UTC) time in the install's time zone."""
    return pytz.utc.localize(utc_time).astimezone(pytz.timezone(values["timezone"])).date()


def next_due(last_visit_at, created_at, tier, values):
    """Days are counted on the install's calendar: a visit at 07:00 in Shanghai is that day's visit."""
    start = last_visit_at or created_at
    return local_date(start, values) + datetime.timedelta(days=interval(tier, values))


def days_overdue(next_visit_due, today):
    """0 until the due day has passed: a visit due today is not late yet."""
    return max(0, (today - next_visit_due).days)


def record_visit(customer, visited_at, values, place=None):
    """The one way a visit reaches a customer: last visit, activity and next due move forward, and the customers
    by due day and month follow its due day. `place`: (lat, lon) written with them (a first good check-in fix).

    An older visit logged late does not move last_visit_at backwards. `customer` is the row as the request read
    it: the update writes only while the row still holds what the new due day and the rollups' rows are worked out
    from (owner, tier, due day, last visit), so nothing is read again in the common case; when another write
    changed it since, the row is read as stored (locked on PostgreSQL; SQLite's write transaction holds the whole
    database) and written from that.
    """
    seen = Seen(customer.owner_id, customer.tier, customer.next_visit_due, customer.last_visit_at)
    if not _visit_written(customer, seen, visited_at, values, place, unchanged=True):
        seen = _stored(customer.id)
        if seen is None:  # deleted meanwhile: nothing to move
            return customer
        _visit_written(customer, seen, visited_at, values, place)
    if customer.next_visit_due != seen.due:
        rollups.due_moved(seen.owner_id, seen.tier, seen.due, customer.next_visit_due)
    record_activity(customer.id, visited_at)  # a visit is real activity on the customer's open deals
    return customer


# What a visit's write of the customer is worked out from: who owns it and its tier (the rollups' rows), its due
# day (the row it leaves) and last visit (the new due day).
Seen = namedtuple("Seen", "owner_id tier due last_visit_at")


def _visit_written(customer, seen, visited_at, values, place, unchanged=False):
    """Write the visit's effects on the customer, worked out from `seen`; `unchanged`: only if the row still holds
    `seen` (the count of rows written says whether it did). The latest activity is kept in SQL, whoever wrote it."""
    customer.last_visit_at = max(filter(None, (seen.last_visit_at, visited_at)))
    customer.next_visit_due = next_due(customer.last_visit_at, customer.created_at, seen.tier, values)
    customer.last_activity_at = max(customer.last_activity_at or visited_at, visited_at)
    changes = {Customer.last_visit_at: customer.last_visit_at, Customer.next_visit_due: customer.next_visit_due,
               Customer.updated_at: utcnow(),
               Customer.last_activity_at: Case(None, [(Customer.last_activity_at.is_null()
                                                       | (Customer.last_activity_at < visited_at),
                                                       Customer.last_activity_at.to_value(visited_at))],
                                               Customer.last_activity_at)}
    if place is not None:
        changes[Customer.lat], changes[Customer.lon] = place
    where = Customer.id == customer.id
    if unchanged:
        for field, value in ((Customer.owner, seen.owner_id), (Customer.tier, seen.tier),
                             (Customer.next_visit_due, seen.due), (Customer.last_visit_at, seen.last_visit_at)):
            where &= field.is_null() if value is None else (field == value)
    return Customer.update(changes).where(where).execute() > 0


def _stored(customer_id):
    """The customer's `Seen` as stored now, its row locked until the transaction ends on PostgreSQL."""
    query = Customer.select(Customer.owner, Customer.tier, Customer.next_visit_due, Customer.last_visit_at).where(
        Customer.id == customer_id)
    row = (query if is_sqlite() else query.for_update()).tuples().first()
    if row is None:
        return None
    return Seen(*row)


def record_activity(customer_id, at):
    """Real activity with a customer (a visit, a quote, a note) keeps its open deals fresh."""
    open_stages = Stage.select(Stage.id).where(Stage.kind == "open")
    # when each goes stale moves with its activity, in the same statement
    (Deal.update(last_activity_at=at, stale_at=stale.stale_sql(Deal.stage, Deal.next_step, Deal.step_due_at,
                                                               Deal.last_activity_at.to_value(at)))
     .where((Deal.customer == customer_id) & Deal.stage.in_(open_stages) & (Deal.last_activity_at < at))
     .execute())


def refresh(customer, values):
    """Recompute one customer's next due date after its tier changed (caller saves)."""
    customer.next_visit_due = next_due(customer.last_visit_at, customer.created_at, customer.tier, values)
    return customer


def refresh_all(values):
    """Recompute every customer's next due date in one UPDATE per tier (after the cadence changed)."""
    start = fn.COALESCE(Customer.last_visit_at, Customer.created_at)
    zone = pytz.timezone(values["timezone"])
    # SQLite has no time zones: the zone's offset now stands in (exact for zones without daylight saving).
    offset = int(zone.utcoffset(utcnow()).total_seconds())
    for tier in TIERS:
        days = int(interval(tier, values))
        if is_sqlite():
            due = fn.date(start, f"{offset:+d} seconds", f"+{days} days")
        else:
            due = SQL("(CAST((COALESCE(last_visit_at, created_at) AT TIME ZONE 'UTC') AT TIME ZONE %s AS date) + %s)",
                      [zone.zone, days])
        Customer.update(next_visit_due=due).where(Customer.tier == tier).execute()
    rollups.recompute_dues()  # every due day may have moved
