"""Rollup: customers per owner (0: the pool), tier, status and region, kept by the customer writes from here on
(salesweb/infra/rollups.py) and built here from the customers an install already holds.

The table is defined here as it stands at this migration, not through the model, which may grow later. Pages read
it, so a write to it moves the data generation (0016) like a write to any business table: a rebuild that repairs
it is seen at once."""
import importlib.util
from pathlib import Path

from peewee import CharField, IntegerField, Model, SqliteDatabase


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
    spec = importlib.util.spec_from_file_location("generation", Path(__file__).with_name("0016_data_generation.py"))
    generation = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generation)
    generation.add_trigger(db, "rollup_customer", isinstance(db, SqliteDatabase))
    # built with the code that keeps it: the same rows `salesweb rebuild-rollups` makes
    from salesweb.infra import rollups
    rollups.rebuild(tables=("rollup_customer",))
