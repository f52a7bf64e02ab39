"""Customers per owner, tier and the day (rollup_due_day) and month (rollup_due_month) their next visit is due,
with the subtree and everyone's group rows, kept by the writes from here on and built from the rows once every
migration has run: customers overdue by tier read a row per tier and month, not every customer."""
from peewee import CharField, DateField, IntegerField, Model


def up(migrator, db):
    class DueDay(Model):
        grp, owner, tier, day = IntegerField(default=0), IntegerField(), CharField(max_length=1), DateField()
        customers = IntegerField(default=0)

        class Meta:
            database = db
            primary_key = False
            table_name = "rollup_due_day"
            indexes = ((("grp", "owner", "tier", "day"), True),)

    class DueMonth(Model):
        grp, owner, tier, month = IntegerField(default=0), IntegerField(), CharField(max_length=1), CharField(max_length=7)
        customers = IntegerField(default=0)

        class Meta:
            database = db
            primary_key = False
            table_name = "rollup_due_month"
            indexes = ((("grp", "owner", "tier", "month"), True),)

    db.create_tables([DueDay, DueMonth])
