"""Rollup: customers per owner (0: the pool), tier, status and region, kept by the customer writes from here on
(salesweb/infra/rollups.py); built from the customers an install already holds once every migration has run
(salesweb/infra/schema.py).

The table is defined here as it stands at this migration, not through the model, which may grow later."""
from peewee import CharField, IntegerField, Model


def up(migrator, db):
    class CustomerCount(Model):
        owner, tier, status, region = IntegerField(), CharField(max_length=1), CharField(max_length=16), \
            CharField(max_length=64)
        customers = IntegerField(default=0)

        class Meta:
            database = db
            primary_key = False
            table_name = "rollup_customer"
            indexes = ((("owner", "tier", "status", "region"), True),)

    db.create_tables([CustomerCount])
