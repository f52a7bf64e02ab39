"""Writes and checks on customers and contacts: creating (one or many) and editing them, who may own them, notes,
a location set by hand, and the status a won deal gives. The reads are in queries.py."""
import math

from ..core.db import db, is_sqlite, utcnow
from ..core.i18n import _l
from ..models import SOURCES, STATUSES, Contact, Customer, CustomerNote, PoolMove, TierChange, User
from ..core import audit, notifications
from . import cadence
from ..core.errors import Invalid
from ..infra import rollups
from .queries import assignable_owners, normalise_name


def may_use_pool_owner(user):
    """Support, ops and admin may leave a customer unowned (in the pool)."""
    return user.role in ("support", "ops", "admin")


def _check_owner(owner, by):
    if owner is None:
        if not may_use_pool_owner(by):
            raise Invalid({"owner": _l("Choose an owner.")})
        return
    if not assignable_owners(by).where(User.id == owner.id).exists():
        raise Invalid({"owner": _l("You cannot assign customers to %(name)s.", name=owner.name)})


FIELDS = ("name", "industry", "region", "address", "phone", "website", "source", "status", "notes")


def _clean(values):
    data = {k: (values.get(k) or "").strip() for k in FIELDS}
    errors = {}
    if not data["name"]:
        errors["name"] = _l("This field is required.")
    if data["source"] not in SOURCES:
        errors["source"] = _l("Choose one of the listed values.")
    if data["status"] not in STATUSES:
        errors["status"] = _l("Choose one of the listed values.")
    if errors:
        raise Invalid(errors)
    return data


def create(values, owner, by, settings_values, tier="C", tier_reason="created", now=None):
    """A new customer owned by `owner` (None: the pool), starting at `tier` with its history."""
    data = _clean(values)
    _check_owner(owner, by)
    now = now or utcnow()
    with db.atomic():
        customer = Customer(**data, name_key=normalise_name(data["name"]), owner=owner, tier=tier,
                            created_by=by, created_at=now, updated_at=now, last_activity_at=now)
        cadence.refresh(customer, settings_values)
        customer.save()
        rollups.customers_changed([(None, rollups.customer_key(customer))])
        TierChange.create(customer=customer, old_tier=None, new_tier=tier, reason=tier_reason, by=by, at=now)
        audit.record("create", actor=by, obj=customer, summary=customer.name)
        _tell_new_owner([customer], owner, by)
    return customer


def create_many(items, by, settings_values, tier_reason="import", now=None):
    """Create many customers with their contacts in a handful of queries per batch.

    items: dicts with "values", "owner" (a user the caller has already checked `by` may assign, or
    None), "tier", "contacts" (a list of contact values, the first one primary) and optionally
    "created_at", "last_visit_at", "lat" and "lon" (for data brought over from elsewhere). Returns how many were created.
    """
    now = now or utcnow()
    by_id = getattr(by, "id", None)
    with db.atomic():
        for start in range(0, len(items), 500):
            batch = items[start:start + 500]
            rows, keys = [], []
            for item in batch:
                data = _clean(item["values"])
                created = item.get("created_at") or now
                customer = Customer(**data, name_key=normalise_name(data["name"]), owner=item["owner"],
                                    tier=item["tier"], created_by=by_id, created_at=created, updated_at=created,
                                    last_activity_at=item.get("last_visit_at") or created,
                                    last_visit_at=item.get("last_visit_at"), lat=item.get("lat"), lon=item.get("lon"))
                cadence.refresh(customer, settings_values)
                rows.append(dict(customer.__data__))  # raw column values: no related row is loaded
                keys.append((None, rollups.customer_key(customer)))
            ids = [row[0] for row in Customer.insert_many(rows).returning(Customer.id).tuples()]
            rollups.customers_changed(keys)
            TierChange.insert_many([{"customer": cid, "old_tier": None, "new_tier": item["tier"],
                                     "reason": tier_reason, "by": by_id, "at": item.get("created_at") or now}
                                    for cid, item in zip(ids, batch)]).execute()
            contacts = [{"customer": cid, **{k: (contact.get(k) or "").strip() for k in CONTACT_FIELDS},
                         "is_primary": n == 0, "created_at": item.get("created_at") or now}
                        for cid, item in zip(ids, batch)
                        for n, contact in enumerate(c for c in item["contacts"] if (c.get("name") or "").strip())]
            for first in range(0, len(contacts), 500):
                Contact.insert_many(contacts[first:first + 500]).execute()
    return len(items)


def update(customer, values, owner, by):
    data = _clean(values)
    if owner != customer.owner:
        _check_owner(owner, by)
    with db.atomic():
        counted = rollups.stored_key(customer.id)
        changed = [k for k, v in data.items() if getattr(customer, k) != v]
        for key, value in data.items():
            setattr(customer, key, value)
        customer.name_key = normalise_name(data["name"])
        if (owner.id if owner else None) != customer.owner_id:
            PoolMove.create(customer=customer, kind="reassign", from_owner=customer.owner_id,
                            to_owner=owner, by=by)
            customer.owner, customer.claimed_at = owner, None
            customer.last_activity_at = utcnow()  # a new owner gets the full idle period before recycling
            changed.append("owner")
        customer.updated_at = utcnow()
        customer.save()
        rollups.customers_changed([(counted, rollups.customer_key(customer))])
        rollups.source_changed(customer.id, counted.source, customer.source)  # its won and lost deals move with it
        audit.record("edit", actor=by, obj=customer, summary=f"{customer.name}: {', '.join(changed) or '-'}")
        if "owner" in changed:
            _tell_new_owner([customer], owner, by)
    return customer


WON_OVER = ("lead", "prospect", "dormant")  # the statuses a won deal turns into "customer"


def won_over(customer_id, by, deal_title, now=None):
    """A deal won: a lead or prospect has become a customer, and a dormant one is a customer again. Recorded
    like any other status change; returns the status it had, or None when it was a customer already."""
    with db.atomic():
        query = (Customer.select(Customer.id, Customer.name, Customer.owner, Customer.tier, Customer.status,
                                 Customer.region)
                 .where((Customer.id == customer_id) & Customer.status.in_(WON_OVER)))
        customer = (query if is_sqlite() else query.for_update()).first()  # as stored, held till the write is done
        if customer is None:
            return None
        Customer.update(status="customer", updated_at=now or utcnow()).where(Customer.id == customer.id).execute()
        rollups.customers_changed([(rollups.customer_key(customer), rollups.customer_key(customer, status="customer"))])
        audit.record("edit", actor=by, obj=customer,
                     summary=f"{customer.name}: status {customer.status} → customer ({deal_title} won)")
    return customer.status


def _tell_new_owner(moved, owner, by):
    """The new owner hears of customers someone else gave them: one by one, or several at once as a count."""
    if owner is None or by is None or owner.id == by.id or not moved:
        return
    if len(moved) == 1:
        notifications.notify([owner], "customer_assigned", f"/customers/{moved[0].id}", by=by.name,
                             customer=moved[0].name)
    else:
        notifications.notify([owner], "customers_assigned", f"/customers?owner={owner.id}", by=by.name,
                             count=len(moved))


def add_note(customer, body, by):
    body = (body or "").strip()
    if not body:
        raise Invalid({"body": _l("Write something first.")})
    if len(body) > 5000:
        raise Invalid({"body": _l("At most %(n)d characters.", n=5000)})
    with db.atomic():
        note = CustomerNote.create(customer=customer, author=by, body=body)
        cadence.record_activity(customer.id, note.created_at)  # a note is real activity on its open deals
        audit.record("create", actor=by, obj=note, summary=customer.name)
    return note


def set_location(customer, lat, lon, by):
    """Where the customer is, set by hand (check-ins are measured against it); both None clears it."""
    if (lat is None) != (lon is None) or (lat is not None and not (
            math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180)):
        raise Invalid({"lat": _l("Enter a latitude from -90 to 90 and a longitude from -180 to 180.")})
    with db.atomic():
        Customer.update(lat=lat, lon=lon, updated_at=utcnow()).where(Customer.id == customer.id).execute()
        audit.record("edit", actor=by, obj=customer, summary=f"{customer.name}: location set by hand")
    customer.lat, customer.lon = lat, lon
    return customer


CONTACT_FIELDS = ("name", "title", "phone", "email", "wechat")


def save_contact(customer, contact, values, by):
    """Add (contact=None) or edit a contact; a primary contact makes the others not primary."""
    data = {k: (values.get(k) or "").strip() for k in CONTACT_FIELDS}
    if not data["name"]:
        raise Invalid({"name": _l("This field is required.")})
    primary = bool(values.get("is_primary"))
    with db.atomic():
        creating = contact is None
        contact = contact or Contact(customer=customer)
        for key, value in data.items():
            setattr(contact, key, value)
        if creating and not Contact.select().where(Contact.customer == customer).exists():
            primary = True  # the first contact is the primary one
        contact.is_primary = primary
        contact.save()
        if primary:
            (Contact.update(is_primary=False)
             .where((Contact.customer == customer) & (Contact.id != contact.id)).execute())
        audit.record("create" if creating else "edit", actor=by, obj=contact, summary=f"{customer.name}: {contact.name}")
    return contact


def delete_contact(contact, by):
    with db.atomic():
        contact.delete_instance()
        audit.record("delete", actor=by, object_type="contact", object_id=contact.id, summary=contact.name)
