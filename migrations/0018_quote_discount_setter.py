"""Who last set a quote's discount (the overall discount, or the prices and lines that make its discount off
catalogue): that person may not approve it. Quotes made before are credited to whoever last wrote their terms
(their last edit, else their preparer). And the quote list's order, newest first, alone or within a status."""
from peewee import ForeignKeyField, IntegerField, Model

BACKFILL = ("UPDATE quote SET discount_set_by_id = COALESCE("
            "(SELECT e.by_id FROM quote_event e WHERE e.quote_id = quote.id AND e.action IN ('created', 'edited') "
            "AND e.by_id IS NOT NULL ORDER BY e.at DESC, e.id DESC LIMIT 1), prepared_by_id)")


def up(migrator, db):
    class User(Model):
        id = IntegerField(primary_key=True)

        class Meta:
            database = db
            table_name = "user"

    migrator.migrate(
        migrator.add_column("quote", "discount_set_by_id",
                            ForeignKeyField(User, field=User.id, null=True, on_delete="RESTRICT")),
        migrator.add_index("quote", ("created_at",), False),
        migrator.add_index("quote", ("status", "created_at"), False),
    )
    db.execute_sql(BACKFILL)
