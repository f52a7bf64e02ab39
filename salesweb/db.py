"""The database: one proxy for the whole app, opened per request, closed at teardown."""
import datetime
from urllib.parse import urlparse, unquote

from peewee import DatabaseProxy, Model, SqliteDatabase
from playhouse.pool import PooledPostgresqlDatabase

db = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10000,
    "synchronous": 1,  # NORMAL: durable with WAL, much faster than FULL
    "cache_size": -16000,
}


def utcnow():
    """Naive UTC time: every stored timestamp is UTC."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


def make_database(url):
    """A peewee database for a URL: sqlite:///path or postgresql://user:pw@host:port/name."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        if url.startswith("sqlite:////"):
            path = "/" + path.lstrip("/")
        elif url.startswith("sqlite:///"):
            path = path[1:]
        # IMMEDIATE: a transaction takes the write lock up front, so two
        # read-then-write requests queue on busy_timeout instead of failing.
        return SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE",
                              check_same_thread=False)
    if parsed.scheme in ("postgres", "postgresql"):
        return PooledPostgresqlDatabase(
            unquote(parsed.path.lstrip("/")),
            user=unquote(parsed.username or "") or None,
            password=unquote(parsed.password or "") or None,
            host=parsed.hostname or None,
            port=parsed.port or None,
            max_connections=20,
            stale_timeout=300,
            timeout=10,
            prefer_psycopg3=True,
        )
    raise ValueError(f"unsupported DATABASE_URL scheme: {parsed.scheme!r}")


def is_sqlite():
    return isinstance(db.obj, SqliteDatabase)


def init_app(app):
    """A request opens a connection with its first query (peewee's autoconnect). At teardown a PostgreSQL
    connection goes back to the pool; a SQLite one stays open for the thread's next request (opening one
    costs about a millisecond), unless a transaction was left behind."""
    db.initialize(make_database(app.config["DATABASE_URL"]))

    @app.teardown_appcontext
    def _close(exc):
        if db.is_closed():
            return
        if is_sqlite() and not db.in_transaction() and not db.connection().in_transaction:
            return
        db.close()


def contains(field, term):
    """A case-insensitive substring match where % and _ in the term are plain characters."""
    from peewee import SQL, NodeList
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    operator = "LIKE" if is_sqlite() else "ILIKE"  # SQLite's LIKE already ignores ASCII case
    return NodeList((field, SQL(operator), f"%{escaped}%", SQL("ESCAPE '\\'")))
