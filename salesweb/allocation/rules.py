"""Who covers which customers: bulk reassignment with a preview and an undo window, and the rep each region's new
customers go to. The console's reads (loads, the customers to choose from, recent reassignments, regions) are in
queries.py."""
import datetime

from peewee import JOIN, fn

from ..core.db import db, is_sqlite, utcnow
from ..core.i18n import _l
from ..models import Customer, Deal, PoolMove, Reallocation, ReallocationMove, Region, Stage, User
from ..core import audit, notifications
from ..customers import queries as customers
from ..core.errors import Invalid
from ..infra import rollups
from .queries import Load, customer_rows, open_deals, owners

MAX_MOVE = 5000  # customers in one reassignment: more is a migration, not a rebalance


def _check(user, customer_ids, to_owner, owner_ids=None):
    """The chosen customers as a query, after the refusals; `owner_ids`: who `user` may give customers to, when the
    caller already has them (saves a query)."""
    if not customer_ids:
        raise Invalid({"customer": _l("Choose at least one customer.")})
    if len(customer_ids) > MAX_MOVE:
        raise Invalid({"customer": _l("At most %(n)d customers at once.", n=MAX_MOVE)})
    if to_owner is None:
        raise Invalid({"owner": _l("Choose who takes them over.")})
    if not to_owner.active:
        raise Invalid({"owner": _l("%(name)s is deactivated; choose an active rep.", name=to_owner.name)})
    allowed = to_owner.id in owner_ids if owner_ids is not None else \
        owners(user).where(User.id == to_owner.id).exists()
    if not allowed:
        raise Invalid({"owner": _l("You cannot assign customers to %(name)s.", name=to_owner.name)})
    chosen = customers.scope(user).where(Customer.id.in_(customer_ids))
    if chosen.count() != len(set(customer_ids)):
        raise Invalid({"customer": _l("Some of the chosen customers are not yours to reassign.")})
    return chosen


def _moving(chosen, to_owner):
    """Those of the chosen customers that are not the new owner's already."""
    return chosen.where(Customer.owner.is_null(True) | (Customer.owner != to_owner.id))


def _going_along(customer_ids):
    """The open deals that go with moving customers: those held by the customer's own (current) owner. Anyone
    else's deal on the customer stays theirs, as does every won or lost deal."""
    return (open_deals().join(Customer, on=(Deal.customer == Customer.id))
            .where(Customer.id.in_(customer_ids) & (Deal.owner == Customer.owner)))


def changes(user, customer_ids, to_owner, move_deals, today, owners_in_view=None):
    """What giving the chosen customers to `to_owner` would move, after the refusals: the customers as
    (owner, tier, customers, overdue, due) and, with `move_deals`, the open deals going along as (owner, deals,
    pipeline). `owners_in_view`: queries.owners_in_view(user) (who may take them over) when the caller has them,
    else one query asks. Nothing is written."""
    chosen = _check(user, customer_ids, to_owner, owner_ids=None if owners_in_view is None else {
        x.owner_id for x in owners_in_view if x.active})
    moving = list(customer_rows(_moving(chosen, to_owner), today))
    deals = []
    if move_deals:
        deals = list(_going_along(_moving(chosen, to_owner).select(Customer.id))
                     .select(Deal.owner, fn.COUNT(Deal.id), fn.SUM(Deal.amount)).group_by(Deal.owner).tuples())
    return moving, deals


def affected(moving, deals, to_owner):
    """The ids of the owners whose load `changes` would change: those giving and the one taking."""
    return {row[0] for row in moving} | {row[0] for row in deals} | {to_owner.id}


def effect(moving, deals, to_owner, loads):
    """Each affected owner's load before and after: ([(before, after)], customers moving), the new owner last.
    `moving`, `deals`: as `changes` gives them; `loads`: {owner id: Load} with at least the affected owners in
    view."""
    before = {}

    def entry(owner_id):
        if owner_id not in before:
            base = loads.get(owner_id) or Load(owner_id, _owner_name(owner_id))
            before[owner_id] = (base, base.copy())
        return before[owner_id][1]

    target = entry(to_owner.id)
    for owner_id, tier, count, overdue, due in moving:
        source = entry(owner_id)
        source.tiers[tier] -= count
        source.overdue -= overdue or 0
        source.due -= due or 0
        target.tiers[tier] += count
        target.overdue += overdue or 0
        target.due += due or 0
    for owner_id, count, amount in deals:
        source = entry(owner_id)
        source.open_deals -= count
        source.pipeline -= int(amount or 0)
        target.open_deals += count
        target.pipeline += int(amount or 0)
    rows = [pair for owner_id, pair in before.items() if owner_id != to_owner.id]
    rows.sort(key=lambda pair: pair[0].name)
    return rows + [before[to_owner.id]], sum(row[2] for row in moving)


def preview(user, customer_ids, to_owner, move_deals, today, loads_in_view):
    """`changes` and their `effect` in one: `loads_in_view` is queries.loads(user, ...), every owner in view with
    their figures. Nothing is written."""
    moving, deals = changes(user, customer_ids, to_owner, move_deals, today, loads_in_view)
    return effect(moving, deals, to_owner, {x.owner_id: x for x in loads_in_view})


def _owner_name(owner_id):
    if owner_id is None:
        return str(_l("Customer pool"))
    return User.select(User.name).where(User.id == owner_id).scalar() or ""


def reassign(user, customer_ids, to_owner, move_deals=True, now=None):
    """Give the chosen customers (and, if asked, their open deals) to `to_owner` in one transaction; the
    reallocation is kept so it can be undone. Returns it (customers 0: nothing needed moving)."""
    now = now or utcnow()
    with db.atomic():
        chosen = _check(user, customer_ids, to_owner)
        moving = _moving(chosen, to_owner).select(Customer.id, Customer.owner, Customer.name, Customer.tier,
                                                  Customer.next_visit_due)
        # held as read till they are written (SQLite's write transaction holds the whole database): each customer
        # leaves the rows of the customers by due day it is counted in (`dues_changed_owner`)
        moving = list((moving if is_sqlite() else moving.for_update()).tuples())
        deals = []
        if move_deals and moving:
            deals = list(_going_along(_moving(chosen, to_owner).select(Customer.id))
                         .select(Deal.id, Deal.customer, Deal.owner).tuples())
        batch = Reallocation.create(by=user.id, to_owner=to_owner.id, customers=len(moving), deals=len(deals),
                                    created_at=now)
        if not moving:
            return batch
        for start in range(0, len(moving), 500):
            part = moving[start:start + 500]
            ReallocationMove.insert_many([{"reallocation": batch.id, "customer": cid, "from_owner": owner,
                                           "to_owner": to_owner.id} for cid, owner, *_rest in part]).execute()
            PoolMove.insert_many([{"customer": cid, "kind": "reassign", "from_owner": owner, "to_owner": to_owner.id,
                                   "by": user.id, "at": now} for cid, owner, *_rest in part]).execute()
            (Customer.update(owner=to_owner.id, claimed_at=None, updated_at=now, last_activity_at=now)
             .where(Customer.id.in_([c[0] for c in part])).execute())
        for start in range(0, len(deals), 500):
            part = deals[start:start + 500]
            ReallocationMove.insert_many([{"reallocation": batch.id, "customer": cid, "deal": did, "from_owner": owner,
                                           "to_owner": to_owner.id} for did, cid, owner in part]).execute()
            (Deal.update(owner=to_owner.id, updated_at=now, updated_by=user.id, version=Deal.version + 1)
             .where(Deal.id.in_([d[0] for d in part])).execute())
        rollups.deals_changed_owner({to_owner.id, *(owner for _d, _c, owner in deals)} if deals else ())
        rollups.recompute_customers({to_owner.id, *(owner for _c, owner, *_rest in moving)}, dues=False)
        rollups.dues_changed_owner([(owner, tier, due) for _c, owner, _n, tier, due in moving if due is not None],
                                   to_owner.id)
        audit.record("edit", actor=user, obj=batch,
                     summary=f"reassigned {len(moving)} customer(s) and {len(deals)} open deal(s) to {to_owner.name}")
        if to_owner.id != user.id:
            if len(moving) == 1:
                notifications.notify([to_owner], "customer_assigned", f"/customers/{moving[0][0]}", by=user.name,
                                     customer=moving[0][2])
            else:
                notifications.notify([to_owner], "customers_assigned", f"/customers?owner={to_owner.id}",
                                     by=user.name, count=len(moving))
    return batch


def undo_deadline(batch, settings_values):
    return batch.created_at + datetime.timedelta(hours=settings_values["reallocation_undo_hours"])


def may_undo(user, batch, settings_values, now=None):
    now = now or utcnow()
    return (batch.undone_at is None and batch.customers > 0 and now <= undo_deadline(batch, settings_values)
            and (user.role == "ops" or batch.by_id == user.id))


def undo(user, batch, settings_values, now=None):
    """Put back every customer and deal of the reallocation that still sits with its new owner (one moved on
    since, or whose former owner has left, stays). Returns (restored, kept)."""
    now = now or utcnow()
    if not may_undo(user, batch, settings_values, now):
        raise Invalid({None: _l("This reassignment can no longer be undone.")})
    with db.atomic():
        claimed = (Reallocation.update(undone_at=now, undone_by=user.id)
                   .where((Reallocation.id == batch.id) & Reallocation.undone_at.is_null(True)).execute())
        if not claimed:
            raise Invalid({None: _l("This reassignment has already been undone.")})
        former = User.alias()
        moves = list(ReallocationMove.select(ReallocationMove.customer, ReallocationMove.deal,
                                             ReallocationMove.from_owner)
                     .join(former, JOIN.LEFT_OUTER, on=(ReallocationMove.from_owner == former.id))
                     .where((ReallocationMove.reallocation == batch.id)
                            & (ReallocationMove.from_owner.is_null(True) | (former.active == True)))  # noqa: E712
                     .tuples())
        restored_ids = []
        for from_owner in {m[2] for m in moves if m[1] is None}:
            ids = [m[0] for m in moves if m[1] is None and m[2] == from_owner]
            for start in range(0, len(ids), 500):
                back = [cid for (cid,) in Customer.select(Customer.id)
                        .where(Customer.id.in_(ids[start:start + 500]) & (Customer.owner == batch.to_owner_id))
                        .tuples()]
                if back:
                    (Customer.update(owner=from_owner, updated_at=now, last_activity_at=now)
                     .where(Customer.id.in_(back)).execute())
                    PoolMove.insert_many([{"customer": cid, "kind": "reassign", "from_owner": batch.to_owner_id,
                                           "to_owner": from_owner, "by": user.id, "at": now} for cid in back]).execute()
                    restored_ids.extend(back)
        restored = len(restored_ids)
        back_with = set(restored_ids)  # a deal goes back only with its customer
        open_stages = Stage.select(Stage.id).where(Stage.kind == "open")
        for from_owner in {m[2] for m in moves if m[1] is not None}:
            deal_ids = [m[1] for m in moves if m[1] is not None and m[2] == from_owner and m[0] in back_with]
            for start in range(0, len(deal_ids), 500):
                (Deal.update(owner=from_owner, updated_at=now, updated_by=user.id, version=Deal.version + 1)
                 .where(Deal.id.in_(deal_ids[start:start + 500]) & (Deal.owner == batch.to_owner_id)
                        & Deal.stage.in_(open_stages)).execute())
        rollups.deals_changed_owner({batch.to_owner_id, *(m[2] for m in moves if m[1] is not None)})
        if restored:
            rollups.recompute_customers({batch.to_owner_id, *(m[2] for m in moves if m[1] is None)})
        kept = batch.customers - restored
        audit.record("edit", actor=user, obj=batch,
                     summary=f"reassignment undone: {restored} customer(s) back, {kept} kept")
    return restored, kept


def assign_region(user, name, rep, now=None):
    """Make `rep` (None: nobody) the rep new customers in region `name` go to."""
    name = " ".join((name or "").split())
    if not name or len(name) > 64:
        raise Invalid({"region": _l("Name the region (at most 64 characters).")})
    if rep is not None and (not rep.active or not owners(user).where(User.id == rep.id).exists()):
        raise Invalid({"rep": _l("Choose an active rep.")})
    now = now or utcnow()
    with db.atomic():
        (Region.insert(name=name, name_key=customers.region_key(name), rep=rep.id if rep else None, updated_at=now,
                       updated_by=user.id)
         .on_conflict(conflict_target=[Region.name_key],
                      update={Region.rep: rep.id if rep else None, Region.updated_at: now,
                              Region.updated_by: user.id})
         .execute())
        audit.record("edit", actor=user, object_type="region",
                     summary=f"region {name}: new customers go to {rep.name if rep else 'nobody'}")
