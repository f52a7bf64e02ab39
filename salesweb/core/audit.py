"""The audit log: one function records an event; the web layer tells it the client's address. The audit feature
(salesweb/audit) reads the log."""
import contextvars

from .db import utcnow
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
    AuditEvent.insert(at=utcnow(), actor=getattr(actor, "id", None), action=action, object_type=object_type,
                      object_id=object_id, summary=str(summary)[:500], ip=_ip.get()).execute()

