"""The database: one proxy for the whole app, opened per request, closed at teardown."""
import datetime
from collections import namedtuple
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlparse, unquote

from flask import current_app, has_app_context
from peewee import (SQL, Alias, CharField, DatabaseProxy, DecimalField, Field, FloatField, ForeignKeyField,
                    IntegerField, Model, NodeList, SqliteDatabase, TextField, Value, fn)
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
        if path and path != ":memory:" and not path.startswith("file:"):
            Path(path).parent.mkdir(parents=True, exist_ok=True)  # a first `migrate` finds its folder there
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


def close_all():
    """Close this process's connection, and every pooled one (PostgreSQL) too: before a fork, or after work done
    outside any request, so no two processes ever share a socket."""
    db.close()
    if hasattr(db.obj, "close_all"):
        db.obj.close_all()


def contains(field, term):
    """A case-insensitive substring match where % and _ in the term are plain characters."""
    return like(field, like_pattern(term))


def like_pattern(term):
    """The LIKE pattern `contains` matches a term with."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def like(field, pattern):
    """A case-insensitive LIKE of a `like_pattern`."""
    operator = "LIKE" if is_sqlite() else "ILIKE"  # SQLite's LIKE already ignores ASCII case
    return NodeList((field, SQL(operator), pattern, SQL("ESCAPE '\\'")))


class Param:
    """Where a query whose SQL text is kept (`kept_statement`) takes a named value each time it runs."""

    def __init__(self, name):
        self.name = name


def param(name):
    """The value `name` in a query whose SQL text is kept: it reaches the database as it is passed (an id, not a
    model: no field conversion applies)."""
    return Value(Param(name), converter=False)


_kept_statements = {}


class _Kept(NamedTuple):
    sql: str
    params: list  # values written into the SQL, and a `Param` where a named value goes
    Row: type  # the named tuple of the selected columns (for `kept_rows`)
    converters: tuple  # (position, function) of each column read through its field, or `convert`


def _checking():
    """With CHECK_KEPT_STATEMENTS (the tests) every kept statement is written again and compared with the kept
    text, so a key that misses something its SQL depends on fails."""
    return has_app_context() and current_app.config.get("CHECK_KEPT_STATEMENTS", False)


def _shape(params):
    return [("param", p.name) if isinstance(p, Param) else p for p in params]


def _column_name(column):
    name = column.name if isinstance(column, (Alias, Field)) else None
    if not name:
        raise ValueError(f"a kept select names each column: alias {column!r}")
    return name


def _kept(key, build, convert=None, rows=False):
    key = (is_sqlite(), key)
    kept = _kept_statements.get(key)
    if kept is not None and not _checking():
        return kept
    query = build()
    sql, params = query.sql()
    if kept is not None:
        if (kept.sql, _shape(kept.params)) != (sql, _shape(params)):
            raise AssertionError(f"the kept statement {key[1]!r} wrote other SQL: its key misses what it depends on")
        return kept
    Row, converters = None, ()
    if rows:
        columns = query.selected_columns
        names = [_column_name(column) for column in columns]
        Row = namedtuple("Row", names)
        convert = convert or {}
        converters = tuple((i, convert[name] if name in convert else column.unwrap().python_value)
                           for i, (name, column) in enumerate(zip(names, columns))
                           if name in convert or isinstance(column.unwrap(), Field))
    kept = _kept_statements[key] = _Kept(sql, params, Row, converters)
    return kept


def _values(kept, values):
    return [values[p.name] if isinstance(p, Param) else p for p in kept.params]


def kept_statement(key, build, **values):
    """(SQL, parameters) of the query `build()` gives, with `values` for its `param`s. Peewee writes the SQL
    (`query.sql()`) once per engine and `key`, so the key names everything the SQL depends on but those values
    (under tests each call writes it again and compares); run it with `db.execute_sql` or a model's `raw`."""
    kept = _kept(key, build)
    return kept.sql, _values(kept, values)


def as_subquery(statement):
    """(SQL, parameters), as `kept_statement` gives them, in parentheses: a subquery or scalar that another query
    selects or tests against."""
    sql, params = statement
    return NodeList((SQL(sql, params),), parens=True)


def kept_models(model, key, build, **values):
    """The rows of the select `build()` gives as `model` instances (peewee's `raw`, each of the model's columns read
    through its field; any other column is an attribute as the database gives it), its SQL kept as
    `kept_statement` keeps it: for a read whose callers want the model itself."""
    sql, params = kept_statement(key, build, **values)
    return list(model.raw(sql, *params))


def kept_rows(key, build, convert=None, **values):
    """The rows of the select `build()` gives, with `values` for its `param`s, its SQL written once per engine and
    `key` (see `kept_statement`): named tuples of the selected columns, named by field or alias, each value read
    by its field as peewee reads it, or by `convert[name]` (a function's result: a date on SQLite is text).

    For the few reads every page or a busy page makes, where peewee writing the SQL and building the rows took
    most of the page's time (a visit's page: 0.8 of its 2.5 ms)."""
    kept = _kept(key, build, convert, rows=True)
    rows = db.execute_sql(kept.sql, _values(kept, values)).fetchall()
    make, converters = kept.Row._make, kept.converters
    if not converters:
        return [make(row) for row in rows]
    out = []
    for row in rows:
        row = list(row)
        for i, read in converters:
            row[i] = read(row[i])
        out.append(make(row))
    return out


def kept_row(key, build, convert=None, **values):
    """The first of `kept_rows`, or None (the select limits itself)."""
    rows = kept_rows(key, build, convert, **values)
    return rows[0] if rows else None


def in_query(column, query):
    """`column IN (query)`, written once. Field.in_ writes a subquery on its right a second time to see whether it
    is empty (an empty list becomes `0 = 1`), so a scope nested n deep was written 2^n times: most of what a figures
    page spent writing its SQL. A query is never an empty list, so nothing is lost."""
    return NodeList((column, SQL("IN"), query))


def in_few(column, query):
    """`in_query` for a query of a few rows, such as a manager's team. PostgreSQL guesses a recursive CTE at about a
    hundred times the rows it gives: through an IN it hashed the team and read the other table whole (every visit,
    to count a team's: 137 ms on the xl data). `column = ANY (ARRAY(query))` is worked out once before the rest of
    the statement, and the planner, counting on a short list, takes the column's index: 9 ms. SQLite: the IN."""
    if is_sqlite():
        return in_query(column, query)
    return NodeList((column, SQL("= ANY (ARRAY"), query, SQL(")")))


# Columns PostgreSQL has a unary plus for (a foreign key is judged by the column it points to).
_NUMBERS = (IntegerField, FloatField, DecimalField)
_TEXTS = (CharField, TextField)


def without_index(field):
    """The same value, but the planner will not reach for an index on it, for a query that should start from a
    smaller table: `+field` on SQLite, whatever the column holds; on PostgreSQL `+field` for a number and
    `(field || '')` for text (it has no unary plus for text, nor for any other type: those are refused here,
    not by the server at run time)."""
    column = field.rel_field if isinstance(field, ForeignKeyField) else field
    if is_sqlite() or isinstance(column, _NUMBERS):
        return NodeList((SQL("+"), field), glue="")
    if isinstance(column, _TEXTS):
        return NodeList((field, SQL("|| ''")), parens=True)
    raise TypeError(f"without_index: no form for a {type(column).__name__} column on PostgreSQL ({field.name})")


def days_between(later, earlier):
    """Days from one date or time column to another, fractional, in SQL either engine runs."""
    if is_sqlite():
        return fn.julianday(later) - fn.julianday(earlier)
    span = NodeList((later.cast("timestamp"), SQL("-"), earlier.cast("timestamp")))
    return fn.EXTRACT(NodeList((SQL("EPOCH FROM"), span))) / 86400.0


def month_of(column, offset_minutes=0):
    """'YYYY-MM' of a date or UTC time column, moved by the install's offset from UTC first. Callers group by
    the select list's position: PostgreSQL cannot match a GROUP BY expression holding parameters."""
    if is_sqlite():
        return fn.strftime("%Y-%m", column, f"{int(offset_minutes):+d} minutes")
    moved = NodeList((column.cast("timestamp"), SQL("+"), Value(int(offset_minutes)).cast("integer"),
                      SQL("* interval '1 minute'")))
    return fn.to_char(moved, "YYYY-MM")
