"""What the expenses package reads: the claims a person may see, the queue waiting for their decision, and the
team budgets against what was spent, with what sales cost.

Spent = approved and paid expense claims, by the day the money was spent; pending = claims still waiting for a
decision. Every budget figure is one grouped query."""
import datetime
from dataclasses import dataclass, field

import operator
from functools import reduce

from peewee import JOIN, SQL, Case, NodeList, Select, fn

from ..core.access import SEES_ALL, scope_shape, team_ids, visible, visible_kept
from ..core.clock import months_within
from ..core.db import in_query, kept_rows, param
from ..core.i18n import _l
from ..models.rollups import OWN, TEAM
from ..models import (EXPENSE_CATEGORIES, Budget, Customer, DealDay, DealMonth, Expense, NewCustomerDay,
                      NewCustomerMonth, Team, User, Visit)

SPENT = ("approved", "paid")
LIST_FILTERS = ("open", "submitted", "approved", "paid", "rejected", "all")
FILTER_LABELS = {"open": _l("Open"), "submitted": _l("Waiting for approval"), "approved": _l("To be paid"),
                 "paid": _l("Paid"), "rejected": _l("Rejected"), "all": _l("All")}
EXPENSE_STATUS_FILTERS = ("submitted", "approved", "paid", "rejected")


def scope(user):
    """Claims `user` may see: their own (rep), their subtree's (manager), all (support, ops, admin)."""
    return visible(Expense.select(), user, Expense.claimant)


CLAIMANT, DECIDER = User.alias("claimant"), User.alias("decider")


def with_people(query):
    return (query.select_extend(CLAIMANT.id, CLAIMANT.name, CLAIMANT.reports_to, DECIDER.id, DECIDER.name, Customer.id,
                                Customer.name)
            .join(CLAIMANT, on=(Expense.claimant == CLAIMANT.id), attr="claimant_row").switch(Expense)
            .join(DECIDER, JOIN.LEFT_OUTER, on=(Expense.decided_by == DECIDER.id), attr="decider").switch(Expense)
            .join(Customer, JOIN.LEFT_OUTER, on=(Expense.customer == Customer.id), attr="customer_row"))


def _listed_columns(query):
    """A claim as a list shows it (expenses/_row.html): the claimant's and the customer's names beside it."""
    return (query.select(Expense.id, Expense.amount, Expense.category, Expense.status,
                         CLAIMANT.name.alias("claimant_name"), Expense.spent_on, Customer.id.alias("customer_id"),
                         Customer.name.alias("customer_name"), Expense.description)
            .join(CLAIMANT, on=(Expense.claimant == CLAIMANT.id)).switch(Expense)
            .join(Customer, JOIN.LEFT_OUTER, on=(Expense.customer == Customer.id)))


def waiting_for(user, limit=50):
    """Claims waiting for `user`'s decision, oldest first (a manager: their subtree's; ops: those with no manager),
    as named tuples of what the list shows."""
    if user.role not in ("manager", "ops"):
        return []
    # kept: writing this select's SQL cost more than running it (a manager's claims page: 0.5 of its 4 ms)
    return kept_rows(("expenses waiting", user.role), lambda: _waiting(user.role), user=user.id, limit=limit)


def _waiting(role):
    query = _listed_columns(Expense.select()).where((Expense.status == "submitted") & (Expense.claimant != param("user")))
    if role == "manager":
        query = query.where(in_query(Expense.claimant, team_ids(param("user"))))
    else:  # ops: claimants who report to no one, or to a manager who has left (see approvers)
        claimant, manager = User.alias(), User.alias()
        unmanaged = (claimant.select(claimant.id).join(manager, JOIN.LEFT_OUTER, on=(claimant.reports_to == manager.id))
                     .where(claimant.reports_to.is_null(True) | (manager.active == False)))  # noqa: E712
        query = query.where(Expense.claimant.in_(unmanaged))
    return query.order_by(Expense.created_at).limit(param("limit"))


def listing(user, status):
    """Claims in `user`'s scope with a status filter ("open": not yet paid, rejected or withdrawn), newest first, as
    (fetch(offset, limit), total) for a `Page`: the list's page (named tuples of what the list shows) and its
    count."""
    shape = (scope_shape(user.role), status if status in ("open", "all") else "one" if status in
             EXPENSE_STATUS_FILTERS else "all")
    values = dict(user=user.id, status=status)
    # kept: writing these two selects' SQL took most of the claims page's time (a manager's: 1.5 of 4 ms)
    total = kept_rows(("expense count", *shape), lambda: _listed(user.role, shape[1]).select(
        fn.COUNT(Expense.id).alias("n")), **values)[0].n
    return (lambda offset, limit: kept_rows(
        ("expense list", *shape), lambda: _listed_columns(_listed(user.role, shape[1]))
        .order_by(Expense.created_at.desc(), Expense.id.desc()).limit(param("limit")).offset(param("offset")),
        offset=offset, limit=limit, **values), total)


def _listed(role, status):
    query = visible_kept(Expense.select(), role, Expense.claimant)
    if status == "open":
        return query.where(Expense.status.in_(("submitted", "approved")))
    return query.where(Expense.status == param("status")) if status == "one" else query


def own_visits(user, limit=30):
    """The user's recent done visits, for linking a claim: (id, day, customer name)."""
    return list(Visit.select(Visit.id, Visit.occurred_at, Customer.name).join(Customer)
                .where((Visit.rep == user.id) & (Visit.status == "done")).order_by(Visit.occurred_at.desc())
                .limit(limit).tuples())


def budget_effect(expense):
    """The claimant's team budget line in the claim's quarter and category, before and with this claim."""
    if expense.team_id is None:
        return None
    line = budget_line(expense.team_id, expense.spent_on, expense.category, exclude=expense.id)
    return {"planned": line.planned, "spent": line.spent, "after": line.spent + expense.amount,
            "over": line.spent + expense.amount > line.planned}


# --- budgets -----------------------------------------------------------------------------------------------------

def quarter_of(day):
    return day.year, (day.month - 1) // 3 + 1


def quarter_range(year, quarter):
    """(first day, first day of the next quarter)."""
    start = datetime.date(year, 3 * quarter - 2, 1)
    end = datetime.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return start, end


@dataclass
class BudgetLine:
    planned: int = 0
    spent: int = 0
    pending: int = 0

    @property
    def left(self):
        return self.planned - self.spent

    @property
    def over(self):
        return self.spent > self.planned


@dataclass
class TeamBudget:
    team_id: int
    name: str
    lines: dict = field(default_factory=lambda: {c: BudgetLine() for c in EXPENSE_CATEGORIES})

    @property
    def total(self):
        return BudgetLine(sum(x.planned for x in self.lines.values()), sum(x.spent for x in self.lines.values()),
                    sum(x.pending for x in self.lines.values()))


def visible_teams(user):
    """The teams whose budgets `user` sees, by name: ops, support and admin all; a manager the teams of their
    subtree."""
    return kept_rows(("budget teams", scope_shape(user.role)),
                     lambda: _seen_teams(Team.select(Team.id, Team.name), user.role).order_by(Team.name),
                     user=user.id)


def _seen_teams(query, role):
    """A select of teams narrowed to those `role`'s user (the param "user") sees the budgets of."""
    if role in SEES_ALL:
        return query
    if role == "manager":
        return query.where(in_query(Team.id, User.select(User.team).where(User.id.in_(team_ids(param("user"))))))
    return query.where(Team.id == -1)


def _seen_team_ids(role):
    return _seen_teams(Team.select(Team.id), role)


def team_budgets(user, year, quarter, teams=None, offset=0):
    """Planned, spent and pending per category for one quarter, of the teams visible_teams(user) lists:
    [TeamBudget]. `teams`: a run of that list starting at `offset` (a page of the sheet), else all of it."""
    paged = teams is not None
    teams = {t.id: TeamBudget(t.id, t.name) for t in (visible_teams(user) if teams is None else teams)}
    if not teams:
        return []
    shape = (scope_shape(user.role), paged)
    start, end = quarter_range(year, quarter)
    values = dict(user=user.id, year=year, quarter=quarter, start=start, end=end, offset=offset, limit=len(teams))
    # kept, as are the teams: writing the sheet's three selects' SQL took a fifth of the budgets page's time
    for team_id, category, amount in kept_rows(("budgets planned", *shape), lambda: (
            Budget.select(Budget.team, Budget.category, Budget.amount)
            .where(in_query(Budget.team, _listed_team_ids(user.role, paged)) & (Budget.year == param("year"))
                   & (Budget.quarter == param("quarter")))), **values):
        if category in teams[team_id].lines:
            teams[team_id].lines[category].planned = amount
    # Every status is summed, those counted picked here: a condition on the status would have the planner read the
    # claims of every quarter by the status index, rather than each team's quarter by the (team, spent on) one.
    for team_id, category, status, amount in kept_rows(("budgets spent", *shape), lambda: (
            Expense.select(Expense.team, Expense.category, Expense.status, fn.SUM(Expense.amount).alias("amount"))
            .where(in_query(Expense.team, _listed_team_ids(user.role, paged)) & (Expense.spent_on >= param("start"))
                   & (Expense.spent_on < param("end")))
            .group_by(Expense.team, Expense.category, Expense.status)), **values):
        line = teams[team_id].lines.get(category)
        if line is not None and status == "submitted":
            line.pending += int(amount)
        elif line is not None and status in SPENT:
            line.spent += int(amount)
    return list(teams.values())


def _listed_team_ids(role, paged):
    """A select of the ids of the teams `role`'s user sees the budgets of; `paged`: only the run of visible_teams'
    list the params "offset" and "limit" give."""
    query = _seen_team_ids(role)
    return query.order_by(Team.name).limit(param("limit")).offset(param("offset")) if paged else query


def budget_line(team_id, day, category, exclude=None):
    """One team's budget line for the quarter of `day` in `category` (two queries)."""
    year, quarter = quarter_of(day)
    start, end = quarter_range(year, quarter)
    line = BudgetLine(planned=Budget.select(Budget.amount).where(
        (Budget.team == team_id) & (Budget.year == year) & (Budget.quarter == quarter)
        & (Budget.category == category)).scalar() or 0)
    spent = Expense.select(fn.SUM(Expense.amount)).where(
        (Expense.team == team_id) & (Expense.category == category) & Expense.status.in_(SPENT)
        & (Expense.spent_on >= start) & (Expense.spent_on < end))
    if exclude is not None:
        spent = spent.where(Expense.id != exclude)
    line.spent = int(spent.scalar() or 0)
    return line


def costs(start, end, team_ids=None):
    """Per team, for days start ≤ d < end: spent, new customers (made on those days of the install's calendar,
    owned in the team), won deals, and the cost of each. [(team id, name, spent, new customers, won deals)], by
    name. One statement, its SQL kept: writing it took the activity tab a millisecond, and its shape (how many
    teams, whole months and days around them) is all it depends on but its values."""
    whole, edges = months_within(start, end)
    ids = None if team_ids is None else list(team_ids)
    values = {f"team{i}": team for i, team in enumerate(ids or ())}
    values.update({f"month{i}": month for i, month in enumerate(whole)})
    values.update({f"edge{i}{side}": DealDay.day.db_value(day) for i, edge in enumerate(edges)
                   for side, day in zip("ab", edge)})
    rows = kept_rows(("costs", None if ids is None else len(ids), len(whole), len(edges)),
                     lambda: _costs(ids, whole, edges), **values, start=Expense.spent_on.db_value(start),
                     end=Expense.spent_on.db_value(end))
    return [(row.id, row.name, int(row.spent or 0), int(row.new or 0), int(row.won or 0)) for row in rows]


def _costs(ids, whole, edges):
    """costs' select, its values the `param`s team0..., month0..., edge0a... and start, end. The new customers and
    won deals of a team that is exactly its manager's subtree are that subtree's group rows (a row a day or month,
    however many people); any other team's, its members' own rows. Which teams are is worked out first, once for
    all (`_not_subtrees`, a materialized CTE), not for each team and each figure: PostgreSQL with statistics read
    every person's reports again for each team (the activity tab: 4 of its 7 ms on the xl data)."""
    teams = Team.select(Team.id.alias("id"), Team.name.alias("name"), Team.manager.alias("manager"),
                        NodeList((Team.id, SQL("NOT IN"), _not_subtrees())).alias("whole"))
    if ids is not None:
        teams = teams.where(Team.id.in_([param(f"team{i}") for i in range(len(ids))]))
    shown = teams.cte("shown", materialized=True)
    spent = Expense.select(fn.SUM(Expense.amount)).where(
        (Expense.team == shown.c.id) & Expense.status.in_(SPENT) & (Expense.spent_on >= param("start"))
        & (Expense.spent_on < param("end")))
    counts = [Case(None, [(shown.c.whole, _counted(days, months, name, whole, edges, shown.c.manager, None))],
                   _counted(days, months, name, whole, edges, None, shown.c.id)).alias(alias)
              for days, months, name, alias in ((NewCustomerDay, NewCustomerMonth, "created", "new"),
                                                (DealDay, DealMonth, "won", "won"))]
    return Select([shown], [shown.c.id.alias("id"), shown.c.name.alias("name"),
                            fn.COALESCE(spent, 0).alias("spent"), *counts]).with_cte(shown).order_by(
        shown.c.name).bind(Team._meta.database)


def _not_subtrees():
    """The ids (`team`) of the teams that are not exactly their manager's subtree by reports_to, the people whose
    sums the rollups keep in their TEAM rows (core.access.team_ids): those whose manager is not in them (or who have
    none), those with a member besides the manager who reports to someone outside, and those with someone outside
    who reports to a member. Everyone is read once, whatever the number of teams. (The chain of managers has no
    loops: admin.rules refuses one.)"""
    team, manager = Team.alias(), User.alias()
    manager_outside = (team.select(team.id.alias("team"))
                       .join(manager, JOIN.LEFT_OUTER, on=(team.manager == manager.id))
                       .where(manager.team.is_null() | (manager.team != team.id)))
    led, member, boss = Team.alias(), User.alias(), User.alias()
    reports_outside = (member.select(member.team.alias("team"))
                       .join(led, on=(member.team == led.id))
                       .join(boss, JOIN.LEFT_OUTER, on=(member.reports_to == boss.id))
                       .where((member.id != led.manager) & (boss.team.is_null() | (boss.team != member.team))))
    below, above = User.alias(), User.alias()
    outsider_below = (below.select(above.team.alias("team"))
                      .join(above, on=(below.reports_to == above.id))
                      .where(above.team.is_null(False) & (below.team.is_null() | (below.team != above.team))))
    return manager_outside | reports_outside | outsider_below


def _counted(days, months, counted, whole, edges, manager, team):
    """Σ `counted` over the whole months and the days around them: from the subtree rows of `manager` (a column
    of the enclosing select), else from the own rows of each member of `team` (a column too), read member by
    member (joined, SQLite without statistics read everyone's rows of the days around the months by the day-led
    index). A part per run of days, and the whole months (in a row) as a range: with the runs OR-ed, PostgreSQL
    without statistics read all of a person's days by (grp, owner) and kept the runs' (1,900 rows for each team on
    the large data, to keep 30), and all of their months for a list of them."""
    def summed(owner, grp):
        parts = [days.select(fn.SUM(getattr(days, counted))).where(
            (days.grp == grp) & (days.owner == owner) & (days.day >= param(f"edge{i}a"))
            & (days.day < param(f"edge{i}b"))) for i in range(len(edges))]
        parts += [months.select(fn.SUM(getattr(months, counted))).where(
            (months.grp == grp) & (months.owner == owner) & (months.month >= param("month0"))
            & (months.month <= param(f"month{len(whole) - 1}")))] if whole else []
        return reduce(operator.add, [fn.COALESCE(part, 0) for part in parts])  # a sum of the parts' sums
    if manager is not None:
        return summed(manager, TEAM)
    member = User.alias()
    return fn.COALESCE(member.select(fn.SUM(summed(member.id, OWN))).where(member.team == team), 0)


def per(amount, count):
    """Cost per unit in minor units, or None when there is nothing to divide by."""
    return round(amount / count) if count else None
