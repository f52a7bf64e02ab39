"""Applying the migrations under migrations/ with playhouse.migrations."""
from pathlib import Path

from playhouse.migrations import Runner

from ..core.db import db
from . import rollups

MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"


def runner():
    return Runner(db.obj, str(MIGRATIONS))


# Migrations that make rollup tables: once they have run, the rollups are built from the rows (after every
# migration, so that the models the rebuild reads match the schema).
ROLLUP_MIGRATIONS = ("0023_rollups", "0024_customer_rollup", "0026_figures", "0028_stage_deals", "0029_deal_rollups",
                     "0035_closed_and_new_customer_rollups", "0036_region_rollup", "0038_group_rollups",
                     "0040_due_rollups", "0045_quote_rollup", "0046_deal_stale_at",
                     "0047_quote_needs_rollup")


def migrate():
    """Apply pending migrations; return the names applied."""
    applied = runner().up()
    if set(applied) & set(ROLLUP_MIGRATIONS):
        rollups.rebuild()
    return applied


def pending():
    return [m.name for m in runner().status() if not m.applied and m.path]

