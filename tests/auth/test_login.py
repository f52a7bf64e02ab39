"""Signing in and out over HTTP: messages, lockout, cookies, session versions."""
import re

from itsdangerous import URLSafeTimedSerializer

from salesweb.models import User
from salesweb.admin import rules as people
from tests.conftest import PASSWORD, csrf_token, login, post


def test_login_page_has_the_labelled_fields(client):
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert re.search(r'<label for="email">Email</label>', page)
    assert re.search(r'<label for="password">Password</label>', page)
    assert ">Sign in</button>" in page


def test_good_credentials_go_to_the_role_home(app, make):
    make.user("manager", email="boss@example.com")
    client = app.test_client()
    response = login(client, "BOSS@example.com")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").headers["Location"] == "/manager/"


def test_wrong_password_and_unknown_email_get_the_same_answer(app, make):
    make.user("rep", email="rep@example.com")
    wrong = login(app.test_client(), "rep@example.com", "not the password")
    unknown = login(app.test_client(), "ghost@example.com", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong email or password." in wrong.get_data(as_text=True)
    strip = lambda r: re.sub(r'(value="|"X-CSRFToken": ")[^"]*"', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(wrong) == strip(unknown)


def test_lockout_after_five_failures_says_so(app, make):
    make.user("rep", email="rep@example.com")
    client = app.test_client()
    for _ in range(5):
        assert login(client, "rep@example.com", "wrong").status_code == 401
    locked = login(client, "rep@example.com")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in locked.get_data(as_text=True)


def test_open_redirects_are_ignored(app, make):
    make.user("rep", email="rep@example.com")
    client = app.test_client()
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "/x\r\nSet-Cookie: a=b"):
        data = {"csrf_token": csrf_token(client), "email": "rep@example.com", "password": PASSWORD,
                "next": target}
        response = client.post("/login", data=data)
        assert response.headers["Location"] == "/"
        client.post("/logout", data={"csrf_token": csrf_token(client, "/rep/")})


def test_next_brings_the_user_back_to_the_page_they_asked_for(app, make):
    make.user("admin", email="admin@example.com")
    client = app.test_client()
    assert client.get("/admin/users").headers["Location"].startswith("/login?next=")
    token = csrf_token(client, "/login?next=/admin/users")
    response = client.post("/login", data={"csrf_token": token, "email": "admin@example.com",
                                           "password": PASSWORD, "next": "/admin/users"})
    assert response.headers["Location"] == "/admin/users"


def test_session_is_renewed_at_sign_in(app, make):
    make.user("rep", email="rep@example.com")
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    login(client, "rep@example.com")
    with client.session_transaction() as session:
        assert "planted" not in session and session["_user_id"]


def test_a_stolen_session_cookie_does_not_work_in_another_browser(app, make):
    make.user("admin", email="admin@example.com")
    client = app.test_client()
    login(client, "admin@example.com", REMOTE_ADDR="10.0.0.1", HTTP_USER_AGENT="Phone Safari")
    cookie = client.get_cookie("salesweb_session").value
    assert client.get("/admin/", environ_base={"HTTP_USER_AGENT": "Phone Safari"}).status_code == 200
    # The same browser on another network (Wi-Fi to mobile data) stays signed in ...
    assert client.get("/admin/", environ_base={"HTTP_USER_AGENT": "Phone Safari",
                                               "REMOTE_ADDR": "10.9.9.9"}).status_code == 200
    # ... but the cookie replayed from another browser is refused.
    thief = app.test_client()
    thief.set_cookie("salesweb_session", cookie)
    assert thief.get("/admin/", environ_base={"HTTP_USER_AGENT": "curl/8"}).status_code == 302


def test_a_sign_in_ends_after_the_session_lifetime_however_active(app, make, monkeypatch):
    import time
    make.user("rep", email="rep@example.com")
    client = app.test_client()
    login(client, "rep@example.com")
    start = time.time()
    monkeypatch.setattr(time, "time", lambda: start + 11 * 3600)
    assert client.get("/rep/").status_code == 200
    monkeypatch.setattr(time, "time", lambda: start + 12 * 3600 + 60)
    assert client.get("/rep/").headers["Location"].startswith("/login")
    assert client.get("/rep/").status_code == 302


def test_session_cookie_flags(app, make):
    make.user("rep", email="rep@example.com")
    client = app.test_client()
    response = login(client, "rep@example.com", remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("salesweb_session="))
    remember = next(c for c in cookies if c.startswith("salesweb_remember="))
    for cookie in (session, remember):
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert "Expires=" in remember


def test_cookies_are_secure_over_https(app, make):
    make.user("rep", email="rep@example.com")
    client = app.test_client()
    token = csrf_token(client)
    response = client.post("/login", base_url="https://localhost", headers={"Referer": "https://localhost/login"},
                           data={"csrf_token": token, "email": "rep@example.com", "password": PASSWORD,
                                 "remember": "y"})
    assert response.status_code == 302  # signed in (over HTTPS a form must name this site as its referrer)
    cookies = response.headers.getlist("Set-Cookie")
    assert {c.split("=", 1)[0] for c in cookies} >= {"salesweb_session", "salesweb_remember", "salesweb_device"}
    assert all("; Secure" in c for c in cookies)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_logout_is_post_only_and_ends_every_session(app, make):
    make.user("rep", email="rep@example.com")
    phone, laptop = app.test_client(), app.test_client()
    login(phone, "rep@example.com", remember=True)
    login(laptop, "rep@example.com")
    assert phone.get("/logout").status_code == 405
    response = post(phone, "/logout", token_from="/rep/")
    assert response.headers["Location"] == "/login"
    assert phone.get("/rep/").status_code == 302
    assert laptop.get("/rep/").status_code == 302  # the other device is signed out too


def test_remember_cookie_alone_signs_in_until_logout(app, make):
    make.user("rep", email="rep@example.com")
    client = app.test_client()
    login(client, "rep@example.com", remember=True)
    remember = client.get_cookie("salesweb_remember").value
    fresh = app.test_client()
    fresh.set_cookie("salesweb_remember", remember)
    assert fresh.get("/rep/").status_code == 200
    post(client, "/logout", token_from="/rep/")
    stale = app.test_client()
    stale.set_cookie("salesweb_remember", remember)
    assert stale.get("/rep/").status_code == 302


def test_a_browser_signed_in_again_by_its_remember_cookie_stays_signed_in(app, make):
    make.user("rep", email="rep@example.com")
    phone = app.test_client()
    login(phone, "rep@example.com", remember=True, HTTP_USER_AGENT="Phone Safari")
    reopened = app.test_client()  # the browser closed and opened again: its session cookie is gone
    reopened.set_cookie("salesweb_remember", phone.get_cookie("salesweb_remember").value)
    for _ in range(3):
        assert reopened.get("/rep/", headers={"User-Agent": "Phone Safari"}).status_code == 200
    assert reopened.get_cookie("salesweb_remember") is not None


def test_a_remember_cookie_copied_into_another_browser_does_not_sign_in(app, make):
    make.user("rep", email="rep@example.com")
    phone = app.test_client()
    login(phone, "rep@example.com", remember=True, HTTP_USER_AGENT="Phone Safari")
    thief = app.test_client()
    thief.set_cookie("salesweb_remember", phone.get_cookie("salesweb_remember").value)
    response = thief.get("/rep/", headers={"User-Agent": "curl/8"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert thief.get("/rep/", headers={"User-Agent": "curl/8"}).status_code == 302
    # the owner's browser is not disturbed by the attempt
    assert phone.get("/rep/", headers={"User-Agent": "Phone Safari"}).status_code == 200


def test_a_copied_session_or_remember_cookie_loads_no_one_in_another_browser(app, make):
    make.user("rep", email="rep@example.com")
    phone = app.test_client()
    login(phone, "rep@example.com", remember=True, HTTP_USER_AGENT="Phone Safari")
    for name in ("salesweb_session", "salesweb_remember"):
        thief = app.test_client()
        thief.set_cookie(name, phone.get_cookie(name).value)
        for _ in range(2):
            # the sign-in page still asks: no one is signed in here (someone signed in is sent to their home)
            response = thief.get("/login", headers={"User-Agent": "curl/8"})
            assert response.status_code == 200 and 'name="password"' in response.get_data(as_text=True)
    assert phone.get("/rep/", headers={"User-Agent": "Phone Safari"}).status_code == 200


def test_a_change_of_address_keeps_the_sign_in_and_the_remembered_one(app, make):
    make.user("rep", email="rep@example.com")
    phone = app.test_client()
    login(phone, "rep@example.com", remember=True, HTTP_USER_AGENT="Phone Safari", REMOTE_ADDR="10.0.0.1")
    assert phone.get("/rep/", environ_base={"HTTP_USER_AGENT": "Phone Safari",
                                            "REMOTE_ADDR": "172.16.5.9"}).status_code == 200  # Wi-Fi to mobile data
    reopened = app.test_client()  # the browser opened again on another network: only its remember cookie is left
    reopened.set_cookie("salesweb_remember", phone.get_cookie("salesweb_remember").value)
    for address in ("192.168.1.20", "10.0.0.1", "172.16.5.9"):
        assert reopened.get("/rep/", environ_base={"HTTP_USER_AGENT": "Phone Safari",
                                                   "REMOTE_ADDR": address}).status_code == 200


def test_deactivation_signs_the_user_out(app, make):
    admin = make.user("admin")
    rep = make.user("rep", email="rep@example.com")
    client = app.test_client()
    login(client, "rep@example.com")
    assert client.get("/rep/").status_code == 200
    people.set_active(rep, False, by=admin)
    assert client.get("/rep/").status_code == 302
    assert login(app.test_client(), "rep@example.com").status_code == 401


def test_change_password_keeps_this_device_and_ends_others(app, make):
    make.user("rep", email="rep@example.com")
    here, there = app.test_client(), app.test_client()
    login(here, "rep@example.com")
    login(there, "rep@example.com")
    response = post(here, "/account/password", {"current": PASSWORD, "new": "a brand new passphrase",
                                                 "confirm": "a brand new passphrase"})
    assert response.status_code == 302
    assert here.get("/rep/").status_code == 200
    assert there.get("/rep/").status_code == 302
    assert login(app.test_client(), "rep@example.com", "a brand new passphrase").status_code == 302


def test_change_password_keeps_remember_me_on_this_device(app, make):
    make.user("rep", email="rep@example.com")
    client = app.test_client()
    login(client, "rep@example.com", remember=True)
    post(client, "/account/password", {"current": PASSWORD, "new": "a brand new passphrase",
                                       "confirm": "a brand new passphrase"})
    fresh = app.test_client()
    fresh.set_cookie("salesweb_remember", client.get_cookie("salesweb_remember").value)
    assert fresh.get("/rep/").status_code == 200


def test_lockout_counts_the_account_whatever_case_and_spaces(app, make):
    make.user("rep", email="rep@example.com")
    typings = ("REP@example.com", " rep@example.com ", "Rep@Example.COM", "rep@example.com", "rEp@example.com")
    for i in range(20):
        assert login(app.test_client(), typings[i % 5], "wrong", REMOTE_ADDR=f"10.0.0.{i}").status_code == 401
    assert login(app.test_client(), "rep@example.com", REMOTE_ADDR="10.1.1.1").status_code == 429


def guess_from_everywhere(app, email, count=20):
    for i in range(count):
        assert login(app.test_client(), email, "wrong", REMOTE_ADDR=f"198.51.100.{i}").status_code == 401


def test_guesses_from_elsewhere_do_not_lock_the_owner_out_of_a_browser_they_signed_in_from(app, make):
    make.user("rep", email="rep@example.com")
    phone = app.test_client()
    login(phone, "rep@example.com", REMOTE_ADDR="10.0.0.1")
    post(phone, "/logout", token_from="/rep/")
    guess_from_everywhere(app, "rep@example.com")
    stranger = login(app.test_client(), "rep@example.com", REMOTE_ADDR="10.7.7.7")
    assert stranger.status_code == 429
    assert ("Too many failed sign-in attempts on this account. Try again in 15 minutes, sign in from a browser you "
            "have signed in from before, or ask an administrator to unlock the account.") in stranger.get_data(as_text=True)
    back = login(phone, "rep@example.com", REMOTE_ADDR="10.0.0.2")  # the owner's phone, on another network
    assert back.status_code == 302 and phone.get("/rep/").status_code == 200


def test_the_account_lock_says_so_in_chinese(app, make):
    make.user("rep", email="rep@example.com")
    guess_from_everywhere(app, "rep@example.com")
    client = app.test_client()
    token = csrf_token(client)
    refused = client.post("/login", data={"csrf_token": token, "email": "rep@example.com", "password": PASSWORD},
                          headers={"Accept-Language": "zh-CN"})
    assert refused.status_code == 429
    assert "该账号登录失败次数过多" in refused.get_data(as_text=True)


def test_a_browser_the_owner_signed_in_from_is_held_to_its_own_five_failures(app, make):
    make.user("rep", email="rep@example.com")
    phone = app.test_client()
    login(phone, "rep@example.com")
    post(phone, "/logout", token_from="/rep/")
    for _ in range(5):
        assert login(phone, "rep@example.com", "wrong").status_code == 401
    refused = login(phone, "rep@example.com")
    assert refused.status_code == 429
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in refused.get_data(as_text=True)
    assert login(app.test_client(), "rep@example.com", REMOTE_ADDR="10.0.0.9").status_code == 302  # another browser


def test_the_device_cookie_is_long_lived_http_only_and_sent_to_the_sign_in_page_only(app, make):
    make.user("rep", email="rep@example.com")
    response = login(app.test_client(), "rep@example.com")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("salesweb_device="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/login" in cookie
    assert "Max-Age=31536000" in cookie


def test_a_forged_or_altered_device_cookie_counts_as_a_new_browser(app, make):
    user = make.user("rep", email="rep@example.com")
    make.user("rep", email="other@example.com")
    mine = app.test_client()
    login(mine, "other@example.com")
    genuine = mine.get_cookie("salesweb_device", path="/login").value  # for another account
    forged = URLSafeTimedSerializer("not the secret", salt="salesweb-device").dumps([user.id, "k" * 22])
    guess_from_everywhere(app, "rep@example.com")
    for value in (forged, genuine, genuine[:-2], "garbage"):
        client = app.test_client()
        client.set_cookie("salesweb_device", value, path="/login")
        assert login(client, "rep@example.com").status_code == 429, value


def test_a_device_cookie_older_than_a_year_counts_as_a_new_browser(app, make, monkeypatch):
    import time
    user = make.user("rep", email="rep@example.com")
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now - 366 * 86400)
    old = URLSafeTimedSerializer(app.secret_key, salt="salesweb-device").dumps([user.id, "k" * 22])
    monkeypatch.undo()
    guess_from_everywhere(app, "rep@example.com")
    client = app.test_client()
    client.set_cookie("salesweb_device", old, path="/login")
    assert login(client, "rep@example.com").status_code == 429


def test_a_nul_byte_is_a_bad_request_not_an_error(app, make):
    client = app.test_client()
    data = {"csrf_token": csrf_token(client), "email": "a\x00b@example.com", "password": "x"}
    assert client.post("/login", data=data).status_code == 400
    assert client.get("/login?next=/x%00y").status_code == 400


def test_change_password_refuses_common_and_mismatched(app, make):
    make.user("rep", email="rep@example.com")
    client = app.test_client()
    login(client, "rep@example.com")
    common = post(client, "/account/password", {"current": PASSWORD, "new": "password123", "confirm": "password123"})
    assert common.status_code == 422 and "too common" in common.get_data(as_text=True)
    differ = post(client, "/account/password", {"current": PASSWORD, "new": "a brand new passphrase",
                                                "confirm": "another passphrase"})
    assert differ.status_code == 422 and "The two passwords differ." in differ.get_data(as_text=True)
    assert login(app.test_client(), "rep@example.com").status_code == 302


def test_language_choice_is_stored_on_the_user(app, make):
    user = make.user("rep", email="rep@example.com")
    client = app.test_client()
    login(client, "rep@example.com")
    post(client, "/account/locale", {"locale": "zh", "next": "/rep/"})
    assert User.get_by_id(user.id).locale == "zh"
    page = client.get("/rep/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="zh-CN"' in page and "退出登录" in page


def test_browser_language_applies_when_the_user_has_no_choice(app, make):
    make.user("rep", email="rep@example.com")
    client = app.test_client()
    assert "登录" in client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
