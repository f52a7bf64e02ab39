"""Customers by owner and the time they were made: the new customers a team or a rep made in a period (the costs
figure, the weekly report) are found by a range on each owner's rows, not by reading every customer they own."""


def up(migrator, db):
    migrator.migrate(migrator.add_index("customer", ("owner_id", "created_at"), False))
