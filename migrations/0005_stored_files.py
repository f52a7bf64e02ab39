"""Stored files, named by the SHA-256 of their content."""
from peewee import BigIntegerField, CharField, DateTimeField, Model


def up(migrator, db):
    class StoredFile(Model):
        sha256 = CharField(max_length=64, unique=True)
        size = BigIntegerField()
        kind = CharField(max_length=8)
        mime = CharField(max_length=100)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "stored_file"

    db.create_tables([StoredFile])
