"""Visit cadence: when each customer is next due a visit, and who is overdue; and the activity with a customer
that keeps its open deals fresh.

A customer is due `interval(tier)` days after the last visit (or after creation when never
visited) and overdue once that day has passed. `next_visit_due` is stored so lists can
filter and sort on it; everything that changes its inputs goes through this module.
"""
import datetime

import pytz
from peewee import SQL, fn

from ..core.db import is_sqlite, utcnow
from ..infra import rollups
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


def record_visit(customer, visited_at, values):
    """The one way a visit reaches a customer: last visit, activity and next due move forward.

    An older visit logged late does not move last_visit_at backwards.
    """
    last = max(filter(None, (customer.last_visit_at, visited_at)))
    stored = rollups.stored_key(customer.id)  # owner, tier and due day as stored, not as read before
    customer.last_visit_at = last
    customer.last_activity_at = max(customer.last_activity_at or visited_at, visited_at)
    customer.next_visit_due = next_due(last, customer.created_at, customer.tier, values)
    (Customer.update(last_visit_at=customer.last_visit_at, last_activity_at=customer.last_activity_at,
                     next_visit_due=customer.next_visit_due, updated_at=utcnow())
     .where(Customer.id == customer.id).execute())
    if stored is not None and customer.next_visit_due != stored.due:  # the customers by due day and month follow
        rollups.due_moved(stored, customer.next_visit_due)
    record_activity(customer.id, visited_at)  # a visit is real activity on the customer's open deals
    return customer


def record_activity(customer_id, at):
    """Real activity with a customer (a visit, a quote, a note) keeps its open deals fresh."""
    open_stages = Stage.select(Stage.id).where(Stage.kind == "open")
    (Deal.update(last_activity_at=at)
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
