"""Keeping the rollups (models/rollups.py): the writes add to them in their own transaction, and a rebuild
recomputes them from the rows.

A write that moves one figure adds to the rows it changes (`add`: an upsert by key, the same SQL on both engines,
so two writers add up instead of one overwriting the other); a rare write that moves many (a reassignment, a
stage merge, a recycle into the pool) recomputes the rows of the people it touched; `rebuild` recomputes
everything (after an import into the tables, a restore, or a change of time zone, which moves every day
boundary). tests/infra/test_rollups.py runs long random sequences of writes through the rules and checks after
each that what was kept equals a rebuild."""
import datetime
from collections import Counter, defaultdict

import pytz
from flask import has_app_context, has_request_context
from peewee import EXCLUDED, fn

from ..core.db import db
from ..core import settings as settings_service
from ..models import Customer, Deal, StageChange, Visit
from ..models.rollups import ROLLUPS, CustomerCount, StageStay, VisitDay, VisitMonth

KEYS = {VisitDay: ("rep", "day"), VisitMonth: ("rep", "month"), StageStay: ("owner", "day", "stage", "next_stage"),
        CustomerCount: ("owner", "tier", "status", "region")}
SUMS = {VisitDay: ("done", "verified"), VisitMonth: ("done", "verified"), StageStay: ("stays", "seconds"),
        CustomerCount: ("customers",)}
CHUNK = 500  # rows per insert of a rebuild: under SQLite's limit of bound values, few round trips


def _zone(values=None):
    """The install's time zone: from the settings given, else as stored (with the install's fallback)."""
    if values is None and has_request_context():
        values = settings_service.current_settings()  # read once per request, as the pages read it
    elif values is None:
        values = settings_service.current(settings_service.settings_fallbacks() if has_app_context() else None)
    return pytz.timezone(values["timezone"])


def local_day(utc_time, zone):
    """The install's calendar day of a stored (naive UTC) time."""
    return pytz.utc.localize(utc_time).astimezone(zone).date()


def add(model, key, **sums):
    """Add `sums` to the row of `model` with `key` (a dict of its key columns), making it if there is none; a row
    that falls to all zeros goes, so what is kept is exactly what a rebuild makes."""
    if not any(sums.values()):
        return
    fields = {name: getattr(model, name) for name in KEYS[model] + SUMS[model]}
    (model.insert(**key, **{name: sums.get(name, 0) for name in SUMS[model]})
     .on_conflict(conflict_target=[fields[name] for name in KEYS[model]],
                  update={fields[name]: fields[name] + getattr(EXCLUDED, name) for name in SUMS[model]})
     .execute())
    if any(value < 0 for value in sums.values()):
        condition = [fields[name] == value for name, value in key.items()]
        condition += [fields[name] == 0 for name in SUMS[model]]
        model.delete().where(*condition).execute()


# -- visits ------------------------------------------------------------------------------------------------------

def visit_logged(rep_id, occurred_at, verified, values=None, sign=1):
    """A done visit was recorded (sign -1: one was taken back)."""
    day = local_day(occurred_at, _zone(values))
    sums = {"done": sign, "verified": sign if verified else 0}
    add(VisitDay, {"rep": rep_id, "day": day}, **sums)
    add(VisitMonth, {"rep": rep_id, "month": day.strftime("%Y-%m")}, **sums)


def _visit_rows(rep_ids, zone):
    """VisitDay and VisitMonth rows recomputed from the done visits (of `rep_ids`; None: everyone's)."""
    query = Visit.select(Visit.rep, Visit.occurred_at, Visit.verified).where(
        (Visit.status == "done") & Visit.occurred_at.is_null(False))
    if rep_ids is not None:
        query = query.where(Visit.rep.in_(list(rep_ids)))
    days, months = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    for rep, occurred_at, verified in query.tuples().iterator():
        day = local_day(occurred_at, zone)
        for found in (days[(rep, day)], months[(rep, day.strftime("%Y-%m"))]):
            found[0] += 1
            found[1] += 1 if verified else 0
    return ([{"rep": r, "day": d, "done": n, "verified": v} for (r, d), (n, v) in days.items()],
            [{"rep": r, "month": m, "done": n, "verified": v} for (r, m), (n, v) in months.items()])


# -- stage stays -------------------------------------------------------------------------------------------------

def stay_ended(owner_id, stage_id, next_stage_id, entered, left, values=None):
    """A deal moved from one stage to another: its stay in the first ended at `left`."""
    add(StageStay, {"owner": owner_id, "day": local_day(left, _zone(values)), "stage": stage_id,
                    "next_stage": next_stage_id},
        stays=1, seconds=max(0, int((left - entered).total_seconds())))


def _stay_rows(owner_ids, zone):
    """StageStay rows recomputed from the stage history (of the deals of `owner_ids`; None: every deal's)."""
    query = (StageChange.select(Deal.owner, StageChange.deal, StageChange.to_stage, StageChange.at)
             .join(Deal, on=(StageChange.deal == Deal.id)).order_by(StageChange.deal, StageChange.at, StageChange.id))
    if owner_ids is not None:
        query = query.where(Deal.owner.in_(list(owner_ids)))
    found = defaultdict(lambda: [0, 0])
    before = None
    for owner, deal, stage, at in query.tuples().iterator():
        if before is not None and before[0] == deal:
            cell = found[(owner, local_day(at, zone), before[1], stage)]
            cell[0] += 1
            cell[1] += max(0, int((at - before[2]).total_seconds()))
        before = (deal, stage, at)
    return [{"owner": o, "day": d, "stage": s, "next_stage": n, "stays": c, "seconds": t}
            for (o, d, s, n), (c, t) in found.items()]


# -- customers ---------------------------------------------------------------------------------------------------

def customer_key(customer, **changed):
    """Where a customer is counted: (owner, tier, status, region), the pool as owner 0; `customer` is anything with
    owner_id, tier, status and region, and `changed` gives values in place of some of them (owner_id=None: to the
    pool)."""
    values = {"owner_id": customer.owner_id, "tier": customer.tier, "status": customer.status,
              "region": customer.region, **changed}
    return (values["owner_id"] or 0, values["tier"], values["status"], values["region"] or "")


def customers_changed(changes):
    """Customers were made (old None) or changed owner, tier, status or region: [(old key, new key)], each a
    `customer_key`; one upsert per key whose count moves, in key order (two writers lock rows in the same order)."""
    moved = Counter()
    for old, new in changes:
        if old != new:
            if old is not None:
                moved[old] -= 1
            if new is not None:
                moved[new] += 1
    for key in sorted(moved):
        add(CustomerCount, dict(zip(KEYS[CustomerCount], key)), customers=moved[key])


def _customer_rows(owner_ids):
    """CustomerCount rows counted from the customers (of `owner_ids`, None among them for the pool; None: all)."""
    query = Customer.select(Customer.owner, Customer.tier, Customer.status, Customer.region, fn.COUNT(Customer.id))
    if owner_ids is not None:
        condition = Customer.owner.in_(sorted(i for i in owner_ids if i))
        if any(not i for i in owner_ids):
            condition |= Customer.owner.is_null()
        query = query.where(condition)
    query = query.group_by(Customer.owner, Customer.tier, Customer.status, Customer.region)
    return [{"owner": o or 0, "tier": t, "status": s, "region": r, "customers": n} for o, t, s, r, n in query.tuples()]


def recompute_customers(owner_ids):
    """Recompute the customer counts of these owners (None: the pool): many of their customers changed hands at
    once."""
    ids = sorted({i or 0 for i in owner_ids})
    if not ids:
        return
    with db.atomic():
        _replace(CustomerCount, _customer_rows(ids), CustomerCount.owner.in_(ids))


# -- recomputing -------------------------------------------------------------------------------------------------

def _replace(model, rows, where=None):
    query = model.delete()
    (query.where(where) if where is not None else query).execute()
    for start in range(0, len(rows), CHUNK):
        model.insert_many(rows[start:start + CHUNK]).execute()


def recompute_people(user_ids, values=None):
    """Recompute every rollup row of these people (a reassignment moved many of their deals at once)."""
    ids = sorted({i for i in user_ids if i is not None})
    if not ids:
        return
    zone = _zone(values)
    with db.atomic():
        days, months = _visit_rows(ids, zone)
        _replace(VisitDay, days, VisitDay.rep.in_(ids))
        _replace(VisitMonth, months, VisitMonth.rep.in_(ids))
        _replace(StageStay, _stay_rows(ids, zone), StageStay.owner.in_(ids))
        _replace(CustomerCount, _customer_rows(ids), CustomerCount.owner.in_(ids))


def recompute_stays(owner_ids=None):
    """Recompute the stage stays of the deals of `owner_ids` (deals changed owner), or of every deal (stages
    were merged: the history names other stages)."""
    ids = None if owner_ids is None else sorted({i for i in owner_ids if i is not None})
    if ids == []:
        return
    with db.atomic():
        _replace(StageStay, _stay_rows(ids, _zone()), None if ids is None else StageStay.owner.in_(ids))


def fresh(values=None, models=ROLLUPS):
    """{model: rows} as a rebuild makes them, from the rows alone (of `models` only)."""
    zone = _zone(values)
    made = {}
    if {VisitDay, VisitMonth} & set(models):
        made[VisitDay], made[VisitMonth] = _visit_rows(None, zone)
    if StageStay in models:
        made[StageStay] = _stay_rows(None, zone)
    if CustomerCount in models:
        made[CustomerCount] = _customer_rows(None)
    return {model: made[model] for model in models}


def rebuild(values=None, tables=None):
    """Recompute every rollup (`tables`: only those named; a migration builds the tables it makes, a later
    migration's do not exist yet) from the rows, in one transaction; returns {table name: rows}."""
    models = [model for model in ROLLUPS if tables is None or model._meta.table_name in tables]
    with db.atomic():
        made = fresh(values, models)
        for model in models:
            _replace(model, made[model])
    return {model._meta.table_name: len(made[model]) for model in models}


def kept():
    """{model: rows} as they are kept now."""
    return {model: [dict(row) for row in model.select(*[getattr(model, n) for n in KEYS[model] + SUMS[model]])
                    .dicts()] for model in ROLLUPS}


def differences(values=None):
    """What the kept rollups get wrong against a rebuild: [(table, key, kept sums, fresh sums)]; [] when none."""
    found = []
    now, made = kept(), fresh(values)
    for model in ROLLUPS:
        def by_key(rows):
            return {tuple(_plain(row[n]) for n in KEYS[model]): tuple(row[n] for n in SUMS[model]) for row in rows}
        have, want = by_key(now[model]), by_key(made[model])
        for key in sorted(set(have) | set(want), key=str):
            if have.get(key) != want.get(key):
                found.append((model._meta.table_name, key, have.get(key), want.get(key)))
    return found


def _plain(value):
    """A key's value as both engines give it back (SQLite may give a day as text)."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-" and value[:4].isdigit():
        return datetime.date.fromisoformat(value)
    return value
