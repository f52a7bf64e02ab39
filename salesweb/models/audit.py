"""The audit log: who did what to which record, and when."""
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField

from ..core.db import BaseModel, utcnow
from ..core.i18n import _l
from .people import User

# AuditEvent.action
AUDIT_ACTION_LABELS = {
    "login": _l("Signed in"), "login_failed": _l("Sign-in failed"), "login_locked": _l("Sign-in refused while locked"),
    "logout": _l("Signed out"), "password_changed": _l("Password changed"), "password_reset": _l("Password reset"),
    "create": _l("Created"), "edit": _l("Edited"), "delete": _l("Deleted"), "deactivate": _l("Deactivated"),
    "reactivate": _l("Reactivated"), "settings": _l("Settings changed"), "stage_move": _l("Stage moved"),
    "approval": _l("Approval"), "download": _l("Download"), "export": _l("Export"), "import": _l("Import"),
    "backup": _l("Backup"), "restore": _l("Restore"), "login_unlocked": _l("Sign-in unlocked"),
}


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
