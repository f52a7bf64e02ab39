"""Signing in: password hashing and policy, lockout counted in the database, session versions."""
import datetime
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from ..db import db, is_sqlite, prepared, utcnow
from ..i18n import _l
from ..models import DataGeneration, LoginAttempt, User
from . import audit
from .errors import Invalid
from .notifications import unread_count

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
    failures: int
    window_minutes: int
    lock_minutes: int


@dataclass
class SignIn:
    user: User | None = None
    locked_minutes: int = 0  # > 0: refused without checking the password


def _locked_until(query, policy, now):
    """When the lock on these attempts ends, or None: the Nth failure within the window locks for lock_minutes."""
    recent = [at for (at,) in query.order_by(LoginAttempt.at.desc()).limit(policy.failures).tuples()]
    if len(recent) < policy.failures:
        return None
    if recent[0] - recent[-1] > datetime.timedelta(minutes=policy.window_minutes):
        return None
    until = recent[0] + datetime.timedelta(minutes=policy.lock_minutes)
    return until if until > now else None


def lock_ends(email, ip, policy, now=None):
    now = now or utcnow()
    horizon = now - datetime.timedelta(minutes=policy.window_minutes + policy.lock_minutes)
    failed = LoginAttempt.select(LoginAttempt.at).where(
        (LoginAttempt.success == False) & (LoginAttempt.at > horizon))  # noqa: E712
    last_ok = (LoginAttempt.select(LoginAttempt.at)
               .where((LoginAttempt.email == email) & (LoginAttempt.success == True))  # noqa: E712
               .order_by(LoginAttempt.at.desc()).limit(1).scalar())
    by_email = failed.where(LoginAttempt.email == email)
    if last_ok:
        by_email = by_email.where(LoginAttempt.at > last_ok)
    ends = [t for t in (_locked_until(by_email, policy, now),
                        _locked_until(failed.where(LoginAttempt.ip == ip), policy, now)) if t]
    return max(ends) if ends else None


def _serialise_attempts(email, ip):
    """Attempts on one account or from one address take turns (SQLite's BEGIN IMMEDIATE already does)."""
    if not is_sqlite():
        db.execute_sql("SELECT pg_advisory_xact_lock(1, hashtext(%s)), pg_advisory_xact_lock(2, hashtext(%s))",
                       (email, ip))


def authenticate(email, password, ip, policy, now=None):
    """Check a sign-in: counts failures per account and per address, refuses while locked.

    The attempt is recorded as a failure before the password is checked, so parallel guesses all
    count; the slow hash runs outside any transaction so it never holds the database's write lock.
    """
    now = now or utcnow()
    email = normalise_email(email)[:254]
    ip = (ip or "unknown")[:64]
    with db.atomic():
        _serialise_attempts(email, ip)
        ends = lock_ends(email, ip, policy, now)
        if ends:
            audit.record("login_locked", summary=email if User.select().where(User.email == email).exists()
                         else "unknown account")
            return SignIn(locked_minutes=max(1, int((ends - now).total_seconds() // 60) + 1))
        attempt = LoginAttempt.create(at=now, email=email, ip=ip, success=False)
    user = User.get_or_none(User.email == email)
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
    return SignIn(user=user)


@prepared
def _session_user(slots):
    # the bell's count comes with the user: no query of its own
    # and so does the data generation that kept results are checked against (services/cache.py)
    return (User.select(User, unread_count(User.id).alias("unread_notifications"),
                        DataGeneration.select(DataGeneration.n).where(DataGeneration.id == 1).alias("data_generation"))
            .where(User.id == slots.id).limit(1))


def load_session_user(session_id, browser):
    """The user behind a session or remember cookie "id:version:browser", or None when it is stale or was issued
    to another browser than `browser`."""
    try:
        user_id, version, issued_to = str(session_id).split(":", 2)
        user_id, version = int(user_id), int(version)
    except ValueError:
        return None
    if not browser or issued_to != browser:
        return None
    user = _session_user.first(id=user_id)
    if user is None or not user.active or user.session_version != version:
        return None
    user.browser = browser
    return user


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
