"""Indexes the large data set asked for: unread coaching comments through a small partial index (not every
visit of the rep), and a team's regions (the customer list's filter) from an index rather than the rows."""


def up(migrator, db):
    db.execute_sql("CREATE INDEX IF NOT EXISTS visit_comment_unread ON visit_comment (visit_id) WHERE read_at IS NULL")
    db.execute_sql("CREATE INDEX IF NOT EXISTS customer_owner_id_region ON customer (owner_id, region)")
