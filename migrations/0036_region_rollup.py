"""The customers per region, whoever owns them (rollup_region), kept by the writes from here on and built from the
rows once every migration has run: the regions in use for those who see every customer, a row a region."""
from peewee import CharField, IntegerField, Model


def up(migrator, db):
    class RegionCount(Model):
        region, customers = CharField(max_length=64), IntegerField(default=0)

        class Meta:
            database = db
            primary_key = False
            table_name = "rollup_region"
            indexes = ((("region",), True),)

    db.create_tables([RegionCount])
