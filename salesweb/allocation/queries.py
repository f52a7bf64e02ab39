"""Reads of the allocation console: each owner's load and what stands out in it, the customers to choose from,
recent reassignments, and the regions with their reps.

Load figures are aggregate SQL over the owners in view: customers by tier (from the customer rollup), visits due
within a week and overdue, open pipeline, and done visits per week over the last four weeks against the weekly
norm."""
import datetime
from dataclasses import dataclass, field

from peewee import JOIN, SQL, Case, fn

from ..core.access import visible
from ..core.db import in_query, utcnow
from ..models import TIERS, Customer, CustomerCount, Deal, Reallocation, Region, Stage, Team, User, Visit
from ..customers import queries as customers

RATE_WEEKS = 4
DUE_DAYS = 7
HEAVY, LIGHT = 1.25, 0.75  # a load this far above or below the mean of the reps in view stands out


@dataclass
class Load:
    owner_id: int | None
    name: str = ""
    team: str = ""
    active: bool = True
    tiers: dict = field(default_factory=lambda: {"A": 0, "B": 0, "C": 0})
    overdue: int = 0
    due: int = 0
    open_deals: int = 0
    pipeline: int = 0  # minor units
    visits: int = 0  # done in the last RATE_WEEKS weeks
    role: str = "rep"

    @property
    def customers(self):
        return sum(self.tiers.values())

    @property
    def weekly_rate(self):
        return self.visits / RATE_WEEKS

    def copy(self):
        return Load(self.owner_id, self.name, self.team, self.active, dict(self.tiers), self.overdue, self.due,
                    self.open_deals, self.pipeline, self.visits, self.role)


def owners(user):
    """The active reps and managers `user` may give customers to (a manager: their subtree)."""
    return customers.assignable_owners(user)


def _tally(rows, loads):
    for owner_id, tier, count, overdue, due in rows:
        load = loads.get(owner_id)
        if load is not None:
            load.tiers[tier] = load.tiers.get(tier, 0) + count
            load.overdue += overdue or 0
            load.due += due or 0


def customer_rows(query, today):
    """(owner, tier, customers, overdue, due within a week) for the customers of `query`."""
    soon = today + datetime.timedelta(days=DUE_DAYS - 1)
    return (query.select(Customer.owner, Customer.tier, fn.COUNT(Customer.id),
                         fn.SUM(Case(None, [(Customer.next_visit_due < today, 1)], 0)),
                         fn.SUM(Case(None, [(Customer.next_visit_due.between(today, soon), 1)], 0)))
            .group_by(Customer.owner, Customer.tier).tuples())


def _owned_rows(owner_ids, today):
    """`customer_rows` for every customer of these owners, in one statement: the customers from the rollup, the
    overdue and due from only the customers due within the week (naming every tier lets the owner, tier and
    next visit index find them)."""
    soon = today + datetime.timedelta(days=DUE_DAYS - 1)
    counted = (CustomerCount.select(CustomerCount.owner, CustomerCount.tier, fn.SUM(CustomerCount.customers),
                                    SQL("0"), SQL("0"))
               .where(CustomerCount.owner.in_(owner_ids)).group_by(CustomerCount.owner, CustomerCount.tier))
    due = (Customer.select(Customer.owner, Customer.tier, SQL("0"),
                           fn.SUM(Case(None, [(Customer.next_visit_due < today, 1)], 0)),
                           fn.SUM(Case(None, [(Customer.next_visit_due >= today, 1)], 0)))
           .where(Customer.owner.in_(owner_ids) & Customer.tier.in_(TIERS) & (Customer.next_visit_due <= soon))
           .group_by(Customer.owner, Customer.tier))
    return (counted + due).tuples()


def open_deals():
    # By the stage ids, so the (owner, stage) index seeks each owner's open deals and skips the closed ones.
    return Deal.select().where(in_query(Deal.stage, Stage.select(Stage.id).where(Stage.kind == "open")))


def loads(user, today, now=None):
    """Every owner in view with their load, by name: the owners' query and three grouped ones. Leavers are listed
    while they still hold customers or open deals, so their book can be handed on."""
    now = now or utcnow()
    rows = (customers.owner_filter_choices(user).select_extend(Team.name.alias("team_name"))
            .join(Team, JOIN.LEFT_OUTER, on=(User.team == Team.id)).order_by(User.name).objects())
    found = {u.id: Load(u.id, u.name, u.team_name or "", u.active, role=u.role) for u in rows}
    if not found:
        return []
    ids = list(found)
    _tally(_owned_rows(ids, today), found)
    for owner_id, count, amount in (open_deals().select(Deal.owner, fn.COUNT(Deal.id), fn.SUM(Deal.amount))
                                    .where(Deal.owner.in_(ids)).group_by(Deal.owner).tuples()):
        found[owner_id].open_deals, found[owner_id].pipeline = count, int(amount or 0)
    since = now - datetime.timedelta(weeks=RATE_WEEKS)
    for rep_id, count in (Visit.select(Visit.rep, fn.COUNT(Visit.id))
                          .where(Visit.rep.in_(ids) & (Visit.status == "done") & (Visit.occurred_at >= since))
                          .group_by(Visit.rep).tuples()):
        found[rep_id].visits = count
    return [x for x in found.values() if x.active or x.customers or x.open_deals]


def flags(loads, settings_values):
    """{owner id: what stands out} for each load among the active ones: heavy or light, behind on visits, below the
    visit norm, or gone (a leaver still holding customers). Reps are compared with reps: the mean is the active
    reps' (managers hold customers only now and then), and only a rep is light or held to the visit norm."""
    reps = [x for x in loads if x.active and x.role == "rep"]
    mean = sum(x.customers for x in reps) / len(reps) if len(reps) > 1 else 0
    return {x.owner_id: _flags(x, mean, settings_values) for x in loads}


def _flags(load, mean, settings_values):
    if not load.active:
        return ["left"]
    out = []
    if mean:
        if load.customers > mean * HEAVY:
            out.append("heavy")
        elif load.customers < mean * LIGHT and load.role == "rep":
            out.append("light")
    if load.customers and load.overdue * 4 > load.customers:
        out.append("behind")  # more than a quarter of their customers overdue
    if load.role == "rep" and load.weekly_rate < settings_values["weekly_visit_norm_min"]:
        out.append("below_norm")
    return out


def selection(user, criteria, today):
    """Customers `user` may reassign, narrowed by the list's own filters and scope rule (owner, region, tier,
    overdue, text); a region here is every spelling of it, whatever the case."""
    query = customers.narrowed(visible(Customer.select(), user, Customer.owner), {**criteria, "region": ""}, today)
    region = (criteria.get("region") or "").lower()
    if region:
        query = query.where(fn.LOWER(Customer.region) == region)
    if criteria.get("tier") in ("A", "B", "C"):
        query = query.where(Customer.tier == criteria["tier"])
    return query


def selection_page(user, criteria, today, limit):
    """The first `limit` customers of `selection` by tier and name, as (id, name, tier, region, next visit due,
    owner id), and how many match in all."""
    query = selection(user, criteria, today)
    rows = list(query.select(Customer.id, Customer.name, Customer.tier, Customer.region, Customer.next_visit_due,
                             Customer.owner).order_by(Customer.tier, Customer.name_key).limit(limit).tuples())
    return rows, lambda: query.select(fn.COUNT(Customer.id)).scalar()


def recent(user, now=None, days=7):
    """Reallocations of the last week that `user` made (ops: anyone's), newest first, with names."""
    by, to = User.alias(), User.alias()
    query = (Reallocation.select(Reallocation, by.name.alias("by_name"), to.name.alias("to_name"))
             .join(by, JOIN.LEFT_OUTER, on=(Reallocation.by == by.id))
             .join(to, JOIN.LEFT_OUTER, on=(Reallocation.to_owner == to.id), src=Reallocation)
             .where(Reallocation.created_at >= (now or utcnow()) - datetime.timedelta(days=days)))
    if user.role != "ops":
        query = query.where(Reallocation.by == user.id)
    return list(query.order_by(Reallocation.created_at.desc(), Reallocation.id.desc()).limit(20).objects())


def batch_or_none(user, batch_id):
    query = Reallocation.select().where(Reallocation.id == batch_id)
    if user.role != "ops":
        query = query.where(Reallocation.by == user.id)
    return query.first()


# Regions ---------------------------------------------------------------------------------------------------------

def regions():
    """Every region in use by customers or given a rep, by name: (name, customers, rep id, rep name). Customers are
    counted per spelling on the region index, then spellings that differ only in case are one region, named by its
    commonest spelling (the first in code-point order on a tie, whatever order the database grouped them in)."""
    found, best = {}, {}
    for name, count in (Customer.select(Customer.region, fn.COUNT(Customer.id)).where(Customer.region != "")
                        .group_by(Customer.region).tuples()):
        key = customers.region_key(name)
        row = found.setdefault(key, [name, 0, None, ""])
        row[1] += count
        if (-count, name) < best.get(key, (1, "")):
            best[key], row[0] = (-count, name), name
    rep = User.alias()
    for name, key, rep_id, rep_name in (Region.select(Region.name, Region.name_key, Region.rep, rep.name)
                                        .join(rep, JOIN.LEFT_OUTER, on=(Region.rep == rep.id)).tuples()):
        row = found.setdefault(key, [name, 0, None, ""])
        row[2], row[3] = rep_id, rep_name or ""
    return sorted((tuple(row) for row in found.values()), key=lambda row: row[0].casefold())
