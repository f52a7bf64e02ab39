"""Indexes for the cost of sales and the customer pool. A team's claims of a period by (team, spent on, category,
status, amount): its spent and its budget lines are summed from the index alone, where the (team, spent on,
category) one it replaces fetched every claim of the period from the table for its status and amount. The pool's
customers by name, in indexes of the unowned alone: a page of the pool is their first entries, where the list read
every unowned customer and sorted them (2,000 on the xl data, a fifth of them more each year). PostgreSQL reads
them from the (name_key) one; SQLite without statistics takes the owner's equality (owner_id IS NULL) over any
scan in order, so the (owner_id, name_key) one, its owner always NULL, serves it in order."""


def up(migrator, db):
    migrator.migrate(
        migrator.drop_index("expense", "expense_team_id_spent_on_category"),
        migrator.add_index("expense", ("team_id", "spent_on", "category", "status", "amount"), False),
    )
    db.execute_sql("CREATE INDEX customer_pool_name_key ON customer (name_key) WHERE owner_id IS NULL")
    db.execute_sql("CREATE INDEX customer_pool_owner_name_key ON customer (owner_id, name_key) WHERE owner_id IS NULL")
