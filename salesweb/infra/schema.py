"""Applying the migrations under migrations/ with playhouse.migrations."""
from pathlib import Path

from playhouse.migrations import Runner

from ..core.db import db

MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"


def runner():
    return Runner(db.obj, str(MIGRATIONS))


def migrate():
    """Apply pending migrations; return the names applied."""
    return runner().up()


def pending():
    return [m.name for m in runner().status() if not m.applied and m.path]

