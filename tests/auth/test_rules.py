"""Sign-in rules: lockout per address, per account and per known browser, counted in the database; an admin's
unlock; password policy."""
import datetime

import pytest

from salesweb.models import AuditEvent, LoginAttempt, User
from salesweb.auth import queries as sign_ins, rules as auth
from salesweb.admin import rules as people
from salesweb.core.errors import Invalid
from tests.conftest import PASSWORD

POLICY = auth.Lockout(failures=5, window_minutes=15, lock_minutes=15, account_failures=20)
T0 = datetime.datetime(2026, 11, 23, 9, 0)


def minutes(n):
    return T0 + datetime.timedelta(minutes=n)


def fail(email, ip="10.0.0.1", at=T0, device=None):
    return auth.authenticate(email, "wrong password", ip, POLICY, device=device, now=at)


def guess_from_everywhere(email, count=20, start=0):
    """`count` wrong passwords on one account within a few minutes, each from an address of its own."""
    for i in range(count):
        assert fail(email, ip=f"198.51.{i // 200}.{i % 200}", at=minutes(start + i * 0.25)).user is None


def sign_in(user, ip="10.9.9.9", at=T0, device=None):
    return auth.authenticate(user.email, PASSWORD, ip, POLICY, device=device, now=at)


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


def test_twentieth_failure_from_new_browsers_locks_the_account_for_fifteen_minutes(app, make):
    user = make.user("rep")
    guess_from_everywhere(user.email, 19)  # minutes 0 to 4.5
    assert sign_in(user, at=minutes(5)).user.id == user.id
    guess_from_everywhere(user.email, 20, start=6)  # the twentieth at 10.75
    locked = sign_in(user, at=minutes(11))
    assert locked.user is None and locked.locked_minutes == 15 and locked.account_locked
    assert sign_in(user, at=minutes(25.5)).locked_minutes == 1
    assert sign_in(user, at=minutes(25.75)).user.id == user.id


def test_five_failures_from_one_address_lock_that_address_not_the_account(app, make):
    user = make.user("rep")
    for i in range(5):
        assert fail(user.email, ip="203.0.113.7", at=minutes(i)).locked_minutes == 0
    refused = sign_in(user, ip="203.0.113.7", at=minutes(5))
    assert refused.user is None and refused.locked_minutes == 15 and not refused.account_locked
    assert sign_in(user, ip="198.51.100.1", at=minutes(5)).user.id == user.id  # the owner, elsewhere


def test_the_owners_browser_is_not_held_to_the_account_limit(app, make):
    user = make.user("rep")
    phone = auth.Device(user.id, sign_in(user).device)  # the browser the owner signed in from
    guess_from_everywhere(user.email, start=1)
    assert sign_in(user, at=minutes(7)).account_locked  # a new browser is refused
    assert sign_in(user, ip="203.0.113.7", at=minutes(7), device=phone).user.id == user.id
    assert sign_in(user, at=minutes(7), device=phone).device == phone.key  # it keeps its key


def test_a_known_browser_is_held_to_its_own_count_only(app, make):
    user = make.user("rep")
    phone = auth.Device(user.id, sign_in(user).device)
    laptop = auth.Device(user.id, sign_in(user).device)
    assert phone.key != laptop.key
    for i in range(5):
        assert fail(user.email, ip="10.0.0.1", at=minutes(1 + i), device=phone).locked_minutes == 0
    refused = sign_in(user, ip="10.0.0.1", at=minutes(6), device=phone)
    assert refused.user is None and refused.locked_minutes == 15 and not refused.account_locked
    # the phone's failures count neither against the laptop, nor the address, nor the account
    assert sign_in(user, ip="10.0.0.1", at=minutes(6), device=laptop).user
    assert sign_in(user, ip="10.0.0.1", at=minutes(6)).user


def test_a_device_cookie_of_another_account_counts_as_a_new_browser(app, make):
    user, other = make.user("rep"), make.user("rep")
    others_phone = auth.Device(other.id, sign_in(other).device)
    guess_from_everywhere(user.email, start=1)
    assert sign_in(user, at=minutes(7), device=others_phone).account_locked


def test_refused_attempts_while_locked_do_not_extend_the_lock(app, make):
    user = make.user("rep")
    guess_from_everywhere(user.email)  # the twentieth at 4.75: locked until 19.75
    for i in range(5, 15):
        assert fail(user.email, ip=f"10.1.1.{i}", at=minutes(i)).locked_minutes
    assert sign_in(user, ip="10.1.1.1", at=minutes(19.75)).user is not None


def test_failures_spread_beyond_the_window_do_not_lock(app, make):
    user = make.user("rep")
    for i in range(20):
        fail(user.email, ip=f"10.0.0.{i}", at=minutes(i))  # 0..19 minutes: never 20 within 15
    assert sign_in(user, ip="10.0.0.99", at=minutes(20)).user is not None


def test_one_address_trying_many_accounts_is_locked(app, make):
    for i in range(5):
        fail(f"guess{i}@example.com", ip="203.0.113.7", at=minutes(i))
    victim = make.user("rep")
    assert auth.authenticate(victim.email, PASSWORD, "203.0.113.7", POLICY, now=minutes(6)).locked_minutes
    assert auth.authenticate(victim.email, PASSWORD, "198.51.100.1", POLICY, now=minutes(6)).user is not None


def test_an_unknown_account_locks_like_a_real_one(app, make):
    guess_from_everywhere("nobody@example.com")
    refused = auth.authenticate("nobody@example.com", PASSWORD, "10.9.9.9", POLICY, now=minutes(6))
    assert refused.account_locked and refused.locked_minutes  # the same answer: no account is given away


def test_a_successful_sign_in_from_a_new_browser_clears_the_account_count(app, make):
    user = make.user("rep")
    guess_from_everywhere(user.email, 19)
    assert sign_in(user, at=minutes(5)).user
    fail(user.email, ip="10.0.8.1", at=minutes(6))
    assert sign_in(user, at=minutes(7)).user


def test_the_owner_signing_in_on_a_known_browser_lifts_no_lock_on_new_browsers(app, make):
    user = make.user("rep")
    phone = auth.Device(user.id, sign_in(user).device)
    guess_from_everywhere(user.email, start=1)
    assert sign_in(user, at=minutes(7), device=phone).user
    assert sign_in(user, at=minutes(8)).account_locked
    assert sign_ins.account_lock(user.email, POLICY, now=minutes(8))[0] == 20


def test_a_known_browsers_success_clears_its_own_count(app, make):
    user = make.user("rep")
    phone = auth.Device(user.id, sign_in(user).device)
    for i in range(4):
        fail(user.email, at=minutes(1 + i), device=phone)
    assert sign_in(user, at=minutes(5), device=phone).user
    fail(user.email, at=minutes(6), device=phone)
    assert sign_in(user, at=minutes(7), device=phone).user


def test_an_admins_unlock_clears_the_account_count_and_is_audited(app, make):
    admin = make.user("admin")
    user, other = make.user("rep"), make.user("rep")
    guess_from_everywhere(user.email)
    fail(other.email, ip="198.51.0.1", at=minutes(5))
    assert sign_ins.account_lock(user.email, POLICY, now=minutes(6)) == (20, minutes(4.75 + 15))
    assert sign_in(user, at=minutes(6)).account_locked
    assert auth.unlock(user, by=admin) == 20
    assert sign_ins.account_lock(user.email, POLICY, now=minutes(6)) == (0, None)
    assert sign_in(user, at=minutes(6)).user.id == user.id
    assert LoginAttempt.select().where(LoginAttempt.email == other.email).count() == 1  # others' count stays
    event = AuditEvent.get(AuditEvent.action == "login_unlocked")
    assert (event.actor_id, event.object_id, event.summary) == (admin.id, user.id, user.email)


def test_the_admins_view_of_an_account_counts_only_the_window(app, make):
    user = make.user("rep")
    phone = auth.Device(user.id, sign_in(user, at=minutes(-60)).device)
    for i in range(3):
        fail(user.email, ip=f"10.0.0.{i}", at=minutes(i))
    fail(user.email, at=minutes(3), device=phone)  # the owner's own typo does not count against the account
    fail(user.email, ip="10.0.0.9", at=minutes(10))
    assert sign_ins.account_lock(user.email, POLICY, now=minutes(16)) == (2, None)  # minutes 2 and 10
    assert sign_ins.account_lock("nobody@example.com", POLICY, now=minutes(16)) == (0, None)


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
    assert sign_ins.load_session_user(f"{user.id}:{version}:phone", "phone") is None
    assert sign_ins.load_session_user(f"{user.id}:{version + 1}:phone", "phone").id == user.id


def test_session_ids_that_are_malformed_load_no_one(app, make):
    user = make.user("rep")
    version = user.session_version
    for bad in ("", "x", f"{user.id}", f"{user.id}:x", f"{user.id}:{version}", f"{user.id}:x:phone",
                f"x:{version}:phone", None):
        assert sign_ins.load_session_user(bad, "phone") is None
    assert sign_ins.load_session_user(f"{user.id}:{version}:phone", "phone").id == user.id


def test_a_session_id_loads_its_user_only_in_the_browser_it_was_issued_to(app, make):
    user = make.user("rep")
    issued = f"{user.id}:{user.session_version}:phone"
    assert sign_ins.load_session_user(issued, "phone").browser == "phone"
    assert sign_ins.load_session_user(issued, "laptop") is None
    assert sign_ins.load_session_user(f"{user.id}:{user.session_version}:", "") is None


def test_parallel_guesses_cannot_slip_past_the_lock(app, make, monkeypatch):
    import threading

    from salesweb.core.db import db
    user = make.user("rep")
    check = auth.lock_ends

    def slow_check(*args, **kwargs):
        result = check(*args, **kwargs)
        threading.Event().wait(0.05)  # widen the gap between the check and the recorded attempt
        return result

    monkeypatch.setattr(auth, "lock_ends", slow_check)
    results, start = [], threading.Barrier(12)
    five_per_account = auth.Lockout(failures=5, window_minutes=15, lock_minutes=15, account_failures=5)

    def guess(i):
        start.wait()
        with db.connection_context():
            results.append(auth.authenticate(user.email, "wrong", f"10.2.0.{i}", five_per_account, now=T0))

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 12
    assert sum(1 for r in results if r.locked_minutes) == 7  # only five guesses were ever checked
    assert LoginAttempt.select().where(LoginAttempt.email == user.email).count() == 5
