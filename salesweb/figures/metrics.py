"""The figures managers steer by and ops analyse. Each is one aggregate query over a scope (whose records), a period
(which days, on the install's calendar) and filters (region, tier, source of the customer)."""
import calendar
import datetime
import operator
from collections import namedtuple
from dataclasses import dataclass
from functools import reduce

from peewee import JOIN, SQL, Case, NodeList, Select, Value, fn

from ..core.access import SEES_ALL, scope_shape, team_ids
from ..core.clock import months_within
from ..core.db import (as_subquery, days_between, in_few, in_query, is_sqlite, kept_row, kept_rows, kept_statement,
                       month_of, param)
from ..models import (TIERS, Contract, Customer, Deal, Instalment, LossReason, Payment, Stage, StageChange, Target,
                      Team, User, Visit)
from ..models.rollups import (ALL, EVERYONE, OWN, TEAM, ClosedDay, grouped_by, ClosedMonth, DealDay, DealMonth, Due,
                              MoneyDay, MoneyMonth, NewCustomerDay,
                              NewCustomerMonth, StageDeals, StageMonthDeals, StageStay,
                              StageStayMonth, UnpaidDay, UnpaidMonth, VisitDay, VisitMonth)
from ..pipeline import queries as pipeline
from ..quotes.queries import overdue_contracts_query
from ..reports.queries import FIRST_YEAR, LAST_YEAR
from ..targets.rules import Group, Line
from ..visits.queries import utc_range

PERIOD_KINDS = ("month", "quarter", "year")  # and "week", for the figures of a week (ISO, from Monday)
ROLLING, ROLLING_DAYS = "last-90-days", 90  # and "days": the last 90 days to today, where a page offers them


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime.date
    end: datetime.date  # the day after the last

    @classmethod
    def of(cls, kind, day):
        """The week, month, quarter or year holding `day`."""
        if kind == "week":
            start = day - datetime.timedelta(days=day.weekday())
            return cls(kind, start, start + datetime.timedelta(days=7))
        if kind == "year":
            start, months = day.replace(month=1, day=1), 12
        elif kind == "quarter":
            start, months = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1), 3
        else:
            kind, start, months = "month", day.replace(day=1), 1
        return cls(kind, start, _add_months(start, months))

    @classmethod
    def parse(cls, key):
        """'2026', '2026-Q4', '2026-11' or '2026-W48' (as `key` writes them); None for anything else, and for a
        year outside those salesweb deals with (its neighbours and a year earlier must still be dates)."""
        try:
            year, _dash, part = key.partition("-")
            if not FIRST_YEAR <= int(year) <= LAST_YEAR:
                return None
            if not part and len(key) == 4:
                return cls.of("year", datetime.date(int(key), 1, 1))
            if part.startswith("W") and part[1:].isdecimal():
                return cls.of("week", datetime.date.fromisocalendar(int(year), int(part[1:]), 1))
            if part.startswith("Q") and part[1:] in ("1", "2", "3", "4"):
                return cls.of("quarter", datetime.date(int(year), int(part[1:]) * 3 - 2, 1))
            return cls.of("month", datetime.date(int(year), int(part), 1))
        except (ValueError, AttributeError):
            return None

    @classmethod
    def last_days(cls, today, days=ROLLING_DAYS):
        """The `days` days to `today`, today included."""
        return cls("days", today - datetime.timedelta(days=days - 1), today + datetime.timedelta(days=1))

    @classmethod
    def chosen(cls, key, kind, today, rolling=False):
        """The period a page was asked for: by its key, else this month, quarter or year. A page that offers the last
        90 days (`rolling`) shows them when asked by their key, and when no valid period or kind is asked."""
        found = cls.parse(key or "")
        if found:
            return found
        if rolling and (key == ROLLING or kind not in PERIOD_KINDS + ("week",)):
            return cls.last_days(today)
        return cls.of(kind or "month", today)

    @property
    def key(self):
        if self.kind == "days":
            return ROLLING
        if self.kind == "week":
            year, week, _day = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "year":
            return f"{self.start.year}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def dated_key(self):
        """The key, or for the last days the dates they run from and to (names a file)."""
        if self.kind == "days":
            return f"{self.start.isoformat()}_{(self.end - datetime.timedelta(days=1)).isoformat()}"
        return self.key

    @property
    def days(self):
        return (self.end - self.start).days

    @property
    def weeks(self):
        return self.days / 7

    def a_year_earlier(self):
        if self.kind == "week":
            return Period.of("week", self.start - datetime.timedelta(weeks=52))
        return Period.of(self.kind, self.start.replace(year=self.start.year - 1))

    def before(self):
        return Period.of(self.kind, self.start - datetime.timedelta(days=1))

    def after(self):
        return Period.of(self.kind, self.end)

    def elapsed(self, today):
        """The share of the period gone by the end of `today` (0 before it starts, 1 once it is over)."""
        done = (min(max(today + datetime.timedelta(days=1), self.start), self.end) - self.start).days
        return done / self.days


def _add_months(day, months):
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Scope:
    """Whose records: `owners` is a query of user ids (None: everyone's); filters narrow by the customer. `shape`
    and `people`: what the owners' SQL is written from and its values, for a statement whose SQL is kept."""
    owners: object = None
    region: str = ""
    tier: str = ""
    source: str = ""
    shape: tuple = ("all", False, False)
    people: tuple = ()
    group: tuple = ()  # (grp, person) of the group rows a grouped rollup keeps for exactly this scope, if any

    @staticmethod
    def group_of(shape, user):
        """The group rows (models.rollups: grp and person) kept for a scope of this shape: a manager's whole
        subtree (not narrowed to a team or a rep), or everyone; () for any other."""
        return (TEAM, user) if shape == ("team", False, False) else (ALL, EVERYONE) \
            if shape == ("all", False, False) else ()

    @property
    def by_customer(self):
        """Narrowed by the customer's region, tier or source: the rollups, kept per person, cannot say."""
        return bool(self.region or self.tier or self.source)

    def narrow(self, query, owner_field, customer_field=None, totals=False):
        """Narrow `query` to the scope by its owner column (and its customer's, for the customer filters). A grouped
        rollup's rows are always narrowed to one `grp`: a person's own (read per person, GROUP BY the owner), or,
        when `totals` (the reader sums over the whole scope) and the scope is exactly a manager's subtree or
        everyone, that subtree's or everyone's rows alone."""
        rollup = grouped_by(owner_field)
        if rollup is not None:
            if totals and self.group:
                grp, person = self.group
                return query.where((rollup.grp == grp) & (owner_field == person))
            query = query.where(rollup.grp == OWN)
        if self.owners is not None:
            query = query.where(in_query(owner_field, self.owners))
        if customer_field is not None and (self.region or self.tier or self.source):
            customers = Customer.select(Customer.id)
            for name in ("region", "tier", "source"):
                if getattr(self, name):
                    customers = customers.where(getattr(Customer, name) == getattr(self, name))
            query = query.where(in_query(customer_field, customers))
        return query

    @property
    def values(self):
        """The values of the `param`s of `kept()`'s owners."""
        return dict(self.people)

    def kept(self, team=None):
        """This scope (not narrowed by the customer) for a statement whose SQL is kept: its owners' values as
        `param`s (`values`), its key naming `shape`. `team`: the CTE "team" (`team_tree`) that statement declares
        once, for a manager's whole subtree (SQLite works a subtree out again for every subquery holding its own)."""
        sees, by_team, by_rep = self.shape
        group = Scope.group_of(self.shape, param("scope_user"))
        if team is not None and sees == "team" and not by_team and not by_rep:
            return Scope(Select((team,), (team.c.id,)), shape=self.shape, group=group)
        return Scope(_owners_query(*self.shape), shape=self.shape, group=group)


def scope_for(user, team_id=None, rep_id=None, region="", tier="", source=""):
    """What `user` may see, narrowed to a team or a rep (ids the caller has checked are within reach)."""
    sees = scope_shape(user.role)
    owners, shape, people = None, ("all", False, False), ()
    if sees != "all" or team_id or rep_id:
        shape = (sees, bool(team_id), bool(rep_id))
        people = tuple((name, value) for name, value in (("scope_user", user.id), ("scope_team", team_id),
                                                         ("scope_rep", rep_id)) if value)
        owners = _owners(shape, dict(people))
    return Scope(owners, region or "", tier or "", source or "", shape, people, Scope.group_of(shape, user.id))


def _owners(shape, values):
    """The ids of a scope's people, as SQL text written once per shape (a kept statement, core.db) with this
    scope's values: a page tests a dozen subqueries against them, and writing a manager's recursive team each time
    took the team home 2 ms."""
    return as_subquery(kept_statement(("scope owners", *shape), lambda: _owners_query(*shape), **values))


def _owners_query(sees, by_team, by_rep):
    """The query of a scope's people, its values the `param`s scope_user, scope_team and scope_rep."""
    owners = None if sees == "all" else team_ids(param("scope_user")) if sees == "team" else \
        User.select(User.id).where(User.id == param("scope_user"))
    for wanted, column, name in ((by_team, User.team, "scope_team"), (by_rep, User.id, "scope_rep")):
        if wanted:
            narrower = User.select(User.id).where(column == param(name))
            owners = narrower if owners is None else narrower.where(in_query(User.id, owners))
    return owners


def _in(column, period):
    return (column >= period.start) & (column < period.end)


def closed(scope, period):
    """Deals won or lost in the period: won amount and count, lost count, win rate, average deal size and the
    average days from creation to the win. One query: from the rollups of deals per owner per day and month,
    unless the scope is narrowed by the customer (then the won deals by the day they were won, and the lost ones
    counted beside by the day they were lost)."""
    if not scope.by_customer:
        row = _day_and_month_rollups(scope, period, DealDay, DealMonth, "owner",
                                     ("won_amount", "won", "lost", "won_seconds"), per_person=False)
        amount, wins, losses, seconds = (int(value or 0) for value in row.bind(Deal._meta.database).tuples().first())
        return _closed(amount, wins, losses, seconds / 86400)
    lost = scope.narrow(Deal.select(fn.COUNT(Deal.id)).join(Stage)
                        .where((Stage.kind == "lost") & _in(Deal.lost_on, period)), Deal.owner, Deal.customer)
    won = scope.narrow(Deal.select(fn.SUM(Deal.amount), fn.COUNT(Deal.id), lost,
                                   fn.SUM(days_between(Deal.won_on, Deal.created_at))).join(Stage)
                       .where((Stage.kind == "won") & _in(Deal.won_on, period)), Deal.owner, Deal.customer)
    amount, wins, losses, cycle_days = won.tuples().first()
    return _closed(int(amount or 0), int(wins or 0), int(losses or 0), float(cycle_days or 0))


def _closed(amount, wins, losses, cycle_days):
    """closed's figures from the won amount and count, the lost count and the won deals' days summed."""
    return {"won_amount": amount, "won_count": wins, "lost_count": losses,
            "win_rate": wins / (wins + losses) if wins + losses else None,
            "average_size": amount // wins if wins else None,
            "cycle_days": max(0.0, float(cycle_days) / wins) if wins else None}


def won_by_owner(scope, period, people=None):
    """{owner id: (won amount, won count)} for deals won in the period: from the rollups of deals per owner per day
    and month, unless the scope is narrowed by the customer. `people`: only these ids (a page of a sheet)."""
    if not scope.by_customer:
        return {owner: (int(amount or 0), int(count)) for owner, amount, count in
                _day_and_month_rollups(scope, period, DealDay, DealMonth, "owner", ("won_amount", "won"),
                                       people=people).tuples()
                if count}
    query = (Deal.select(Deal.owner, fn.SUM(Deal.amount), fn.COUNT(Deal.id)).join(Stage)
             .where((Stage.kind == "won") & _in(Deal.won_on, period)).group_by(Deal.owner))
    if people is not None:
        query = query.where(Deal.owner.in_(list(people)))
    return {owner: (int(amount or 0), count) for owner, amount, count in
            scope.narrow(query, Deal.owner, Deal.customer).tuples()}


def funnel(scope, today, now, all_stages=None):
    """Open deals now, per open stage in board order: [{stage, count, amount, weighted, stale}]. One query: the
    counts and sums from the deals in each stage per owner (a rollup), unless the scope is narrowed by the
    customer; beside them the stale deals, counted from when each open deal goes stale (kept on the deal), a range
    of an index: the stale ones alone."""
    all_stages = all_stages or pipeline.stages()
    stale = pipeline.stale_condition(now)
    if scope.by_customer:
        query = (Deal.select(Deal.stage.alias("stage"), fn.COUNT(Deal.id).alias("deals"),
                             fn.SUM(Deal.amount).alias("amount"), fn.SUM(Deal.amount * Deal.probability).alias("weighted"),
                             fn.SUM(Case(None, [(stale, 1)], 0)).alias("stale"))
                 .where(_open(Deal.stage)).group_by(*_by_owner(scope, Deal.owner), Deal.stage))
        query = scope.narrow(query, Deal.owner, Deal.customer)
    else:
        sums = scope.narrow(StageDeals.select(StageDeals.stage.alias("stage"), StageDeals.deals.alias("deals"),
                                              StageDeals.amount.alias("amount"), StageDeals.weighted.alias("weighted"),
                                              Value(0).alias("stale")).where(_open(StageDeals.stage)),
                            StageDeals.owner, totals=True)
        # by the index of the deals' stage, owner and when each goes stale (or stage and when, for everyone); the
        # scope's people a list worked out first (`in_few`): PostgreSQL, guessing a manager's team at a hundred
        # times its size, hashed it and read every deal (5 ms on the xl data for a team of ten)
        stale_ones = Deal.select(Deal.stage, Value(0), Value(0), Value(0), fn.COUNT(Deal.id)).where(
            _open(Deal.stage) & stale).group_by(Deal.stage)
        if scope.owners is not None:
            stale_ones = stale_ones.where(in_few(Deal.owner, scope.owners))
        query = sums + stale_ones
    # added up by stage in SQL around the rows per owner (each part keeps its own plan): six rows, not one per
    # person and stage
    per_owner = query.alias("f")
    found = {stage: [int(value or 0) for value in sums] for stage, *sums in Select(
        [per_owner], [per_owner.c.stage] + [fn.SUM(getattr(per_owner.c, name)) for name in
                                            ("deals", "amount", "weighted", "stale")])
        .group_by(per_owner.c.stage).bind(Deal._meta.database).tuples()}
    rows = []
    for stage in all_stages:
        if stage.kind == "open":
            count, amount, weighted, stale_count = found.get(stage.id, (0, 0, 0, 0))
            rows.append({"stage": stage, "count": count, "amount": amount, "weighted": weighted // 100,
                         "stale": stale_count})
    return rows


def _by_owner(scope, owner_field):
    """What a grouped figure groups by first: for a scope of people, the owner, so that SQLite reads each person's
    rows by the owner-led index in its order (with or without ANALYZE statistics it would otherwise read everyone's
    rows by another index for their order); the caller adds up the people's rows."""
    return [owner_field] if scope.owners is not None else []


def _open(stage_field):
    """On an open stage: an IN over the open stages' ids, so that the deals are found by stage (with their owner's,
    for a scope of people), not every deal ever won or lost."""
    return in_query(stage_field, Stage.select(Stage.id).where(Stage.kind == "open"))


def stage_flow(scope, period, settings, all_stages=None):
    """From the stage history, for each open stage, the stays in it that ended in the period: how many, how many
    moved forward (to a later stage or won, not back and not lost) and their average length in days.
    [{stage, ended, advanced, conversion, average_days}]. From the stays' rollups (whole months from the months',
    the days around them from the days'), unless the scope is narrowed by
    the customer (then from the history)."""
    all_stages = all_stages or pipeline.stages()
    if scope.by_customer:
        return _flow(all_stages, _stays_of_history(scope, period, settings))
    stays = _period_rows(scope, period, StageStay, StageStayMonth, lambda model: [model.stage, model.next_stage],
                         ("stays", "seconds"))
    by_id = {stage.id: stage for stage in all_stages}
    found = {}
    for stage_id, next_id, count, seconds in stays.tuples():
        here, there = by_id.get(stage_id), by_id.get(next_id)
        if here is None or there is None:
            continue
        ended, advanced, total = found.get(stage_id, (0, 0, 0))
        forward = there.position > here.position and there.kind != "lost"
        found[stage_id] = (ended + count, advanced + (count if forward else 0), total + int(seconds or 0))
    return _flow(all_stages, {stage: (ended, advanced, total / ended / 86400)
                              for stage, (ended, advanced, total) in found.items()})


def _flow(all_stages, found):
    """The flow's rows from {stage id: (ended, advanced, average days)}."""
    result = []
    for stage in all_stages:
        if stage.kind == "open":
            ended, advanced, days = found.get(stage.id, (0, 0, None))
            result.append({"stage": stage, "ended": ended, "advanced": advanced,
                           "conversion": advanced / ended if ended else None, "average_days": days})
    return result


def _stays_of_history(scope, period, settings):
    """{stage id: (ended, advanced, average days)} of the stays that ended in the period, from the history."""
    start, end = utc_range(period.start, period.end, settings)
    window = {"partition_by": [StageChange.deal], "order_by": [StageChange.at, StageChange.id]}
    moved_since = StageChange.select(StageChange.deal).where(StageChange.at >= start)  # a stay ends with a move
    stays = scope.narrow(
        StageChange.select(StageChange.to_stage.alias("stage_id"), StageChange.at.alias("entered"),
                           fn.LEAD(StageChange.at).over(**window).alias("left_at"),
                           fn.LEAD(StageChange.to_stage).over(**window).alias("next_id"))
        .join(Deal, on=(StageChange.deal == Deal.id)).where(in_query(Deal.id, moved_since)),
        Deal.owner, Deal.customer).cte("stays")
    here, there = Stage.alias(), Stage.alias()
    forward = (there.position > here.position) & (there.kind != "lost")
    rows = (stays.select_from(stays.c.stage_id, fn.COUNT(Value(1)), fn.SUM(Case(None, [(forward, 1)], 0)),
                              fn.AVG(days_between(stays.c.left_at, stays.c.entered)))
            .join(here, on=(here.id == stays.c.stage_id)).join(there, on=(there.id == stays.c.next_id))
            .where((stays.c.left_at >= start) & (stays.c.left_at < end)).group_by(stays.c.stage_id).tuples())
    return {stage: (ended, int(advanced or 0), float(days or 0)) for stage, ended, advanced, days in rows}


def overdue_by_tier(scope, today):
    """Customers whose next visit is past due, by tier: {"A": n, "B": n, "C": n}. Read from the customers by due
    month (the months before this one) and due day (this month's days before today), a subtree's or everyone's
    group rows where the scope is one, added up by tier in SQL; its SQL kept (see `_overdue_by_tier`). Narrowed by
    the customer's region, tier or source: counted from the customers."""
    counts = {"A": 0, "B": 0, "C": 0}
    if scope.by_customer:
        query = (Customer.select(Customer.tier, fn.COUNT(Customer.id))
                 .where(Customer.tier.in_(TIERS) & (Customer.next_visit_due < today))
                 .group_by(*_by_owner(scope, Customer.owner), Customer.tier))
        rows = scope.narrow(query, Customer.owner, Customer.id).tuples()
    else:  # kept: a director's home wrote it in 0.3 ms
        rows = kept_rows(("overdue by tier", scope.shape), lambda: _overdue_by_tier(scope.kept()), **scope.values,
                         month=today.strftime("%Y-%m"), day=today.day)
    for tier, count in rows:
        counts[tier] += int(count or 0)
    return counts


def _overdue_by_tier(scope):
    """The months before `month` (their day 0 rows) and its days before `day`, summed by tier: two selects, each
    read by its own index (see `Due`)."""
    def rows(where):
        return scope.narrow(Due.select(Due.tier.alias("tier"), Due.customers.alias("n"))
                            .where(Due.tier.in_(TIERS) & where), Due.owner, totals=True)
    months = rows((Due.day == 0) & (Due.month < param("month")))
    days = rows((Due.month == param("month")) & (Due.day > 0) & (Due.day < param("day")))
    both = (months + days).alias("o")
    return Select([both], [both.c.tier.alias("tier"), fn.SUM(both.c.n).alias("n")]).group_by(
        both.c.tier).bind(Customer._meta.database)


_months_within = months_within  # core.clock's: the cost of sales (expenses) reads the rollups by it too


def _day_and_month_rollups(scope, period, days, months, person, sums, per_person=True, people=None):
    """(person, *sums) summed per person over the period from a pair of rollups (or only the sums, over everyone
    in scope): whole months from the months', the days around them from the days'. One query. `people`: only
    these ids (a page of a table of people)."""
    whole, edges = _months_within(period.start, period.end)

    def part(model, condition):
        columns = [getattr(model, person).alias("who")] + [getattr(model, name).alias(name) for name in sums]
        if people is not None:
            condition &= getattr(model, person).in_(list(people))
        return scope.narrow(model.select(*columns).where(condition), getattr(model, person),
                            totals=not per_person and people is None)
    # a part per run of days: with two runs OR-ed, SQLite read everyone's days by the day-led index for a team's
    parts = [part(days, (days.day >= a) & (days.day < b)) for a, b in edges] \
        + ([part(months, months.month.in_(whole))] if whole else [])
    both = reduce(operator.add, parts).alias("summed")
    if not per_person:
        return Select([both], [fn.COALESCE(fn.SUM(getattr(both.c, name)), 0) for name in sums])
    return Select([both], [both.c.who] + [fn.SUM(getattr(both.c, name)) for name in sums]).group_by(both.c.who).bind(
        VisitDay._meta.database)


def _period_rows(scope, period, days, months, keys, sums, totals=True):
    """(*keys, *sums) summed over the period from a pair of rollups kept per owner, grouped by `keys(model)`,
    columns of either rollup (their values alike in both): whole months from the months', the days around them
    from the days'. One query. `totals`: summed over the whole scope (not grouped by the owner), so the group rows
    kept for it serve."""
    whole, edges = _months_within(period.start, period.end)

    def part(model, condition):
        columns = [column.alias(f"k{n}") for n, column in enumerate(keys(model))]
        return scope.narrow(model.select(*columns, *[getattr(model, name).alias(name) for name in sums])
                            .where(condition), model.owner, totals=totals)
    # a part per run of days (see _day_and_month_rollups)
    parts = [part(days, (days.day >= a) & (days.day < b)) for a, b in edges] \
        + ([part(months, months.month.in_(whole))] if whole else [])
    both = reduce(operator.add, parts).alias("summed")
    grouped = [getattr(both.c, f"k{n}") for n in range(len(keys(days)))]
    return Select([both], grouped + [fn.SUM(getattr(both.c, name)).alias(name) for name in sums]).group_by(
        *grouped).bind(
        Deal._meta.database)


def visits_by_rep(scope, period, settings, reps=None):
    """{rep id: (done visits, verified)} in the period: from the rollups, unless the scope is narrowed by the
    customer (then from the visits of the period). `reps`: only these rep ids (the page of a table shown), so a
    page reads its own reps' rows, not everyone's."""
    if not scope.by_customer:
        return {rep: (int(count), int(verified or 0)) for rep, count, verified in
                _day_and_month_rollups(scope, period, VisitDay, VisitMonth, "rep", ("done", "verified"),
                                       people=reps).tuples()}
    since, until = utc_range(period.start, period.end, settings)
    query = (Visit.select(Visit.rep, fn.COUNT(Visit.id), fn.SUM(Visit.verified.cast("integer")))
             .where((Visit.status == "done") & (Visit.occurred_at >= since) & (Visit.occurred_at < until))
             .group_by(Visit.rep))
    if reps is not None:
        query = query.where(Visit.rep.in_(list(reps)))
    return {rep: (count, int(verified or 0)) for rep, count, verified in
            scope.narrow(query, Visit.rep, Visit.customer).tuples()}


def reps_in_view(user, team_id=None):
    """How many active reps `user` may look at (in the team `team_id`, if given): what a table of them pages over."""
    # kept: a plain count, where the table's pages used to read every rep in view (300 on the xl data)
    return kept_row(("reps in view", user.role in SEES_ALL, team_id is not None),
                    lambda: _reps(user.role in SEES_ALL, team_id is not None).order_by().select(
                        fn.COUNT(User.id).alias("n")),
                    user=user.id, team=team_id).n


def visits_per_rep(user, team_id, scope, period, settings, offset=0, limit=None):
    """[(rep, done visits, verified)] for the active reps `user` may look at (in the team `team_id`), by name: the
    `limit` of them from `offset` (a page of the table), or all. One statement, its SQL kept, each rep's sums read
    from the visit rollups by the rep-led index; unless the scope is narrowed by the customer (then the reps, and
    their visits of the period: `visits_by_rep`)."""
    sees_all, by_team, paged = user.role in SEES_ALL, team_id is not None, limit is not None
    values = dict(user=user.id, team=team_id, offset=offset, limit=limit)
    if scope.by_customer:
        reps = kept_rows(("reps by name", sees_all, by_team, paged), lambda: _paged(_reps(sees_all, by_team), paged),
                         **values)
        counts = visits_by_rep(scope, period, settings, [rep.id for rep in reps])
        return [(rep, *counts.get(rep.id, (0, 0))) for rep in reps]
    whole, edges = _months_within(period.start, period.end)
    values.update({f"month{i}": month for i, month in enumerate(whole)})
    values.update({f"edge{i}{side}": VisitDay.day.db_value(day) for i, edge in enumerate(edges)
                   for side, day in zip("ab", edge)})
    # kept: writing the sums' SQL took the activity tab 0.5 ms
    rows = kept_rows(("visits per rep", sees_all, by_team, paged, len(whole), len(edges)),
                     lambda: _visits_per_rep(sees_all, by_team, paged, whole, edges), **values)
    return [(rep, int(rep.done), int(rep.verified)) for rep in rows]


def _visits_per_rep(sees_all, by_team, paged, whole, edges):
    # the page of reps first, in a subquery: the sums are read for its reps alone, not for every rep before sorting
    page = _paged(_reps(sees_all, by_team), paged).alias("page")
    return Select([page], [page.c.id.alias("id"), page.c.name.alias("name")] + [
        _rep_visits(name, page.c.id, whole, edges).alias(name) for name in ("done", "verified")]).order_by(
        page.c.name, page.c.id).bind(User._meta.database)


def _reps(sees_all, by_team):
    """The active reps within the reach of the `param` user (in the team `param` team), by name."""
    query = User.select(User.id.alias("id"), User.name.alias("name")).where(
        (User.active == True) & (User.role == "rep"))  # noqa: E712
    if not sees_all:  # the team a list worked out first (see _reps_within)
        query = query.where(in_few(User.id, team_ids(param("user"))))
    if by_team:
        query = query.where(User.team == param("team"))
    return query.order_by(User.name, User.id)


def _paged(query, paged):
    return query.limit(param("limit")).offset(param("offset")) if paged else query


def _rep_visits(name, rep, whole, edges):
    """Σ `name` ("done" or "verified") of the rep (the column `rep` of the enclosing select) over the whole months `month0`...
    and the days around them `edge0a`...: their own rows of the visit rollups."""
    parts = [VisitDay.select(fn.SUM(getattr(VisitDay, name))).where(
        (VisitDay.grp == OWN) & (VisitDay.rep == rep) & reduce(operator.or_, [
            (VisitDay.day >= param(f"edge{i}a")) & (VisitDay.day < param(f"edge{i}b")) for i in range(len(edges))]))
    ] if edges else []
    parts += [VisitMonth.select(fn.SUM(getattr(VisitMonth, name))).where(
        (VisitMonth.grp == OWN) & (VisitMonth.rep == rep)
        & VisitMonth.month.in_([param(f"month{i}") for i in range(len(whole))]))] if whole else []
    return reduce(operator.add, [fn.COALESCE(part, 0) for part in parts])  # a sum of the parts' sums


def new_customers(scope, period, settings):
    """Customers created in the period (owned within the scope; the pool's count only where the scope is all): from
    the rollups of customers made per owner per day and month, unless the scope is narrowed by the customer."""
    if not scope.by_customer:
        row = _day_and_month_rollups(scope, period, NewCustomerDay, NewCustomerMonth, "owner", ("created",),
                                     per_person=False)
        return int(row.bind(Customer._meta.database).scalar() or 0)
    since, until = utc_range(period.start, period.end, settings)
    query = Customer.select(fn.COUNT(Customer.id)).where((Customer.created_at >= since) & (Customer.created_at < until))
    return scope.narrow(query, Customer.owner, Customer.id).scalar() or 0


def loss_reasons(scope, period):
    """Deals lost in the period by reason, most first: [(reason or None, count, amount)]. One query: from the
    rollups of closed deals per owner, source and reason per day and month, unless the scope is narrowed by the
    customer."""
    if not scope.by_customer:
        summed = _period_rows(scope, period, ClosedDay, ClosedMonth, lambda model: [model.reason],
                              ("lost", "lost_amount")).alias("r")
        query = (Select([summed], [LossReason.id, LossReason.name_en, LossReason.name_zh, LossReason.position,
                                   summed.c.lost, summed.c.lost_amount])
                 .join(LossReason, JOIN.LEFT_OUTER, on=(LossReason.id == summed.c.k0))
                 .where(summed.c.lost > 0).bind(Deal._meta.database))
        return _by_reason(query.tuples())
    query = (Deal.select(LossReason.id, LossReason.name_en, LossReason.name_zh, LossReason.position,
                         fn.COUNT(Deal.id), fn.SUM(Deal.amount)).join(Stage).switch(Deal)
             .join(LossReason, JOIN.LEFT_OUTER, on=(Deal.lost_reason == LossReason.id))
             .where((Stage.kind == "lost") & _in(Deal.lost_on, period))
             .group_by(LossReason.id, LossReason.name_en, LossReason.name_zh, LossReason.position))
    return _by_reason(scope.narrow(query, Deal.owner, Deal.customer).tuples())


def _by_reason(found):
    """loss_reasons' rows, most first, from (reason id, its names and position, count, amount)."""
    rows = [(LossReason(id=rid, name_en=en, name_zh=zh, position=position) if rid else None, int(count),
             int(amount or 0)) for rid, en, zh, position, count, amount in found]
    return sorted(rows, key=lambda row: (-row[1], row[0].position if row[0] else 1 << 30))


def by_source(scope, period):
    """Win rate by the customer's source for deals closed in the period: [(source, won, lost, won amount, rate)],
    most won first. One query: from the rollups of closed deals per owner, source and reason per day and month,
    unless the scope is narrowed by the customer (then the won deals by the day they were won and the lost ones by
    the day they were lost, each grouped by source)."""
    if not scope.by_customer:
        rows = _period_rows(scope, period, ClosedDay, ClosedMonth, lambda model: [model.source],
                            ("won", "lost", "won_amount")).tuples()
        return _by_source((source, w, lo, amount) for source, w, lo, amount in rows if w or lo)

    def closed_as(kind, day, won):
        return scope.narrow(
            Deal.select(Customer.source, fn.COUNT(Deal.id) if won else Value(0), Value(0) if won else fn.COUNT(Deal.id),
                        fn.SUM(Deal.amount) if won else Value(0))
            .join(Stage).switch(Deal).join(Customer, on=(Deal.customer == Customer.id))
            .where((Stage.kind == kind) & _in(day, period)).group_by(Customer.source), Deal.owner, Deal.customer)
    return _by_source((closed_as("won", Deal.won_on, True) + closed_as("lost", Deal.lost_on, False)).tuples())


def _by_source(rows):
    """by_source's rows from (source, won, lost, won amount), a source in one or more of them."""
    found = {}
    for source, w, lo, amount in rows:
        before = found.get(source, (0, 0, 0))
        found[source] = (before[0] + int(w or 0), before[1] + int(lo or 0), before[2] + int(amount or 0))
    return sorted(((s, w, lo, a, w / (w + lo) if w + lo else None) for s, (w, lo, a) in found.items()),
                  key=lambda r: (-r[3], r[0]))


def forecast(scope, today, months=6):
    """Open deals by expected close month from this one on, weighted by probability: [(month 'YYYY-MM', count,
    amount, weighted)]; deals expected before this month come first as 'overdue', undated ones last as ''. From
    the deals in each stage per owner and expected-close month (a rollup), unless the scope is narrowed by the
    customer."""
    this_month = today.replace(day=1)
    wanted = [_add_months(this_month, i).strftime("%Y-%m") for i in range(months)]
    if not scope.by_customer:
        query = scope.narrow(StageMonthDeals.select(StageMonthDeals.month, fn.SUM(StageMonthDeals.deals),
                                                    fn.SUM(StageMonthDeals.amount), fn.SUM(StageMonthDeals.weighted))
                             .where(_open(StageMonthDeals.stage)), StageMonthDeals.owner, totals=True)
        summed = {}
        for month, count, amount, weighted in query.group_by(StageMonthDeals.month).tuples():
            key = month if month == "" or month >= wanted[0] else "overdue"
            before = summed.get(key, (0, 0, 0))
            summed[key] = (before[0] + int(count or 0), before[1] + int(amount or 0), before[2] + int(weighted or 0))
        found = {month: (count, amount, weighted // 100) for month, (count, amount, weighted) in summed.items()
                 if count}
        return _forecast_rows(found, wanted)
    key = Case(None, [(Deal.expected_close.is_null(), ""), (Deal.expected_close < this_month, "overdue")],
               month_of(Deal.expected_close))
    query = (Deal.select(key.alias("month"), fn.COUNT(Deal.id), fn.SUM(Deal.amount),
                         fn.SUM(Deal.amount * Deal.probability)).where(_open(Deal.stage)).group_by(SQL("1")))  # by position: PostgreSQL cannot match a
    # GROUP BY expression holding parameters with the same one in the select list
    found = {month: (count, int(amount or 0), int(weighted or 0) // 100) for month, count, amount, weighted in
             scope.narrow(query, Deal.owner, Deal.customer).tuples()}
    return _forecast_rows(found, wanted)


def _forecast_rows(found, wanted):
    later = [m for m in sorted(found) if m not in wanted and m not in ("", "overdue")]
    return [(m, *found.get(m, (0, 0, 0))) for m in ["overdue"] + wanted + later + [""]
            if m in wanted or m in found]


def trends(scope, today, settings, months=12):
    """The last `months` months to this one: [{month, won_amount, won_count, new_deals, visits}], in two queries:
    won deals grouped by month; and new deals and done visits grouped by month (the install's months). From the
    months' rollups of deals and visits per person, unless the scope is narrowed by the customer (then from the
    rows: each time put in its month by the UTC bounds of the months)."""
    first = _add_months(today.replace(day=1), 1 - months)
    starts = [_add_months(first, i) for i in range(months + 1)]
    names = [start.strftime("%Y-%m") for start in starts[:-1]]
    if not scope.by_customer:  # a row a person and month, not a row a deal or visit
        won = scope.narrow(DealMonth.select(DealMonth.month, fn.SUM(DealMonth.won_amount), fn.SUM(DealMonth.won))
                           .where(DealMonth.month.in_(names)), DealMonth.owner, totals=True).group_by(DealMonth.month)
        new_deals = scope.narrow(DealMonth.select(Value("deals"), DealMonth.month, fn.SUM(DealMonth.created))
                                 .where(DealMonth.month.in_(names)), DealMonth.owner, totals=True).group_by(
            SQL("1"), SQL("2"))
        visits = scope.narrow(VisitMonth.select(Value("visits"), VisitMonth.month, fn.SUM(VisitMonth.done))
                              .where(VisitMonth.month.in_(names)), VisitMonth.rep, totals=True).group_by(
            SQL("1"), SQL("2"))
        return _trend_rows(names, won, new_deals + visits)
    bounds = [utc_range(start, start, settings)[0] for start in starts]
    won = scope.narrow(Deal.select(month_of(Deal.won_on), fn.SUM(Deal.amount), fn.COUNT(Deal.id))
                       .join(Stage).where((Stage.kind == "won") & (Deal.won_on >= first)),
                       Deal.owner, Deal.customer).group_by(SQL("1"))

    def by_month(column):
        return Case(None, [(column < bound, name) for name, bound in zip(names, bounds[1:])])

    def grouped(query):  # (what, month, count) grouped by position (see forecast)
        return query.group_by(SQL("1"), SQL("2"))

    in_range = (Deal.created_at >= bounds[0]) & (Deal.created_at < bounds[-1])
    new_deals = grouped(scope.narrow(Deal.select(Value("deals"), by_month(Deal.created_at), fn.COUNT(Deal.id))
                                              .where(in_range), Deal.owner, Deal.customer))
    visits = grouped(scope.narrow(
        Visit.select(Value("visits"), by_month(Visit.occurred_at), fn.COUNT(Visit.id)).where(
            (Visit.status == "done") & (Visit.occurred_at >= bounds[0]) & (Visit.occurred_at < bounds[-1])),
        Visit.rep, Visit.customer))
    return _trend_rows(names, won, new_deals + visits)


def _trend_rows(names, won, counts):
    """trends' rows from the won amount and count by month, and (what, month, count) of new deals and visits."""
    found = {month: (int(amount or 0), int(count or 0)) for month, amount, count in won.tuples()}
    counted = {(what, month): int(n or 0) for what, month, n in counts.tuples()}
    return [{"month": name, "won_amount": found.get(name, (0, 0))[0], "won_count": found.get(name, (0, 0))[1],
             "new_deals": counted.get(("deals", name), 0), "visits": counted.get(("visits", name), 0)}
            for name in names]


def collection(scope, period, today, also=()):
    """Collection (回款) in one query: instalments falling due in the period, payments received in it, their
    rate, and what is overdue today beyond everything received. `also`, scalar queries, ride along (their
    values in "also", in order), so a page gathers its single figures in one round trip. From the rollups of
    money per deal owner, unless the scope is narrowed by the customer (then from the contracts)."""
    if scope.by_customer:
        due = scope.narrow(Instalment.select(fn.COALESCE(fn.SUM(Instalment.amount), 0))
                           .join(Contract).join(Deal).where(_in(Instalment.due_on, period)), Deal.owner, Deal.customer)
        received = scope.narrow(Payment.select(fn.COALESCE(fn.SUM(Payment.amount), 0))
                                .join(Contract).join(Deal).where(_in(Payment.received_on, period)),
                                Deal.owner, Deal.customer)
        late, gap = overdue_contracts_query(today, scope.narrow(Contract.select(Contract.id).join(Deal), Deal.owner,
                                                                Deal.customer))
        late = late.select(fn.COALESCE(fn.SUM(gap), 0))
    else:  # kept: writing its SQL took a director's home 0.5 ms, and it declares their subtree once, not six times
        whole, edges = _months_within(period.start, period.end)
        sql, params = kept_statement(
            ("money", scope.shape, len(whole), len(edges)), lambda: _money(scope, period, today), **scope.values,
            **{f"month{i}": month for i, month in enumerate(whole)},
            **{f"edge{i}{end}": MoneyDay.day.db_value(day) for i, edge in enumerate(edges)
               for end, day in zip("ab", edge)},
            month=today.strftime("%Y-%m"), first=UnpaidDay.day.db_value(today.replace(day=1)),
            today=UnpaidDay.day.db_value(today))
        money = SQL(f"({sql}) AS money", params)
        due, received, late = (SQL(f"money.{name}") for name in ("due", "received", "late"))
        return _collected(Select([money], [due, received, late] + list(also)))
    return _collected(Select(columns=[due, received, late] + list(also)))


def _collected(query):
    row = query.bind(Deal._meta.database).tuples().first()
    due, received = int(row[0] or 0), int(row[1] or 0)
    found = {"due": due, "received": received, "rate": received / due if due else None, "overdue": int(row[2] or 0)}
    found["also"] = list(row[3:])
    return found


def _money(scope, period, today):
    """Due and received in the period and overdue today, over the scope (as `param`s: scope.values, month0...,
    edge0a..., month, first and today), for a statement whose SQL is kept: a manager's whole subtree and everyone
    read the rollups' group rows kept for them."""
    whole, edges = _months_within(period.start, period.end)
    kept = scope.kept()  # a manager's whole subtree and everyone read their group rows

    def summed(name):  # whole months from the months' rollup, the days around them from the days'
        parts = [kept.narrow(MoneyDay.select(getattr(MoneyDay, name).alias("n")).where(
            (MoneyDay.day >= param(f"edge{i}a")) & (MoneyDay.day < param(f"edge{i}b"))), MoneyDay.owner, totals=True)
            for i in range(len(edges))]  # a part per run of days (see _day_and_month_rollups)
        parts += [kept.narrow(MoneyMonth.select(getattr(MoneyMonth, name).alias("n")).where(MoneyMonth.month.in_(
            [param(f"month{i}") for i in range(len(whole))])), MoneyMonth.owner, totals=True)] if whole else []
        both = reduce(operator.add, parts).alias("summed")
        return Select([both], [fn.COALESCE(fn.SUM(both.c.n), 0)])
    late = _overdue(kept, None, param("month"), param("first"), param("today"))
    query = Select(columns=[summed("due").alias("due"), summed("received").alias("received"), late.alias("late")])
    return query.bind(Deal._meta.database)  # bound: written in the engine's own placeholders


def _overdue(scope, today, month=None, first_day=None, until=None):
    """What is overdue today, from what is unpaid per due day: the months before this one from the months' rollup,
    this month's days before today from the days'."""
    if today is not None:
        first_day, until = today.replace(day=1), today
        month = first_day.strftime("%Y-%m")
    months = scope.narrow(UnpaidMonth.select(UnpaidMonth.unpaid.alias("unpaid"))
                          .where(UnpaidMonth.month < month), UnpaidMonth.owner, totals=True)
    days = scope.narrow(UnpaidDay.select(UnpaidDay.unpaid.alias("unpaid"))
                        .where((UnpaidDay.day >= first_day) & (UnpaidDay.day < until)), UnpaidDay.owner,
                        totals=True)
    both = (months + days).alias("unpaid")
    return Select([both], [fn.COALESCE(fn.SUM(both.c.unpaid), 0)])


# Which kinds of target make up a period's: its own, else its months' (a year: its quarters', else their months').
TARGET_KINDS = {"week": ("week",), "month": ("month",), "quarter": ("quarter", "month"),
                "year": ("year", "quarter", "month")}


def months_of(period):
    """The months a month, quarter or year is made of (a week: none)."""
    if period.kind not in ("month", "quarter", "year"):
        return []
    found, start = [], period.start
    while start < period.end:
        found.append(Period.of("month", start))
        start = _add_months(start, 1)
    return found


@dataclass(frozen=True)
class Goal:
    """What someone is to win in a period: the period's own target, else the sum of the targets set for the months
    in it (a year: for its quarters, and for the months of a quarter without one). `parts`: the periods whose
    targets make it up, with their amounts; `months`: how many of the period's `of` months they cover. The tables
    of attainment resolve the same in SQL (`_goal_columns`)."""
    parts: tuple = ()
    own: bool = False
    months: int = 0
    of: int = 0

    @property
    def amount(self):
        return sum(amount for _period, amount in self.parts)


def goal_of(period, found):
    """The Goal for `period` from one owner's targets `found`, {(kind, first day): amount}."""
    months = months_of(period)
    own = found.get((period.kind, period.start))
    if own:
        return Goal(((period, own),), True, len(months), len(months))
    parts = []
    if period.kind == "quarter":
        parts = [(m, found[("month", m.start)]) for m in months if found.get(("month", m.start))]
    elif period.kind == "year":
        for quarter in {Period.of("quarter", m.start): None for m in months}:
            if found.get(("quarter", quarter.start)):
                parts.append((quarter, found[("quarter", quarter.start)]))
            else:
                parts += [(m, found[("month", m.start)]) for m in months_of(quarter) if found.get(("month", m.start))]
    covered = sum(len(months_of(part)) for part, _amount in parts)
    return Goal(tuple(parts), False, covered, len(months))


def targets_set(period, user_ids=(), team_ids_=()):
    """({user id: {(kind, first day): amount}}, {team id: ...}): the targets set for the period and for the months
    and quarters in it, in one query."""
    query = Target.select(Target.user, Target.team, Target.period, Target.starts_on, Target.amount).where(
        Target.period.in_(TARGET_KINDS.get(period.kind, ())) & (Target.starts_on >= period.start)
        & (Target.starts_on < period.end) & (Target.user.in_(list(user_ids)) | Target.team.in_(list(team_ids_))))
    by_user, by_team = {}, {}
    for user, team, kind, starts_on, amount in query.tuples():
        found = by_user.setdefault(user, {}) if user else by_team.setdefault(team, {})
        found[(kind, starts_on)] = amount
    return by_user, by_team


def attainment(won, target, period, today):
    """{won, target, attainment, expected (the target's share due by today), pace (won / expected)}."""
    expected = round(target * period.elapsed(today)) if target else 0
    return {"won": won, "target": target or 0,
            "attainment": won / target if target else None,
            "expected": expected, "pace": won / expected if expected else None}


def _total(rows, others=0):
    """The total row, like with like: target, won and expected summed over the rows with a target (all of them
    when none has one, then with no target). `covers`: "all" rows, "some" (and `untargeted`: what the rows without
    a target won), or "none"; `others`: won by people who are not rows, shown beside, never in the total."""
    with_target = [r for r in rows if r["target"]]
    counted_rows = with_target or rows
    won, target = sum(r["won"] for r in counted_rows), sum(r["target"] for r in with_target)
    counted, expected = sum(r["counted"] for r in with_target), sum(r["expected"] for r in with_target)
    covers = "none" if not with_target else ("all" if len(with_target) == len(rows) else "some")
    return {"won": won, "won_count": sum(r["won_count"] for r in counted_rows), "target": target,
            "counted": counted, "attainment": counted / target if target else None, "expected": expected,
            "pace": counted / expected if expected else None, "covers": covers,
            "untargeted": sum(r["won"] for r in rows if not r["target"]) if covers == "some" else 0,
            "others": others}


# -- Attainment of everyone in view, in SQL: a table shows a page of 25 people, its total row sums them all. --------
# Each person's target for the period is resolved from the targets set (the period's own, else its months', a year's
# quarters' else their months'), and what counts toward it and its share due by today worked out beside what they
# won, in one statement: ranked and paged in SQL, the totals over everyone as window sums of the same rows.

@dataclass(frozen=True)
class Table:
    """A table of attainment: `rows`, the rows asked for (a page of them, or all), best first; `total`, the total
    row over every row (`_total`); `count`, how many rows in all; `leader`, the first row of all (or None); `summed`,
    whether any row's target is summed from its months' or its members' targets."""
    rows: list
    total: dict
    count: int
    leader: dict | None
    summed: bool


def _slots(period):
    """The targets that may make up the period's, in the order a Goal sums them: [(kind, part period)], the period's
    own first, then a quarter's months, or a year's quarters each followed by its months."""
    if period.kind not in TARGET_KINDS:
        return []
    found = [(period.kind, period)]
    if period.kind == "quarter":
        found += [("month", month) for month in months_of(period)]
    elif period.kind == "year":
        for start in range(0, 12, 3):
            quarter = Period.of("quarter", _add_months(period.start, start))
            found += [("quarter", quarter)] + [("month", month) for month in months_of(quarter)]
    return found


def _goal_columns(slots, amounts, won, won_by_month):
    """SQL for the Goal (goal_of) of one owner, from the amounts set for each slot (`amounts`, columns in `_slots`'
    order, NULL where none) and what they won, in all and per month of the period (`won_by_month`, in order):
    (target, months covered, counted, the share due by today before rounding, whether the period's own). Each
    slot's share of its period gone by today is the `param` e<slot>."""
    if not slots:
        return Value(0), Value(0), Value(0), Value(0), Value(0)
    is_set = [fn.COALESCE(amount, 0) != 0 for amount in amounts]
    own = is_set[0]
    effective, covering = [own], {}
    quarter = None
    for n, (kind, part) in enumerate(slots[1:], 1):  # a part counts unless a larger one set covers it
        if kind == "quarter":
            quarter = n
            effective.append(~own & is_set[n])
        else:
            larger = ~own if quarter is None else ~own & ~is_set[quarter]
            effective.append(larger & is_set[n])
            covering[part.start] = (n, quarter)
    months = months_of(slots[0][1])
    target = reduce(operator.add, [Case(None, [(on, amount)], 0) for on, amount in zip(effective, amounts)])
    covered = Case(None, [(own, len(months))], reduce(operator.add, [
        Case(None, [(on, 3 if kind == "quarter" else 1)], 0)
        for on, (kind, _part) in list(zip(effective, slots))[1:]] or [Value(0)]))
    counted_parts = []
    for month, won_in in zip(months, won_by_month):
        n, q = covering.get(month.start, (None, None))
        if n is None:
            continue
        counts = effective[n] if q is None else effective[n] | effective[q]
        counted_parts.append(Case(None, [(counts, won_in)], 0))
    counted = Case(None, [(own, won)], reduce(operator.add, counted_parts) if counted_parts else 0)
    due = reduce(operator.add, [Case(None, [(on, amount * param(f"e{n}"))], 0)
                                for n, (on, amount) in enumerate(zip(effective, amounts))])
    return target, covered, counted, due, Case(None, [(own, 1)], 0)


def _half_even(column):
    """Python's round() of a share due (never negative), halves to even, in SQL: PostgreSQL rounds a float cast to
    an integer so; SQLite's cast truncates."""
    if not is_sqlite():
        return column.cast("bigint")
    whole = column.cast("integer")
    odd = whole - whole / 2 * 2  # integer division (peewee's % is a pattern match)
    return whole + Case(None, [(column - whole > 0.5, 1), (column - whole == 0.5, odd)], 0)


def _won_rows(period, by_customer, people):
    """(who, month, amount, deals) won in the period by `people` (a query of ids), by month: from the rollups of deals
    per owner per day and month, or with the customer filters (`by_customer`: which of region, tier and source are
    `param`s) from the won deals."""
    if any(by_customer):
        customers = Customer.select(Customer.id)
        for wanted, name in zip(by_customer, ("region", "tier", "source")):
            if wanted:
                customers = customers.where(getattr(Customer, name) == param(name))
        return (Deal.select(Deal.owner.alias("who"), month_of(Deal.won_on).alias("month"), Deal.amount.alias("amount"),
                            Value(1).alias("deals")).join(Stage)
                .where((Stage.kind == "won") & (Deal.won_on >= param("start")) & (Deal.won_on < param("end"))
                       & in_query(Deal.owner, people) & in_query(Deal.customer, customers)))
    whole, edges = _months_within(period.start, period.end)

    def part(model, month, condition):
        return model.select(model.owner.alias("who"), month.alias("month"), model.won_amount.alias("amount"),
                            model.won.alias("deals")).where((model.grp == OWN) & condition
                                                            & in_few(model.owner, people))
    parts = [part(DealDay, month_of(DealDay.day),
                  (DealDay.day >= param(f"edge{i}a")) & (DealDay.day < param(f"edge{i}b"))) for i in range(len(edges))]  # a part per run of days (see _day_and_month_rollups)
    parts += [part(DealMonth, DealMonth.month, DealMonth.month.in_([param(f"month{i}") for i in range(len(whole))]))] \
        if whole else []
    return reduce(operator.add, parts)


def _people_goals(period, sees_all, by_team, by_customer):
    """The query of everyone `_reps_within` gives (its `param`s user and team), each with what they won in the
    period and their target's figures: id, name, team_id, role, won, won_count, target, months, counted, due (the
    share due by today, rounded), own (1: the period's own target), and per month of the period w<n> (won); with
    the CTEs it reads (people), for the statement's WITH."""
    people = _reps_within(sees_all, by_team).order_by().cte("people")
    ids = Select((people,), (people.c.id,))
    months, slots = months_of(period), _slots(period)
    rows = _won_rows(period, by_customer, ids).alias("w")
    # literals, the first of each column typed: PostgreSQL takes a parameter or an untyped NULL for text
    none, zero, no_amount = SQL("NULL"), SQL("0"), SQL("CAST(NULL AS bigint)")
    listed = Select((people,), [people.c.id.alias("who"), people.c.name.alias("name"),
                                people.c.team_id.alias("team_id"), people.c.role.alias("role"), zero.alias("won"),
                                zero.alias("won_count")] + [zero.alias(f"w{n}") for n in range(len(months))]
                    + [no_amount.alias(f"t{n}") for n in range(len(slots))])
    won = Select((rows,), [rows.c.who.alias("who"), none.alias("name"), none.alias("team_id"), none.alias("role"),
                           rows.c.amount.alias("won"), rows.c.deals.alias("won_count")] + [
        Case(None, [(rows.c.month == param(f"m{n}"), rows.c.amount)], 0).alias(f"w{n}") for n in range(len(months))]
        + [none.alias(f"t{n}") for n in range(len(slots))])
    set_for = Target.select(Target.user, none, none, none, zero, zero, *[zero for _month in months], *[
        Case(None, [((Target.period == kind) & (Target.starts_on == param(f"s{n}")), Target.amount)])
        for n, (kind, _part) in enumerate(slots)]).where(
        Target.period.in_(TARGET_KINDS.get(period.kind, ("",))) & (Target.starts_on >= param("start"))
        & (Target.starts_on < param("end")) & in_few(Target.user, ids))
    # a row per won part and a row per target, summed per person. PostgreSQL: with a row per person among them, so
    # no outer join (without statistics it joined the people, taken for one row, to the sums by nested loops);
    # SQLite: the people joined to the sums, by an automatic index (grouping the people's rows too cost it more)
    every = reduce(operator.add, [won, set_for] if is_sqlite() else [listed, won, set_for]).alias("e")
    named = [] if is_sqlite() else [fn.MAX(getattr(every.c, name)).alias(name) for name in ("name", "team_id", "role")]
    summed = Select((every,), [every.c.who.alias("id")] + named + [
        fn.SUM(every.c.won).alias("won"), fn.SUM(every.c.won_count).alias("won_count")]
                    + [fn.SUM(getattr(every.c, f"w{n}")).alias(f"w{n}") for n in range(len(months))]
                    + [fn.MAX(getattr(every.c, f"t{n}")).alias(f"t{n}") for n in range(len(slots))]).group_by(
        every.c.who).alias("s")
    if is_sqlite():
        summed = (Select((people,), [people.c.id.alias("id"), people.c.name.alias("name"),
                                     people.c.team_id.alias("team_id"), people.c.role.alias("role")]
                         + [fn.COALESCE(getattr(summed.c, name), 0).alias(name) for name in (
                             "won", "won_count", *[f"w{n}" for n in range(len(months))])]
                         + [getattr(summed.c, f"t{n}").alias(f"t{n}") for n in range(len(slots))])
                  .join(summed, JOIN.LEFT_OUTER, on=(summed.c.id == people.c.id))).alias("j")
    won_in = [getattr(summed.c, f"w{n}") for n in range(len(months))]
    target, covered, counted, due, own = _goal_columns(
        slots, [getattr(summed.c, f"t{n}") for n in range(len(slots))], summed.c.won, won_in)
    per_person = Select((summed,), [summed.c.id.alias("id"), summed.c.name.alias("name"),
                                    summed.c.team_id.alias("team_id"), summed.c.role.alias("role"),
                                    summed.c.won.alias("won"), summed.c.won_count.alias("won_count"),
                                    target.alias("target"), covered.alias("months"), counted.alias("counted"),
                                    due.alias("due"), own.alias("own")]
                        + [value.alias(f"w{n}") for n, value in enumerate(won_in)]).alias("p")
    rounded = Case(None, [(per_person.c.target == 0, 0)], _half_even(per_person.c.due))
    return (people,), Select((per_person,), [per_person.c.id, per_person.c.name, per_person.c.team_id,
                                             per_person.c.role, per_person.c.won, per_person.c.won_count,
                                             per_person.c.target, per_person.c.months,
                                             Case(None, [(per_person.c.target == 0, 0)], per_person.c.counted).alias(
                                                 "counted"),
                                             rounded.alias("due"), per_person.c.own]
                                     + [getattr(per_person.c, f"w{n}") for n in range(len(months))])


def _period_values(period, today, by_customer, scope):
    """The `param`s of `_people_goals`' statement for this period, today and the customer filters."""
    whole, edges = _months_within(period.start, period.end)
    values = {"start": Target.starts_on.db_value(period.start), "end": Target.starts_on.db_value(period.end),
              **{f"month{i}": month for i, month in enumerate(whole)},
              **{f"edge{i}{end}": DealDay.day.db_value(day) for i, edge in enumerate(edges)
                 for end, day in zip("ab", edge)},
              **{f"m{n}": month.start.strftime("%Y-%m") for n, month in enumerate(months_of(period))}}
    for n, (_kind, part) in enumerate(_slots(period)):
        values[f"s{n}"], values[f"e{n}"] = Target.starts_on.db_value(part.start), part.elapsed(today)
    for wanted, name in zip(by_customer, ("region", "tier", "source")):
        if wanted:
            values[name] = getattr(scope, name)
    return values


def _shape_of(period, scope):
    whole, edges = _months_within(period.start, period.end)
    return period.kind, len(whole), len(edges), (bool(scope.region), bool(scope.tier), bool(scope.source))


def _ranked(period, sees_all, by_team, by_customer, paged):
    """The reps among `_people_goals`' people, best first (most won, then by name), each with the totals over every
    rep: how many (n), with a target (targeted), the won, deals, target, counted and due of those with one and of
    all, and what the managers listed won (others). `paged`: the first rep (part 0) and the page of `param` size
    reps from `param` offset, moved back to the last page as web.pages.Page moves it (part 1); else every rep."""
    ctes, per_person = _people_goals(period, sees_all, by_team, by_customer)
    goals = per_person.cte("goals")  # read three times: worked out once
    rep = goals.c.role == "rep"
    targeted = rep & (goals.c.target != 0)

    def summed(value, when):
        return fn.SUM(Case(None, [(when, value)], 0))
    totals = Select((goals,), [
        summed(1, rep).alias("n"), summed(1, targeted).alias("targeted"), summed(goals.c.won, targeted).alias("won_t"),
        summed(goals.c.won_count, targeted).alias("count_t"), summed(goals.c.target, targeted).alias("target_t"),
        summed(goals.c.counted, targeted).alias("counted_t"), summed(goals.c.due, targeted).alias("due_t"),
        summed(goals.c.won, rep).alias("won_a"), summed(goals.c.won_count, rep).alias("count_a"),
        summed(goals.c.won, ~rep).alias("others"),
        fn.MAX(Case(None, [(targeted & (goals.c.own == 0), 1)], 0)).alias("summed")]).cte(
        "totals", materialized=True)  # once: read by every row, PostgreSQL summed everyone again for each
    # PostgreSQL sorts text by the database's collation; the table sorts names as Python does, by code point
    name = goals.c.name if is_sqlite() else NodeList((goals.c.name, SQL('COLLATE "C"')))
    best_first = [goals.c.won.desc(), name, goals.c.id]
    columns = [getattr(goals.c, column) for column in PER_PERSON]

    def reps(part):
        query = Select((goals,), [Value(part).alias("part")] + columns).where(rep)
        return query.order_by(*best_first) if paged else query
    if paged:
        size = param("size")
        last = (Case(None, [(totals.c.n == 0, 1)], (totals.c.n + size - 1) / size) - 1) * size
        offset = Select((totals,), [Case(None, [(param("offset") < last, param("offset"))], last)])
        both = (Select((reps(0).limit(1).alias("first"),), [SQL("*")])
                + Select((reps(1).limit(size).offset(offset).alias("page"),), [SQL("*")])).alias("found")
    else:
        both = reps(1).alias("found")
    name = both.c.name if is_sqlite() else NodeList((both.c.name, SQL('COLLATE "C"')))
    return (Select((both, totals), [getattr(both.c, column).alias(column) for column in ("part",) + PER_PERSON]
                   + [getattr(totals.c, column).alias(column) for column in TOTALS])
            .order_by(both.c.part, both.c.won.desc(), name, both.c.id).with_cte(*ctes, goals, totals)
            .bind(Target._meta.database))  # bound: written in the engine's own placeholders


PER_PERSON = ("id", "name", "team_id", "role", "won", "won_count", "target", "months", "counted", "due", "own")
TOTALS = ("n", "targeted", "won_t", "count_t", "target_t", "counted_t", "due_t", "won_a", "count_a", "others",
          "summed")


def _row(months, goal):
    """A row's attainment from its target's figures (goal: won, won_count, target, months, counted, due, own), in a
    period of `months` months."""
    target, counted, due = int(goal.target or 0), int(goal.counted or 0), int(goal.due or 0)
    return {"won": int(goal.won or 0), "won_count": int(goal.won_count or 0), "target": target,
            "counted": counted, "attainment": counted / target if target else None, "expected": due,
            "pace": counted / due if due else None,
            "summed": ("months", int(goal.months), months) if target and not goal.own else None}


def attainment_table(user, period, today, scope, team_id=None, page=None, size=None):
    """The reps `user` may look at (`reps_within`, narrowed to a team), each with their attainment for the period on
    their target, ranked by won amount (then name); the managers listed are no rows. The total row over the reps
    with a target, with the managers' own won beside it (`_total`). `page`: only that page of `size` rows (moved
    back to the last), else every row. One statement, its SQL kept."""
    sees_all, by_customer = user.role in SEES_ALL, _shape_of(period, scope)[3]
    paged = page is not None
    found = kept_rows(("attainment", sees_all, team_id is not None, paged, *_shape_of(period, scope)),
                      lambda: _ranked(period, sees_all, team_id is not None, by_customer, paged),
                      user=user.id, team=team_id, **_period_values(period, today, by_customer, scope),
                      **({"size": size, "offset": (page - 1) * size} if paged else {}))
    first, months = found[0] if found else None, len(months_of(period))
    rows = [{"rep": Rep(row.id, row.name, row.team_id, row.role), **_row(months, row)} for row in found
            if row.part == 1]
    leader = {"rep": Rep(first.id, first.name, first.team_id, first.role), **_row(months, first)} if first else None
    return Table(rows, _total_of(first), first.n if first else 0, leader, bool(first and first.summed))


Rep = namedtuple("Rep", "id name team_id role")


def _total_of(first):
    """The total row (as `_total` gives it) from the window sums every row of `_ranked` carries."""
    if first is None or not first.n:
        return _total([], int(first.others or 0) if first else 0)
    targeted = int(first.targeted)
    won, won_count = (first.won_t, first.count_t) if targeted else (first.won_a, first.count_a)
    target, counted, due = int(first.target_t or 0), int(first.counted_t or 0), int(first.due_t or 0)
    covers = "none" if not targeted else ("all" if targeted == first.n else "some")
    return {"won": int(won or 0), "won_count": int(won_count or 0), "target": target, "counted": counted,
            "attainment": counted / target if target else None, "expected": due,
            "pace": counted / due if due else None, "covers": covers,
            "untargeted": int(first.won_a or 0) - int(first.won_t or 0) if covers == "some" else 0,
            "others": int(first.others or 0)}


def _by_team(period, by_customer):
    """Per team (every team, and the people without one where there are any: team id and name NULL), what its
    listed people (`_people_goals` for one who sees everyone) won, how many they are, how many have a target and
    their targets' figures summed, and the team's own target's figures: id, name, won, won_count, reps,
    targeted, target, counted, due, own_target, own_months, own_counted, own_due, own_own."""
    ctes, per_person = _people_goals(period, True, False, by_customer)
    months, slots = months_of(period), _slots(period)
    p = per_person.alias("g")
    targeted = p.c.target != 0
    summed = Select((p,), [p.c.team_id.alias("team_id"), fn.SUM(p.c.won).alias("won"),
                           fn.SUM(p.c.won_count).alias("won_count"), fn.COUNT(p.c.id).alias("reps"),
                           fn.SUM(Case(None, [(targeted, 1)], 0)).alias("targeted"),
                           fn.SUM(p.c.target).alias("target"), fn.SUM(p.c.counted).alias("counted"),
                           fn.SUM(p.c.due).alias("due")]
                    + [fn.SUM(getattr(p.c, f"w{n}")).alias(f"w{n}") for n in range(len(months))]).group_by(
        p.c.team_id).cte("members")
    set_for = Target.select(Target.team.alias("who"), *[
        fn.MAX(Case(None, [((Target.period == kind) & (Target.starts_on == param(f"s{n}")), Target.amount)])).alias(
            f"t{n}") for n, (kind, _part) in enumerate(slots)]).where(
        Target.period.in_(TARGET_KINDS.get(period.kind, ("",))) & (Target.starts_on >= param("start"))
        & (Target.starts_on < param("end")) & Target.team.is_null(False)).group_by(Target.team).alias("goals")
    won = fn.COALESCE(summed.c.won, 0)
    target, covered, counted, due, own = _goal_columns(
        slots, [getattr(set_for.c, f"t{n}") for n in range(len(slots))], won,
        [fn.COALESCE(getattr(summed.c, f"w{n}"), 0) for n in range(len(months))])
    figures = [won.alias("won"), fn.COALESCE(summed.c.won_count, 0).alias("won_count"),
               fn.COALESCE(summed.c.reps, 0).alias("reps"), fn.COALESCE(summed.c.targeted, 0).alias("targeted"),
               fn.COALESCE(summed.c.target, 0).alias("target"), fn.COALESCE(summed.c.counted, 0).alias("counted"),
               fn.COALESCE(summed.c.due, 0).alias("due")]
    teams = (Team.select(Team.id.alias("id"), Team.name.alias("name"), *figures, target.alias("own_target"),
                         covered.alias("own_months"), counted.alias("own_counted"), due.alias("own_due"),
                         own.alias("own_own"))
             .join(summed, JOIN.LEFT_OUTER, on=(summed.c.team_id == Team.id))
             .join(set_for, JOIN.LEFT_OUTER, on=(set_for.c.who == Team.id))).alias("t")
    rounded = Case(None, [(teams.c.own_target == 0, 0)], _half_even(teams.c.own_due))
    columns = ["id", "name", "won", "won_count", "reps", "targeted", "target", "counted", "due"]
    with_teams = Select((teams,), [getattr(teams.c, name).alias(name) for name in columns] + [
        teams.c.own_target.alias("own_target"), teams.c.own_months.alias("own_months"),
        Case(None, [(teams.c.own_target == 0, 0)], teams.c.own_counted).alias("own_counted"),
        rounded.alias("own_due"), teams.c.own_own.alias("own_own")])
    loose = Select((summed,), [Value(None).alias("id"), Value(None).alias("name")] + figures[:-3] + [
        summed.c.target.alias("target"), summed.c.counted.alias("counted"), summed.c.due.alias("due"),
        Value(0).alias("own_target"), Value(0).alias("own_months"),
        Value(0).alias("own_counted"), Value(0).alias("own_due"), Value(0).alias("own_own")]).where(
        summed.c.team_id.is_null())
    both = (with_teams + loose).alias("u")
    return Select((both,), [getattr(both.c, name).alias(name) for name in columns + [
        "own_target", "own_months", "own_counted", "own_due", "own_own"]]).with_cte(*ctes, summed).bind(
        Target._meta.database)  # bound: written in the engine's own placeholders


def attainment_by_team(period, today, scope):
    """For one who sees everyone: per team, what its active reps and managers won and attainment on the team's own
    target (else the sum of its members' targets, counting what those members won), best first; the people without
    a team make a row of their own where there are any. And the total row over the teams with a target. One
    statement, its SQL kept."""
    by_customer = _shape_of(period, scope)[3]
    found = kept_rows(("attainment by team", *_shape_of(period, scope)), lambda: _by_team(period, by_customer),
                      **_period_values(period, today, by_customer, scope))
    rows, months = [], len(months_of(period))
    for row in found:
        team = TeamName(row.id, row.name) if row.id is not None else None
        if row.own_target:
            figures = _row(months, FoundGoal(row.won, row.won_count, row.own_target, row.own_months, row.own_counted,
                                             row.own_due, row.own_own))
        else:
            target, counted, due = int(row.target or 0), int(row.counted or 0), int(row.due or 0)
            figures = {"won": int(row.won or 0), "won_count": int(row.won_count or 0), "target": target,
                       "counted": counted, "attainment": counted / target if target else None, "expected": due,
                       "pace": counted / due if due else None,
                       "summed": ("members", int(row.targeted), int(row.reps)) if row.targeted else None}
        rows.append({"team": team, "reps": int(row.reps or 0), **figures})
    rows.sort(key=lambda row: (-row["won"], row["team"].name if row["team"] else "\uffff"))
    return Table(rows, _total(rows), len(rows), rows[0] if rows else None, any(row["summed"] for row in rows))


TeamName = namedtuple("TeamName", "id name")
FoundGoal = namedtuple("FoundGoal", "won won_count target months counted due own")


def standing(rep, period, today):
    """A rep's own figures: attainment and pace on their target, and their rank by won amount among the active
    reps of their team (or all reps, without a team). Two queries: the peers' won amounts, and the peer count
    with the rep's target."""
    # kept: Today reads them on every view, and writing their SQL took 0.5 ms; a team or none shapes them
    shape, values = ("standing", rep.team_id is not None), dict(team=rep.team_id, rep=rep.id)
    won = {row.owner: int(row.amount or 0) for row in kept_rows(
        ("won by peers", *shape), lambda: _won_by_peers(rep.team_id is not None), **values,
        start=Deal.won_on.db_value(period.start), end=Deal.won_on.db_value(period.end))}
    mine_now = kept_row(("peers and target", *shape), lambda: _peers_and_target(rep.team_id is not None), **values,
                        kind=period.kind, starts_on=Target.starts_on.db_value(period.start))
    mine = won.get(rep.id, 0)
    rank = 1 + sum(1 for owner, value in won.items() if value > mine and owner != rep.id)
    return {**attainment(mine, mine_now.target or 0, period, today), "rank": rank, "peers": max(mine_now.peers, 1)}


def _peers(with_team):
    peers = User.select(User.id).where((User.role == "rep") & (User.active == True))  # noqa: E712
    return peers.where(User.team == param("team")) if with_team else peers


def _won_by_peers(with_team):
    return (Deal.select(Deal.owner.alias("owner"), fn.SUM(Deal.amount).alias("amount")).join(Stage)
            .where((Stage.kind == "won") & (Deal.won_on >= param("start")) & (Deal.won_on < param("end"))
                   & in_query(Deal.owner, _peers(with_team))).group_by(Deal.owner))


def _peers_and_target(with_team):
    target = Target.select(Target.amount).where((Target.user == param("rep")) & (Target.period == param("kind"))
                                                & (Target.starts_on == param("starts_on")))
    return _peers(with_team).select(fn.COUNT(User.id).alias("peers"), fn.COALESCE(target, 0).alias("target"))


def teams_within(user):
    """Teams `user` may look at: all for those who see everything; else teams with a member in their subtree."""
    query = Team.select().order_by(Team.name)
    if user.role in SEES_ALL:
        return list(query)
    return list(query.where(in_query(Team.id, User.select(User.team).where(User.id.in_(team_ids(user.id))
                                                                     & User.team.is_null(False)))))


def reps_within(user, team_id=None):
    """Active reps `user` may look at (themself included when they own deals), by name: (id, name, team_id, role)
    tuples. Its SQL kept: a director's home and sheet wrote a recursive team and built a model for each of 300."""
    return kept_rows(("reps within", user.role in SEES_ALL, team_id is not None),
                     lambda: _reps_within(user.role in SEES_ALL, team_id is not None), user=user.id, team=team_id)


def _reps_within(sees_all, by_team):
    query = User.select(User.id.alias("id"), User.name.alias("name"), User.team.alias("team_id"),
                        User.role.alias("role")).where((User.active == True) & User.role.in_(("rep", "manager")))  # noqa: E712
    if not sees_all:  # the team a list worked out first: PostgreSQL without statistics guessed it one person
        query = query.where(in_few(User.id, team_ids(param("user"))))
    if by_team:
        query = query.where(User.team == param("team"))
    return query.order_by(User.name)


def sheet_teams(user, period):
    """The sheet's teams within `user`'s reach, each with how many reps they may set targets for in it (not
    themself): [(team or None, how many)], a team without such reps listed only when it has a target for the period
    itself, the reps without a team (None) last. One statement, its SQL kept: the people are counted per team in
    SQL (a director's three hundred were read and sorted into teams to page 25); `sheet_reps` reads a page's."""
    sees_all = user.role in SEES_ALL
    found = kept_rows(("sheet teams", sees_all), lambda: _sheet_teams(sees_all), user=user.id, kind=period.kind,
                      start=Target.starts_on.db_value(period.start))
    return [(TeamName(row.id, row.name) if row.id is not None else None, int(row.reps)) for row in found
            if row.reps or row.targeted]


def _sheet_teams(sees_all):
    people = _reps_within(sees_all, False).where(User.id != param("user")).order_by().alias("p")
    counted = Select((people,), [people.c.team_id.alias("team_id"), fn.COUNT(people.c.id).alias("reps")]).group_by(
        people.c.team_id).cte("counted")
    targeted = Target.select(Target.id).where((Target.team == Team.id) & (Target.period == param("kind"))
                                              & (Target.starts_on == param("start")))
    teams = (Team.select(Value(0).alias("part"), Team.id.alias("id"), Team.name.alias("name"),
                         Case(None, [(fn.EXISTS(targeted), 1)], 0).alias("targeted"),
                         fn.COALESCE(counted.c.reps, 0).alias("reps"))
             .join(counted, JOIN.LEFT_OUTER, on=(counted.c.team_id == Team.id)))
    if not sees_all:
        teams = teams.where(in_query(Team.id, User.select(User.team).where(in_query(User.id, team_ids(param("user")))
                                                                           & User.team.is_null(False))))
    loose = Select((counted,), [Value(1).alias("part"), Value(None).alias("id"), Value(None).alias("name"),
                                Value(0).alias("targeted"), counted.c.reps.alias("reps")]).where(
        counted.c.team_id.is_null())
    both = (teams + loose).alias("found")
    return (Select((both,), [getattr(both.c, name).alias(name) for name in ("id", "name", "targeted", "reps")])
            .order_by(both.c.part, both.c.name).with_cte(counted).bind(Team._meta.database))


def sheet_reps(user, teams):
    """[(team, [rep, ...])] for `teams` (a page of `sheet_teams`' [(team or None, how many)]): the reps `user` may
    set targets for in each (not themself), by name. One query."""
    ids = [team.id for team, _count in teams if team is not None]
    loose = any(team is None for team, _count in teams)
    sees_all = user.role in SEES_ALL
    found = kept_rows(("sheet reps", sees_all, len(ids), loose), lambda: _sheet_reps(sees_all, len(ids), loose),
                      user=user.id, **{f"team{n}": team for n, team in enumerate(ids)})
    members = {team.id if team is not None else None: [] for team, _count in teams}
    for rep in found:
        members[rep.team_id].append(rep)
    return [(team, members[team.id if team is not None else None]) for team, _count in teams]


def _sheet_reps(sees_all, teams, loose):
    query = _reps_within(sees_all, False).where(User.id != param("user"))
    wanted = [User.team.in_([param(f"team{n}") for n in range(teams)])] if teams else []
    wanted += [User.team.is_null()] if loose else []
    return query.where(reduce(operator.or_, wanted)) if wanted else query.where(SQL("1 = 0"))


def target_sheet(user, period, teams):
    """The sheet's groups for `teams` (as `sheet_teams` gives them): each rep's last year's actual for the same
    period and the target now set, and the team's. Two queries."""
    reps = [rep for _team, members in teams for rep in members]
    won = won_by_owner(scope_for(user), period.a_year_earlier(), [rep.id for rep in reps])
    by_user, by_team = targets_set(period, [r.id for r in reps], [t.id for t, _members in teams if t])
    groups = []
    for team, members in teams:
        group = Group(team, None, [Line(f"user-{rep.id}", rep.name, won.get(rep.id, (0, 0))[0],
                                        *_own_and_parts(period, by_user.get(rep.id))) for rep in members])
        if team is not None:
            group.line = Line(f"team-{team.id}", team.name, sum(r.last_year for r in group.reps),
                              *_own_and_parts(period, by_team.get(team.id)))
        groups.append(group)
    return groups


def _own_and_parts(period, found):
    """The target set for the period itself, and what those set for its months (and quarters) add up to."""
    found = found or {}
    own = found.get((period.kind, period.start))
    parts = goal_of(period, {key: amount for key, amount in found.items() if key != (period.kind, period.start)})
    return own, (parts.amount, parts.months, parts.of) if parts.amount else None
