"""Lockout and rate limits hold across two gunicorn workers: their counts live in the database, so requests
spread over both workers (and sent at once) add up to one count, and the limit stops them all."""
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from salesweb.models import Feedback, LoginAttempt
from salesweb.services import customer_links, settings
from tests.conftest import PASSWORD


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def two_workers(app):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "test-secret",
           "UPLOAD_DIR": app.config["UPLOAD_DIR"], "SWEEP_SECONDS": "0"}
    server = subprocess.Popen([str(Path(sys.executable).parent / "salesweb"), "serve", "--bind", f"127.0.0.1:{port}",
                               "--workers", "2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start: " + server.stderr.read1().decode(errors="replace"))
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def browser():
    """A client of its own (cookies and a fresh connection per request, as gunicorn spreads them)."""
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def post_form(opener, base, path, fields):
    page = opener.open(base + path).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    try:
        return opener.open(base + path, urllib.parse.urlencode({"csrf_token": token, **fields}).encode()).status
    except urllib.error.HTTPError as error:
        return error.code


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
    statuses = at_once(12, lambda n: post_form(browser(), two_workers, "/login",
                                                {"email": user.email, "password": f"wrong {n}"}))
    # five failures lock the account; whatever worker answered, the others were refused as locked
    assert sorted(statuses).count(401) == 5 and statuses.count(429) == 7, statuses
    assert LoginAttempt.select().where(LoginAttempt.success == False).count() == 5  # noqa: E712
    # the right password from a new browser is refused too, by either worker
    assert {post_form(browser(), two_workers, "/login", {"email": user.email, "password": PASSWORD})
            for _ in range(4)} == {429}


def test_a_public_forms_rate_limit_holds_across_both_workers(app, make, two_workers):
    rep = make.user("rep")
    customer = make.customer(rep)
    link = customer_links.create(customer, "feedback", rep, settings.current())
    statuses = at_once(10, lambda n: post_form(browser(), two_workers, f"/f/{link.token}",
                                                {"kind": "suggestion", "description": f"Idea {n}"}))
    assert statuses.count(200) == 5 and statuses.count(429) == 5, statuses  # five posts per link an hour
    assert Feedback.select().count() == 5
