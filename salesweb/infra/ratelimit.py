"""Rate limits for the public pages (forms and share-link downloads), counted in the database so that every
worker process agrees."""
import datetime

from peewee import fn

from ..core.db import db, is_sqlite, kept_row, kept_statement, param, utcnow
from ..models import PublicHit

# (hits, seconds): what one token or one address may do before it is told to wait
TOKEN_POSTS = (5, 3600)
ADDRESS_POSTS = (20, 3600)
ADDRESS_VIEWS = (60, 300)
SHARE_ADDRESS_DOWNLOADS = (30, 300)  # requests for shared files, ranges and retries included
SHARE_LINK_DOWNLOADS = (120, 3600)
DOWNLOAD_COUNTED = (1, 3600)  # one address fetching one link again within the hour is the same download
KEEP = datetime.timedelta(hours=2)  # longer than any window above


def allow(key, limit, seconds, now=None):
    """Count a hit on `key` and say whether it is within `limit` hits in the last `seconds`.

    A refused hit is not counted, so a flood stops being refused once it slows down. Hits on one key take
    turns (SQLite's BEGIN IMMEDIATE; an advisory lock on PostgreSQL), so parallel requests cannot all slip in."""
    now = now or utcnow()
    key = key[:100]
    with db.atomic():
        if not is_sqlite():
            db.execute_sql("SELECT pg_advisory_xact_lock(3, hashtext(%s))", (key,))
        since = PublicHit.at.db_value(now - datetime.timedelta(seconds=seconds))
        # kept: every public view counts and records its hit, and writing these statements' SQL took longer
        # than running them
        if kept_row("public hits", _hits_since, hit_key=key, since=since).n >= limit:
            return False
        db.execute_sql(*kept_statement("public hit", lambda: PublicHit.insert(key=param("hit_key"), at=param("at")),
                                       hit_key=key, at=PublicHit.at.db_value(now)))
    return True


def _hits_since():
    return PublicHit.select(fn.COUNT(PublicHit.id).alias("n")).where(
        (PublicHit.key == param("hit_key")) & (PublicHit.at > param("since")))


def forget_old(now=None):
    """Remove the hits no window looks at any more; run by the workers' sweep and `salesweb escalate`, so a
    request's queries are always the same."""
    return PublicHit.delete().where(PublicHit.at < (now or utcnow()) - KEEP).execute()


def allow_all(checks, now=None):
    """Each (key, (limit, seconds)) in turn; False at the first that is exceeded."""
    return all(allow(key, limit, seconds, now) for key, (limit, seconds) in checks)
