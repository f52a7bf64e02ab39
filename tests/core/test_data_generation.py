"""The data generation: every write to a business table moves it (the database's triggers, so no write path can
forget)."""
import importlib.util

from salesweb.core.db import db, is_sqlite
from salesweb.models import DataGeneration, Deal
from salesweb.infra import schema


def _migration():
    spec = importlib.util.spec_from_file_location("generation", schema.MIGRATIONS / "0016_data_generation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generation():
    return DataGeneration.get_by_id(1).n


def test_every_business_table_moves_the_generation_on_every_kind_of_write(app):
    migration = _migration()
    tables = migration.tracked_tables(db.obj)
    assert "deal" in tables and "visit" in tables and "login_attempt" not in tables and len(tables) >= 40
    if is_sqlite():
        found = {(row[0], row[1]) for row in db.execute_sql(
            "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'generation_%'")}
        missing = [f"{t} {e}" for t in tables for e in ("insert", "update", "delete")
                   if (t, f"generation_{t}_{e}") not in found]
    else:
        found = {row[0] for row in db.execute_sql(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE left(t.tgname, 11) = 'generation_'")}
        missing = [t for t in tables if t not in found]
    assert missing == []  # a new table needs migration 0016's add_trigger() in its own migration


def test_a_write_moves_the_generation_once_committed_and_a_read_does_not(app, make):
    rep = make.user("rep")
    before = generation()
    deal = make.deal(rep)
    after_create = generation()
    assert after_create > before
    list(Deal.select())
    assert generation() == after_create
    with db.atomic():
        Deal.update(title="Renamed").where(Deal.id == deal.id).execute()
        Deal.update(title="Renamed again").where(Deal.id == deal.id).execute()
    assert generation() > after_create
    moved = generation()
    with db.atomic() as transaction:
        Deal.update(title="Not kept").where(Deal.id == deal.id).execute()
        transaction.rollback()
    assert generation() == moved  # a write that never committed changes nothing kept
