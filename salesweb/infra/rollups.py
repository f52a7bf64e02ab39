"""Keeping the rollups (models/rollups.py): the writes add to them in their own transaction, and a rebuild
recomputes them from the rows.

A write that moves one figure adds to the rows it changes (`add`: an upsert by key, the same SQL on both engines,
so two writers add up instead of one overwriting the other; `deal_changed`: the two rows a deal leaves and
enters, in one upsert); a rare write that moves many (a reassignment, a stage merge, a recycle into the pool)
recomputes the rows of the people it touched; `rebuild` recomputes everything (after an import into the tables, a
restore, or a change of time zone, which moves every day boundary). tests/infra/test_rollups.py runs long random
sequences of writes through the rules and checks after each that what was kept equals a rebuild."""
import datetime
import operator
from collections import Counter, defaultdict, namedtuple
from functools import reduce

import pytz
from flask import has_app_context, has_request_context
from peewee import EXCLUDED, SQL, Select, fn

from ..core.db import db, in_query, is_sqlite, kept_row, kept_statement, param
from ..core import settings as settings_service
from . import stale
from ..models import Contract, Customer, Deal, Instalment, Payment, Quote, Stage, StageChange, User, Visit
from ..models.rollups import (ALL, EVERYONE, GROUPED, OWN, ROLLUPS, TEAM, ClosedDay, ClosedMonth, CustomerCount, DealDay, DealMonth,
                              Due, MoneyDay, MoneyMonth,
                              NewCustomerDay, NewCustomerMonth, QuoteCount, RegionCount, StageDeals, StageMonthDeals, StageStay,
                              StageStayMonth, UnpaidDay, UnpaidMonth, VisitDay, VisitMonth)

DEAL_SUMS = ("won", "won_amount", "won_seconds", "lost", "lost_amount", "created", "created_amount")
CLOSED_SUMS = ("won", "won_amount", "lost", "lost_amount")
KEYS = {VisitDay: ("rep", "day"), VisitMonth: ("rep", "month"), StageStay: ("owner", "day", "stage", "next_stage"),
        StageStayMonth: ("owner", "month", "stage", "next_stage"),
        MoneyDay: ("owner", "day"), MoneyMonth: ("owner", "month"), UnpaidDay: ("owner", "day"),
        UnpaidMonth: ("owner", "month"), CustomerCount: ("owner", "tier", "status", "region"),
        StageDeals: ("owner", "stage"), StageMonthDeals: ("owner", "stage", "month"), DealDay: ("owner", "day"),
        DealMonth: ("owner", "month"), ClosedDay: ("owner", "day", "source", "reason"),
        ClosedMonth: ("owner", "month", "source", "reason"), NewCustomerDay: ("owner", "day"),
        NewCustomerMonth: ("owner", "month"), Due: ("owner", "tier", "month", "day"),
        QuoteCount: ("owner", "status", "needs", "month", "day"), RegionCount: ("region",)}
SUMS = {VisitDay: ("done", "verified"), VisitMonth: ("done", "verified"), StageStay: ("stays", "seconds"),
        StageStayMonth: ("stays", "seconds"),
        MoneyDay: ("due", "received"), MoneyMonth: ("due", "received"), UnpaidDay: ("unpaid",),
        UnpaidMonth: ("unpaid",), CustomerCount: ("customers",), StageDeals: ("deals", "amount", "weighted"),
        StageMonthDeals: ("deals", "amount", "weighted"), DealDay: DEAL_SUMS, DealMonth: DEAL_SUMS,
        ClosedDay: CLOSED_SUMS, ClosedMonth: CLOSED_SUMS, NewCustomerDay: ("created",), NewCustomerMonth: ("created",),
        Due: ("customers",), QuoteCount: ("quotes",), RegionCount: ("customers",)}
# rollups whose rows stay when their sums fall to zero (see `deal_changed`): a deal's write then adds to each in
# one statement
DEAL_ROLLUPS = (StageDeals, StageMonthDeals, DealDay, DealMonth, ClosedDay, ClosedMonth)  # what a deal's write adds to
# (and the customers by due day and month, the quotes by the day they are valid until: a write that moves a
# customer's due date or a quote adds to it in one statement)
ZEROS_STAY = DEAL_ROLLUPS + (Due, QuoteCount)
# a row's whole key: a grouped rollup's leads with `grp`
ROW_KEYS = {model: (("grp",) if model in GROUPED else ()) + KEYS[model] for model in ROLLUPS}
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
    """Add `sums` to the row of `model` with `key` (a dict of its key columns), making it if there is none (and, for
    a grouped rollup, to the rows of the person's subtrees and everyone's: `_write_cells`); a row that falls to all
    zeros goes, so what is kept is exactly what a rebuild makes."""
    if not any(sums.values()):
        return
    names = tuple(key)
    if model in GROUPED:
        _upsert(model, [(tuple(key[name] for name in KEYS[model]), tuple(sums.get(name, 0) for name in SUMS[model]))])
        if any(value < 0 for value in sums.values()):
            values = {name: getattr(model, name).db_value(value) for name, value in key.items()}
            db.execute_sql(*kept_statement(("rollup group emptied", model.__name__), lambda: _group_emptied(model),
                                           **values))
        return
    values = {name: getattr(model, name).db_value(value) for name, value in key.items()}
    # kept: a card move and a logged visit write these, and peewee writing the upsert took 0.14 ms, longer than the
    # database took to run it
    db.execute_sql(*kept_statement(("rollup add", model.__name__, names), lambda: _added(model, names), **values,
                                   **{name: sums.get(name, 0) for name in SUMS[model]}))
    if any(value < 0 for value in sums.values()):
        db.execute_sql(*kept_statement(("rollup emptied", model.__name__, names), lambda: _emptied(model, names),
                                       **values))


def _added(model, key_names):
    fields = {name: getattr(model, name) for name in KEYS[model] + SUMS[model]}
    return (model.insert({fields[name]: param(name) for name in key_names + SUMS[model]})
            .on_conflict(conflict_target=[fields[name] for name in KEYS[model]],
                         update={fields[name]: fields[name] + getattr(EXCLUDED, name) for name in SUMS[model]}))


def _emptied(model, key_names):
    """The row with this key, if all its sums are zero."""
    fields = {name: getattr(model, name) for name in KEYS[model] + SUMS[model]}
    return model.delete().where(*[fields[name] == param(name) for name in key_names],
                                *[fields[name] == 0 for name in SUMS[model]])


# -- the group rows: each person's subtree and everyone --------------------------------------------------------

def person_of(model):
    """The key column naming the person a grouped rollup's row is kept for (the rep, or the owner)."""
    return KEYS[model][0]


def _chain(owners):
    """The CTE "chain" (person, id, boss): for each of `owners` (an IN's values) the person and everyone above them
    by reports_to, the person included: whose subtree sums a row of theirs adds to. A user id only (the pool, 0,
    has none). UNION: a loop in the data cannot recurse forever."""
    base = (User.select(User.id.alias("person"), User.id, User.reports_to).where(User.id.in_(owners))
            .cte("chain", recursive=True, columns=("person", "id", "boss")))
    above = User.alias()
    step = above.select(base.c.person, above.id, above.reports_to).join(base, on=(above.id == base.c.boss))
    return base.union(step)


def _typed(model, name, value):
    """A value for a column of `model` in a select with no table: PostgreSQL is told its type (SQLite would turn a
    day cast to DATE into a number)."""
    if is_sqlite():
        return value
    field = getattr(model, name)
    kind = {"INT": "integer", "BIGINT": "bigint", "DATE": "date"}.get(field.field_type, "varchar")
    return value.cast(kind)


def _grouped_added(model, rows, by_deal=False):
    """One statement adding `rows` rows (params `{name}_{n}` of each key column and sum) to their persons' own rows,
    to the subtree rows of each person and everyone above them, and to everyone's: INSERT ... SELECT over the
    persons' chains above them, grouped by the row it adds to (one statement may not update a row twice), in key
    order, with an upsert by key. `by_deal`: the person is the owner of the deal `deal` (a param) as the statement
    reads it, for every row."""
    person, keys, sums = person_of(model), KEYS[model][1:], SUMS[model]
    names = KEYS[model] + sums
    owner = Deal.select(Deal.owner).where(Deal.id == param("deal"))

    def value(name, n):
        return owner if by_deal and name == person else _typed(model, name, param(f"{name}_{n}"))
    given = [Select(columns=[value(name, n).alias(name) for name in names]) for n in range(rows)]
    values = reduce(operator.add, given).cte("v", columns=names) if rows > 1 else given[0].cte("v", columns=names)
    chain = _chain(owner if by_deal else [param(f"{person}_{n}") for n in range(rows)])
    rest = [getattr(values.c, name) for name in keys + sums]
    own = Select([values], [SQL(str(OWN)).alias("grp"), getattr(values.c, person).alias("who"), *rest])
    team = Select([values], [SQL(str(TEAM)), chain.c.id, *rest]).join(
        chain, on=(chain.c.person == getattr(values.c, person)))
    everyone = Select([values], [SQL(str(ALL)), SQL(str(EVERYONE)), *rest])
    found = (own + team + everyone).alias("g")
    grouped = [found.c.grp, found.c.who] + [getattr(found.c, name) for name in keys]
    select = (Select([found], grouped + [fn.SUM(getattr(found.c, name)) for name in sums])
              .where(SQL("1 = 1"))  # SQLite reads an ON after a select without WHERE as a join's
              .group_by(*grouped).order_by(*grouped))
    fields = [model.grp] + [getattr(model, name) for name in names]
    return (model.insert_from(select, fields).with_cte(values, chain)
            .on_conflict(conflict_target=[model.grp] + [getattr(model, name) for name in KEYS[model]],
                         update={getattr(model, name): getattr(model, name) + getattr(EXCLUDED, name)
                                 for name in sums}))


def _group_emptied(model):
    """The rows with this key (params per key column) fallen to all zeros: the person's own, their chain's
    subtree rows and everyone's."""
    person, keys = person_of(model), KEYS[model][1:]
    chain = _chain([param(person)])
    who = getattr(model, person)
    above = Select([chain], [chain.c.id]).with_cte(chain)
    rows = (((model.grp == OWN) & (who == param(person))) | ((model.grp == ALL) & (who == EVERYONE))
            | ((model.grp == TEAM) & in_query(who, above)))
    return model.delete().where(rows, *[getattr(model, name) == param(name) for name in keys],
                                *[getattr(model, name) == 0 for name in SUMS[model]])


def _upsert(model, rows, deal=None):
    """Add rows [(key tuple, sums tuple)] to `model` in one statement (a grouped rollup's subtree and everyone's
    rows too); `deal`: a deal's id, whose owner the statement reads as the rows' person (their key's first value is
    then not read)."""
    names = KEYS[model] + SUMS[model]
    values = {f"{name}_{n}": value for n, (key, sums) in enumerate(rows)
              for name, value in zip(names, tuple(getattr(model, k).db_value(v) for k, v in
                                                  zip(KEYS[model], key)) + tuple(sums))}
    if deal is not None:
        values = {name: value for name, value in values.items() if not name.startswith(person_of(model) + "_")}
        # kept: every write of a quote makes it
        db.execute_sql(*kept_statement(("group rollup by deal", model.__name__, len(rows)),
                                       lambda: _grouped_added(model, len(rows), by_deal=True), deal=deal, **values))
    elif model in GROUPED:
        # kept: a card move writes it, and peewee writing the statement took longer than the database running it
        db.execute_sql(*kept_statement(("group rollup", model.__name__, len(rows)),
                                       lambda: _grouped_added(model, len(rows)), **values))
    else:
        db.execute_sql(*kept_statement(("deal rollup", model.__name__, len(rows)),
                                       lambda: _rows_added(model, len(rows)), **values))


def _parents():
    """{user id: the id they report to, or None}."""
    return dict(User.select(User.id, User.reports_to).tuples())


def _above(person, parents):
    """The person (a user) and everyone above them by reports_to, as `_chain` finds them."""
    found = []
    while person in parents and person not in found:
        found.append(person)
        person = parents[person]
    return found


def _with_groups(model, rows, parents):
    """A grouped rollup's rows (dicts, a person's own) with `grp`, and the subtree and everyone rows summed from
    them, those whose sums are not all zero."""
    if model not in GROUPED:
        return rows
    person, keys, sums = person_of(model), KEYS[model][1:], SUMS[model]
    groups = {}
    for row in rows:
        rest = tuple(row[name] for name in keys)
        for target in [(TEAM, who) for who in _above(row[person], parents)] + [(ALL, EVERYONE)]:
            cell = groups.setdefault(target + rest, [0] * len(sums))
            for n, name in enumerate(sums):
                cell[n] += row[name]
    return [{**row, "grp": OWN} for row in rows] + [
        {"grp": key[0], person: key[1], **dict(zip(keys, key[2:])), **dict(zip(sums, found))}
        for key, found in groups.items() if any(found)]


def _regroup(model, people=None, where=None, everyone=True):
    """Sum a grouped rollup's subtree rows again, from the people's own rows: of everyone above (or being) one of
    `people` (None: of everyone), and everyone's rows (`everyone`); `where`: only the rows it holds (a condition on
    the key columns but the person)."""
    person, keys, sums = person_of(model), KEYS[model][1:], SUMS[model]
    who = getattr(model, person)
    managers = None
    if people is not None:
        parents = _parents()
        managers = sorted({m for p in people for m in _above(p, parents)})
    clauses = [where] if where is not None else []
    deleted = (model.grp == TEAM) if managers is None else ((model.grp == TEAM) & who.in_(managers))
    if everyone:
        deleted |= model.grp == ALL
    model.delete().where(deleted, *clauses).execute()
    columns = [getattr(model, name) for name in keys]
    summed = [fn.SUM(getattr(model, name)) for name in sums]
    not_zero = reduce(operator.or_, [total != 0 for total in summed])
    fields = [model.grp, who] + columns + [getattr(model, name) for name in sums]
    if managers != []:
        base = User.select(User.id.alias("top"), User.id)
        if managers is not None:
            base = base.where(User.id.in_(managers))
        tree = base.cte("tree", recursive=True, columns=("top", "id"))
        below = User.alias()
        tree = tree.union(below.select(tree.c.top, below.id).join(tree, on=(below.reports_to == tree.c.id)))
        teams = (model.select(SQL(str(TEAM)), tree.c.top, *columns, *summed)
                 .join(tree, on=(tree.c.id == who)).where(model.grp == OWN, *clauses)
                 .group_by(tree.c.top, *columns).having(not_zero).with_cte(tree))
        model.insert_from(teams, fields).execute()
    if everyone:
        total = (model.select(SQL(str(ALL)), SQL(str(EVERYONE)), *columns, *summed)
                 .where(model.grp == OWN, *clauses).group_by(*columns).having(not_zero))
        model.insert_from(total, fields).execute()


def reports_changed(people):
    """Who reports to whom changed for some people (one of them is each moved person's old or new manager, or the
    manager they now report to): the subtree rows of everyone above them, again, in every grouped rollup."""
    people = sorted({p for p in people if p})
    if not people:
        return
    with db.atomic():
        for model in GROUPED:
            _regroup(model, people, everyone=False)


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
    day, seconds = local_day(left, _zone(values)), max(0, int((left - entered).total_seconds()))
    add(StageStay, {"owner": owner_id, "day": day, "stage": stage_id, "next_stage": next_stage_id},
        stays=1, seconds=seconds)
    add(StageStayMonth, {"owner": owner_id, "month": day.strftime("%Y-%m"), "stage": stage_id,
                         "next_stage": next_stage_id}, stays=1, seconds=seconds)


def _stay_rows(owner_ids, zone):
    """StageStay and StageStayMonth rows recomputed from the stage history (of the deals of `owner_ids`; None:
    every deal's)."""
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
    months = defaultdict(lambda: [0, 0])
    for (o, d, s, n), (c, t) in found.items():
        cell = months[(o, d.strftime("%Y-%m"), s, n)]
        cell[0] += c
        cell[1] += t
    return ([{"owner": o, "day": d, "stage": s, "next_stage": n, "stays": c, "seconds": t}
             for (o, d, s, n), (c, t) in found.items()],
            [{"owner": o, "month": m, "stage": s, "next_stage": n, "stays": c, "seconds": t}
             for (o, m, s, n), (c, t) in months.items()])


# -- the deals in each stage -------------------------------------------------------------------------------------

# What the rollups count of a deal: its owner, its stage and that stage's kind, amount, probability, expected close
# day, the days it was won and lost, when it was made (stored UTC), its customer, that customer's source (read only
# for a won or lost deal: "" for an open one) and why it was lost (0: no reason).
Counted = namedtuple("Counted", "owner stage kind amount probability close won_on lost_on created_at customer source "
                                "reason")
CLOSED = ("won", "lost")


def counted(deal, kind, like=None):
    """What the rollups count of `deal` (a Deal as it stands), in a stage of `kind`. `like`: what was counted of it
    before this write (its customer's source is not read again when the customer is the same)."""
    source = ""
    if kind in CLOSED:
        known = like is not None and like.customer == deal.customer_id and like.kind in CLOSED
        source = like.source if known else _source_of(deal.customer_id)
    return Counted(deal.owner_id, deal.stage_id, kind, deal.amount, deal.probability, deal.expected_close,
                   deal.won_on, deal.lost_on, deal.created_at, deal.customer_id, source, deal.lost_reason_id or 0)


def _source_of(customer_id):
    # kept: a deal won or lost reads it, and peewee writing the select took longer than the database running it
    return kept_row("customer source", lambda: Customer.select(Customer.source.alias("source")).where(
        Customer.id == param("customer")), customer=customer_id).source or ""


def _month(day):
    return "" if day is None else _plain(day).strftime("%Y-%m")


def _cycle_seconds(won_on, created_at):
    """From a deal's making to the start of the day it was won, in seconds (as `core.db.days_between` reads it)."""
    return int((datetime.datetime.combine(_plain(won_on), datetime.time()) - created_at).total_seconds())


def _deal_cells(counted, sign, zone, cells, made=True):
    """Add what one deal (a Counted) counts in each rollup, times `sign`, to `cells`: {model: {key: [sums]}};
    its making too when `made`."""
    owner, amount = counted.owner, counted.amount
    for model, key, sums in (
            (StageDeals, (owner, counted.stage), (1, amount, amount * counted.probability)),
            (StageMonthDeals, (owner, counted.stage, _month(counted.close)),
             (1, amount, amount * counted.probability))):
        _add_cell(cells, model, key, sums, sign)
    if counted.kind == "won" and counted.won_on is not None:
        day = _plain(counted.won_on)
        sums = (1, amount, _cycle_seconds(day, counted.created_at), 0, 0, 0, 0)
        _add_cell(cells, DealDay, (owner, day), sums, sign)
        _add_cell(cells, DealMonth, (owner, _month(day)), sums, sign)
    if counted.kind == "lost" and counted.lost_on is not None:
        day = _plain(counted.lost_on)
        _add_cell(cells, DealDay, (owner, day), (0, 0, 0, 1, amount, 0, 0), sign)
        _add_cell(cells, DealMonth, (owner, _month(day)), (0, 0, 0, 1, amount, 0, 0), sign)
    _closed_cells(counted, sign, cells)
    if not made:
        return
    day = local_day(counted.created_at, zone())
    _add_cell(cells, DealDay, (owner, day), (0, 0, 0, 0, 0, 1, amount), sign)
    _add_cell(cells, DealMonth, (owner, _month(day)), (0, 0, 0, 0, 0, 1, amount), sign)


def _closed_cells(counted, sign, cells, source=None):
    """Add what a won or lost deal counts in the closed deals' rollups (by its customer's source, or `source`)."""
    source = counted.source if source is None else source
    if counted.kind == "won" and counted.won_on is not None:
        day, key, sums = _plain(counted.won_on), (source, 0), (1, counted.amount, 0, 0)
    elif counted.kind == "lost" and counted.lost_on is not None:
        day, key, sums = _plain(counted.lost_on), (source, counted.reason or 0), (0, 0, 1, counted.amount)
    else:
        return
    _add_cell(cells, ClosedDay, (counted.owner, day, *key), sums, sign)
    _add_cell(cells, ClosedMonth, (counted.owner, _month(day), *key), sums, sign)


def _add_cell(cells, model, key, sums, sign):
    cell = cells[model].setdefault(key, [0] * len(sums))
    for n, value in enumerate(sums):
        cell[n] += sign * value


def deal_changed(before, after, values=None):
    """A deal was made (`before` None) or something the rollups count of it changed (`before` and `after`:
    Counted). Per rollup, one statement for the rows it leaves and the rows it enters, in key order (two writers
    take the rows' locks in the same order); a row that falls to zero stays, where `add` would need a second
    statement to delete it. A card moved between open stages writes two (the stage's, and the stage and close
    month's)."""
    zones = []

    def zone():  # read only when a deal's making counts somewhere else than before
        if not zones:
            zones.append(_zone(values))
        return zones[0]
    made = before is None or (before.owner, before.amount, before.created_at) != \
        (after.owner, after.amount, after.created_at)
    cells = {model: {} for model in DEAL_ROLLUPS}
    for sign, found in ((-1, before), (1, after)):
        if found is not None:
            _deal_cells(found, sign, zone, cells, made)
    _write_cells(cells)


def _write_cells(cells):
    """Add {model: {key: sums}} to the rollups: per rollup, one statement for all its rows, in key order."""
    for model, change in cells.items():
        rows = [(key, sums) for key, sums in sorted(change.items(), key=lambda item: str(item[0])) if any(sums)]
        if rows:
            _upsert(model, rows)


def _rows_added(model, rows):
    names = KEYS[model] + SUMS[model]
    return (model.insert_many([{getattr(model, name): param(f"{name}_{n}") for name in names} for n in range(rows)])
            .on_conflict(conflict_target=[getattr(model, name) for name in KEYS[model]],
                         update={getattr(model, name): getattr(model, name) + getattr(EXCLUDED, name)
                                 for name in SUMS[model]}))


def _deal_rows(zone, owner_ids=None, stage_ids=None):
    """{model: rows} of the deals' rollups (StageDeals, StageMonthDeals, DealDay, DealMonth) recomputed from the
    deals (of `owner_ids`, in `stage_ids`; None: all)."""
    query = (Deal.select(Deal.owner, Deal.stage, Stage.kind, Deal.amount, Deal.probability, Deal.expected_close,
                         Deal.won_on, Deal.lost_on, Deal.created_at, Deal.customer, Customer.source,
                         fn.COALESCE(Deal.lost_reason, 0))
             .join(Stage).switch(Deal).join(Customer, on=(Deal.customer == Customer.id)))
    if owner_ids is not None:
        query = query.where(Deal.owner.in_(list(owner_ids)))
    if stage_ids is not None:
        query = query.where(Deal.stage.in_(list(stage_ids)))
    cells = {model: {} for model in DEAL_ROLLUPS}
    for row in query.tuples().iterator():
        _deal_cells(Counted(*row), 1, lambda: zone, cells)
    return {model: [dict(zip(KEYS[model] + SUMS[model], key + tuple(sums))) for key, sums in found.items()
                    if any(sums)] for model, found in cells.items()}


def stages_changed(stage_ids):
    """Many deals changed at once in these stages (merged into another, following a stage's new probability), or
    a stage went: the deals in each, again."""
    ids = sorted({i for i in stage_ids if i is not None})
    if not ids:
        return
    with db.atomic():
        made = _deal_rows(_zone(), stage_ids=ids)
        for model in (StageDeals, StageMonthDeals):
            _replace(model, made[model], where=model.stage.in_(ids))


def source_changed(customer_id, old, new):
    """A customer's source went from `old` to `new`: its won and lost deals count under the new one."""
    if old == new:
        return
    cells = {ClosedDay: {}, ClosedMonth: {}}
    query = (Deal.select(Deal.owner, Stage.kind, Deal.amount, Deal.won_on, Deal.lost_on,
                         fn.COALESCE(Deal.lost_reason, 0)).join(Stage)
             .where((Deal.customer == customer_id) & Stage.kind.in_(CLOSED)))
    for owner, kind, amount, won_on, lost_on, reason in query.tuples():
        deal = Counted(owner, None, kind, amount, None, None, won_on, lost_on, None, customer_id, old, reason)
        _closed_cells(deal, -1, cells, old)
        _closed_cells(deal, 1, cells, new)
    _write_cells(cells)


# -- contracts: what is still owed, and what is unpaid of each day's instalments ---------------------------------

def _owed():
    """A contract's instalments less its payments, in SQL, for the contract of the row being read or written."""
    due = Instalment.select(fn.COALESCE(fn.SUM(Instalment.amount), 0)).where(Instalment.contract == Contract.id)
    paid = Payment.select(fn.COALESCE(fn.SUM(Payment.amount), 0)).where(Payment.contract == Contract.id)
    return fn.COALESCE(due, 0) - fn.COALESCE(paid, 0)


def contract_changed(contract_id):
    """Its plan or its payments changed: what it still owes, again."""
    Contract.update(outstanding=_owed()).where(Contract.id == contract_id).execute()


def plan_changed(contract_id, before, after):
    """A contract's payment plan went from `before` to `after`, [(due day, amount)]: what falls due moves, and
    what of it is unpaid."""
    owner = _owner_of(contract_id)
    change = defaultdict(int)
    for sign, plan in ((-1, before), (1, after)):
        for day, amount in plan:
            change[_plain(day)] += sign * amount
    for day, amount in sorted(change.items()):
        money_moved(owner, day, due=amount)
    paid = _paid(contract_id)
    unpaid_moved(owner, unpaid_by_day(before, paid), unpaid_by_day(after, paid))
    contract_changed(contract_id)


def payment_changed(contract_id, day, amount):
    """A payment received on `day` was recorded (amount > 0) or removed (amount < 0): it settles (or no longer
    settles) the earliest instalments still unpaid."""
    owner = _owner_of(contract_id)
    money_moved(owner, day, received=amount)
    plan = list(Instalment.select(Instalment.due_on, Instalment.amount).where(Instalment.contract == contract_id)
                .tuples())
    paid = _paid(contract_id)
    unpaid_moved(owner, unpaid_by_day(plan, paid - amount), unpaid_by_day(plan, paid))
    contract_changed(contract_id)


def _owner_of(contract_id):
    return Deal.select(Deal.owner).join(Contract, on=(Contract.deal == Deal.id)).where(
        Contract.id == contract_id).scalar()


def _paid(contract_id):
    return int(Payment.select(fn.COALESCE(fn.SUM(Payment.amount), 0)).where(Payment.contract == contract_id).scalar())


def unpaid_by_day(plan, paid):
    """{due day: what is unpaid of the instalments due that day} of a plan [(due day, amount)] once `paid` has
    settled the earliest instalments first. Summed over the days before today it is what the contract has overdue:
    what fell due before today less everything paid, or nothing."""
    found = defaultdict(int)
    left = max(paid, 0)
    for day, amount in sorted(plan, key=lambda row: _plain(row[0])):
        settled = min(left, amount)
        left -= settled
        if amount - settled:
            found[_plain(day)] += amount - settled
    return found


def unpaid_moved(owner_id, before, after):
    """What is unpaid of a contract of `owner_id`'s deal went from `before` to `after`, {due day: amount}."""
    for day in sorted(set(before) | set(after)):
        change = after.get(day, 0) - before.get(day, 0)
        add(UnpaidDay, {"owner": owner_id, "day": day}, unpaid=change)
        add(UnpaidMonth, {"owner": owner_id, "month": day.strftime("%Y-%m")}, unpaid=change)


def money_moved(owner_id, day, due=0, received=0):
    """An instalment of a deal of `owner_id` falls due on `day` (due), or a payment was received on it; negative
    amounts take one back."""
    add(MoneyDay, {"owner": owner_id, "day": day}, due=due, received=received)
    add(MoneyMonth, {"owner": owner_id, "month": day.strftime("%Y-%m")}, due=due, received=received)


def _money_rows(owner_ids):
    """MoneyDay and MoneyMonth rows recomputed from the instalments and payments (of the deals of `owner_ids`)."""
    days, months = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    for model, day_field, slot in ((Instalment, Instalment.due_on, 0), (Payment, Payment.received_on, 1)):
        query = (model.select(Deal.owner, day_field, fn.SUM(model.amount)).join(Contract)
                 .join(Deal, on=(Contract.deal == Deal.id)).group_by(Deal.owner, day_field))
        if owner_ids is not None:
            query = query.where(Deal.owner.in_(list(owner_ids)))
        for owner, day, amount in query.tuples():
            day = _plain(day)
            days[(owner, day)][slot] += int(amount or 0)
            months[(owner, day.strftime("%Y-%m"))][slot] += int(amount or 0)
    keep = [(k, v) for k, v in days.items() if any(v)]
    return ([{"owner": o, "day": d, "due": a, "received": b} for (o, d), (a, b) in keep],
            [{"owner": o, "month": m, "due": a, "received": b} for (o, m), (a, b) in months.items() if a or b])


def _unpaid_rows(owner_ids):
    """UnpaidDay and UnpaidMonth rows recomputed from the instalments and payments (of the deals of `owner_ids`)."""
    plans, paid = defaultdict(list), {}
    instalments = (Instalment.select(Deal.owner, Instalment.contract, Instalment.due_on, Instalment.amount)
                   .join(Contract).join(Deal, on=(Contract.deal == Deal.id)))
    payments = (Payment.select(Payment.contract, fn.SUM(Payment.amount)).join(Contract)
                .join(Deal, on=(Contract.deal == Deal.id)).group_by(Payment.contract))
    if owner_ids is not None:
        instalments = instalments.where(Deal.owner.in_(list(owner_ids)))
        payments = payments.where(Deal.owner.in_(list(owner_ids)))
    for owner, contract, day, amount in instalments.tuples():
        plans[(owner, contract)].append((day, amount))
    paid = {contract: int(amount or 0) for contract, amount in payments.tuples()}
    days, months = defaultdict(int), defaultdict(int)
    for (owner, contract), plan in plans.items():
        for day, amount in unpaid_by_day(plan, paid.get(contract, 0)).items():
            days[(owner, day)] += amount
            months[(owner, day.strftime("%Y-%m"))] += amount
    return ([{"owner": o, "day": d, "unpaid": a} for (o, d), a in days.items() if a],
            [{"owner": o, "month": m, "unpaid": a} for (o, m), a in months.items() if a])


def _contracts_owing():
    """{contract id: outstanding} as the rows have it, for contracts where it is not 0."""
    return {cid: int(owed) for cid, owed in Contract.select(Contract.id, _owed()).tuples() if int(owed or 0)}


# -- customers ---------------------------------------------------------------------------------------------------

# Where a customer is counted: (owner, tier, status, region, when it was made, source), the pool as owner 0. The
# customer rollup counts the first four, the new customers' the owner and the day it was made, the regions' the
# region; the source is what a customer's closed deals are counted under (`source_changed`); the customers by due
# day and month count the owner, tier and the day its next visit is due (None: not counted).
CustomerKey = namedtuple("CustomerKey", "owner tier status region created_at source due")


def customer_key(customer, **changed):
    """Where a customer is counted (a CustomerKey); `customer` is anything with owner_id, tier, status, region,
    next_visit_due, created_at and source (those not read: None), and `changed` gives values in place of some of
    them (owner_id=None: to the pool; due=: the next visit's due day)."""
    values = {"owner_id": customer.owner_id, "tier": customer.tier, "status": customer.status,
              "region": customer.region, "created_at": getattr(customer, "created_at", None),
              "source": getattr(customer, "source", None), "due": customer.next_visit_due, **changed}
    return CustomerKey(values["owner_id"] or 0, values["tier"], values["status"], values["region"] or "",
                       values["created_at"], values["source"], values["due"])


def stored_key(customer_id):
    """Where a customer is counted as stored now, read inside the write's transaction and, on PostgreSQL, its row
    locked until the transaction ends (SQLite's write transaction holds the whole database): a change another
    request made since this one read the customer is what is taken off, never a copy read before."""
    query = Customer.select(Customer.owner, Customer.tier, Customer.status, Customer.region, Customer.created_at,
                            Customer.source, Customer.next_visit_due).where(Customer.id == customer_id)
    row = (query if is_sqlite() else query.for_update()).tuples().first()
    return None if row is None else CustomerKey(row[0] or 0, row[1], row[2], row[3] or "", row[4], row[5],
                                                _plain(row[6]))


def customers_changed(changes, values=None):
    """Customers were made (old None) or changed owner, tier, status, region or next visit's due day:
    [(old key, new key)], each a `customer_key` (or a tuple in its order); one upsert per row whose count moves, in
    key order (two writers lock rows in the same order), and one per table of the customers by due day and month.
    A customer's making counts where both keys know when it was made."""
    counts, made, regions, dues = Counter(), Counter(), Counter(), Counter()
    for old, new in changes:
        if old == new:
            continue
        for sign, key in ((-1, old), (1, new)):
            if key is None:
                continue
            counts[tuple(key[:4])] += sign
            regions[key[3]] += sign
            if key[4] is not None:
                made[(key[0], key[4])] += sign
            if key[6] is not None:
                dues[(key[0], key[1], _plain(key[6]))] += sign
    _dues_added(dues)
    _add_rows(CustomerCount, counts)
    days = Counter()
    if any(made.values()):
        zone = _zone(values)
        for (owner, created_at), n in made.items():
            days[(owner, local_day(created_at, zone))] += n
    _add_rows(NewCustomerDay, days)
    months = Counter()
    for (owner, day), n in days.items():
        months[(owner, day.strftime("%Y-%m"))] += n
    _add_rows(NewCustomerMonth, months)
    for region in sorted(regions):
        add(RegionCount, {"region": region}, customers=regions[region])


def due_moved(owner_id, tier, before, after):
    """A customer's next visit due day moved (a visit logged) from `before` to `after` (None: none), its owner (None:
    the pool) and tier as stored when it moved: the customers by due day and month, in one statement."""
    _dues_added(Counter({(owner_id or 0, tier, _plain(before)): -1, (owner_id or 0, tier, after): 1}))


# -- quotes -------------------------------------------------------------------------------------------------------

def quote_changed(deal_id, before, after):
    """A quote on the deal `deal_id` was made (`before` None) or its stored status, whose approval it needs or the
    day it is valid until changed: (status, needs, valid until) before and after. One upsert of its day's and
    month's rows, under the deal's owner as the statement reads it (a write that changes the owner recomputes the
    owners' rows: `deals_changed_owner`); none when nothing counted moved. Rows at zero stay."""
    rows = Counter()
    for sign, found in ((-1, before), (1, after)):
        if found is not None:
            status, needs, day = found
            for month, number in _due_cells(_plain(day)):
                rows[(status, needs, month, number)] += sign
    found = [((0, *key), (n,)) for key, n in sorted(rows.items()) if n]
    if found:
        _upsert(QuoteCount, found, deal=deal_id)


def _quote_rows(owner_ids):
    """QuoteCount rows counted from the quotes (of the deals of `owner_ids`; None: every quote)."""
    query = (Quote.select(Deal.owner, Quote.status, Quote.needs, Quote.valid_until, fn.COUNT(Quote.id))
             .join(Deal, on=(Quote.deal == Deal.id)))
    if owner_ids is not None:
        query = query.where(Deal.owner.in_(list(owner_ids)))
    rows = Counter()
    for owner, status, needs, day, n in query.group_by(Deal.owner, Quote.status, Quote.needs,
                                                       Quote.valid_until).tuples():
        for month, number in _due_cells(_plain(day)):
            rows[(owner, status, needs, month, number)] += n
    return [{"owner": o, "status": s, "needs": w, "month": m, "day": d, "quotes": n}
            for (o, s, w, m, d), n in rows.items()]


ROWS_A_STATEMENT = 50  # rows a write adds in one upsert: few shapes of statement kept, few round trips


def _add_rows(model, counts):
    """Add {key tuple: n} to a grouped rollup with one sum: the rows in key order (two writers lock rows in the
    same order), in one upsert (a few for many rows), then, unless its rows stay at zero, a delete of each row a
    negative count may have emptied (`_group_emptied`)."""
    rows = [(key, (n,)) for key, n in sorted(counts.items()) if n]
    for start in range(0, len(rows), ROWS_A_STATEMENT):
        _upsert(model, rows[start:start + ROWS_A_STATEMENT])
    if model in ZEROS_STAY:
        return
    for key, (n,) in rows:
        if n < 0:
            values = {name: getattr(model, name).db_value(value) for name, value in zip(KEYS[model], key)}
            db.execute_sql(*kept_statement(("rollup group emptied", model.__name__), lambda: _group_emptied(model),
                                           **values))


def _due_cells(day):
    """The keys but the owner and tier of the two rows a customer due on `day` counts in: its month's, its day's."""
    month = day.strftime("%Y-%m")
    return (month, 0), (month, day.day)


def _dues_added(dues):
    """Add {(owner, tier, due day): n} to the customers by due day and month: one upsert (rows at zero stay), in
    key order."""
    rows = Counter()
    for (owner, tier, day), n in dues.items():
        if day is not None:
            for cell in _due_cells(day):
                rows[(owner, tier, *cell)] += n
    _add_rows(Due, rows)


def _due_rows(owner_ids):
    """Due rows counted from the customers with a due day (of `owner_ids`, 0 among them for the pool; None: all)."""
    query = (Customer.select(Customer.owner, Customer.tier, Customer.next_visit_due, fn.COUNT(Customer.id))
             .where(Customer.next_visit_due.is_null(False)))
    if owner_ids is not None:
        condition = Customer.owner.in_(sorted(i for i in owner_ids if i))
        if any(not i for i in owner_ids):
            condition |= Customer.owner.is_null()
        query = query.where(condition)
    rows = Counter()
    for owner, tier, day, n in query.group_by(Customer.owner, Customer.tier, Customer.next_visit_due).tuples():
        for month, number in _due_cells(_plain(day)):
            rows[(owner or 0, tier, month, number)] += n
    return [{"owner": o, "tier": t, "month": m, "day": d, "customers": n} for (o, t, m, d), n in rows.items()]


def dues_changed_owner(moved, to_owner_id):
    """Customers [(former owner, tier, due day)] went to `to_owner_id` (None: the pool): the customers by due day
    and month, in one upsert of the rows they leave and enter when those fit in one (a few customers moved), else
    the owners' rows recomputed."""
    dues = Counter()
    for owner, tier, due in moved:
        dues[(owner or 0, tier, _plain(due))] -= 1
        dues[(to_owner_id or 0, tier, _plain(due))] += 1
    if len([n for n in dues.values() if n]) * 2 <= ROWS_A_STATEMENT:  # a day's row and its month's each
        _dues_added(dues)
    else:
        recompute_dues({to_owner_id, *(owner for owner, _tier, _due in moved)})


def recompute_dues(owner_ids=None):
    """Recompute the customers by due day and month of these owners (0: the pool; None: everyone's): many due
    days moved at once (a new cadence)."""
    ids = None if owner_ids is None else sorted({i or 0 for i in owner_ids})
    if ids == []:
        return
    with db.atomic():
        _replace(Due, _due_rows(ids), ids)


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


def _new_customer_rows(owner_ids, zone):
    """NewCustomerDay and NewCustomerMonth rows counted from the customers (of `owner_ids`, 0 among them for the
    pool; None: all), by the install's day each was made."""
    query = Customer.select(Customer.owner, Customer.created_at)
    if owner_ids is not None:
        condition = Customer.owner.in_(sorted(i for i in owner_ids if i))
        if any(not i for i in owner_ids):
            condition |= Customer.owner.is_null()
        query = query.where(condition)
    days, months = Counter(), Counter()
    for owner, created_at in query.tuples().iterator():
        day = local_day(created_at, zone)
        days[(owner or 0, day)] += 1
        months[(owner or 0, day.strftime("%Y-%m"))] += 1
    return ([{"owner": o, "day": d, "created": n} for (o, d), n in days.items()],
            [{"owner": o, "month": m, "created": n} for (o, m), n in months.items()])


def _region_rows():
    """RegionCount rows counted from the customers."""
    return [{"region": region or "", "customers": n} for region, n in
            Customer.select(Customer.region, fn.COUNT(Customer.id)).group_by(Customer.region).tuples()]


def recompute_customers(owner_ids, dues=True):
    """Recompute the customer counts of these owners (None: the pool), what they made when and, unless the caller
    moved them (`dues_changed_owner`), the customers by due day: many of their customers changed hands at once
    (the regions' counts stay: no customer changed region)."""
    ids = sorted({i or 0 for i in owner_ids})
    if not ids:
        return
    with db.atomic():
        _replace(CustomerCount, _customer_rows(ids), ids)
        _replace_new_customers(ids, _zone())
        if dues:
            recompute_dues(ids)


def _replace_new_customers(ids, zone):
    days, months = _new_customer_rows(ids, zone)
    _replace(NewCustomerDay, days, ids)
    _replace(NewCustomerMonth, months, ids)


# -- recomputing -------------------------------------------------------------------------------------------------

def _replace(model, rows, people=None, where=None):
    """Put `rows` (a person's own) in place of the rows of `people` (None: everyone's) that `where` holds (None:
    all); a grouped rollup's subtree and everyone's rows are summed again from the own rows."""
    clauses = []
    if people is not None:
        clauses.append(getattr(model, person_of(model)).in_(list(people)))
    if where is not None:
        clauses.append(where)
    grouped = model in GROUPED
    if grouped and people is not None:
        clauses.append(model.grp == OWN)
    query = model.delete()
    (query.where(*clauses) if clauses else query).execute()
    if grouped:
        rows = [{**row, "grp": OWN} for row in rows]
    for start in range(0, len(rows), CHUNK):
        model.insert_many(rows[start:start + CHUNK]).execute()
    if grouped:
        _regroup(model, people, where)


def recompute_stays(owner_ids=None):
    """Recompute the stage stays of the deals of `owner_ids`, or of every deal (stages were merged: the history
    names other stages)."""
    ids = None if owner_ids is None else sorted({i for i in owner_ids if i is not None})
    if ids == []:
        return
    with db.atomic():
        days, months = _stay_rows(ids, _zone())
        _replace(StageStay, days, ids)
        _replace(StageStayMonth, months, ids)


def deals_changed_owner(owner_ids):
    """Deals went from some of these people to others: what the rollups keep per deal owner, again for them."""
    ids = sorted({i for i in owner_ids if i is not None})
    if not ids:
        return
    with db.atomic():
        recompute_stays(ids)
        days, months = _money_rows(ids)
        _replace(MoneyDay, days, ids)
        _replace(MoneyMonth, months, ids)
        made = _deal_rows(_zone(), owner_ids=ids)
        for model in DEAL_ROLLUPS:
            _replace(model, made[model], ids)
        days, months = _unpaid_rows(ids)
        _replace(UnpaidDay, days, ids)
        _replace(UnpaidMonth, months, ids)
        _replace(QuoteCount, _quote_rows(ids), ids)


def fresh(values=None):
    """{model: rows} as a rebuild makes them, from the rows alone."""
    zone = _zone(values)
    days, months = _visit_rows(None, zone)
    money_days, money_months = _money_rows(None)
    unpaid_days, unpaid_months = _unpaid_rows(None)
    stay_days, stay_months = _stay_rows(None, zone)
    new_days, new_months = _new_customer_rows(None, zone)
    return {Due: _due_rows(None), QuoteCount: _quote_rows(None), NewCustomerDay: new_days, NewCustomerMonth: new_months, RegionCount: _region_rows(), VisitDay: days,
            VisitMonth: months, StageStay: stay_days, StageStayMonth: stay_months,
            MoneyDay: money_days, MoneyMonth: money_months, UnpaidDay: unpaid_days, UnpaidMonth: unpaid_months,
            CustomerCount: _customer_rows(None), **_deal_rows(zone)}


def fresh_grouped(values=None):
    """`fresh` with the grouped rollups' subtree and everyone's rows summed beside each person's own."""
    parents = _parents()
    return {model: _with_groups(model, rows, parents) for model, rows in fresh(values).items()}


def rebuild(values=None):
    """Recompute every rollup from the rows, in one transaction; returns {table name: rows}."""
    with db.atomic():
        made = fresh(values)
        for model in ROLLUPS:
            _replace(model, made[model])
        Contract.update(outstanding=_owed()).execute()
        stale.recompute(values)  # when each deal goes stale moves with the install's calendar too
    return {**{model._meta.table_name: len(made[model]) for model in ROLLUPS},
            "contract.outstanding": Contract.select().where(Contract.outstanding != 0).count()}


def kept():
    """{model: rows} as they are kept now (but for rows fallen to zero, which a rebuild does not make)."""
    def rows(model):
        query = model.select(*[getattr(model, n) for n in ROW_KEYS[model] + SUMS[model]]).order_by(
            *[getattr(model, n) for n in ROW_KEYS[model]])  # in key order: two readings compare equal
        if model in ZEROS_STAY:
            query = query.where(~reduce(operator.and_, [getattr(model, n) == 0 for n in SUMS[model]]))
        return [dict(row) for row in query.dicts()]
    return {model: rows(model) for model in ROLLUPS}


def differences(values=None):
    """What the kept rollups get wrong against a rebuild: [(table, key, kept sums, fresh sums)]; [] when none."""
    found = []
    now, made = kept(), fresh_grouped(values)
    for model in ROLLUPS:
        def by_key(rows):
            return {tuple(_plain(row[n]) for n in ROW_KEYS[model]): tuple(row[n] for n in SUMS[model])
                    for row in rows}
        have, want = by_key(now[model]), by_key(made[model])
        for key in sorted(set(have) | set(want), key=str):
            if have.get(key) != want.get(key):
                found.append((model._meta.table_name, key, have.get(key), want.get(key)))
    kept_owed = {cid: int(owed) for cid, owed in
                 Contract.select(Contract.id, Contract.outstanding).where(Contract.outstanding != 0).tuples()}
    fresh_owed = _contracts_owing()
    for cid in sorted(set(kept_owed) | set(fresh_owed)):
        if kept_owed.get(cid) != fresh_owed.get(cid):
            found.append(("contract.outstanding", (cid,), kept_owed.get(cid), fresh_owed.get(cid)))
    return found


def _plain(value):
    """A key's value as both engines give it back (SQLite may give a day as text)."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-" and value[:4].isdigit():
        return datetime.date.fromisoformat(value)
    return value
