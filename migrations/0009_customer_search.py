"""Finding a customer by part of its name, its phone, or a contact's name or phone from an index, not by reading
every customer and contact. SQLite: an FTS5 table of trigrams, one row per customer (rowid = customer id) holding
those texts, kept by triggers whatever writes them. PostgreSQL: pg_trgm indexes under the same four columns, which
its ILIKE uses directly. Either way a term needs three characters to use the index; shorter ones still match,
by reading the rows."""
from peewee import PostgresqlDatabase

# What a customer is found by; a newline keeps one text's end and the next one's start from forming a match.
def _body(customer):
    return (f"coalesce({customer}.name, '') || char(10) || coalesce({customer}.phone, '') || coalesce(("
            "SELECT group_concat(char(10) || coalesce(ct.name, '') || char(10) || coalesce(ct.phone, ''), '') "
            f"FROM contact ct WHERE ct.customer_id = {customer}.id), '')")


def _refresh(customer_id):
    return (f"DELETE FROM customer_search WHERE rowid = {customer_id}; "
            f"INSERT INTO customer_search (rowid, body) SELECT c.id, {_body('c')} FROM customer c "
            f"WHERE c.id = {customer_id};")


SQLITE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS customer_search USING fts5(body, tokenize='trigram')",
    f"INSERT INTO customer_search (rowid, body) SELECT c.id, {_body('c')} FROM customer c",
    f"CREATE TRIGGER IF NOT EXISTS customer_search_insert AFTER INSERT ON customer BEGIN {_refresh('new.id')} END",
    f"""CREATE TRIGGER IF NOT EXISTS customer_search_update AFTER UPDATE OF name, phone ON customer
        BEGIN {_refresh('new.id')} END""",
    "CREATE TRIGGER IF NOT EXISTS customer_search_delete AFTER DELETE ON customer "
    "BEGIN DELETE FROM customer_search WHERE rowid = old.id; END",
    f"CREATE TRIGGER IF NOT EXISTS contact_search_insert AFTER INSERT ON contact BEGIN {_refresh('new.customer_id')} END",
    f"""CREATE TRIGGER IF NOT EXISTS contact_search_update AFTER UPDATE OF name, phone, customer_id ON contact
        BEGIN {_refresh('old.customer_id')} {_refresh('new.customer_id')} END""",
    f"CREATE TRIGGER IF NOT EXISTS contact_search_delete AFTER DELETE ON contact BEGIN {_refresh('old.customer_id')} END",
]

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    'CREATE INDEX IF NOT EXISTS customer_name_trgm ON "customer" USING gin (name gin_trgm_ops)',
    'CREATE INDEX IF NOT EXISTS customer_phone_trgm ON "customer" USING gin (phone gin_trgm_ops)',
    'CREATE INDEX IF NOT EXISTS contact_name_trgm ON "contact" USING gin (name gin_trgm_ops)',
    'CREATE INDEX IF NOT EXISTS contact_phone_trgm ON "contact" USING gin (phone gin_trgm_ops)',
]


def up(migrator, db):
    for statement in POSTGRES if isinstance(db, PostgresqlDatabase) else SQLITE:
        db.execute_sql(statement)
