"""A visit sent from a phone carries the id the phone made for it (client_uuid) and when it was captured there
(captured_at); a unique index on the rep and that id records a visit sent twice (a retry after a lost answer, a
double tap, two tabs) once. Visits from before have neither: NULLs are distinct on both engines."""
from peewee import CharField, DateTimeField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("visit", "client_uuid", CharField(max_length=36, null=True)),
        migrator.add_column("visit", "captured_at", DateTimeField(null=True)),
        migrator.add_index("visit", ("rep_id", "client_uuid"), True),
    )
