"""Team budgets per quarter and category, what has been spent against them, and what sales cost.

Spent = approved and paid expense claims, by the day the money was spent; pending = claims still waiting for a
decision. Every figure is one grouped query."""
import datetime
from dataclasses import dataclass, field

from peewee import JOIN, fn

from ..core.access import SEES_ALL, team_ids
from ..core.db import db, utcnow
from ..core.i18n import _l
from ..models import EXPENSE_CATEGORIES, Budget, Customer, Deal, Expense, Stage, Team, User
from ..core import audit
from ..core.errors import Invalid

SPENT = ("approved", "paid")
MAX_BUDGET = 10**13  # minor units: a hundred billion in the install's currency is a typing error
EDITORS = ("ops",)


def quarter_of(day):
    return day.year, (day.month - 1) // 3 + 1


def quarter_range(year, quarter):
    """(first day, first day of the next quarter)."""
    start = datetime.date(year, 3 * quarter - 2, 1)
    end = datetime.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return start, end


@dataclass
class Line:
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
    lines: dict = field(default_factory=lambda: {c: Line() for c in EXPENSE_CATEGORIES})

    @property
    def total(self):
        return Line(sum(x.planned for x in self.lines.values()), sum(x.spent for x in self.lines.values()),
                    sum(x.pending for x in self.lines.values()))


def visible_teams(user):
    """The teams whose budgets `user` sees: ops, support and admin all; a manager the teams of their subtree."""
    query = Team.select(Team.id, Team.name).order_by(Team.name)
    if user.role in SEES_ALL:
        return query
    if user.role == "manager":
        return query.where(Team.id.in_(User.select(User.team).where(User.id.in_(team_ids(user.id)))))
    return query.where(Team.id == -1)


def sheet(user, year, quarter):
    """Planned, spent and pending per visible team and category for one quarter: [TeamBudget]."""
    teams = {t.id: TeamBudget(t.id, t.name) for t in visible_teams(user)}
    if not teams:
        return []
    ids = list(teams)
    for team_id, category, amount in (Budget.select(Budget.team, Budget.category, Budget.amount)
                                      .where(Budget.team.in_(ids) & (Budget.year == year)
                                             & (Budget.quarter == quarter)).tuples()):
        if category in teams[team_id].lines:
            teams[team_id].lines[category].planned = amount
    start, end = quarter_range(year, quarter)
    for team_id, category, status, amount in (
            Expense.select(Expense.team, Expense.category, Expense.status, fn.SUM(Expense.amount))
            .where(Expense.team.in_(ids) & (Expense.spent_on >= start) & (Expense.spent_on < end)
                   & Expense.status.in_(SPENT + ("submitted",)))
            .group_by(Expense.team, Expense.category, Expense.status).tuples()):
        line = teams[team_id].lines.get(category)
        if line is not None:
            if status == "submitted":
                line.pending += int(amount)
            else:
                line.spent += int(amount)
    return list(teams.values())


def save(user, team, year, quarter, amounts, now=None):
    """Set a team's budget for a quarter: {category: minor units}; each change audited. Returns the changes."""
    if user.role not in EDITORS:
        raise Invalid({None: _l("Only sales operations sets budgets.")})
    errors = {}
    if not (2000 <= year <= 2100) or quarter not in (1, 2, 3, 4):
        errors["quarter"] = _l("Choose a quarter.")
    for category, amount in amounts.items():
        if category not in EXPENSE_CATEGORIES:
            errors[category] = _l("Choose one of the listed values.")
        elif not isinstance(amount, int) or amount < 0:
            errors[category] = _l("Enter an amount of zero or more.")
        elif amount > MAX_BUDGET:
            errors[category] = _l("That amount is too large.")
    if errors:
        raise Invalid(errors)
    now = now or utcnow()
    before = dict(Budget.select(Budget.category, Budget.amount)
                  .where((Budget.team == team.id) & (Budget.year == year) & (Budget.quarter == quarter)).tuples())
    changed = {c: a for c, a in amounts.items() if before.get(c, 0) != a}
    with db.atomic():
        for category, amount in changed.items():
            (Budget.insert(team=team.id, year=year, quarter=quarter, category=category, amount=amount,
                           updated_at=now, updated_by=user.id)
             .on_conflict(conflict_target=[Budget.team, Budget.year, Budget.quarter, Budget.category],
                          update={Budget.amount: amount, Budget.updated_at: now, Budget.updated_by: user.id})
             .execute())
            audit.record("edit", actor=user, object_type="budget", object_id=team.id,
                         summary=f"{team.name} {year} Q{quarter} {category}: {before.get(category, 0)} → {amount}")
    return changed


def line_for(team_id, day, category, exclude=None):
    """One team's budget line for the quarter of `day` in `category` (two queries)."""
    year, quarter = quarter_of(day)
    start, end = quarter_range(year, quarter)
    line = Line(planned=Budget.select(Budget.amount).where(
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
    """Per team, for days start ≤ d < end: spent, new customers (created, owned in the team), won deals, and the
    cost of each. Three grouped queries. [(team id, name, spent, new customers, won deals)]."""
    teams = Team.select(Team.id, Team.name).order_by(Team.name)
    if team_ids is not None:
        teams = teams.where(Team.id.in_(team_ids))
    rows = {t.id: [t.id, t.name, 0, 0, 0] for t in teams}
    if not rows:
        return []
    ids = list(rows)
    for team_id, amount in (Expense.select(Expense.team, fn.SUM(Expense.amount))
                            .where(Expense.team.in_(ids) & Expense.status.in_(SPENT) & (Expense.spent_on >= start)
                                   & (Expense.spent_on < end)).group_by(Expense.team).tuples()):
        rows[team_id][2] = int(amount or 0)
    start_at = datetime.datetime.combine(start, datetime.time())
    end_at = datetime.datetime.combine(end, datetime.time())
    for team_id, count in (Customer.select(User.team, fn.COUNT(Customer.id))
                           .join(User, on=(Customer.owner == User.id))
                           .where(User.team.in_(ids) & (Customer.created_at >= start_at)
                                  & (Customer.created_at < end_at)).group_by(User.team).tuples()):
        rows[team_id][3] = count
    for team_id, count in (Deal.select(User.team, fn.COUNT(Deal.id)).join(User, on=(Deal.owner == User.id))
                           .switch(Deal).join(Stage, JOIN.INNER, on=(Deal.stage == Stage.id))
                           .where(User.team.in_(ids) & (Stage.kind == "won") & (Deal.won_on >= start)
                                  & (Deal.won_on < end)).group_by(User.team).tuples()):
        rows[team_id][4] = count
    return [tuple(row) for row in rows.values()]


def per(amount, count):
    """Cost per unit in minor units, or None when there is nothing to divide by."""
    return round(amount / count) if count else None
