"""Stored files: one row per distinct content, named by its SHA-256."""
from peewee import BigIntegerField, CharField, DateTimeField

from ..core.db import BaseModel, utcnow


class StoredFile(BaseModel):
    sha256 = CharField(max_length=64, unique=True)
    size = BigIntegerField()
    kind = CharField(max_length=8)  # pdf, docx, pptx, xlsx, png, jpeg, mp4
    mime = CharField(max_length=100)
    created_at = DateTimeField(default=utcnow)
    captured_at = DateTimeField(null=True)  # a photo's capture time (UTC), kept from the EXIF the file loses
