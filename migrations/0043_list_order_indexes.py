"""Indexes in each list's whole order, its last key the id: the customer list (a tier's, or everyone's, by the
next visit due), the sent quotes (a status's, newest first) and a pipeline column's first cards (by position).
Ordered by the date alone, PostgreSQL read the rows a page needs and then sorted them again by id, and on the xl
data with ANALYZE statistics it chose to do that with parallel workers, whose start took longer than the page
(the customer list: 18 ms, 1 ms from the whole order). SQLite's indexes end in the rowid already; the same
indexes serve it as before."""


def up(migrator, db):
    migrator.migrate(
        migrator.drop_index("customer", "customer_tier_next_visit_due"),
        migrator.drop_index("customer", "customer_next_visit_due"),
        migrator.add_index("customer", ("tier", "next_visit_due", "id"), False),
        migrator.add_index("customer", ("next_visit_due", "id"), False),
        migrator.drop_index("quote", "quote_status_created_at"),
        migrator.add_index("quote", ("status", "created_at", "id"), False),
        migrator.drop_index("deal", "deal_stage_id_position"),
        migrator.add_index("deal", ("stage_id", "position", "id"), False),
    )
