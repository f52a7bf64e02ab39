"""What the audit log page reads: the events, filtered, and the people who may have acted (the "who" filter and
its picker)."""
from peewee import JOIN, SQL, Select, Tuple, fn

from ..core.db import db, kept_rows, like, like_pattern, param
from ..models import AuditEvent, User

FILTERS = ("action", "actor_id", "object_type", "text", "since", "until")
COUNTED = 1000  # the events a filter's count reads at most: beyond, the log says "more than" this many
KEY = AuditEvent.alias("keyed")  # the event a page of the log starts after (or before)


def search(action=None, actor_id=None, object_type=None, text=None, since=None, until=None):
    """Events newest first, filtered, as named tuples (id, at, actor_name, action, object_type, object_id, summary,
    ip): (fetch(limit, older=None, newer=None), counted). fetch gives (the rows, whether more follow in the way
    read): the newest `limit`, those just older than the event id `older`, or those just newer than the event id
    `newer` (by time, then id: a page starts from its neighbour's key, so it costs the same however deep it is).
    `counted`: how many match, read no further than COUNTED + 1."""
    values = dict(action=action, actor_id=actor_id, object_type=object_type,
                  text=like_pattern(text) if text else None, since=since, until=until)
    shape = tuple(bool(values[name]) for name in FILTERS)
    # kept: writing these selects' SQL took about a third of the log page's time
    counted = kept_rows(("audit count", *shape), lambda: _counted(shape), cap=COUNTED + 1, **values)[0].n

    def fetch(limit, older=None, newer=None):
        way = "older" if older is not None else "newer" if newer is not None else None
        rows = kept_rows(("audit events", way, *shape), lambda: _events(shape, way), limit=limit + 1,
                         start=older if older is not None else newer, **values)
        more, rows = len(rows) > limit, rows[:limit]
        return (rows[::-1] if way == "newer" else rows), more
    return fetch, counted


def _counted(shape):
    """How many events match, counting no more than the param "cap" of them."""
    capped = _filtered(AuditEvent.select(AuditEvent.id), shape).limit(param("cap")).alias("capped")
    return Select((capped,), (fn.COUNT(SQL("1")).alias("n"),)).bind(db)


def _events(shape, way):
    query = (AuditEvent.select(AuditEvent.id, AuditEvent.at, User.name.alias("actor_name"), AuditEvent.action,
                               AuditEvent.object_type, AuditEvent.object_id, AuditEvent.summary, AuditEvent.ip)
             .join(User, on=(AuditEvent.actor == User.id), join_type=JOIN.LEFT_OUTER))
    query = _filtered(query, shape)
    if way:
        # the key event's time bounds the walk along the time index; time and id together order events alike
        key_at = KEY.select(KEY.at).where(KEY.id == param("start"))
        key = Tuple(key_at, param("start"))
        if way == "older":
            query = query.where((AuditEvent.at <= key_at) & (Tuple(AuditEvent.at, AuditEvent.id) < key))
        else:
            query = query.where((AuditEvent.at >= key_at) & (Tuple(AuditEvent.at, AuditEvent.id) > key))
    if way == "newer":
        return query.order_by(AuditEvent.at, AuditEvent.id).limit(param("limit"))
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(param("limit"))


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


# the "who" filter lists everyone in a plain select up to this many, else it is a type-to-search picker
ACTORS_LISTED = 20


def actors(text=None, limit=None):
    """(id, name, active) of everyone who may have acted, by name: the log's "who" filter; with `text`, those whose
    name holds it; at most `limit`."""
    return kept_rows(("audit actors", bool(text), bool(limit)), lambda: _actors(text, limit),
                     text=like_pattern(text) if text else None, limit=limit)


def _actors(text, limit):
    query = User.select(User.id, User.name, User.active)
    if text:
        query = query.where(like(User.name, param("text")))
    query = query.order_by(User.name, User.id)
    return query.limit(param("limit")) if limit else query


def actors_listed():
    """Everyone for a plain select (`actors`), or None when there are more than ACTORS_LISTED: a picker."""
    found = actors(limit=ACTORS_LISTED + 1)
    return found if len(found) <= ACTORS_LISTED else None


def actor(user_id):
    """(id, name, active) of one person, or None: the picker's current choice."""
    if user_id is None:
        return None
    found = kept_rows(("audit actor",), lambda: _actors(None, None).where(User.id == param("id")), id=user_id)
    return found[0] if found else None
