"""The quotes' rollup (rollup_quote) keyed by whose approval each quote needs too (manager, ops or none): the
manager's home counts the quotes waiting for a manager from its subtree row, not every pending quote of the team
joined to its deal. Built again from the rows once every migration has run."""
from peewee import CharField


def up(migrator, db):
    migrator.migrate(
        migrator.drop_index("rollup_quote", "quotecount_grp_owner_status_month_day"),
        migrator.drop_index("rollup_quote", "quotecount_grp_owner_status_day_month"),
        migrator.add_column("rollup_quote", "needs", CharField(max_length=8, default="")),
        migrator.add_index("rollup_quote", ("grp", "owner", "status", "month", "day", "needs"), True),
        migrator.add_index("rollup_quote", ("grp", "owner", "status", "day", "month", "needs"), False),
    )
