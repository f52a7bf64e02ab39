"""Signing in: password hashing and policy, lockout counted in the database, session versions."""
import datetime
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from ..core.db import db, is_sqlite, kept_statement, param, utcnow
from ..core.i18n import _l
from ..models import DataGeneration, LoginAttempt, User
from ..core import audit
from ..core.errors import Invalid
from ..core.notifications import unread_count

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


@dataclass
class Lock:
    ends: datetime.datetime
    account: bool  # the account's limit, rather than the address's or the browser's


def _locked_until(query, failures, policy, now):
    """When the lock on these attempts ends, or None: the Nth failure within the window locks for lock_minutes."""
    recent = [at for (at,) in query.order_by(LoginAttempt.at.desc()).limit(failures).tuples()]
    if len(recent) < failures:
        return None
    if recent[0] - recent[-1] > datetime.timedelta(minutes=policy.window_minutes):
        return None
    until = recent[0] + datetime.timedelta(minutes=policy.lock_minutes)
    return until if until > now else None


def _failures(policy, now):
    """Failed attempts recent enough to count."""
    horizon = now - datetime.timedelta(minutes=policy.window_minutes + policy.lock_minutes)
    return LoginAttempt.select(LoginAttempt.at).where(
        (LoginAttempt.success == False) & (LoginAttempt.at > horizon))  # noqa: E712


def _on_account(failed, email, device):
    """The failures on `email` from this known browser (`device`, its key) or, device None, from new browsers,
    since the last successful sign-in from the same: the owner signing in on their phone lifts no lock on new
    browsers."""
    same = (LoginAttempt.device == device) if device else LoginAttempt.device.is_null()
    last_ok = (LoginAttempt.select(LoginAttempt.at)
               .where((LoginAttempt.email == email) & (LoginAttempt.success == True) & same)  # noqa: E712
               .order_by(LoginAttempt.at.desc()).limit(1).scalar())
    failed = failed.where((LoginAttempt.email == email) & same)
    return failed.where(LoginAttempt.at > last_ok) if last_ok else failed


def lock_ends(email, ip, policy, now=None, device=None):
    """The lock on an attempt, or None. From a browser that signed in to this account before (`device`, its key)
    only that browser's own failures count; from any other browser, the address's and the account's."""
    now = now or utcnow()
    failed = _failures(policy, now)
    if device:
        ends = _locked_until(_on_account(failed, email, device), policy.failures, policy, now)
        return Lock(ends, account=False) if ends else None
    account = _locked_until(_on_account(failed, email, None), policy.account_failures, policy, now)
    address = _locked_until(failed.where(LoginAttempt.device.is_null() & (LoginAttempt.ip == ip)),
                            policy.failures, policy, now)
    if not (account or address):
        return None
    return Lock(max(t for t in (account, address) if t), account=account is not None)


def account_lock(email, policy, now=None):
    """For the admin: failures from new browsers counted against the account within the window, and when the
    lock they set ends (None: not locked)."""
    now = now or utcnow()
    counted = _on_account(_failures(policy, now), email, None)
    window = now - datetime.timedelta(minutes=policy.window_minutes)
    return (counted.where(LoginAttempt.at > window).count(),
            _locked_until(counted, policy.account_failures, policy, now))


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


def _session_user():
    # the bell's count comes with the user: no query of its own
    # and so does the data generation that kept results are checked against (services/cache.py)
    return (User.select(User, unread_count(User.id).alias("unread_notifications"),
                        DataGeneration.select(DataGeneration.n).where(DataGeneration.id == 1).alias("data_generation"))
            .where(User.id == param("id")).limit(1))


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
    # every signed-in request reads its user, and writing this statement took peewee 0.2 ms: its SQL is kept
    sql, params = kept_statement("session-user", _session_user, id=user_id)
    found = list(User.raw(sql, *params))
    user = found[0] if found else None
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
