"""What signing in reads: the locks that failed sign-ins set (counted in the database), for the sign-in itself and
for the admin, and the user behind a session."""
import datetime
from dataclasses import dataclass

from peewee import Alias

from ..core.db import kept_row, param, utcnow
from ..models import LoginAttempt, User
from ..core.notifications import unread_count


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


def _session_user():
    # the bell's count comes with the user: no query of its own
    return (User.select(User, Alias(unread_count(User.id), "unread_notifications"))
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
    # every signed-in request reads its user, and writing this statement took peewee 0.2 ms: its SQL is kept, and
    # its row made a User directly (peewee's raw reader works out its columns afresh each time: 0.03 ms)
    row = kept_row("session-user", _session_user, id=user_id)
    if row is None or not row.active or row.session_version != version:
        return None
    user = User(**row._asdict())
    user.browser = browser
    return user
