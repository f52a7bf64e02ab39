"""Rollups: done visits per rep per day and per month, and stage stays per owner per day, kept by the writes
from here on (salesweb/infra/rollups.py) and built here from the rows an install already holds.

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

    db.create_tables([VisitDay, VisitMonth, StageStay])
    # built with the code that keeps them: the same rows `salesweb rebuild-rollups` makes
    from salesweb.infra import rollups
    rollups.rebuild(tables=("rollup_visit_day", "rollup_visit_month", "rollup_stage_stay"))
