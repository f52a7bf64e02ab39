"""Operator settings stored as typed key/values; defaults live in core.settings."""
from peewee import CharField, DateTimeField, ForeignKeyField, TextField

from ..core.db import BaseModel, utcnow
from .people import User


class Setting(BaseModel):
    key = CharField(max_length=64, primary_key=True)
    value = TextField()
    updated_at = DateTimeField(default=utcnow)
    updated_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
