"""The audit log: one function records an event; the web layer tells it the client's address."""
import contextvars

from peewee import JOIN

from .db import contains, utcnow
from ..models import AUDIT_ACTION_LABELS, AuditEvent, User

_ip = contextvars.ContextVar("audit_ip", default=None)


def set_client_ip(ip):
    _ip.set(ip)


def record(action, actor=None, obj=None, summary="", object_type=None, object_id=None):
    """Write one audit event. obj, when given, names the record (its table and id)."""
    if action not in AUDIT_ACTION_LABELS:
        raise ValueError(f"unknown audit action {action!r}")
    if obj is not None:
        object_type = object_type or obj._meta.table_name
        object_id = object_id if object_id is not None else obj.id
    AuditEvent.insert(at=utcnow(), actor=getattr(actor, "id", None), action=action, object_type=object_type,
                      object_id=object_id, summary=str(summary)[:500], ip=_ip.get()).execute()


def search(action=None, actor_id=None, object_type=None, text=None, since=None, until=None):
    """Events newest first, filtered, as (id, at, actor's name, action, object type, object id, summary, ip)
    tuples; the caller pages the query."""
    query = (AuditEvent.select(AuditEvent.id, AuditEvent.at, User.name, AuditEvent.action, AuditEvent.object_type,
                               AuditEvent.object_id, AuditEvent.summary, AuditEvent.ip)
             .join(User, on=(AuditEvent.actor == User.id), join_type=JOIN.LEFT_OUTER)
             .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))
    if action:
        query = query.where(AuditEvent.action == action)
    if actor_id:
        query = query.where(AuditEvent.actor == actor_id)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if text:
        query = query.where(contains(AuditEvent.summary, text))
    if since:
        query = query.where(AuditEvent.at >= since)
    if until:
        query = query.where(AuditEvent.at < until)
    return query.tuples()
