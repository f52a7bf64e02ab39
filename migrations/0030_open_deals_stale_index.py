"""The deals on a stage with what makes one stale (its next step, the day it is due, its last activity) and its
owner: the funnel counts the stale open deals, which moves with today and each stage's rot time and so cannot be
kept as a sum, from this index alone, a few entries a deal rather than every open deal's row."""


def up(migrator, db):
    migrator.migrate(
        migrator.add_index("deal", ("stage_id", "owner_id", "next_step_due", "last_activity_at", "next_step"), False),
    )
