"""The figures read by the day: rollups of what is still unpaid of the instalments falling due on each day and in
each month, per deal owner (a contract's payments settle its earliest instalments first), so that what is overdue
today is a sum over the days before it rather than a pass over every contract still owed; indexes that find a
scope's deals won, lost or made in a period, and everyone's lost deals and new customers, by the day; and the stage
stays' index by day made covering, so that everyone's flow over a period reads the index alone.

The rollups are kept by the writes from here on (salesweb/infra/rollups.py) and built from the rows an install
already holds once every migration has run (salesweb/infra/schema.py). The tables are defined here as they stand at
this migration, not through the models, which may grow later."""
from peewee import BigIntegerField, CharField, DateField, IntegerField, Model


def up(migrator, db):
    class Rollup(Model):
        class Meta:
            database = db
            primary_key = False

    class UnpaidDay(Rollup):
        owner, day, unpaid = IntegerField(), DateField(), BigIntegerField(default=0)

        class Meta:
            table_name = "rollup_unpaid_day"
            indexes = ((("owner", "day"), True), (("day", "owner"), False))

    class UnpaidMonth(Rollup):
        owner, month, unpaid = IntegerField(), CharField(max_length=7), BigIntegerField(default=0)

        class Meta:
            table_name = "rollup_unpaid_month"
            indexes = ((("owner", "month"), True), (("month", "owner"), False))

    db.create_tables([UnpaidDay, UnpaidMonth])
    migrator.migrate(
        migrator.add_index("deal", ("owner_id", "won_on"), False),
        migrator.add_index("deal", ("owner_id", "lost_on"), False),
        migrator.add_index("deal", ("owner_id", "created_at"), False),
        migrator.add_index("deal", ("lost_on",), False),
        migrator.add_index("customer", ("created_at",), False),
        migrator.drop_index("rollup_stage_stay", "stagestay_day_owner"),
        migrator.add_index("rollup_stage_stay", ("day", "owner", "stage", "next_stage", "stays", "seconds"), False),
    )
