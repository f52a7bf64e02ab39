"""Images are stored without their EXIF (where and with what they were taken); the capture time they carried
is kept on the file's row."""
from peewee import DateTimeField


def up(migrator, db):
    migrator.migrate(migrator.add_column("stored_file", "captured_at", DateTimeField(null=True)))
