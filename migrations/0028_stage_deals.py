"""The deals in each stage per owner (count, amount, amount × probability), kept by the writes from here on
(salesweb/infra/rollups.py) and built from the rows once every migration has run (salesweb/infra/schema.py): the
board's column headers read them instead of every deal, Won and Lost holding every deal ever closed. And an
owner's deals in a column in their order: a rep's board reads the first cards of each column without walking
everyone's (the index on owner and stage it replaces is its prefix).

The table is defined here as it stands at this migration, not through the model, which may grow later."""
from peewee import BigIntegerField, IntegerField, Model


def up(migrator, db):
    class StageDeals(Model):
        owner, stage = IntegerField(), IntegerField()
        deals, amount, weighted = IntegerField(default=0), BigIntegerField(default=0), BigIntegerField(default=0)

        class Meta:
            database = db
            primary_key = False
            table_name = "rollup_stage_deals"
            indexes = ((("owner", "stage"), True),)

    db.create_tables([StageDeals])
    migrator.migrate(
        migrator.add_index("deal", ("owner_id", "stage_id", "position"), False),
        migrator.drop_index("deal", "deal_owner_id_stage_id"),
    )
