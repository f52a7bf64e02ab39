"""The schema comes only from migrations/, and it is exactly what the models describe."""
import pytest
from playhouse.migrations import Runner
from playhouse.schema_diff import diff_models

from salesweb.core.db import db, is_sqlite
from salesweb.models import ALL_MODELS
from salesweb.infra import schema


def test_migrated_schema_matches_the_models(app):
    diff = diff_models(db.obj, ALL_MODELS)
    # PostgreSQL's pg_trgm index under a customer's name (0009, the quote list's search) has no model counterpart:
    # the models are shared by both engines, and SQLite has no such index. (The customer search's table, 0009 and
    # 0033, is no model's on either engine.)
    diff.drop_indexes[:] = [index for index in diff.drop_indexes if not (index.name or "").endswith("_trgm")]
    assert not diff, f"models and migrations differ:\n{diff}"


def test_every_model_table_exists_after_migrating(app):
    tables = set(db.get_tables())
    assert {m._meta.table_name for m in ALL_MODELS} <= tables
    assert "schema_migration" in tables


def test_migrate_twice_applies_nothing_the_second_time(app):
    assert schema.pending() == []
    assert schema.migrate() == []


def test_migration_files_are_numbered_and_all_applied(app):
    status = Runner(db.obj, str(schema.MIGRATIONS)).status()
    assert status, "no migrations found"
    assert all(m.applied for m in status)
    assert [m.idx for m in status] == sorted(m.idx for m in status)


def test_init_db_refuses_a_database_that_has_tables(app):
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code != 0
    assert "already has tables" in result.output


def test_reports_submitted_before_0017_are_frozen_from_the_data_as_it_stands(tmp_path):
    """An install from before reports kept their figures: 0017 keeps each submitted report's figures as the data
    stands when it runs (the best there is); a draft keeps none and goes on following the data."""
    import datetime
    import json

    from salesweb.app import create_app
    from salesweb.models import Customer, Visit, WeeklyReport
    from salesweb.admin import rules as people
    from salesweb.reports import queries as reports
    from salesweb.core import settings
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'old.db'}",
                      "INSTANCE_PATH": tmp_path / "instance", "UPLOAD_DIR": str(tmp_path / "uploads"),
                      "SECRET_KEY": "test-secret"})
    with app.app_context():
        schema.runner().up(target="0016_data_generation")
        rep = people.create_user("rep@example.com", "Rep", "rep", "a long passphrase here")
        values = settings.current()
        # written as rows, for the rules of today keep tables (the rollups) that this schema has not got yet
        customer = Customer.create(name="Acme", name_key="acme", owner=rep, status="customer",
                                   next_visit_due=datetime.date(2026, 12, 1),
                                   last_activity_at=datetime.datetime(2026, 11, 1))
        for hour in (3, 5):  # Tuesday of 2026-W47, in Shanghai's working day
            Visit.insert(customer=customer.id, rep=rep.id, status="done", occurred_at=datetime.datetime(2026, 11, 17, hour),
                         duration_minutes=30, kind="phone", created_at=datetime.datetime(2026, 11, 23)).execute()
        for week, submitted in ((47, "2026-11-23 09:00:00"), (48, None)):
            db.execute_sql("INSERT INTO weekly_report (rep_id, year, week, feedback, market, plan, forecast, "
                           "submitted_at, comment, updated_at) VALUES (?, 2026, ?, '', '', '', '', ?, '', ?)",
                           (rep.id, week, submitted, "2026-11-23 09:00:00"))
        assert schema.migrate()[0] == "0017_report_figures"
        sent, draft = (WeeklyReport.get(WeeklyReport.week == week) for week in (47, 48))
        assert json.loads(sent.figures)["visits"] == 2 and draft.figures is None
        shown = reports.figures_of(sent, rep, 2026, 47, values)
        assert shown == {**reports.summary(rep, 2026, 47, values), "frozen": True}
    db.close()


def test_0021_makes_customers_of_leads_and_prospects_with_won_deals(app, make):
    """Installs from before the rule kept an A-tier "lead" with a won deal; 0021 puts that right, and audits it."""
    import datetime
    import importlib.util

    from salesweb.models import AuditEvent, Customer
    today = datetime.date.today()
    rep = make.user("rep")
    lead, prospect, recent, old, open_only, buyer = (
        make.customer(rep, name=name, status=status) for name, status in (
            ("Lead Co", "lead"), ("Prospect Co", "prospect"), ("Back Again Co", "dormant"), ("Long Gone Co", "dormant"),
            ("Talking Co", "lead"), ("Buyer Co", "customer")))
    for customer, on in ((lead, today), (prospect, today - datetime.timedelta(days=400)), (buyer, today),
                         (recent, today - datetime.timedelta(days=200)), (old, today - datetime.timedelta(days=500))):
        make.won_deal(rep, on, customer=customer)
    make.deal(rep, customer=open_only)
    Customer.update(status="lead").where(Customer.id == lead.id).execute()  # as an install before the rule left them
    Customer.update(status="prospect").where(Customer.id == prospect.id).execute()
    Customer.update(status="dormant").where(Customer.id.in_([recent.id, old.id])).execute()
    audits = AuditEvent.select().count()

    spec = importlib.util.spec_from_file_location("m0021", schema.MIGRATIONS / "0021_won_customers.py")
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    migration.up(None, db.obj)

    status = {c.name: c.status for c in Customer.select(Customer.name, Customer.status)}
    assert status == {"Lead Co": "customer", "Prospect Co": "customer", "Back Again Co": "customer",
                      "Long Gone Co": "dormant", "Talking Co": "lead", "Buyer Co": "customer"}
    summaries = sorted(e.summary for e in AuditEvent.select().order_by(AuditEvent.id).offset(audits))
    assert summaries == ["Back Again Co: status dormant → customer (a won deal, on upgrading)",
                         "Lead Co: status lead → customer (a won deal, on upgrading)",
                         "Prospect Co: status prospect → customer (a won deal, on upgrading)"]


def _migration(name):
    import importlib.util
    spec = importlib.util.spec_from_file_location(name.split("_")[0], schema.MIGRATIONS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _generation_left():
    """The data generation's triggers, table and (PostgreSQL) function still in the database."""
    left = [name for name, _table in _migration("0022_drop_data_generation").generation_triggers(db.obj)]
    left += [table for table in db.get_tables() if table == "data_generation"]
    if not is_sqlite():
        left += [row[0] for row in db.execute_sql("SELECT proname FROM pg_proc WHERE proname = 'bump_data_generation'")]
    return left


def test_no_data_generation_is_left_after_migrating(app):
    assert _generation_left() == []


def test_0022_drops_the_data_generation_of_an_install_from_before_it(app):
    """0016 put triggers on every table then present (later migrations could add_trigger() their own): 0022 drops
    them all, the function and the table, and running it again finds nothing left and fails on nothing."""
    _migration("0016_data_generation").up(None, db.obj)  # on today's tables: those made after 0016 too
    triggers = _migration("0022_drop_data_generation").generation_triggers(db.obj)
    assert {table for _name, table in triggers} >= {"deal", "visit", "weekly_report", "quote", "budget"}
    assert "data_generation" in db.get_tables()
    drop = _migration("0022_drop_data_generation")
    drop.up(None, db.obj)
    assert _generation_left() == []
    drop.up(None, db.obj)
    assert _generation_left() == []


def test_0044_keeps_the_visits_of_an_install_from_before_it_and_sent_ids_once_per_rep(tmp_path):
    """Visits logged before 0044 have no client id: NULLs are distinct, so a rep's many old visits stand side by
    side under the unique index, while one rep's id is one visit and another rep may use the same id."""
    import datetime

    from salesweb.app import create_app
    from salesweb.models import Customer, Visit
    from salesweb.admin import rules as people
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'old.db'}",
                      "INSTANCE_PATH": tmp_path / "instance", "UPLOAD_DIR": str(tmp_path / "uploads"),
                      "SECRET_KEY": "test-secret"})
    with app.app_context():
        schema.runner().up(target="0040_due_rollups")
        rep = people.create_user("rep@example.com", "Rep", "rep", "a long passphrase here")
        customer = Customer.create(name="Acme", name_key="acme", owner=rep, status="customer",
                                   next_visit_due=datetime.date(2026, 12, 1),
                                   last_activity_at=datetime.datetime(2026, 11, 1))
        for hour in (3, 5):  # written as the rows of then: no client id, no capture time
            db.execute_sql("INSERT INTO visit (customer_id, rep_id, status, occurred_at, duration_minutes, kind, "
                           "purpose, notes, outcome, next_step, market_note, market_tags, verified, check_problem, "
                           "created_at, updated_at) VALUES (?, ?, 'done', ?, 30, 'phone', '', '', '', '', '', '', "
                           "0, '', ?, ?)", (customer.id, rep.id, datetime.datetime(2026, 11, 17, hour),
                                            datetime.datetime(2026, 11, 17, 9), datetime.datetime(2026, 11, 17, 9)))
        assert "0044_visit_client_uuid" in schema.migrate()
        assert [(v.client_uuid, v.captured_at) for v in Visit.select()] == [(None, None), (None, None)]
    db.close()


def test_a_reps_client_id_is_unique_and_nulls_are_not(app, make):
    import datetime
    import uuid

    from peewee import IntegrityError

    from salesweb.models import Visit
    rep, other = make.user("rep"), make.user("rep")
    customer = make.customer(rep)
    sent_as = str(uuid.uuid4())

    def row(who, client_uuid):
        return Visit.insert(customer=customer.id, rep=who.id, status="done", occurred_at=datetime.datetime(2026, 11, 17),
                            client_uuid=client_uuid).execute()
    row(rep, None), row(rep, None), row(rep, sent_as), row(other, sent_as)
    with pytest.raises(IntegrityError):
        with db.atomic():
            row(rep, sent_as)
    assert Visit.select().count() == 4
