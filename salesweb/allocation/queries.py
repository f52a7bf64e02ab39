"""Reads of the allocation console: each owner's load and what stands out in it, the customers to choose from,
recent reassignments, and the regions with their reps.

The owners in view are one query; the console shows a page of them, and load figures are aggregate SQL over the
owners of that page: customers by tier (from the customer rollup), visits due within a week and overdue, open
pipeline, and done visits per week over the last four weeks against the weekly norm. What a load is compared with
(the mean of the reps in view) is one sum over all of them, from the customer rollup too."""
import datetime
from dataclasses import dataclass, field

from peewee import JOIN, SQL, Case, Select, fn

from ..core.access import scope_shape, visible, visible_kept
from ..core.db import db, in_query, kept_models, kept_rows, kept_statement, param, utcnow
from ..models import TIERS, Customer, CustomerCount, Deal, Reallocation, Region, Stage, Team, User, Visit
from ..models.rollups import ALL, OWN
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
               .where((CustomerCount.grp == OWN) & CustomerCount.owner.in_(owner_ids))
               .group_by(CustomerCount.owner, CustomerCount.tier))
    due = (Customer.select(Customer.owner, Customer.tier, SQL("0"),
                           fn.SUM(Case(None, [(Customer.next_visit_due < today, 1)], 0)),
                           fn.SUM(Case(None, [(Customer.next_visit_due >= today, 1)], 0)))
           .where(Customer.owner.in_(owner_ids) & Customer.tier.in_(TIERS) & (Customer.next_visit_due <= soon))
           .group_by(Customer.owner, Customer.tier))
    return (counted + due).tuples()


def open_deals():
    # By the stage ids, so the (owner, stage) index seeks each owner's open deals and skips the closed ones.
    return Deal.select().where(in_query(Deal.stage, Stage.select(Stage.id).where(Stage.kind == "open")))


def owners_in_view(user):
    """Every owner in view as a Load with no figures yet, by name: the reps and managers `user` may filter customers
    by (customers.owner_filter_choices: a manager their subtree), a leaver only while they still hold customers or
    open deals, so their book can be handed on. One query, however many customers they hold."""
    # kept: writing its SQL took longer than running it
    return [Load(u.id, u.name, u.team_name or "", u.active, role=u.role) for u in kept_rows(
        ("allocation owners", scope_shape(user.role)), lambda: _owners_in_view(user.role), user=user.id)]


def _owners_in_view(role):
    holds = (fn.EXISTS(Customer.select(Customer.id).where(Customer.owner == User.id))
             | fn.EXISTS(open_deals().select(Deal.id).where(Deal.owner == User.id)))
    return (visible_kept(User.select(User.id, User.name, User.role, User.active, Team.name.alias("team_name")), role,
                         User.id)
            .join(Team, JOIN.LEFT_OUTER, on=(User.team == Team.id))
            .where(User.role.in_(customers.OWNER_ROLES) & ((User.active == True) | holds))  # noqa: E712
            .order_by(User.name))


@dataclass
class OwnersPage:
    """The owners the console shows, read by `owners_page`: `items` the load table's page of them (Loads without
    figures yet), `total` how many are in view, `also` {id: Load} of the asked-for ids found in view, `everyone`
    every owner in view when at most `listed` (else None: a field naming one is a picker), `assignable` likewise
    the active ones (who may be given customers), and `mean` the reps' mean (reps_mean)."""
    items: list
    total: int
    also: dict
    everyone: list | None
    assignable: list | None
    mean: float


def owners_page(user, offset, limit, listed, also=()):
    """A page of the owners in view (owners_in_view, by name) in one statement, however many there are: the
    page's rows, the rows of the owner ids `also`, and every row while there are at most `listed` (every active
    one while they are at most `listed`); each row carries how many owners are in view, how many are active and
    how many are active reps, and the customers of the active reps in view (from the customer rollup)."""
    also = sorted({i for i in also if i is not None})
    # kept per number of ids asked for: writing it took longer than running it
    rows = kept_rows(("allocation owners page", scope_shape(user.role), len(also)),
                     lambda: _owners_page(user.role, len(also)), user=user.id, offset=offset, end=offset + limit,
                     listed=listed, **{f"also{i}": owner_id for i, owner_id in enumerate(also)})
    if not rows:
        return OwnersPage([], 0, {}, [], [], 0)
    first = rows[0]

    def load(row):
        return Load(row.id, row.name, row.team_name or "", bool(row.active), role=row.role)

    loads = [(row, load(row)) for row in rows]
    return OwnersPage(
        items=[x for row, x in loads if offset <= row.position < offset + limit], total=first.total,
        also={x.owner_id: x for row, x in loads if x.owner_id in also},
        everyone=[x for _row, x in loads] if first.total <= listed else None,
        assignable=[x for _row, x in loads if x.active] if first.actives <= listed else None,
        mean=first.held / first.reps if first.reps > 1 else 0)


def _owners_page(role, also):
    active = User.active == True  # noqa: E712
    inner = _owners_in_view(role).select_extend(
        (fn.ROW_NUMBER().over(order_by=[User.name, User.id]) - 1).alias("position"),
        fn.COUNT(User.id).over().alias("total"),
        fn.SUM(Case(None, [(active, 1)], 0)).over().alias("actives"),
        fn.SUM(Case(None, [(active & (User.role == "rep"), 1)], 0)).over().alias("reps")).order_by()
    inview = inner.alias("inview")
    wanted = (((inview.c.position >= param("offset")) & (inview.c.position < param("end")))
              | (inview.c.total <= param("listed")) | ((inview.c.actives <= param("listed")) & inview.c.active))
    if also:
        wanted |= inview.c.id.in_([param(f"also{i}") for i in range(also)])
    columns = [getattr(inview.c, name).alias(name) for name in (
        "id", "name", "role", "active", "team_name", "position", "total", "actives", "reps")]
    columns.append(fn.COALESCE(_reps_customers(role), 0).alias("held"))
    # bound to the database, as a model's query is, so that it is written in the engine's own SQL
    return Select((inview,), columns).where(wanted).order_by(inview.c.position).bind(db)


def fill(owners, today, now=None):
    """The loads of `owners` (Loads as owners_in_view gives them), in their order, with their figures: two grouped
    queries over these owners alone, the customers' and the open deals' with the done visits'."""
    now = now or utcnow()
    found = {x.owner_id: Load(x.owner_id, x.name, x.team, x.active, role=x.role) for x in owners}
    if not found:
        return []
    ids = list(found)
    _tally(_owned_rows(ids, today), found)
    # kept per number of owners: writing it took longer than running it for a page of them
    figures = kept_statement(("allocation deals and visits", len(ids)), lambda: _deals_and_visits(len(ids)),
                             since=now - datetime.timedelta(weeks=RATE_WEEKS),
                             **{f"owner{i}": owner_id for i, owner_id in enumerate(ids)})
    for owner_id, visited, count, amount in db.execute_sql(*figures).fetchall():
        if visited:
            found[owner_id].visits = count
        else:
            found[owner_id].open_deals, found[owner_id].pipeline = count, int(amount or 0)
    return list(found.values())


def _deals_and_visits(count):
    """Per owner among the params owner0 ... owner<count - 1>: their open deals as (owner, 0, deals, amount), then
    their done visits since the param "since" as (owner, 1, visits, 0)."""
    owners = [param(f"owner{i}") for i in range(count)]
    deals = (open_deals().select(Deal.owner, SQL("0"), fn.COUNT(Deal.id), fn.SUM(Deal.amount))
             .where(Deal.owner.in_(owners)).group_by(Deal.owner))
    visits = (Visit.select(Visit.rep, SQL("1"), fn.COUNT(Visit.id), SQL("0"))
              .where(Visit.rep.in_(owners) & (Visit.status == "done") & (Visit.occurred_at >= param("since")))
              .group_by(Visit.rep))
    return deals + visits


def loads(user, today, now=None):
    """Every owner in view with their load, by name (owners_in_view, filled)."""
    return fill(owners_in_view(user), today, now)


def reps_mean(user, owners):
    """The mean number of customers of the active reps among `owners` (everyone in view): what a load is heavy or
    light against, 0 when there are fewer than two reps (nobody to compare with). One sum over their rows of the
    customer rollup."""
    reps = sum(1 for x in owners if x.active and x.role == "rep")
    # kept, as are the owners
    held = kept_rows(("allocation reps' customers", scope_shape(user.role)), lambda: _reps_customers(user.role),
                     user=user.id)[0].held
    return held / reps if reps > 1 else 0


def _reps_customers(role):
    reps = visible_kept(User.select(User.id), role, User.id).where(
        (User.role == "rep") & (User.active == True))  # noqa: E712
    return (CustomerCount.select(fn.COALESCE(fn.SUM(CustomerCount.customers), 0).alias("held"))
            .where((CustomerCount.grp == OWN) & in_query(CustomerCount.owner, reps)))


def flags(loads, settings_values, mean=None):
    """{owner id: what stands out} for each load among the active ones: heavy or light, behind on visits, below the
    visit norm, or gone (a leaver still holding customers). Reps are compared with reps: the mean is the active
    reps' (managers hold customers only now and then), and only a rep is light or held to the visit norm. `mean`:
    reps_mean over everyone in view, when `loads` are only some of them; else the mean of the reps in `loads`."""
    if mean is None:
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


OWNER = User.alias("owner_user")  # a customer's owner, named in the customers to choose from


def selection_page(user, criteria, today, limit):
    """The first `limit` customers of `selection` by tier and name, as (id, name, tier, region, next visit due,
    owner id, owner name), and how many match in all."""
    query = selection(user, criteria, today)
    rows = list(query.select(Customer.id, Customer.name, Customer.tier, Customer.region, Customer.next_visit_due,
                             Customer.owner, OWNER.name)
                .join_from(Customer, OWNER, JOIN.LEFT_OUTER, on=(Customer.owner == OWNER.id))
                .order_by(Customer.tier, Customer.name_key).limit(limit).tuples())
    return rows, lambda: query.select(fn.COUNT(Customer.id)).scalar()


BY, TO = User.alias("by_user"), User.alias("to_user")  # who made a reallocation, and whom it gave customers


def recent(user, now=None, days=7):
    """Reallocations of the last week that `user` made (ops: anyone's), newest first, with names."""
    # kept, as are the owners
    return kept_models(Reallocation, ("allocation recent", user.role == "ops"), lambda: _recent(user.role == "ops"),
                       since=(now or utcnow()) - datetime.timedelta(days=days), user=user.id)


def _recent(anyones):
    query = (Reallocation.select(Reallocation, BY.name.alias("by_name"), TO.name.alias("to_name"))
             .join(BY, JOIN.LEFT_OUTER, on=(Reallocation.by == BY.id))
             .join(TO, JOIN.LEFT_OUTER, on=(Reallocation.to_owner == TO.id), src=Reallocation)
             .where(Reallocation.created_at >= param("since")))
    if not anyones:
        query = query.where(Reallocation.by == param("user"))
    return query.order_by(Reallocation.created_at.desc(), Reallocation.id.desc()).limit(20)


def batch_or_none(user, batch_id):
    query = Reallocation.select().where(Reallocation.id == batch_id)
    if user.role != "ops":
        query = query.where(Reallocation.by == user.id)
    return query.first()


# Regions ---------------------------------------------------------------------------------------------------------

def regions():
    """Every region in use by customers or given a rep, by name: (name, customers, rep id, rep name). Customers are
    summed per spelling from the customer rollup, then spellings that differ only in case are one region, named by
    its commonest spelling (the first in code-point order on a tie, whatever order the database grouped them in)."""
    found, best = {}, {}
    for name, count in (CustomerCount.select(CustomerCount.region, fn.SUM(CustomerCount.customers))
                        .where((CustomerCount.grp == ALL) & (CustomerCount.region != ""))
                        .group_by(CustomerCount.region).tuples()):
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


SPELLING = Customer.alias()  # the customers a step of the walk over the region index looks at


def _spellings_and_regions():
    """Each spelling of a region customers carry (named "name", with used 1), then each region given a rep
    (used 0). The spellings come from a walk along the region index, one seek from each spelling to the next (a
    recursive CTE), so they cost as many seeks as there are spellings, not a read of every customer."""
    walk = (Customer.select(fn.MIN(Customer.region).alias("region")).where(Customer.region > "")
            .cte("spelling", recursive=True, columns=("region",)))
    following = SPELLING.select(fn.MIN(SPELLING.region)).where(SPELLING.region > walk.c.region)
    walk = walk.union_all(Select((walk,), (following,)).where(walk.c.region.is_null(False)))
    spellings = Select((walk,), (walk.c.region.alias("name"), SQL("1").alias("used"))).where(
        walk.c.region.is_null(False))
    # bound to the database, as a model's query is, so that it is written in the engine's own SQL
    return (spellings + Region.select(Region.name.alias("name"), SQL("0").alias("used"))).with_cte(walk).bind(db)


def region_names():
    """The names of `regions`, by name, without counting every customer: spellings that differ only in case are
    one region, named by its commonest spelling (the first in code-point order on a tie), which only such
    spellings are counted for."""
    spellings, given = {}, {}
    # kept: nothing in its SQL changes, and writing it took longer than the walk
    for name, used in db.execute_sql(*kept_statement(("region spellings",), _spellings_and_regions)).fetchall():
        if used:
            spellings.setdefault(customers.region_key(name), []).append(name)
        else:
            given.setdefault(customers.region_key(name), name)
    varied = [name for names in spellings.values() if len(names) > 1 for name in names]
    counts = dict(Customer.select(Customer.region, fn.COUNT(Customer.id)).where(Customer.region.in_(varied))
                  .group_by(Customer.region).tuples()) if varied else {}
    named = {key: min(names, key=lambda name: (-counts.get(name, 0), name)) for key, names in spellings.items()}
    for key, name in given.items():
        named.setdefault(key, name)
    return sorted(named.values(), key=str.casefold)
