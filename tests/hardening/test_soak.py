"""A short soak: the small demo install served by two gunicorn workers on loopback, with a rep logging visits and
reading Today, a manager reading the team's figures and moving cards, support in the library and ops in the
analytics, all at once for SOAK_SECONDS (20 by default; the figures in the README come from 300). No request may
fail, and the workers' memory must level off."""
import datetime
import os
import re
import statistics
import threading
import time

from salesweb.core.db import utcnow
from salesweb.models import Stage
from salesweb.demo import build as demo
from tests.hardening.live import Browser, served, workers_of

SECONDS = float(os.environ.get("SOAK_SECONDS", "20"))


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            return int(re.search(r"VmRSS:\s+(\d+)", status.read()).group(1)) / 1024
    except (OSError, AttributeError):
        return None


def test_mixed_roles_for_a_while_fail_nothing_and_memory_levels_off(app):
    with app.app_context():
        demo.load(app.config["UPLOAD_DIR"])
        open_stages = [s.id for s in Stage.select().where(Stage.kind == "open").order_by(Stage.position)]
    done, errors, stop = [], [], threading.Event()

    def check(what, status, allowed=(200, 302, 303)):
        (done if status in allowed else errors).append((what, status))

    def rep(base):
        browser = Browser(base).sign_in("zhang.min@example.com", demo.PASSWORD)
        customer = re.search(r'href="/customers/(\d+)"', browser.get("/customers?tier=C")[1].decode()).group(1)
        n = 0
        while not stop.is_set():
            n += 1
            check("Today", browser.get("/rep/")[0])
            at = utcnow() + datetime.timedelta(hours=8, minutes=-30)  # half an hour ago in Shanghai
            check("log visit", browser.post("/visits/new", {
                "customer": customer, "occurred_on": at.date().isoformat(), "occurred_time": at.strftime("%H:%M"),
                "duration_minutes": "30", "kind": "phone", "outcome": "neutral", "purpose": f"Soak {n}"})[0])
            check("visits", browser.get("/visits")[0])

    def manager(base):
        browser = Browser(base).sign_in("wang.fang@example.com", demo.PASSWORD)
        n = 0
        while not stop.is_set():
            n += 1
            check("team home", browser.get("/manager/")[0])
            status, board = browser.get("/pipeline")
            check("board", status)
            card = re.search(r'data-deal="(\d+)" data-version="(\d+)"', board.decode())
            status, where = browser.post(f"/deals/{card.group(1)}/move", {
                "stage": open_stages[n % len(open_stages)], "version": card.group(2)}, token_from="/pipeline")
            # a plain form's move (or its conflict, told on the board) goes back to the board; never to sign in
            check("card move", 200 if status == 302 and where.endswith("/pipeline") else status)

    def support(base):
        browser = Browser(base).sign_in("support@example.com", demo.PASSWORD)
        item = re.search(r'href="/collateral/(\d+)"', browser.get("/collateral")[1].decode()).group(1)
        while not stop.is_set():
            check("library", browser.get("/collateral?q=X")[0])
            check("download", browser.get(f"/collateral/{item}/download")[0])

    def ops(base):
        browser = Browser(base).sign_in("ops@example.com", demo.PASSWORD)
        while not stop.is_set():
            for path in ("/ops/", "/ops/trends", "/ops/export/funnel.csv", "/customers"):
                check(path, browser.get(path)[0])

    memory = {}
    with served(app.config["DATABASE_URL"], app.config["UPLOAD_DIR"], workers=2) as (base, server):
        while len(workers_of(server)) < 2:  # the second worker may still be starting
            time.sleep(0.05)
        workers = workers_of(server)
        threads = [threading.Thread(target=role, args=(base,)) for role in (rep, manager, support, ops)]
        started = time.monotonic()
        for t in threads:
            t.start()
        while time.monotonic() - started < SECONDS:
            time.sleep(min(1.0, SECONDS / 20))
            memory[time.monotonic() - started] = sum(rss_mb(pid) or 0 for pid in workers)
        stop.set()
        for t in threads:
            t.join(60)
        assert workers_of(server) == workers  # no worker died or was replaced
    elapsed = time.monotonic() - started
    samples = sorted(memory.items())
    third = len(samples) // 3
    middle = statistics.median(v for _t, v in samples[third:2 * third])
    last = statistics.median(v for _t, v in samples[2 * third:])
    print(f"\nsoak: {elapsed:.0f} s, {len(done)} requests ({len(done) / elapsed:.0f}/s), {len(errors)} errors; "
          f"workers' memory {samples[0][1]:.0f} MB at the start, {middle:.0f} MB in the middle third, "
          f"{last:.0f} MB in the last")
    assert errors == []
    assert len(done) > SECONDS * 10
    assert last - middle < 25  # it levels off (kept results are bounded per worker)
