"""People: teams, users, their login attempts."""
from flask_login import UserMixin
from peewee import (BooleanField, CharField, DateTimeField, DeferredForeignKey,
                    ForeignKeyField, IntegerField)

from ..core.db import BaseModel, utcnow
from ..core.i18n import _l

ROLES = ("rep", "manager", "support", "ops", "admin")
ROLE_LABELS = {"rep": _l("Sales rep"), "manager": _l("Sales manager"), "support": _l("Sales support"),
               "ops": _l("Sales operations"), "admin": _l("Administrator")}


class Team(BaseModel):
    name = CharField(max_length=100, unique=True)
    manager = DeferredForeignKey("User", null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)

    def __str__(self):
        return self.name


def initials(name):
    """Two letters for an avatar: 'Emma Clarke' → EC; a Chinese name by its given name: 王芳 → 王芳."""
    parts = name.split() or ["?"]
    if not parts[0].isascii():
        return parts[0][-2:]
    if len(parts) > 1:
        return (parts[0][0] + parts[-1][0]).upper()
    return parts[0][:2].upper()


class User(UserMixin, BaseModel):
    email = CharField(max_length=254, unique=True)  # stored lower-cased
    name = CharField(max_length=100)
    role = CharField(max_length=16, index=True)
    team = ForeignKeyField(Team, null=True, backref="members", on_delete="SET NULL")
    reports_to = ForeignKeyField("self", null=True, backref="reports", on_delete="SET NULL")
    active = BooleanField(default=True)
    locale = CharField(max_length=8, null=True)  # None: follow the browser
    password_hash = CharField(max_length=255)
    session_version = IntegerField(default=1)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    last_login_at = DateTimeField(null=True)
    calendar_token = CharField(max_length=64, null=True, unique=True)  # the secret of the planned-visits feed

    browser = ""  # the browser this user is signed in from (web.browser_tag), set at sign-in and load; not stored

    def get_id(self):
        # The version makes every session and remember cookie of an older version invalid; the browser binds
        # each to the browser it was issued to.
        return f"{self.id}:{self.session_version}:{self.browser}"

    @property
    def is_active(self):
        return self.active

    @property
    def initials(self):
        return initials(self.name)

    def __str__(self):
        return self.name


class LoginAttempt(BaseModel):
    at = DateTimeField(default=utcnow)
    email = CharField(max_length=254)
    ip = CharField(max_length=64)
    success = BooleanField()
    # the key of the browser's device cookie when that browser signed in to this account before; None: a new browser
    device = CharField(max_length=32, null=True)

    class Meta:
        indexes = ((("email", "at"), False), (("ip", "at"), False), (("device", "at"), False))
