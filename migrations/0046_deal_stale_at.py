"""When each deal goes stale, kept on the deal (`step_due_at`, `stale_at`: infra.stale), with the indexes the stale
counts read: a range of each open stage's deals (everyone's) or of each person's in it (a scope's), the stale ones
alone, instead of every open deal's next step, due day and last activity (0030's index, dropped). Filled once every
migration has run, as the rollups are."""
from peewee import DateTimeField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("deal", "step_due_at", DateTimeField(null=True)),
        migrator.add_column("deal", "stale_at", DateTimeField(null=True)),
        migrator.drop_index("deal", "deal_stage_id_owner_id_next_step_due_last_activity_at_next_step"),
        migrator.add_index("deal", ("stage_id", "stale_at"), False),
        migrator.add_index("deal", ("stage_id", "owner_id", "stale_at"), False),
    )
