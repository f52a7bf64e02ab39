"""PostgreSQL finds a customer the way SQLite does (0009): in one text per customer, its name, its phone and its
contacts' names and phones, under one pg_trgm index. With an index under each of the four columns, the planner
read the contacts table whole rather than OR two of its indexes together (a customer search for a Chinese name:
25 ms of its 28 on the large demo data, against 0.2 ms from the one index). The table, customer_search, is kept
by triggers whatever writes a customer or a contact, as SQLite's is; the indexes under a contact's name and phone
and a customer's phone go (nothing else searches them), the one under a customer's name stays (the quote list
searches it). SQLite: nothing to do."""
from peewee import PostgresqlDatabase

# What a customer is found by, as 0009 puts it in SQLite's table; a newline keeps one text's end and the next
# one's start from forming a match.
BODY = ("coalesce(c.name, '') || chr(10) || coalesce(c.phone, '') || coalesce(("
        "SELECT string_agg(chr(10) || coalesce(ct.name, '') || chr(10) || coalesce(ct.phone, ''), '') "
        "FROM contact ct WHERE ct.customer_id = c.id), '')")

POSTGRES = [
    'CREATE TABLE customer_search (customer_id integer PRIMARY KEY REFERENCES "customer" (id) ON DELETE CASCADE, '
    "body text NOT NULL)",
    f'INSERT INTO customer_search (customer_id, body) SELECT c.id, {BODY} FROM "customer" c',
    "CREATE INDEX customer_search_body_trgm ON customer_search USING gin (body gin_trgm_ops)",
    # The customers' texts written again. The customers' rows are locked first (as an UPDATE of them would), so
    # that two writers of one customer's contacts take turns, the second reading the contacts after the first
    # committed: each statement of the function sees what was committed before it began.
    f"""CREATE FUNCTION customer_search_refresh(ids integer[]) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM 1 FROM "customer" WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
        INSERT INTO customer_search (customer_id, body) SELECT c.id, {BODY} FROM "customer" c WHERE c.id = ANY (ids)
        ON CONFLICT (customer_id) DO UPDATE SET body = EXCLUDED.body;
    END $$""",
    # New customers, and contacts added or removed: once per statement (an import adds thousands).
    """CREATE FUNCTION customer_search_customers_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM customer_search_refresh(ARRAY(SELECT id FROM changed));
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION customer_search_contacts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM customer_search_refresh(ARRAY(SELECT DISTINCT customer_id FROM changed));
        RETURN NULL;
    END $$""",
    # A customer's name or phone, or a contact's name, phone or customer, changed: once per row, and only then
    # (a customer's row is written at every visit).
    """CREATE FUNCTION customer_search_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_TABLE_NAME = 'customer' THEN
            PERFORM customer_search_refresh(ARRAY[NEW.id]);
        ELSE
            PERFORM customer_search_refresh(ARRAY[OLD.customer_id, NEW.customer_id]);
        END IF;
        RETURN NULL;
    END $$""",
    'CREATE TRIGGER customer_search_insert AFTER INSERT ON "customer" REFERENCING NEW TABLE AS changed '
    "FOR EACH STATEMENT EXECUTE FUNCTION customer_search_customers_added()",
    'CREATE TRIGGER customer_search_update AFTER UPDATE OF name, phone ON "customer" FOR EACH ROW '
    "WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.phone IS DISTINCT FROM NEW.phone) "
    "EXECUTE FUNCTION customer_search_row_changed()",
    'CREATE TRIGGER contact_search_insert AFTER INSERT ON "contact" REFERENCING NEW TABLE AS changed '
    "FOR EACH STATEMENT EXECUTE FUNCTION customer_search_contacts_changed()",
    'CREATE TRIGGER contact_search_delete AFTER DELETE ON "contact" REFERENCING OLD TABLE AS changed '
    "FOR EACH STATEMENT EXECUTE FUNCTION customer_search_contacts_changed()",
    'CREATE TRIGGER contact_search_update AFTER UPDATE OF name, phone, customer_id ON "contact" FOR EACH ROW '
    "WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.phone IS DISTINCT FROM NEW.phone "
    "OR OLD.customer_id IS DISTINCT FROM NEW.customer_id) EXECUTE FUNCTION customer_search_row_changed()",
    "DROP INDEX IF EXISTS customer_phone_trgm",
    "DROP INDEX IF EXISTS contact_name_trgm",
    "DROP INDEX IF EXISTS contact_phone_trgm",
]


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        for statement in POSTGRES:
            db.execute_sql(statement)
