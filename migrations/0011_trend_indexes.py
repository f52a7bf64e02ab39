"""Indexes for the 12-month trends: a month's done visits are counted in an index alone, without reading the
visit rows, for everyone on (occurred_at, status) and for a team on (rep, occurred_at, status); these replace the
indexes on occurred_at and on (rep, occurred_at), whose every use they serve. New deals per month: created_at."""


def up(migrator, db):
    db.execute_sql("CREATE INDEX IF NOT EXISTS visit_occurred_at_status ON visit (occurred_at, status)")
    db.execute_sql("DROP INDEX IF EXISTS visit_occurred_at")
    db.execute_sql("CREATE INDEX IF NOT EXISTS visit_rep_id_occurred_at_status ON visit (rep_id, occurred_at, status)")
    db.execute_sql("DROP INDEX IF EXISTS visit_rep_id_occurred_at")
    db.execute_sql("CREATE INDEX IF NOT EXISTS deal_created_at ON deal (created_at)")
