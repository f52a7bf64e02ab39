"""Indexes for the 12-month trends: visits done per month are counted on (occurred_at, status) without reading
the visit rows (it also serves what the index on occurred_at alone did), and new deals per month on created_at."""


def up(migrator, db):
    db.execute_sql("CREATE INDEX IF NOT EXISTS visit_occurred_at_status ON visit (occurred_at, status)")
    db.execute_sql("DROP INDEX IF EXISTS visit_occurred_at")
    db.execute_sql("CREATE INDEX IF NOT EXISTS deal_created_at ON deal (created_at)")
