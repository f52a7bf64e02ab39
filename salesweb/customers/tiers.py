"""Customer tiers (A/B/C) from trailing-12-month won revenue, manual locks, and their history.

Revenue is read from the won deals: won_revenue(customer_ids, since, until) -> {customer_id: minor units}.
"""
import datetime

from peewee import fn

from ..core.db import db, is_sqlite, utcnow
from ..core.i18n import _l
from ..models import TIERS, Customer, Deal, Stage, TierChange
from ..core import audit, settings
from . import cadence
from ..core.errors import Invalid
from ..infra import rollups

LOCKERS = ("manager", "ops")


def won_revenue(customer_ids, since, until):
    """{customer id: won amount} for deals won in [since, until): the revenue the tier rule follows."""
    if not customer_ids:
        return {}
    rows = (Deal.select(Deal.customer, fn.SUM(Deal.amount)).join(Stage)
            .where((Stage.kind == "won") & (Deal.won_on >= since) & (Deal.won_on < until)
                   & Deal.customer.in_(list(customer_ids)))
            .group_by(Deal.customer).tuples())
    return {customer_id: int(total or 0) for customer_id, total in rows}


def has_revenue_source():
    """Whether won revenue is recorded anywhere yet (a deal has been won); without it the rule would demote every
    customer to C."""
    return Deal.select(Deal.id).join(Stage).where(Stage.kind == "won").exists()


def update_settings(changes, by, fallbacks=None, today=None):
    """Store settings as settings.update does (validated as a whole, each change audited), and in the same
    transaction have the customers follow them: due dates a new cadence, tiers new thresholds (once a deal has been
    won), the rollups a new time zone (their days). Returns what changed."""
    values, merged, changed = settings.prepare(changes, fallbacks)
    with db.atomic():
        settings.store(changed, values, by)
        if any(key.startswith("cadence_") for key in changed):
            cadence.refresh_all(merged)
        if any(key.startswith("tier_") for key in changed) and has_revenue_source():
            recompute_all(merged, today or utcnow().date())
        if "timezone" in changed:  # every day boundary moved: the rollups kept by day follow
            rollups.rebuild(merged)
    return changed


def recompute_all(values, today, batch=1000):
    """Apply the rule to every unlocked customer, in batches; returns (customers looked at, changes)."""
    ids = [cid for (cid,) in Customer.select(Customer.id).where(Customer.tier_locked == False).tuples()]  # noqa: E712
    changed = 0
    for start in range(0, len(ids), batch):
        changed += len(recompute(ids[start:start + batch], values, today))
    return len(ids), changed


def tier_for(revenue, values):
    """A from the A threshold (inclusive), B from the B threshold, else C."""
    if revenue >= values["tier_a_threshold"]:
        return "A"
    if revenue >= values["tier_b_threshold"]:
        return "B"
    return "C"


def window(today):
    """The trailing twelve months ending today: [since, until)."""
    until = today + datetime.timedelta(days=1)
    try:
        since = today.replace(year=today.year - 1) + datetime.timedelta(days=1)
    except ValueError:  # 29 February
        since = today.replace(year=today.year - 1, day=28) + datetime.timedelta(days=1)
    return since, until


def recompute(customer_ids, values, today, source=None):
    """Apply the rule to unlocked customers; record each change. Returns [(customer, old, new)]."""
    since, until = window(today)
    revenue = (source or won_revenue)(list(customer_ids), since, until)
    changes, keys = [], []
    with db.atomic():
        customers = Customer.select().where(Customer.id.in_(list(customer_ids)) & (Customer.tier_locked == False))  # noqa: E712
        customers = customers if is_sqlite() else customers.for_update()  # held as read till the tiers are written
        for customer in customers:
            amount = revenue.get(customer.id, 0)
            new = tier_for(amount, values)
            if new == customer.tier:
                continue
            old, old_due = customer.tier, customer.next_visit_due
            customer.tier = new
            cadence.refresh(customer, values)
            customer.updated_at = utcnow()
            customer.save(only=[Customer.tier, Customer.next_visit_due, Customer.updated_at])
            TierChange.create(customer=customer, old_tier=old, new_tier=new, reason="rule",
                              note=f"{amount / 100:,.2f}")
            changes.append((customer, old, new))
            keys.append((rollups.customer_key(customer, tier=old, due=old_due), rollups.customer_key(customer)))
        rollups.customers_changed(keys)
    return changes


def lock(customer, tier, reason, by, values):
    """Fix a customer's tier by hand (manager or ops), with a reason; the rule leaves it alone."""
    if by.role not in LOCKERS:
        raise Invalid({None: _l("Only managers and sales operations can lock a tier.")})
    errors = {}
    if tier not in TIERS:
        errors["tier"] = _l("Choose A, B or C.")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _l("Say why the tier is locked.")
    elif len(reason) > 300:
        errors["reason"] = _l("At most %(n)d characters.", n=300)
    if errors:
        raise Invalid(errors)
    with db.atomic():
        old, stored = customer.tier, rollups.stored_key(customer.id)
        customer.tier, customer.tier_locked, customer.tier_lock_reason = tier, True, reason
        cadence.refresh(customer, values)
        customer.updated_at = utcnow()
        customer.save()
        rollups.customers_changed([(stored, rollups.customer_key(customer))])
        TierChange.create(customer=customer, old_tier=old, new_tier=tier, reason="lock", note=reason, by=by)
        audit.record("edit", actor=by, obj=customer, summary=f"{customer.name}: tier {old} → {tier} locked")


def unlock(customer, by, values, today):
    """Hand the tier back to the rule, which applies at once."""
    if by.role not in LOCKERS:
        raise Invalid({None: _l("Only managers and sales operations can lock a tier.")})
    with db.atomic():
        customer.tier_locked, customer.tier_lock_reason = False, ""
        customer.save(only=[Customer.tier_locked, Customer.tier_lock_reason])
        TierChange.create(customer=customer, old_tier=customer.tier, new_tier=customer.tier, reason="unlock", by=by)
        audit.record("edit", actor=by, obj=customer, summary=f"{customer.name}: tier unlocked")
        recompute([customer.id], values, today)
    return Customer.get_by_id(customer.id)
