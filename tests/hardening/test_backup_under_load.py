"""A backup taken while reps keep logging visits with photos through two gunicorn workers, restored into a fresh
place: every visit acknowledged before the backup began is there with its photo, every stored file a row names
is there with its content, and a server on the restored data serves them."""
import datetime
import hashlib
import os
import sqlite3
import subprocess
import threading
import time
import urllib.parse

from salesweb.core.db import utcnow
from tests.infra.test_storage import picture
from tests.hardening.live import SALESWEB, Browser, environment, served

PASSWORD = "a long passphrase"


def fresh_database(url, tmp_path):
    """An empty database of the same engine: a new SQLite file, or a new PostgreSQL database on the same server."""
    if url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored' / 'salesweb.core.db'}", lambda: None
    import psycopg
    parts = urllib.parse.urlsplit(url)
    name = f"salesweb_restore_{os.getpid()}"
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        con.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return parts._replace(path=f"/{name}").geturl(), drop


def rows(url, sql):
    if url.startswith("sqlite"):
        con = sqlite3.connect(url.split("sqlite:///", 1)[1])
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()
    import psycopg
    with psycopg.connect(url) as con:
        return con.execute(sql).fetchall()


def test_a_backup_taken_under_load_restores_every_acknowledged_row_and_file(app, make, tmp_path):
    reps = [make.user("rep", team="East", email=f"load{n}@example.com", password=PASSWORD) for n in range(4)]
    customers = {rep.id: make.customer(rep) for rep in reps}
    url, uploads = app.config["DATABASE_URL"], app.config["UPLOAD_DIR"]
    acknowledged, failures, stop = [], [], threading.Event()

    def log_visits(base, rep):
        browser = Browser(base).sign_in(rep.email, PASSWORD)
        n = 0
        while not stop.is_set():
            n += 1
            purpose = f"Load {rep.id}-{n}"
            at = utcnow() + datetime.timedelta(hours=8, minutes=-30)  # half an hour ago in Shanghai
            sent = time.monotonic()
            status, _where = browser.post("/visits/new", {
                "customer": customers[rep.id].id, "occurred_on": at.date().isoformat(),
                "occurred_time": at.strftime("%H:%M"), "duration_minutes": "30", "kind": "on_site", "outcome": "",
                "purpose": purpose}, files={"photo": (f"site-{n}.jpg", picture("jpeg", colour=(rep.id % 256, n % 256,
                                                                                        n // 256 % 256)))},
                token_from="/visits/new")
            if status == 303:
                acknowledged.append((purpose, sent, time.monotonic()))
            else:
                failures.append((purpose, status))

    archive = tmp_path / "backup.tar.gz"
    env = environment(url, uploads)
    with served(url, uploads, workers=2) as (base, _server):
        threads = [threading.Thread(target=log_visits, args=(base, rep)) for rep in reps]
        for t in threads:
            t.start()
        try:
            time.sleep(1.5)  # the writers are in full flow
            began = time.monotonic()
            made = subprocess.run([SALESWEB, "backup", str(archive)], env=env, capture_output=True, text=True,
                                  timeout=120)
            ended = time.monotonic()
            time.sleep(1.0)  # and they keep writing after it
        finally:
            stop.set()
            for t in threads:
                t.join(60)
    assert made.returncode == 0, made.stderr
    assert failures == []
    before = {purpose for purpose, _sent, done in acknowledged if done < began}
    during = [p for p, sent, done in acknowledged if sent < ended and done >= began]
    after = {purpose for purpose, sent, _done in acknowledged if sent >= ended}
    assert len(before) >= 8 and after, (len(before), len(after))  # writes on either side of the backup

    restored_url, drop = fresh_database(url, tmp_path)
    restored_uploads = tmp_path / "restored" / "uploads"
    try:
        out = subprocess.run([SALESWEB, "restore", str(archive), "--yes"], env=environment(restored_url,
                             restored_uploads), capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr + out.stdout
        kept = {purpose for (purpose,) in rows(restored_url, "SELECT purpose FROM visit WHERE purpose LIKE 'Load %'")}
        assert before <= kept  # every visit acknowledged before the backup began
        assert not (after & kept)  # and none begun after it ended: one consistent moment
        assert len(kept - before) <= len(during)
        # every stored file that a row names is there, whole
        for sha256, size in rows(restored_url, "SELECT sha256, size FROM stored_file"):
            path = restored_uploads / sha256[:2] / sha256
            assert path.is_file() and path.stat().st_size == size, sha256
            assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256
        photos = rows(restored_url, "SELECT v.id, v.purpose FROM visit v WHERE v.photo_id IS NOT NULL "
                                    "AND v.purpose LIKE 'Load %'")
        assert len(photos) == len(kept)
        # and the app serves the restored data
        with served(restored_url, restored_uploads, workers=1) as (restored_base, _server):
            rep = reps[0]
            browser = Browser(restored_base).sign_in(rep.email, PASSWORD)
            status, page = browser.get("/visits")
            mine = {p for p in kept if p.startswith(f"Load {rep.id}-")}
            assert status == 200 and any(p.encode() in page for p in mine)
            visit_id = next(v for v, purpose in photos if purpose in mine)
            status, photo = browser.get(f"/visits/{visit_id}/photo")
            assert status == 200 and photo.startswith(b"\xff\xd8\xff")
    finally:
        drop()
