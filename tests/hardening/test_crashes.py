"""A process killed in the middle of an upload, a save or an import leaves no partial rows or files, and the next
start is clean: the killed save's file goes, the killed import can be committed again, and nothing is doubled."""
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.parse
from pathlib import Path

from salesweb.models import CollateralItem, Customer, StoredFile
from tests.infra.test_storage import PDF
from tests.hardening.live import Browser, environment, multipart, served, wait_until_up, workers_of

PASSWORD = "a long passphrase"


def files_under(uploads):
    root = Path(uploads)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def respawned(base, server, killed, seconds=20):
    """Wait until the master has put a new worker in place of `killed` and it answers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pids = workers_of(server)
        if pids and killed not in pids:
            wait_until_up(base, server)
            return pids
        time.sleep(0.05)
    raise AssertionError("no worker came back")


def test_a_save_killed_between_its_file_and_its_row_leaves_nothing_once_a_worker_starts_again(app):
    uploads = app.config["UPLOAD_DIR"]
    script = textwrap.dedent(f"""
        import io, os, signal
        from salesweb.app import create_app
        app = create_app()
        with app.app_context():
            from salesweb.infra import storage
            def die(stored, name):  # the file is in place, its row written but not committed
                os.kill(os.getpid(), signal.SIGKILL)
            storage.save(io.BytesIO({PDF!r}), "brochure.pdf", {uploads!r}, 5 * 1024 * 1024, then=die)
    """)
    died = subprocess.run([sys.executable, "-c", script], env=environment(app.config["DATABASE_URL"], uploads),
                          capture_output=True, text=True, timeout=60)
    assert died.returncode == -signal.SIGKILL, died.stderr
    assert not StoredFile.select().exists()  # the transaction died with it
    left = [f for f in files_under(uploads) if not f.startswith(".incoming")]
    assert len(left) == 1  # the file it had moved into place, which no row names
    from salesweb.cli import settle_crashes
    settle_crashes(app)  # what every server worker does as it starts
    assert files_under(uploads) == []


def test_an_import_killed_mid_commit_writes_no_row_and_is_committed_once_after_the_restart(app, make):
    support = make.user("support", email="importer@example.com", password=PASSWORD)
    uploads, url = app.config["UPLOAD_DIR"], app.config["DATABASE_URL"]
    rows = "".join(f"Crash test customer {n},East\n" for n in range(8000))
    with served(url, uploads, workers=1) as (base, server):
        browser = Browser(base).sign_in(support.email, PASSWORD)
        status, preview = browser.post("/customers/import", {"on_duplicate": "skip"},
                                       files={"file": ("customers.csv", f"name,region\n{rows}".encode())})
        assert status == 303
        path = urllib.parse.urlsplit(preview).path
        plan_key = re.search(r'name="plan_key"[^>]*value="([^"]+)"', browser.get(path)[1].decode()).group(1)
        token = path.rstrip("/").rsplit("/", 1)[1]
        [worker] = workers_of(server)
        sent = browser.send(path + "/commit", {"plan_key": plan_key}, token_from=path)  # not waiting for the answer
        committing = Path(uploads) / "imports" / f"{token}.committing-{worker}"
        deadline = time.monotonic() + 20
        while not committing.exists() and time.monotonic() < deadline:
            time.sleep(0.002)
        assert committing.exists(), "the commit never began"
        os.kill(worker, signal.SIGKILL)  # mid-commit
        sent.close()
        respawned(base, server, worker)
        assert Customer.select().count() == 0  # nothing of the killed commit
        assert not list((Path(uploads) / "imports").glob("*.committing-*"))  # put back by the new worker's start
        page = browser.get(path)[1].decode()
        plan_key = re.search(r'name="plan_key"[^>]*value="([^"]+)"', page).group(1)
        status, report = browser.post(path + "/commit", {"plan_key": plan_key}, token_from=path)
        assert status == 303 and "report" in report
    assert Customer.select().count() == 8000
    assert len({c.name for c in Customer.select(Customer.name)}) == 8000


def test_an_upload_cut_off_by_a_killed_worker_leaves_no_row_and_no_file(app, make):
    support = make.user("support", email="uploader@example.com", password=PASSWORD)
    uploads, url = app.config["UPLOAD_DIR"], app.config["DATABASE_URL"]
    with served(url, uploads, workers=1) as (base, server):
        browser = Browser(base).sign_in(support.email, PASSWORD)
        body, content_type = multipart({"csrf_token": browser.token("/collateral/new"), "title": "Killed",
                                        "kind": "brochure", "language": "en", "tags": "", "description": ""},
                                       {"file": ("big.pdf", PDF + b"%" * (12 * 1024 * 1024))})
        [worker] = workers_of(server)
        with socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1]))) as raw:
            raw.sendall((f"POST /collateral/new HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
                         f"Content-Length: {len(body)}\r\n{browser.headers()}\r\n").encode())
            raw.sendall(body[:len(body) // 2])  # half of it arrives; the worker is reading the rest
            time.sleep(0.3)
            os.kill(worker, signal.SIGKILL)
        respawned(base, server, worker)
        assert browser.get("/collateral")[0] == 200
    assert not CollateralItem.select().exists() and not StoredFile.select().exists()
    assert files_under(uploads) == []
