"""Rollups: done visits per rep per day and per month, stage stays per owner per day, and money due and received
per deal owner per day and per month; and each contract's outstanding amount (its instalments less its payments).
Kept by the writes from here on (salesweb/infra/rollups.py); built from the rows an install already holds once
every migration has run (salesweb/infra/schema.py), with the code that keeps them.

The tables are defined here as they stand at this migration, not through the models, which may grow later."""
from peewee import BigIntegerField, CharField, DateField, IntegerField, Model


def up(migrator, db):
    class Rollup(Model):
        class Meta:
            database = db
            primary_key = False

    class VisitDay(Rollup):
        rep, day = IntegerField(), DateField()
        done, verified = IntegerField(default=0), IntegerField(default=0)

        class Meta:
            table_name = "rollup_visit_day"
            indexes = ((("rep", "day"), True), (("day", "rep"), False))

    class VisitMonth(Rollup):
        rep, month = IntegerField(), CharField(max_length=7)
        done, verified = IntegerField(default=0), IntegerField(default=0)

        class Meta:
            table_name = "rollup_visit_month"
            indexes = ((("rep", "month"), True), (("month", "rep"), False))

    class StageStay(Rollup):
        owner, day, stage, next_stage = IntegerField(), DateField(), IntegerField(), IntegerField()
        stays, seconds = IntegerField(default=0), BigIntegerField(default=0)

        class Meta:
            table_name = "rollup_stage_stay"
            indexes = ((("owner", "day", "stage", "next_stage"), True), (("day", "owner"), False))

    class MoneyDay(Rollup):
        owner, day = IntegerField(), DateField()
        due, received = BigIntegerField(default=0), BigIntegerField(default=0)

        class Meta:
            table_name = "rollup_money_day"
            indexes = ((("owner", "day"), True), (("day", "owner"), False))

    class MoneyMonth(Rollup):
        owner, month = IntegerField(), CharField(max_length=7)
        due, received = BigIntegerField(default=0), BigIntegerField(default=0)

        class Meta:
            table_name = "rollup_money_month"
            indexes = ((("owner", "month"), True), (("month", "owner"), False))

    db.create_tables([VisitDay, VisitMonth, StageStay, MoneyDay, MoneyMonth])
    migrator.migrate(
        migrator.add_column("contract", "outstanding", BigIntegerField(default=0)),
        migrator.add_index("contract", ("outstanding",), False),
    )
