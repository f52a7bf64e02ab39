"""The data generation goes: pages keep no results computed from the data, so nothing reads the number 0016's
triggers moved on every write, and each write paid for moving it (on PostgreSQL, a lock on its one row at every
commit). This drops every trigger named generation_... (0016's, and any a later migration made with its
add_trigger), PostgreSQL's bump_data_generation() and the data_generation table; it finds the triggers in the
database's own catalogue, so it is safe to run on a database that has some, all or none of them."""
from peewee import SqliteDatabase

PREFIX = "generation_"


def generation_triggers(db):
    """(trigger, table) of every trigger named generation_... in this database (this schema, on PostgreSQL)."""
    if isinstance(db, SqliteDatabase):
        rows = db.execute_sql("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
    else:
        rows = db.execute_sql("SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                              "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()")
    return sorted((name, table) for name, table in rows if name.startswith(PREFIX))


def _quoted(name):
    return '"' + name.replace('"', '""') + '"'


def up(migrator, db):
    sqlite = isinstance(db, SqliteDatabase)
    for name, table in generation_triggers(db):
        db.execute_sql(f"DROP TRIGGER IF EXISTS {_quoted(name)}" + ("" if sqlite else f" ON {_quoted(table)}"))
    if not sqlite:
        db.execute_sql("DROP FUNCTION IF EXISTS bump_data_generation()")
    db.execute_sql("DROP TABLE IF EXISTS data_generation")
