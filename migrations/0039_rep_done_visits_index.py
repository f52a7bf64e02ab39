"""A rep's done visits in the order they happened: the visit list of a rep reads its page's 25 entries from this
index, where the rep's visits by the other indexes were all fetched and sorted (thousands a rep, more each year)."""


def up(migrator, db):
    migrator.migrate(
        migrator.add_index("visit", ("rep_id", "status", "occurred_at"), False),
    )
