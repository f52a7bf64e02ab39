"""What the audit log page reads: the events, filtered, and the people who may have acted."""
from peewee import JOIN, fn

from ..core.db import kept_rows, like, like_pattern, param
from ..models import AuditEvent, User

FILTERS = ("action", "actor_id", "object_type", "text", "since", "until")


def search(action=None, actor_id=None, object_type=None, text=None, since=None, until=None):
    """Events newest first, filtered, as named tuples (id, at, actor_name, action, object_type, object_id, summary,
    ip): (fetch(offset, limit), total) for a `Page`."""
    values = dict(action=action, actor_id=actor_id, object_type=object_type,
                  text=like_pattern(text) if text else None, since=since, until=until)
    shape = tuple(bool(values[name]) for name in FILTERS)
    # kept: writing these two selects' SQL took about a third of the log page's time
    total = kept_rows(("audit count", *shape), lambda: _filtered(
        AuditEvent.select(fn.COUNT(AuditEvent.id).alias("n")), shape), **values)[0].n
    return (lambda offset, limit: kept_rows(("audit events", *shape), lambda: _events(shape), offset=offset,
                                            limit=limit, **values), total)


def _events(shape):
    query = (AuditEvent.select(AuditEvent.id, AuditEvent.at, User.name.alias("actor_name"), AuditEvent.action,
                               AuditEvent.object_type, AuditEvent.object_id, AuditEvent.summary, AuditEvent.ip)
             .join(User, on=(AuditEvent.actor == User.id), join_type=JOIN.LEFT_OUTER))
    return (_filtered(query, shape).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(param("limit")).offset(param("offset")))


def _filtered(query, shape):
    """The select narrowed by the filters `shape` says are given, each value a param of the filter's name."""
    action, actor_id, object_type, text, since, until = shape
    if action:
        query = query.where(AuditEvent.action == param("action"))
    if actor_id:
        query = query.where(AuditEvent.actor == param("actor_id"))
    if object_type:
        query = query.where(AuditEvent.object_type == param("object_type"))
    if text:
        query = query.where(like(AuditEvent.summary, param("text")))
    if since:
        query = query.where(AuditEvent.at >= param("since"))
    if until:
        query = query.where(AuditEvent.at < param("until"))
    return query


def actors():
    """(id, name) of everyone, by name: the log's "who" filter."""
    return list(User.select(User.id, User.name).order_by(User.name).tuples())
