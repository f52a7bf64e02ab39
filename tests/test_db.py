"""The database connection: SQLite pragmas and URL parsing."""
import pytest

from salesweb.db import make_database


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
