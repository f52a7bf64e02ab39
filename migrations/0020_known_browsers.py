"""Sign-in attempts name the browser they came from when it had signed in to the account before (its device
cookie), so that such a browser is held to its own count of failures and not to the account's."""
from peewee import CharField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("login_attempt", "device", CharField(max_length=32, null=True)),
        migrator.add_index("login_attempt", ("device", "at"), False),
    )
