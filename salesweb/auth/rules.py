"""Signing in: password hashing and policy, lockout counted in the database (queries.py reads the locks), session
versions."""
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from ..core.db import db, is_sqlite, utcnow
from ..core.i18n import _l
from ..models import LoginAttempt, User
from ..core import audit
from ..core.errors import Invalid
from .queries import lock_ends

# werkzeug's scrypt defaults (N=32768); the tests lower the cost, the stored hash names its own.
PASSWORD_METHOD = "scrypt"
MIN_PASSWORD = 8
MAX_PASSWORD = 256  # long passphrases welcome; bounded so hashing stays cheap
# A hash to compare against when the email is unknown, so timing does not tell.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


@lru_cache(maxsize=1)
def _common_passwords():
    path = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def hash_password(password):
    return generate_password_hash(password, method=PASSWORD_METHOD)


def password_problem(password, email=None):
    """Why a new password is refused, or None."""
    if len(password) < MIN_PASSWORD:
        return _l("Use at least %(n)d characters.", n=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        return _l("Use at most %(n)d characters.", n=MAX_PASSWORD)
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) < 3:
        return _l("This password is too common; choose another.")
    if email and lowered in (email.lower(), email.lower().split("@")[0]):
        return _l("Do not use your email address as your password.")
    return None


def normalise_email(email):
    return (email or "").strip().lower()


@dataclass
class Lockout:
    failures: int  # per address, and per browser that signed in to the account before
    window_minutes: int
    lock_minutes: int
    account_failures: int = 20  # per account, from browsers that never signed in to it

    @classmethod
    def from_config(cls, config):
        return cls(config["LOGIN_LOCKOUT_FAILURES"], config["LOGIN_LOCKOUT_WINDOW_MINUTES"],
                   config["LOGIN_LOCKOUT_MINUTES"], config["LOGIN_LOCKOUT_ACCOUNT_FAILURES"])


@dataclass(frozen=True)
class Device:
    """A browser that signed in to an account before, as its signed device cookie says: the account and the
    browser's key (OWASP's "device cookies")."""
    user_id: int
    key: str


@dataclass
class SignIn:
    user: User | None = None
    locked_minutes: int = 0  # > 0: refused without checking the password
    account_locked: bool = False  # refused by the account's limit (new browsers), not an address's or a browser's
    device: str = ""  # signed in: the key of the device cookie this browser is to hold


def unlock(user, by):
    """Clear the account's failed sign-ins, so its owner gets in again at once from any browser."""
    with db.atomic():
        cleared = (LoginAttempt.delete()
                   .where((LoginAttempt.email == user.email) & (LoginAttempt.success == False))  # noqa: E712
                   .execute())
        audit.record("login_unlocked", actor=by, obj=user, summary=user.email)
    return cleared


def _serialise_attempts(email, ip):
    """Attempts on one account or from one address take turns (SQLite's BEGIN IMMEDIATE already does)."""
    if not is_sqlite():
        db.execute_sql("SELECT pg_advisory_xact_lock(1, hashtext(%s)), pg_advisory_xact_lock(2, hashtext(%s))",
                       (email, ip))


def authenticate(email, password, ip, policy, device=None, now=None):
    """Check a sign-in: counts failures per account, address and known browser, refuses while locked.

    `device` is the browser's Device (from its device cookie) or None. The attempt is recorded as a failure
    before the password is checked, so parallel guesses all count; the slow hash runs outside any transaction
    so it never holds the database's write lock.
    """
    now = now or utcnow()
    email = normalise_email(email)[:254]
    ip = (ip or "unknown")[:64]
    with db.atomic():
        _serialise_attempts(email, ip)
        user = User.get_or_none(User.email == email)
        known = device.key[:32] if device and user is not None and device.user_id == user.id else None
        lock = lock_ends(email, ip, policy, now, device=known)
        if lock:
            audit.record("login_locked", summary=email if user else "unknown account")
            return SignIn(locked_minutes=max(1, int((lock.ends - now).total_seconds() // 60) + 1),
                          account_locked=lock.account)
        attempt = LoginAttempt.create(at=now, email=email, ip=ip, success=False, device=known)
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    ok = ok and user is not None and user.active
    with db.atomic():
        if not ok:
            # What was typed into the email field is not logged for unknown accounts: it may be a password.
            audit.record("login_failed", actor=user, summary=email if user else "unknown account")
            return SignIn()
        LoginAttempt.update(success=True).where(LoginAttempt.id == attempt.id).execute()
        User.update(last_login_at=now).where(User.id == user.id).execute()
        audit.record("login", actor=user, obj=user, summary=email)
    return SignIn(user=user, device=known or secrets.token_urlsafe(16))


def end_sessions(user):
    """Invalidate every session and remember cookie this user has."""
    User.update(session_version=User.session_version + 1).where(User.id == user.id).execute()
    user.session_version += 1


def logout(user):
    with db.atomic():
        end_sessions(user)
        audit.record("logout", actor=user, obj=user)


def set_password(user, password, by, field="password"):
    """Store a new password (after the policy check) and end every session the user has."""
    problem = password_problem(password or "", user.email)
    if problem:
        raise Invalid({field: problem})
    with db.atomic():
        user.password_hash = hash_password(password)
        user.updated_at = utcnow()
        user.save(only=[User.password_hash, User.updated_at])
        end_sessions(user)
        own = getattr(by, "id", None) == user.id
        audit.record("password_changed" if own else "password_reset", actor=by, obj=user, summary=user.email)


def change_password(user, current, new):
    if not check_password_hash(user.password_hash, current or ""):
        raise Invalid({"current": _l("That is not your current password.")})
    set_password(user, new, by=user, field="new")
