"""Sign-in rules: lockout per account and per address, counted in the database; password policy."""
import datetime

import pytest

from salesweb.models import AuditEvent, LoginAttempt, User
from salesweb.services import auth, people
from salesweb.services.errors import Invalid
from tests.conftest import PASSWORD

POLICY = auth.Lockout(failures=5, window_minutes=15, lock_minutes=15)
T0 = datetime.datetime(2026, 11, 23, 9, 0)


def minutes(n):
    return T0 + datetime.timedelta(minutes=n)


def fail(email, ip="10.0.0.1", at=T0):
    return auth.authenticate(email, "wrong password", ip, POLICY, now=at)


def test_right_password_signs_in_and_is_audited(app, make):
    user = make.user("rep")
    result = auth.authenticate(user.email.upper(), PASSWORD, "10.0.0.1", POLICY, now=T0)
    assert result.user.id == user.id
    assert AuditEvent.get(AuditEvent.action == "login").actor_id == user.id
    assert User.get_by_id(user.id).last_login_at == T0


def test_wrong_password_and_unknown_email_look_the_same(app, make):
    user = make.user("rep")
    wrong = fail(user.email)
    unknown = fail("nobody@example.com")
    assert wrong == unknown == auth.SignIn()
    assert LoginAttempt.select().where(LoginAttempt.success == False).count() == 2  # noqa: E712


def test_fifth_failure_locks_the_account_for_fifteen_minutes(app, make):
    user = make.user("rep")
    for i in range(5):
        assert fail(user.email, ip=f"10.0.0.{i}", at=minutes(i)).locked_minutes == 0
    locked = auth.authenticate(user.email, PASSWORD, "10.9.9.9", POLICY, now=minutes(5))
    assert locked.user is None and locked.locked_minutes == 15
    assert auth.authenticate(user.email, PASSWORD, "10.9.9.9", POLICY, now=minutes(18)).locked_minutes > 0
    assert auth.authenticate(user.email, PASSWORD, "10.9.9.9", POLICY, now=minutes(20)).user.id == user.id


def test_refused_attempts_while_locked_do_not_extend_the_lock(app, make):
    user = make.user("rep")
    for i in range(5):
        fail(user.email, at=minutes(i))
    for i in range(5, 15):
        fail(user.email, ip="10.1.1.1", at=minutes(i))
    assert auth.authenticate(user.email, PASSWORD, "10.1.1.1", POLICY, now=minutes(19)).user is not None


def test_failures_spread_beyond_the_window_do_not_lock(app, make):
    user = make.user("rep")
    for i in range(5):
        fail(user.email, ip=f"10.0.0.{i}", at=minutes(i * 5))  # 0..20 minutes: never 5 within 15
    assert auth.authenticate(user.email, PASSWORD, "10.0.0.9", POLICY, now=minutes(21)).user is not None


def test_one_address_trying_many_accounts_is_locked(app, make):
    for i in range(5):
        fail(f"guess{i}@example.com", ip="203.0.113.7", at=minutes(i))
    victim = make.user("rep")
    assert auth.authenticate(victim.email, PASSWORD, "203.0.113.7", POLICY, now=minutes(6)).locked_minutes
    assert auth.authenticate(victim.email, PASSWORD, "198.51.100.1", POLICY, now=minutes(6)).user is not None


def test_a_successful_sign_in_clears_the_account_count(app, make):
    user = make.user("rep")
    for i in range(4):
        fail(user.email, ip=f"10.0.{i}.1", at=minutes(i))
    assert auth.authenticate(user.email, PASSWORD, "10.0.9.1", POLICY, now=minutes(4)).user
    fail(user.email, ip="10.0.8.1", at=minutes(5))
    assert auth.authenticate(user.email, PASSWORD, "10.0.9.1", POLICY, now=minutes(6)).user


def test_deactivated_user_cannot_sign_in(app, make):
    admin = make.user("admin")
    user = make.user("rep")
    people.set_active(user, False, by=admin)
    assert auth.authenticate(user.email, PASSWORD, "10.0.0.1", POLICY, now=T0).user is None


@pytest.mark.parametrize("password, ok", [
    ("short1!", False),
    ("password123", False),
    ("12345678", False),
    ("aaaaaaaaaaaa", False),
    ("QWERTYUIOP", False),
    ("a long passphrase about tea and hills", True),
    ("Tr0ub4dor&3", True),
    ("x" * 300, False),
])
def test_password_policy(password, ok):
    assert (auth.password_problem(password) is None) is ok


def test_password_may_not_be_the_email():
    assert auth.password_problem("zhang.min@example.com", "zhang.min@example.com")


def test_change_password_needs_the_current_one_and_ends_sessions(app, make):
    user = make.user("rep")
    version = user.session_version
    with pytest.raises(Invalid) as refused:
        auth.change_password(user, "not it", "a fresh long passphrase")
    assert "current" in refused.value.errors
    auth.change_password(user, PASSWORD, "a fresh long passphrase")
    stored = User.get_by_id(user.id)
    assert stored.session_version == version + 1
    assert auth.load_session_user(f"{user.id}:{version}:phone", "phone") is None
    assert auth.load_session_user(f"{user.id}:{version + 1}:phone", "phone").id == user.id


def test_session_ids_that_are_malformed_load_no_one(app, make):
    user = make.user("rep")
    version = user.session_version
    for bad in ("", "x", f"{user.id}", f"{user.id}:x", f"{user.id}:{version}", f"{user.id}:x:phone",
                f"x:{version}:phone", None):
        assert auth.load_session_user(bad, "phone") is None
    assert auth.load_session_user(f"{user.id}:{version}:phone", "phone").id == user.id


def test_a_session_id_loads_its_user_only_in_the_browser_it_was_issued_to(app, make):
    user = make.user("rep")
    issued = f"{user.id}:{user.session_version}:phone"
    assert auth.load_session_user(issued, "phone").browser == "phone"
    assert auth.load_session_user(issued, "laptop") is None
    assert auth.load_session_user(f"{user.id}:{user.session_version}:", "") is None


def test_parallel_guesses_cannot_slip_past_the_lock(app, make, monkeypatch):
    import threading

    from salesweb.db import db
    user = make.user("rep")
    check = auth.lock_ends

    def slow_check(*args, **kwargs):
        result = check(*args, **kwargs)
        threading.Event().wait(0.05)  # widen the gap between the check and the recorded attempt
        return result

    monkeypatch.setattr(auth, "lock_ends", slow_check)
    results, start = [], threading.Barrier(12)

    def guess(i):
        start.wait()
        with db.connection_context():
            results.append(auth.authenticate(user.email, "wrong", f"10.2.0.{i}", POLICY, now=T0))

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 12
    assert sum(1 for r in results if r.locked_minutes) == 7  # only five guesses were ever checked
    assert LoginAttempt.select().where(LoginAttempt.email == user.email).count() == 5
