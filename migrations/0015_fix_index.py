"""A check-in's fix is looked up among every earlier visit's (any rep's): a fix used before does not verify a
visit. Few visits carry a fix, so a partial index on its time finds a match without walking the visits."""


def up(migrator, db):
    db.execute_sql("CREATE INDEX IF NOT EXISTS visit_fix_at ON visit (fix_at) WHERE fix_at IS NOT NULL")
