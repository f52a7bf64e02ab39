"""When each deal goes stale, kept on the deal so that the stale deals are a range of an index, not a test of every
open deal: `Deal.stale_at` (UTC), and what it is worked out from that no column holds, `Deal.step_due_at`, the last
moment of the next step's due day on the install's calendar.

A deal is stale (`pipeline.queries.is_stale`) once it has no next step or no due day, once its due day has passed
on the install's calendar, or, on a stage with rotting days, once more than that many days have passed since its
last activity. So an open deal's `stale_at` is the earliest of: its `step_due_at` (the due day's last microsecond:
stale from the next local midnight on), its last activity + the stage's rotting days (stale once now is past it),
and 1970-01-01 when it has no next step or no due day; NULL on a closed stage. A deal is stale exactly when
`stale_at < now`, to the microsecond.

Every write of a deal's next step, due day, last activity or stage, of a stage's rotting days (and a merge), and of
the install's time zone keeps both columns, most in the same statement as the write (`stale_sql`); `recompute`
works both out for every deal (a new time zone, a rebuild, a bulk load)."""
import datetime

import pytz
from flask import has_app_context, has_request_context
from peewee import SQL, Case, Cast, NodeList, Value, fn

from ..core import settings as settings_service
from ..core.db import db, is_sqlite
from ..models import Deal, Stage

EPOCH = datetime.datetime(1970, 1, 1)  # a deal without a next step or a due day has been stale all along
TICK = datetime.timedelta(microseconds=1)
NO_DAY = Cast(Value(None), "timestamp")  # a step without a due day, typed: PostgreSQL cannot type a bare NULL


def settings_values():
    """The settings as stored (with the install's fallbacks): read once per request, as the pages read them."""
    if has_request_context():
        return settings_service.current_settings()
    return settings_service.current(settings_service.settings_fallbacks() if has_app_context() else None)


def zone_of(values=None):
    """The install's time zone: from the settings given, else as stored."""
    return pytz.timezone((values or settings_values())["timezone"])


def due_moment(day, zone):
    """The last moment (naive UTC) of the due day on the install's calendar; None without a day."""
    if day is None:
        return None
    midnight = zone.localize(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))
    return midnight.astimezone(pytz.utc).replace(tzinfo=None) - TICK


def stale_moment(stage, next_step, step_due_at, last_activity_at):
    """When a deal with these values on `stage` goes stale (stale once now is past it); None on a closed stage."""
    if stage.kind != "open":
        return None
    if not next_step or step_due_at is None:
        return EPOCH
    if stage.rotting_days is None:
        return step_due_at
    return min(step_due_at, last_activity_at + datetime.timedelta(days=stage.rotting_days))


def stale_sql(stage, next_step, step_due_at, last_activity_at):
    """`stale_moment` in SQL from these (columns, values or params) as they are after the write: the stage's kind
    and rotting days are read by its id, so a write that does not know them writes the moment in its own
    statement."""
    kind = Stage.select(Stage.kind).where(Stage.id == stage)
    days = Stage.select(Stage.rotting_days).where(Stage.id == stage)
    if is_sqlite():  # the stored text: whole days move the seconds, and the fraction stays as it was
        rotten = fn.datetime(last_activity_at, Value("+").concat(days).concat(" days")).concat(
            fn.substr(last_activity_at, 20))
    else:
        rotten = NodeList((last_activity_at, SQL("+"), days, SQL("* INTERVAL '1 day'")), parens=True)
    return Case(None, [(kind != "open", None),
                       ((next_step == "") | step_due_at.is_null(), Deal.stale_at.to_value(EPOCH)),
                       (rotten.is_null() | (step_due_at < rotten), step_due_at)], rotten)


def recompute(values=None, where=None):
    """Work out both columns again for every deal (or those `where` picks): the due days' last moments on the
    install's calendar, one UPDATE per few hundred distinct days, then the moments from them."""
    zone = zone_of(values)
    with db.atomic():
        query = Deal.select(Deal.next_step_due).distinct().where(Deal.next_step_due.is_null(False))
        days = [day for (day,) in (query.where(where) if where is not None else query).tuples()]
        for first in range(0, len(days), 300):
            chunk = days[first:first + 300]
            moments = Case(Deal.next_step_due, [(day, Deal.step_due_at.to_value(due_moment(day, zone)))
                                                for day in chunk])
            update = Deal.update(step_due_at=moments).where(Deal.next_step_due.in_(chunk))
            (update.where(where) if where is not None else update).execute()
        update = Deal.update(step_due_at=None).where(Deal.next_step_due.is_null() & Deal.step_due_at.is_null(False))
        (update.where(where) if where is not None else update).execute()
        update = Deal.update(stale_at=stale_sql(Deal.stage, Deal.next_step, Deal.step_due_at, Deal.last_activity_at))
        (update.where(where) if where is not None else update).execute()


def differences(values=None):
    """[(deal id, kept (step_due_at, stale_at), worked out (step_due_at, stale_at))] where they differ."""
    zone = zone_of(values)
    stages = {s.id: s for s in Stage.select()}
    found = []
    for deal in Deal.select(Deal.id, Deal.stage, Deal.next_step, Deal.next_step_due, Deal.last_activity_at,
                            Deal.step_due_at, Deal.stale_at).order_by(Deal.id):
        due = due_moment(deal.next_step_due, zone)
        fresh = (due, stale_moment(stages[deal.stage_id], deal.next_step, due, deal.last_activity_at))
        if (deal.step_due_at, deal.stale_at) != fresh:
            found.append((deal.id, (deal.step_due_at, deal.stale_at), fresh))
    return found
