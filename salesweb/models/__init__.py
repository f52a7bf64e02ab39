"""Every model, in dependency order (the schema test compares them with the migrations)."""
from .people import ROLES, LoginAttempt, Team, User
from .audit import AuditEvent
from .settings import Setting

ALL_MODELS = [Team, User, LoginAttempt, AuditEvent, Setting]

__all__ = ["ROLES", "ALL_MODELS", "AuditEvent", "LoginAttempt", "Setting", "Team", "User"]
