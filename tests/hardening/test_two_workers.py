"""Lockout and rate limits hold across two gunicorn workers: their counts live in the database, so requests
spread over both workers (and sent at once) add up to one count, and the limit stops them all."""
import threading

import pytest

from salesweb.models import Feedback, LoginAttempt
from salesweb.service import links as customer_links
from salesweb.core import settings
from tests.conftest import PASSWORD
from tests.hardening.live import Browser, served


@pytest.fixture
def two_workers(app):
    with served(app.config["DATABASE_URL"], app.config["UPLOAD_DIR"], workers=2) as (base, _server):
        yield base


def post_form(base, path, fields):
    """From a browser of its own: GET the form (for its token), then POST it."""
    return Browser(base).post(path, fields)[0]


def at_once(count, work):
    """Run work(n) for n in range(count) on as many threads at once; the statuses in order."""
    statuses = [None] * count

    def run(n):
        statuses[n] = work(n)
    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def test_the_sign_in_lockout_counts_failures_from_both_workers_as_one(app, make, two_workers):
    user = make.user("rep", email="target@example.com")
    statuses = at_once(12, lambda n: post_form(two_workers, "/login", {"email": user.email, "password": f"wrong {n}"}))
    # five failures lock the address they came from; whatever worker answered, the others were refused as locked
    assert sorted(statuses).count(401) == 5 and statuses.count(429) == 7, statuses
    assert LoginAttempt.select().where(LoginAttempt.success == False).count() == 5  # noqa: E712
    # the right password from a new browser at that address is refused too, by either worker
    assert {post_form(two_workers, "/login", {"email": user.email, "password": PASSWORD}) for _ in range(4)} == {429}


def from_address(browser, ip):
    """A browser whose requests come through the trusted proxy from `ip`."""
    browser.opener.addheaders.append(("X-Forwarded-For", ip))
    return browser


def test_the_account_limit_holds_across_both_workers_and_spares_the_owners_browser(app, make):
    user = make.user("rep", email="owner@example.com")
    with served(app.config["DATABASE_URL"], app.config["UPLOAD_DIR"], workers=2, TRUSTED_PROXIES=1) as (base, _):
        owner = from_address(Browser(base), "203.0.113.1").sign_in(user.email)  # its device cookie comes with it
        assert owner.post("/logout", {}, token_from="/rep/")[0] == 302
        statuses = at_once(24, lambda n: from_address(Browser(base), f"198.51.100.{n}").post(
            "/login", {"email": user.email, "password": f"wrong {n}"})[0])
        # twenty failures from new browsers lock the account; the rest were refused, whatever worker answered
        assert statuses.count(401) == 20 and statuses.count(429) == 4, statuses
        stranger = from_address(Browser(base), "192.0.2.1")
        assert {stranger.post("/login", {"email": user.email, "password": PASSWORD})[0] for _ in range(4)} == {429}
        for _ in range(4):  # the owner's browser gets in through either worker
            owner.sign_in(user.email)
            assert owner.post("/logout", {}, token_from="/rep/")[0] == 302

        def copy_of_the_owners_browser(n):
            browser = from_address(Browser(base), f"192.0.2.{10 + n}")
            for cookie in owner.jar:
                if cookie.name == "salesweb_device":
                    browser.jar.set_cookie(cookie)
            return browser
        # the owner's browser is held to its own five failures, counted across both workers too
        statuses = at_once(8, lambda n: copy_of_the_owners_browser(n).post(
            "/login", {"email": user.email, "password": f"wrong {n}"})[0])
        assert statuses.count(401) == 5 and statuses.count(429) == 3, statuses
        assert owner.post("/login", {"email": user.email, "password": PASSWORD})[0] == 429


def test_a_public_forms_rate_limit_holds_across_both_workers(app, make, two_workers):
    rep = make.user("rep")
    customer = make.customer(rep)
    link = customer_links.create(customer, "feedback", rep, settings.current())
    statuses = at_once(10, lambda n: post_form(two_workers, f"/f/{link.token}",
                                               {"kind": "suggestion", "description": f"Idea {n}"}))
    assert statuses.count(200) == 5 and statuses.count(429) == 5, statuses  # five posts per link an hour
    assert Feedback.select().count() == 5
