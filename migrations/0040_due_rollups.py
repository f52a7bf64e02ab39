"""Customers per owner, tier and the month and day of the month (0: the whole month) their next visit is due
(rollup_due), with the subtree and everyone's group rows, kept by the writes from here on and built from the rows
once every migration has run: customers overdue by tier read a row per tier and month, not every customer."""
from peewee import CharField, IntegerField, Model


def up(migrator, db):
    class Due(Model):
        grp, owner, tier = IntegerField(default=0), IntegerField(), CharField(max_length=1)
        month, day = CharField(max_length=7), IntegerField()
        customers = IntegerField(default=0)

        class Meta:
            database = db
            primary_key = False
            table_name = "rollup_due"
            indexes = ((("grp", "owner", "tier", "month", "day"), True),
                       (("grp", "owner", "tier", "day", "month"), False))

    db.create_tables([Due])
