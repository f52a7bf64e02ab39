"""In-app notifications: written by the rules when something needs a person's eye, read from the bell.

A notification keeps its kind and the values its sentence needs, not the sentence: each reader sees it in
their own language."""
import json

from peewee import fn

from .db import utcnow
from .i18n import _l
from ..models import Notification

MESSAGES = {
    "quote_pending": _l("%(by)s asks you to approve quote %(number)s (%(discount)s discount)."),
    "quote_approved": _l("%(by)s approved quote %(number)s."),
    "quote_returned": _l("%(by)s returned quote %(number)s: %(note)s"),
    "quote_accepted": _l("%(by)s marked quote %(number)s accepted by the customer."),
    "quote_rejected": _l("%(by)s marked quote %(number)s rejected by the customer."),
    # comments and assignments
    "visit_comment": _l("%(by)s commented on your visit to %(customer)s."),
    "report_comment": _l("%(by)s commented on your weekly report for %(week)s."),
    "customer_assigned": _l("%(by)s gave you customer %(customer)s."),
    "customers_assigned": _l("%(by)s gave you %(count)s customers."),
    "deal_assigned": _l("%(by)s gave you deal %(deal)s."),
    "task_assigned": _l("%(by)s gave you a task: %(task)s"),
    # help requests, feedback and surveys
    "help_asked": _l("%(by)s asks support for help."),
    "help_claimed": _l("%(by)s is on your help request."),
    "help_reply": _l("%(by)s replied to a help request."),
    "feedback_new": _l("New feedback from %(customer)s."),
    "feedback_escalated": _l("Feedback from %(customer)s has had no response within %(hours)s hours."),
    "nps_answered": _l("%(customer)s answered the survey: %(score)s of 10."),
    # expense claims
    "expense_filed": _l("%(by)s filed an expense claim of %(amount)s."),
    "expense_approved": _l("%(by)s approved your expense claim of %(amount)s."),
    "expense_rejected": _l("%(by)s rejected your expense claim: %(note)s"),
    "expense_to_pay": _l("An expense claim of %(amount)s by %(by)s is approved and waits to be paid."),
    "expense_paid": _l("Your expense claim of %(amount)s has been paid."),
}
PAGE = 30


def notify(users, kind, link, **params):
    """One notification per user (given as users or ids; repeats and None dropped), in the caller's transaction."""
    if kind not in MESSAGES:
        raise ValueError(f"unknown notification kind {kind!r}")
    ids = sorted({getattr(u, "id", u) for u in users if u is not None})
    if ids:
        now, text = utcnow(), json.dumps(params, ensure_ascii=False)
        written = [row[0] for row in Notification.insert_many(
            [{"user": i, "kind": kind, "params": text, "link": link, "created_at": now} for i in ids]
        ).returning(Notification.id).tuples()]
        for listener in _listeners:
            listener([(i, now) for i in written])
    return ids


_listeners = []


def listen(callback):
    """callback([(id, created_at), ...]) is told of the notifications each notify() writes (the mail outbox
    listens). It runs inside the writer's transaction, so it only takes note; the pair names the row even where a
    rolled-back id is given again (SQLite)."""
    if callback not in _listeners:
        _listeners.append(callback)


class _Blank(dict):
    def __missing__(self, key):
        return ""


def text(notification):
    """The sentence in the reader's language (a value the kind does not know is left blank)."""
    if notification.kind not in MESSAGES:
        return ""
    try:
        params = json.loads(notification.params or "{}")
    except ValueError:
        params = {}
    return str(MESSAGES[notification.kind]) % _Blank(params if isinstance(params, dict) else {})


def unread_count(user_field):
    """The unread count as a subquery on `user_field`, so the signed-in user is loaded with it in one query."""
    return (Notification.select(fn.COUNT(Notification.id))
            .where((Notification.user == user_field) & Notification.read_at.is_null()))


def latest(user, limit=PAGE):
    return list(Notification.select().where(Notification.user == user.id)
                .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit))


def mark_read(user, notification_id=None):
    """One of the user's notifications read (or all of them); another's is simply not found."""
    query = Notification.update(read_at=utcnow()).where((Notification.user == user.id)
                                                         & Notification.read_at.is_null())
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    return query.execute()
