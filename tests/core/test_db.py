"""The database connection: SQLite pragmas and URL parsing, and statements kept as SQL text."""
import datetime

import pytest
from peewee import fn

from salesweb.core.access import team_ids
from salesweb.core.db import (db, in_few, in_query, is_sqlite, kept_row, kept_rows, kept_statement, make_database,
                              param, without_index)
from salesweb.models import Customer, User, Visit


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
    app.config["CHECK_KEPT_STATEMENTS"] = False  # as it runs outside the tests
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


def test_kept_rows_are_named_tuples_read_through_their_fields_or_the_conversions_given(app, make):
    rep = make.user("rep", name="Ann")
    customer = make.customer(rep, name="Acme")
    at = datetime.datetime(2026, 11, 3, 9, 30)
    Visit.create(customer=customer, rep=rep, occurred_at=at, kind="visit", status="done")

    def build():
        return (Visit.select(Visit.id, Visit.occurred_at, Customer.name.alias("customer_name"),
                             fn.MAX(Visit.occurred_at).alias("latest"))
                .join(Customer).where(Visit.rep == param("rep")).group_by(Visit.id, Customer.name))
    as_time = Visit.occurred_at.python_value
    rows = kept_rows(("visits of", "test"), build, convert={"latest": as_time}, rep=rep.id)
    assert [(row.occurred_at, row.customer_name, row.latest) for row in rows] == [(at, "Acme", at)]
    assert kept_row(("visits of", "test"), build, convert={"latest": as_time}, rep=rep.id + 1000) is None


def test_a_kept_statement_whose_key_misses_a_shape_fails_under_the_tests(app, make):
    make.user("rep", name="Ann")
    assert app.config["CHECK_KEPT_STATEMENTS"]
    with app.app_context():  # as a request's reads are
        _run_with_a_key_missing_a_shape()


def _run_with_a_key_missing_a_shape():
    for active in (True, False):
        build = lambda: User.select(User.name).where(User.active == active)  # noqa: E731 - the key misses `active`
        if active:
            assert [row.name for row in kept_rows(("names", "test"), build)] == ["Ann"]
        else:
            with pytest.raises(AssertionError, match="key misses"):
                kept_rows(("names", "test"), build)


def test_a_kept_select_names_each_column(app):
    with pytest.raises(ValueError, match="alias"):
        kept_rows(("count", "test"), lambda: User.select(fn.COUNT(User.id)))


def test_a_column_kept_off_its_index_holds_the_same_values_on_either_engine(app, make):
    """`without_index` on a key, a number and text (PostgreSQL has no unary plus for text); a type it has no form
    for on PostgreSQL is refused when the query is written, not by the server."""
    with app.app_context():
        ann, bob = make.user("rep", name="Ann"), make.user("rep", name="Bob")
        make.customer(ann, name="Acme")
        make.customer(bob, name="Acme")
        make.customer(ann, name="Blue Sky")
        found = (Customer.select(Customer.name).join(User, on=(Customer.owner == User.id))
                 .where((without_index(Customer.owner) == ann.id) & (without_index(Customer.name) == "Acme")
                        & (without_index(User.name) == "Ann") & (without_index(User.id) == ann.id)))
        assert [c.name for c in found] == ["Acme"]
        if is_sqlite():
            assert Customer.select().where(without_index(Customer.tier_locked) == False).count() == 3  # noqa: E712
        else:
            with pytest.raises(TypeError):
                without_index(Customer.tier_locked)


def test_a_short_list_from_a_query_finds_what_the_in_finds(app, make):
    """`in_few` (PostgreSQL: `= ANY (ARRAY(...))`, worked out before the statement) against `in_query` over a
    manager's team: the same customers, with a kept statement's `param` too."""
    with app.app_context():
        boss = make.user("manager", name="Boss")
        lead = make.user("manager", name="Lead", reports_to=boss)
        rep, other = make.user("rep", reports_to=lead), make.user("rep")
        for owner, name in ((boss, "Boss's"), (lead, "Lead's"), (rep, "Rep's"), (other, "Other's")):
            make.customer(owner, name=name)
        for inside in (in_few, in_query):
            found = Customer.select(Customer.name).where(inside(Customer.owner, team_ids(lead.id)))
            assert {c.name for c in found} == {"Lead's", "Rep's"}
        sql, params = kept_statement(("in_few test", object()), lambda: Customer.select(Customer.name).where(
            in_few(Customer.owner, team_ids(param("user")))).order_by(Customer.name), user=boss.id)
        assert [name for (name,) in db.execute_sql(sql, params).fetchall()] == ["Boss's", "Lead's", "Rep's"]
