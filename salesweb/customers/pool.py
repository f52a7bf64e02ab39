"""The customer pool (公海): unowned customers that reps claim, release, and that inactivity returns."""
import datetime

from peewee import fn

from ..core.db import db, is_sqlite, kept_row, kept_rows, param, utcnow
from ..core.i18n import _l, lazy_ngettext
from ..models import Customer, CustomerCount, PoolMove, User
from ..models.rollups import OWN
from ..core import audit, notifications
from ..core.errors import Invalid
from ..infra import rollups

CLAIMERS = ("rep", "manager")
POOL = 0  # the pool's owner in the rollups, which hold no NULL key (infra.rollups)


def pool():
    return Customer.select().where(Customer.owner.is_null())


def listed(offset, limit):
    """A page of the pool as its list shows it: id, name, region, industry, tier, by name: the first entries of the
    index of the unowned customers by name (models.customers), however many the pool holds."""
    # kept: writing it took each view of the pool 0.2 ms
    return kept_rows("pool-page", lambda: (
        pool().select(Customer.id, Customer.name, Customer.region, Customer.industry, Customer.tier)
        .order_by(Customer.name_key).limit(param("limit")).offset(param("offset"))), limit=limit, offset=offset)


def size():
    """How many customers are in the pool: the pool's own rows of the customer rollup (owner 0), a row per tier,
    status and region it holds, not a row per customer."""
    # kept: writing the sum took each view of the pool 0.2 ms
    return kept_row("pool-size", lambda: CustomerCount.select(fn.COALESCE(fn.SUM(CustomerCount.customers), 0).alias(
        "n")).where((CustomerCount.grp == OWN) & (CustomerCount.owner == POOL))).n


def held_from_pool(user):
    """How many customers `user` holds that they claimed from the pool."""
    # kept: writing the count took each view of the pool 0.1 ms
    return kept_row("pool-held", lambda: (
        Customer.select(fn.COUNT(Customer.id).alias("n"))
        .where((Customer.owner == param("user")) & Customer.claimed_at.is_null(False))), user=user.id).n


def claim(customer, user, values, now=None):
    """Take an unowned customer, within the per-rep limit; the first of two claims wins."""
    if user.role not in CLAIMERS:
        raise Invalid({None: _l("Only reps and managers claim customers from the pool.")})
    now = now or utcnow()
    with db.atomic():
        if not is_sqlite():  # SQLite's BEGIN IMMEDIATE already serialises; PostgreSQL locks the claimer
            User.select(User.id).where(User.id == user.id).for_update().execute()
        if held_from_pool(user) >= values["pool_claim_limit"]:
            raise Invalid({None: lazy_ngettext("You already hold %(num)d customer from the pool; release it first.",
                                               "You already hold %(num)d customers from the pool; release one first.",
                                               values["pool_claim_limit"])})
        taken = (Customer.update(owner=user, claimed_at=now, last_activity_at=now, updated_at=now)
                 .where((Customer.id == customer.id) & Customer.owner.is_null()).execute())
        if not taken:
            raise Invalid({None: _l("Someone else has just claimed this customer.")})
        stored = rollups.stored_key(customer.id)  # the tier, status and region as they are now
        rollups.customers_changed([((0, *stored[1:]), (user.id, *stored[1:]))])
        PoolMove.create(customer=customer, kind="claim", to_owner=user, by=user, at=now)
        audit.record("edit", actor=user, obj=customer, summary=f"{customer.name}: claimed from the pool")


def release(customer, user, now=None):
    """Give a customer back to the pool."""
    if customer.owner_id is None:
        raise Invalid({None: _l("This customer is already in the pool.")})
    now = now or utcnow()
    with db.atomic():
        stored = rollups.stored_key(customer.id)
        PoolMove.create(customer=customer, kind="release", from_owner=customer.owner_id, by=user, at=now)
        (Customer.update(owner=None, claimed_at=None, updated_at=now)
         .where(Customer.id == customer.id).execute())
        rollups.customers_changed([(stored, (0, *stored[1:]))])
        audit.record("edit", actor=user, obj=customer, summary=f"{customer.name}: released to the pool")


def recycle(values, now=None):
    """Return to the pool every owned customer with no activity for pool_recycle_days; returns the count."""
    now = now or utcnow()
    cutoff = now - datetime.timedelta(days=values["pool_recycle_days"])
    with db.atomic():
        stale = list(Customer.select(Customer.id, Customer.owner)
                     .where(Customer.owner.is_null(False) & (Customer.last_activity_at < cutoff)).tuples())
        for batch in range(0, len(stale), 500):
            chunk = stale[batch:batch + 500]
            PoolMove.insert_many([{"customer": cid, "kind": "recycle", "from_owner": owner, "at": now}
                                  for cid, owner in chunk]).execute()
            (Customer.update(owner=None, claimed_at=None, updated_at=now)
             .where(Customer.id.in_([cid for cid, _ in chunk])).execute())
        if stale:
            rollups.recompute_customers({owner for _cid, owner in stale} | {None})
            audit.record("edit", object_type="customer",
                         summary=f"recycled {len(stale)} customer(s) idle since {cutoff:%Y-%m-%d}")
    return len(stale)


def revert(move, by, now=None):
    """Undo a recycle: the customer goes back to its owner if still unowned and the owner still active."""
    if move.kind != "recycle" or move.reverted_at is not None:
        raise Invalid({None: _l("Only a recycle that has not been undone can be undone.")})
    owner = User.get_or_none(User.id == move.from_owner_id)
    if owner is None or not owner.active:
        raise Invalid({None: _l("The previous owner is no longer active.")})
    now = now or utcnow()
    with db.atomic():
        restored = list(Customer.update(owner=owner, last_activity_at=now, updated_at=now)
                        .where((Customer.id == move.customer_id) & Customer.owner.is_null())
                        .returning(Customer.owner, Customer.tier, Customer.status, Customer.region,
                                   Customer.created_at, Customer.next_visit_due).execute())
        if not restored:
            raise Invalid({None: _l("The customer has a new owner since; nothing to undo.")})
        # the values as the update found them: this write has not read the customer
        rollups.customers_changed([(rollups.customer_key(restored[0], owner_id=None),
                                    rollups.customer_key(restored[0]))])
        (PoolMove.update(reverted_at=now, reverted_by=by).where(PoolMove.id == move.id).execute())
        audit.record("edit", actor=by, object_type="customer", object_id=move.customer_id,
                     summary=f"recycle undone: back to {owner.name}")
        if by is not None and by.id != owner.id:
            name = Customer.select(Customer.name).where(Customer.id == move.customer_id).scalar()
            notifications.notify([owner], "customer_assigned", f"/customers/{move.customer_id}", by=by.name,
                                 customer=name)
