"""The database connection: SQLite pragmas and URL parsing, and statements kept as SQL text."""
import pytest

from salesweb.core.db import db, kept_statement, make_database, param
from salesweb.models import User


def test_sqlite_connections_use_wal_foreign_keys_normal_sync_and_immediate_transactions(tmp_path):
    database = make_database(f"sqlite:///{tmp_path / 'x.db'}")
    with database.connection_context():
        pragma = lambda name: database.execute_sql(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("synchronous") == 1  # NORMAL
        assert pragma("busy_timeout") >= 5000
    assert database._lock_type == "IMMEDIATE"


def test_database_urls():
    assert make_database("sqlite:////srv/salesweb/db.sqlite").database == "/srv/salesweb/db.sqlite"
    assert make_database("sqlite:///instance/salesweb.db").database == "instance/salesweb.db"
    pg = make_database("postgresql://sales:p%40ss@db.internal:5433/salesweb")
    assert pg.database == "salesweb"
    assert pg.connect_params["password"] == "p@ss" and pg.connect_params["port"] == 5433
    with pytest.raises(ValueError):
        make_database("mysql://x/y")


def test_a_kept_statement_is_written_once_per_key_and_runs_with_the_values_it_is_given(app, make):
    ann = make.user("rep", name="Ann")
    make.user("manager", name="Bob")
    written, key = [], ("names by role", object())  # a key of this test's own

    def build():
        written.append(1)
        return User.select(User.name).where((User.role == param("role")) & User.active).order_by(User.id).limit(
            param("limit"))

    for role, limit, names in (("rep", 5, ["Ann"]), ("manager", 5, ["Bob"]), ("ops", 5, []), ("rep", 0, [])):
        sql, params = kept_statement(key, build, role=role, limit=limit)
        assert [name for (name,) in db.execute_sql(sql, params).fetchall()] == names
    assert len(written) == 1
    User.update(name="Anna").where(User.id == ann.id).execute()
    sql, params = kept_statement(key, build, role="rep", limit=5)
    assert [row.name for row in User.raw(sql, *params)] == ["Anna"]
