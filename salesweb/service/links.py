"""Links a rep sends a customer: the feedback form and the NPS survey. A link is bound to one customer, ends
after the configured days (or when revoked), and a survey link takes one answer."""
import datetime
import secrets

from ..core.db import db, utcnow
from ..core.i18n import _l
from ..models import LINK_PURPOSES, Customer, CustomerLink
from ..core import audit
from ..customers import queries as customers_service
from ..core.errors import Invalid

SENDERS = ("rep", "manager", "support")


def may_send(user):
    return user.role in SENDERS


def create(customer, purpose, by, settings, now=None):
    """A new link for a customer the sender can see."""
    if not may_send(by):
        raise Invalid({None: _l("Your role cannot send links to customers.")})
    if purpose not in LINK_PURPOSES:
        raise Invalid({None: _l("Choose the feedback form or the survey.")})
    if not customers_service.scope(by).where(Customer.id == customer.id).exists():
        raise Invalid({None: _l("Choose one of your customers.")})
    now = now or utcnow()
    with db.atomic():
        link = CustomerLink.create(token=secrets.token_urlsafe(32), purpose=purpose, customer=customer.id,
                                   created_by=by, created_at=now,
                                   expires_at=now + datetime.timedelta(days=settings["customer_link_days"]))
        audit.record("create", by, link, f"{purpose.capitalize()} link for {customer.name}")
    return link


def revoke(link, by, now=None):
    if link.created_by_id != by.id and by.role not in ("manager", "support", "ops"):
        raise Invalid({None: _l("Only the person who sent it or a manager can revoke this link.")})
    if link.revoked_at is None:
        with db.atomic():
            CustomerLink.update(revoked_at=now or utcnow()).where(CustomerLink.id == link.id).execute()
            audit.record("edit", by, link, f"{link.purpose.capitalize()} link revoked")
    return link


def used(link):
    CustomerLink.update(uses=CustomerLink.uses + 1).where(CustomerLink.id == link.id).execute()
