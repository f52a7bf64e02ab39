"""Rollups kept by the writes from here on (salesweb/infra/rollups.py) and built from the rows once every migration
has run (salesweb/infra/schema.py): deals won and lost per owner per day and per month by their customer's source
and the loss reason (won and lost by source, the loss reasons), and customers made per owner per day and per month
(new customers, the cost per new customer).

The tables are defined here as they stand at this migration, not through the models, which may grow later."""
from peewee import BigIntegerField, CharField, DateField, IntegerField, Model


def up(migrator, db):
    class Rollup(Model):
        class Meta:
            database = db
            primary_key = False

    class Closed(Rollup):
        owner, source, reason = IntegerField(), CharField(max_length=16), IntegerField()
        won, won_amount = IntegerField(default=0), BigIntegerField(default=0)
        lost, lost_amount = IntegerField(default=0), BigIntegerField(default=0)

    class ClosedDay(Closed):
        day = DateField()

        class Meta:
            table_name = "rollup_closed_day"
            indexes = ((("owner", "day", "source", "reason"), True), (("day", "owner"), False))

    class ClosedMonth(Closed):
        month = CharField(max_length=7)

        class Meta:
            table_name = "rollup_closed_month"
            indexes = ((("owner", "month", "source", "reason"), True), (("month", "owner"), False))

    class NewCustomerDay(Rollup):
        owner, day, created = IntegerField(), DateField(), IntegerField(default=0)

        class Meta:
            table_name = "rollup_new_customer_day"
            indexes = ((("owner", "day"), True), (("day", "owner"), False))

    class NewCustomerMonth(Rollup):
        owner, month, created = IntegerField(), CharField(max_length=7), IntegerField(default=0)

        class Meta:
            table_name = "rollup_new_customer_month"
            indexes = ((("owner", "month"), True), (("month", "owner"), False))

    db.create_tables([ClosedDay, ClosedMonth, NewCustomerDay, NewCustomerMonth])
