"""The per-person rollups keep, beside each person's rows, the sums over each person's subtree and over everyone
(a column `grp` leading every index: 0 a person's own rows, 1 a subtree's, 2 everyone's), so that a figure over a
manager's whole team or over everyone reads one row set instead of a row per person. The group rows are made by
the rebuild that runs once every migration has (salesweb/infra/schema.py ROLLUP_MIGRATIONS).

The indexes are named here as they stand at this migration, not through the models, which may grow later."""
from peewee import IntegerField

INDEXES = {
    "rollup_visit_day": (("grp", "rep", "day"), ("grp", "day", "rep")),
    "rollup_visit_month": (("grp", "rep", "month"), ("grp", "month", "rep")),
    "rollup_stage_stay": (("grp", "owner", "day", "stage", "next_stage"),
                          ("grp", "day", "owner", "stage", "next_stage", "stays", "seconds")),
    "rollup_stage_stay_month": (("grp", "owner", "month", "stage", "next_stage"),
                                ("grp", "month", "owner", "stage", "next_stage", "stays", "seconds")),
    "rollup_money_day": (("grp", "owner", "day"), ("grp", "day", "owner")),
    "rollup_money_month": (("grp", "owner", "month"), ("grp", "month", "owner")),
    "rollup_unpaid_day": (("grp", "owner", "day"), ("grp", "day", "owner")),
    "rollup_unpaid_month": (("grp", "owner", "month"), ("grp", "month", "owner")),
    "rollup_customer": (("grp", "owner", "tier", "status", "region"),),
    "rollup_stage_deals": (("grp", "owner", "stage"),),
    "rollup_stage_month_deals": (("grp", "owner", "stage", "month"),
                                 ("grp", "stage", "month", "owner", "deals", "amount", "weighted")),
    "rollup_deal_day": (("grp", "owner", "day"), ("grp", "day", "owner")),
    "rollup_deal_month": (("grp", "owner", "month"), ("grp", "month", "owner")),
    "rollup_closed_day": (("grp", "owner", "day", "source", "reason"), ("grp", "day", "owner")),
    "rollup_closed_month": (("grp", "owner", "month", "source", "reason"), ("grp", "month", "owner")),
    "rollup_new_customer_day": (("grp", "owner", "day"), ("grp", "day", "owner")),
    "rollup_new_customer_month": (("grp", "owner", "month"), ("grp", "month", "owner")),
}


def up(migrator, db):
    for table, (key, *others) in INDEXES.items():
        operations = [migrator.drop_index(table, index.name) for index in db.get_indexes(table)]
        operations.append(migrator.add_column(table, "grp", IntegerField(default=0)))
        operations.append(migrator.add_index(table, key, True))
        operations += [migrator.add_index(table, columns, False) for columns in others]
        migrator.migrate(*operations)
