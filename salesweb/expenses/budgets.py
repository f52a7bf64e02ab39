"""Team budgets per quarter and category: sales operations sets them, each change audited. What was spent
against them is read in `queries`."""
from ..core.db import db, utcnow
from ..core.i18n import _l
from ..models import EXPENSE_CATEGORIES, Budget
from ..core import audit
from ..core.errors import Invalid

MAX_BUDGET = 10**13  # minor units: a hundred billion in the install's currency is a typing error
EDITORS = ("ops",)


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
