"""Every model, in dependency order (the schema test compares them with the migrations)."""
from .people import ROLES, LoginAttempt, Team, User
from .audit import AuditEvent
from .settings import Setting
from .customers import SOURCES, STATUSES, TIERS, Contact, Customer, CustomerNote, PoolMove, TierChange

ALL_MODELS = [Team, User, LoginAttempt, AuditEvent, Setting, Customer, Contact, CustomerNote, TierChange, PoolMove]

__all__ = ["ROLES", "SOURCES", "STATUSES", "TIERS", "ALL_MODELS", "AuditEvent", "Contact", "Customer",
           "CustomerNote", "LoginAttempt", "PoolMove", "Setting", "Team", "TierChange", "User"]
