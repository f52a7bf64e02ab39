"""Quotes per deal owner, stored status and the month and day of the month (0: the whole month) they are valid
until (rollup_quote), with the subtree and everyone's group rows, kept by the writes from here on and built from
the rows once every migration has run: the quote list counts a row per day and month, not every quote in scope."""
from peewee import CharField, IntegerField, Model


def up(migrator, db):
    class QuoteCount(Model):
        grp, owner, status = IntegerField(default=0), IntegerField(), CharField(max_length=10)
        month, day = CharField(max_length=7), IntegerField()
        quotes = IntegerField(default=0)

        class Meta:
            database = db
            primary_key = False
            table_name = "rollup_quote"
            indexes = ((("grp", "owner", "status", "month", "day"), True),
                       (("grp", "owner", "status", "day", "month"), False))

    db.create_tables([QuoteCount])
