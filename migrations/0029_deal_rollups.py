"""Rollups of the pipeline's history, kept by the writes from here on (salesweb/infra/rollups.py) and built from the
rows once every migration has run (salesweb/infra/schema.py): deals won, lost and made per owner per day and per
month (the won and lost figures, trends), the stage stays per owner per month beside the days' (a period's flow
reads its whole months), and the deals in each stage per owner and expected-close month (the forecast).

The tables are defined here as they stand at this migration, not through the models, which may grow later."""
from peewee import BigIntegerField, CharField, DateField, IntegerField, Model


def up(migrator, db):
    class Rollup(Model):
        class Meta:
            database = db
            primary_key = False

    class StageStayMonth(Rollup):
        owner, month, stage, next_stage = IntegerField(), CharField(max_length=7), IntegerField(), IntegerField()
        stays, seconds = IntegerField(default=0), BigIntegerField(default=0)

        class Meta:
            table_name = "rollup_stage_stay_month"
            indexes = ((("owner", "month", "stage", "next_stage"), True),
                       (("month", "owner", "stage", "next_stage", "stays", "seconds"), False))

    class StageMonthDeals(Rollup):
        owner, stage, month = IntegerField(), IntegerField(), CharField(max_length=7)
        deals, amount, weighted = IntegerField(default=0), BigIntegerField(default=0), BigIntegerField(default=0)

        class Meta:
            table_name = "rollup_stage_month_deals"
            indexes = ((("owner", "stage", "month"), True),
                       (("stage", "month", "owner", "deals", "amount", "weighted"), False))

    class Deals(Rollup):
        owner = IntegerField()
        won, won_amount, won_seconds = IntegerField(default=0), BigIntegerField(default=0), BigIntegerField(default=0)
        lost, lost_amount = IntegerField(default=0), BigIntegerField(default=0)
        created, created_amount = IntegerField(default=0), BigIntegerField(default=0)

    class DealDay(Deals):
        day = DateField()

        class Meta:
            table_name = "rollup_deal_day"
            indexes = ((("owner", "day"), True), (("day", "owner"), False))

    class DealMonth(Deals):
        month = CharField(max_length=7)

        class Meta:
            table_name = "rollup_deal_month"
            indexes = ((("owner", "month"), True), (("month", "owner"), False))

    db.create_tables([StageStayMonth, StageMonthDeals, DealDay, DealMonth])
