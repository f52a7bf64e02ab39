"""The schema comes only from migrations/, and it is exactly what the models describe."""
from playhouse.migrations import Runner
from playhouse.schema_diff import diff_models

from salesweb.db import db
from salesweb.models import ALL_MODELS
from salesweb.services import schema


def test_migrated_schema_matches_the_models(app):
    diff = diff_models(db.obj, ALL_MODELS)
    # PostgreSQL's pg_trgm indexes for the customer search (0009) have no model counterpart: SQLite's search index
    # is a table of its own, so the models, shared by both engines, declare neither.
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
