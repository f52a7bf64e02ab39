"""The audit log: who did what to which record, and when."""
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from ..db import BaseModel, utcnow
from .people import User


class AuditEvent(BaseModel):
    at = DateTimeField(default=utcnow, index=True)
    actor = ForeignKeyField(User, null=True, backref="audit_events", on_delete="SET NULL")
    action = CharField(max_length=40, index=True)
    object_type = CharField(max_length=40, null=True)
    object_id = IntegerField(null=True)
    summary = CharField(max_length=500, default="")
    ip = CharField(max_length=64, null=True)

    class Meta:
        indexes = ((("object_type", "object_id"), False),)
