"""What the audit log page reads: the events, filtered, and the people who may have acted."""
from peewee import JOIN

from ..core.db import contains
from ..models import AuditEvent, User


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


def actors():
    """(id, name) of everyone, by name: the log's "who" filter."""
    return list(User.select(User.id, User.name).order_by(User.name).tuples())
