"""The audit log: one function records an event; the web layer tells it the client's address. The audit feature
(salesweb/audit) reads the log."""
import contextvars

from .db import db, kept_statement, param, utcnow
from ..models import AUDIT_ACTION_LABELS, AuditEvent

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
    # kept: nearly every write records an event, and writing this INSERT's SQL took longer than running it
    db.execute_sql(*kept_statement("audit event", _insert, at=AuditEvent.at.db_value(utcnow()),
                                   actor=getattr(actor, "id", None), action=action, object_type=object_type,
                                   object_id=object_id, summary=str(summary)[:500], ip=_ip.get()))


def _insert():
    return AuditEvent.insert({getattr(AuditEvent, name): param(name) for name in
                              ("at", "actor", "action", "object_type", "object_id", "summary", "ip")})

