"""What each role finds in the navigation: only what it can reach."""
import functools
from dataclasses import dataclass

from ..core.i18n import _l


@dataclass(frozen=True)
class Entry:
    label: object
    endpoint: str
    icon: str
    roles: tuple
    sections: tuple = ()  # blueprints whose every page counts as this entry's


def current(entries, endpoint, blueprint):
    """The one entry the page belongs to: the entry of its own endpoint, else the entry of its blueprint's section
    (ops's allocation page is Allocation, not also the ops home whose section holds it)."""
    for entry in entries:
        if entry.endpoint == endpoint:
            return entry
    return next((entry for entry in entries if blueprint is not None and blueprint in entry.sections), None)


HOME_LABELS = {
    "rep": _l("Today"), "manager": _l("Team"), "support": _l("Desk"),
    "ops": _l("Operations"), "admin": _l("Admin"),
}
# The blueprints of a role's own URLs besides its home's: a feature's pages under /<role>/... (a rep's weekly report,
# a manager's team reports, allocation console and targets sheet, ops's stage editor and allocation console) count as
# the home's, as the role's other pages do.
ROLE_SECTIONS = {"rep": ("rep_reports",), "manager": ("team_reports", "manager_allocation", "targets"),
                 "ops": ("stages", "ops_allocation")}

ENTRIES = (
    Entry(_l("Customers"), "customers.index", "customers", ("rep", "manager", "support", "ops", "admin"),
          sections=("customers",)),
    Entry(_l("Pipeline"), "pipeline.board", "pipeline", ("rep", "manager", "support", "ops", "admin"),
          sections=("pipeline",)),
    Entry(_l("Visits"), "visits.index", "visits", ("rep", "manager", "ops"), sections=("visits",)),
    Entry(_l("Collateral"), "collateral.index", "collateral", ("rep", "manager", "support", "ops", "admin"),
          sections=("collateral",)),
    Entry(_l("Quotes"), "quotes.index", "contract_template", ("support",)),
    Entry(_l("Products"), "quotes.product_list", "price_list", ("support",)),
    Entry(_l("Allocation"), "ops_allocation.console", "team", ("ops",)),
    Entry(_l("Budgets"), "expenses.budget_sheet", "chart", ("ops",)),
    Entry(_l("Settings"), "ops_settings.edit", "settings", ("ops",)),
    Entry(_l("Users"), "admin.users", "users", ("admin",)),
    Entry(_l("Teams"), "admin.teams", "team", ("admin",)),
    Entry(_l("Settings"), "admin_settings.edit", "settings", ("admin",)),
    Entry(_l("Audit log"), "audit.index", "audit", ("admin", "ops")),
)


def entries_for(user):
    return _entries_of(user.role)


@functools.cache
def _entries_of(role):
    """A role's entries, worked out once: every page asks (through the signed-in user's proxy, ~1 µs a look)."""
    # The role's own pages (a manager's targets and reports) count as its home: they are reached from there.
    home = Entry(HOME_LABELS[role], f"{role}.home", "home", (role,), sections=(role,) + ROLE_SECTIONS.get(role, ()))
    return (home,) + tuple(e for e in ENTRIES if role in e.roles)
