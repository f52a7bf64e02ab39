"""Help requests: a rep (or manager) asks sales support from the field; support claims the question, replies in a
thread and marks it answered; either side closes it. A reply from the asker reopens an answered request."""
from ..core.db import db, utcnow
from ..core.i18n import _l
from ..models import URGENCIES, Customer, Deal, HelpReply, HelpRequest, User
from ..core import audit, notifications
from ..infra import storage
from ..customers import queries as customers_service
from ..pipeline import queries as pipeline
from ..core.errors import Invalid, Stale

URGENCY_RANK = {"high": 0, "normal": 1, "low": 2}
ASKERS = ("rep", "manager")
DESK = ("support",)
MAX_TEXT = 2000
ATTACHMENTS = ("pdf", "png", "jpeg", "docx", "xlsx", "pptx")


def desk_ids():
    """The active support staff: told of new requests, and of feedback escalated where there is no manager."""
    return [u for (u,) in User.select(User.id).where(User.role.in_(DESK) & (User.active == True)).tuples()]  # noqa: E712


def may_ask(user):
    return user.role in ASKERS


def is_desk(user):
    return user.role in DESK


def _text(value, field, errors):
    value = (value or "").strip()
    if not value:
        errors[field] = _l("This field is required.")
    elif len(value) > MAX_TEXT:
        errors[field] = _l("At most %(n)d characters.", n=MAX_TEXT)
    return value


def ask(by, question, urgency, customer_id, deal_id, now=None, upload=None, zone="UTC"):
    """A new request; `upload` is (stream, filename, upload dir, max bytes) or None. The desk is told. `zone`: the
    install's time zone (for a photo's capture time)."""
    if not may_ask(by):
        raise Invalid({None: _l("Only reps and managers ask support for help here.")})
    errors = {}
    question = _text(question, "question", errors)
    if urgency not in URGENCIES:
        errors["urgency"] = _l("Choose one of the options.")
    customer = deal = None
    if customer_id:
        customer = customers_service.scope(by).where(Customer.id == customer_id).first()
        if customer is None:
            errors["customer"] = _l("Choose one of your customers.")
    if deal_id:
        deal = pipeline.scope(by).where(Deal.id == deal_id).first()
        if deal is None:
            errors["deal"] = _l("Choose one of your deals.")
        elif customer is not None and deal.customer_id != customer.id:
            errors["deal"] = _l("This deal belongs to another customer.")
    if errors:
        raise Invalid(errors)
    now = now or utcnow()

    def write(stored=None, name=""):
        request = HelpRequest.create(
            asked_by=by.id, question=question, urgency=urgency, urgency_rank=URGENCY_RANK[urgency],
            customer=customer.id if customer else (deal.customer_id if deal else None), deal=deal.id if deal else None,
            file=stored, file_name=name, created_at=now, updated_at=now)
        notifications.notify(desk_ids(), "help_asked", f"/requests/{request.id}", by=by.name, urgency=urgency)
        audit.record("create", by, request, f"Help request ({urgency})")
        return request

    if upload is not None:
        stream, filename, upload_dir, max_bytes = upload
        return storage.save(stream, filename, upload_dir, max_bytes, allowed=ATTACHMENTS, then=write, zone=zone)
    with db.atomic():
        return write()


def _move(request, version, condition, changes, now):
    count = (HelpRequest.update(version=HelpRequest.version + 1, updated_at=now, **changes)
             .where((HelpRequest.id == request.id) & (HelpRequest.version == version) & condition).execute())
    if count != 1:
        raise Stale("the request moved on since the page was loaded")
    return HelpRequest.get_by_id(request.id)


def claim(request, version, by, now=None):
    """Support takes the request on; the asker learns who is on it."""
    if not is_desk(by):
        raise Invalid({None: _l("Only sales support claims requests.")})
    if request.status == "closed":
        raise Invalid({None: _l("This request is closed.")})
    now = now or utcnow()
    with db.atomic():
        updated = _move(request, version, HelpRequest.status != "closed", {"claimed_by": by.id, "claimed_at": now},
                        now)
        notifications.notify([request.asked_by_id], "help_claimed", f"/requests/{request.id}", by=by.name)
        audit.record("edit", by, request, "Claimed")
    return updated


def reply(request, version, body, by, answered=False, now=None):
    """A message in the thread. From the desk it may mark the request answered (and claims it if no one has);
    from the asker it reopens an answered request. The other side is told."""
    errors = {}
    body = _text(body, "body", errors)
    if errors:
        raise Invalid(errors)
    if request.status == "closed":
        raise Invalid({None: _l("This request is closed; ask a new question.")})
    desk = is_desk(by)
    if not desk and by.id != request.asked_by_id:
        raise Invalid({None: _l("Only the person who asked and sales support write here.")})
    now = now or utcnow()
    changes = {}
    if desk:
        if request.claimed_by_id is None:
            changes.update(claimed_by=by.id, claimed_at=now)
        if answered:
            changes.update(status="answered", answered_at=now)
        told = [request.asked_by_id]
    else:
        if request.status == "answered":
            changes.update(status="open")
        told = [request.claimed_by_id] if request.claimed_by_id else desk_ids()
    with db.atomic():
        updated = _move(request, version, HelpRequest.status != "closed", changes, now)
        HelpReply.create(request=request.id, author=by.id, body=body, created_at=now)
        notifications.notify([u for u in told if u != by.id], "help_reply", f"/requests/{request.id}", by=by.name)
        audit.record("edit", by, request, "Answered" if answered else "Reply")
    return updated


def close(request, version, by, now=None):
    if not is_desk(by) and by.id != request.asked_by_id:
        raise Invalid({None: _l("Only the person who asked and sales support close a request.")})
    if request.status == "closed":
        return request
    now = now or utcnow()
    with db.atomic():
        updated = _move(request, version, HelpRequest.status != "closed", {"status": "closed", "closed_at": now}, now)
        audit.record("edit", by, request, "Closed")
    return updated
