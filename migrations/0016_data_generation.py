"""The data generation: one number that every committed write to the business tables moves, kept by the
database's own triggers so that no write path can forget it. A result computed from the data (a team's figures,
a page's counts) is cached under the generation it was read at, and is never served once the number has moved.

Left out are the tables that record reading rather than change what pages show: sign-in attempts, public-form
hits, the audit log and notifications (read marks)."""

from peewee import SqliteDatabase

UNTRACKED = ("login_attempt", "public_hit", "audit_event", "notification", "data_generation", "schema_migration")


def tracked_tables(db):
    if isinstance(db, SqliteDatabase):
        rows = db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' "
                              "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'customer_search%'")
    else:
        rows = db.execute_sql("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return sorted(name for (name,) in rows if name not in UNTRACKED)


def up(migrator, db):
    db.execute_sql("CREATE TABLE IF NOT EXISTS data_generation (id INTEGER NOT NULL PRIMARY KEY, n BIGINT NOT NULL)")
    db.execute_sql("INSERT INTO data_generation (id, n) SELECT 1, 1 WHERE NOT EXISTS "
                   "(SELECT 1 FROM data_generation WHERE id = 1)")
    sqlite = isinstance(db, SqliteDatabase)
    if not sqlite:
        # Once per transaction, at its commit (a deferred trigger runs after every other statement, so the row's
        # lock is taken last and two writers never wait on each other for it in opposite orders).
        db.execute_sql("""
            CREATE OR REPLACE FUNCTION bump_data_generation() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF current_setting('salesweb.generation_bumped', true) IS DISTINCT FROM txid_current()::text THEN
                    UPDATE data_generation SET n = n + 1 WHERE id = 1;
                    PERFORM set_config('salesweb.generation_bumped', txid_current()::text, true);
                END IF;
                RETURN NULL;
            END $$""")
    for table in tracked_tables(db):
        add_trigger(db, table, sqlite)


def add_trigger(db, table, sqlite):
    """The triggers that move the generation on a write to `table` (later migrations call it for new tables)."""
    if sqlite:
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.execute_sql(f'CREATE TRIGGER IF NOT EXISTS "generation_{table}_{event.lower()}" AFTER {event} '
                           f'ON "{table}" BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END')
    else:
        db.execute_sql(f'DROP TRIGGER IF EXISTS "generation_{table}" ON "{table}"')
        db.execute_sql(f'CREATE CONSTRAINT TRIGGER "generation_{table}" AFTER INSERT OR UPDATE OR DELETE '
                       f'ON "{table}" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_data_generation()')
