"""The salesweb command line: users, demo data, backup and restore."""
import hashlib
import io
import json
import tarfile
import threading

import pytest

from salesweb.core.db import db
from salesweb.models import AuditEvent, CollateralItem, Team, User
from salesweb.demo import build as demo
from tests.conftest import ON_POSTGRES, login


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_create_user_with_team_rules(app):
    boss = run(app, "create-user", "boss@example.com", "--role", "manager", "--name", "Boss", "--team", "East",
               "--password-stdin", input="a long boss passphrase\n")
    assert boss.exit_code == 0, boss.output
    rep = run(app, "create-user", "rep@example.com", "--role", "rep", "--name", "Rep", "--team", "East",
              "--password-stdin", input="a long rep passphrase\n")
    assert rep.exit_code == 0, rep.output
    team = Team.get(Team.name == "East")
    assert team.manager.email == "boss@example.com"
    assert User.get(User.email == "rep@example.com").reports_to.email == "boss@example.com"
    assert login(app.test_client(), "rep@example.com", "a long rep passphrase").status_code == 302


def test_create_user_reports_to_and_refusals(app):
    run(app, "create-user", "ops@example.com", "--role", "ops", "--name", "Ops", "--password-stdin",
        input="a long ops passphrase\n")
    ok = run(app, "create-user", "mgr@example.com", "--role", "manager", "--name", "M",
             "--reports-to", "OPS@example.com", "--password-stdin", input="a long mgr passphrase\n")
    assert ok.exit_code == 0 and User.get(User.email == "mgr@example.com").reports_to.email == "ops@example.com"
    weak = run(app, "create-user", "x@example.com", "--role", "rep", "--name", "X", "--password-stdin",
               input="password\n")
    assert weak.exit_code != 0 and "password" in weak.output
    nobody = run(app, "create-user", "y@example.com", "--role", "rep", "--name", "Y", "--reports-to",
                 "ghost@example.com", "--password-stdin", input="a long passphrase\n")
    assert nobody.exit_code != 0 and "no user with email" in nobody.output
    assert not User.select().where(User.email.in_(["x@example.com", "y@example.com"])).exists()


def test_demo_loads_once_and_prints_the_logins(app):
    first = run(app, "demo")
    assert first.exit_code == 0 and "Loaded the small demo data." in first.output
    assert demo.PASSWORD in first.output and "admin@example.com" in first.output
    roles = {u.role for u in User.select()}
    assert roles == {"rep", "manager", "support", "ops", "admin"}
    assert Team.select().where(Team.manager.is_null()).count() == 0
    assert any(not u.name.isascii() for u in User.select()) and any(u.name.isascii() for u in User.select())
    from salesweb.models import Customer, Deal, Stage
    bought = Deal.select(Deal.customer).join(Stage).where(Stage.kind == "won")
    assert not Customer.select().where(Customer.status.in_(("lead", "prospect")) & Customer.id.in_(bought)).exists()
    assert Customer.select().where(Customer.status == "lead").exists()  # the leads that have not bought stay leads
    count = User.select().count()
    second = run(app, "demo")
    assert "already has users" in second.output and "admin@example.com" in second.output
    assert User.select().count() == count


def test_demo_rep_reports_up_to_the_director(app):
    run(app, "demo")
    rep = User.get(User.email == "zhang.min@example.com")
    assert rep.reports_to.email == "wang.fang@example.com"
    assert rep.reports_to.reports_to.email == "director@example.com"


def test_demo_library_has_real_files_versions_downloads_and_shares(app):
    from salesweb.models import CollateralVersion, Download, ShareLink
    from salesweb.collateral import queries as collateral
    from salesweb.infra import storage
    run(app, "demo")
    items = list(collateral.search({"archived": True}))
    assert len(items) >= 24 and any(i.archived for i in items)
    assert CollateralVersion.select().count() > len(items)  # some items have several versions
    assert {i.current.file.kind for i in items} == {"pdf", "png"}
    for item in items:  # each current file is on disk and is what its row says
        path = storage.backend(app.config["UPLOAD_DIR"]).path(item.current.file.sha256)
        assert path.stat().st_size == item.current.file.size
        assert storage.detect(path, item.current.file.size) == item.current.file.kind
    assert Download.select().count() == sum(i.download_count for i in items) > 0
    assert ShareLink.select().count() >= 7 and ShareLink.select().where(ShareLink.revoked_at.is_null(False)).exists()


def _write_upload(app, name, content):
    from pathlib import Path
    path = Path(app.config["UPLOAD_DIR"]) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_backup_while_writing_then_restore_round_trip(app, make, tmp_path):
    run(app, "demo")
    _write_upload(app, "ab/abcdef", b"%PDF-1.4 brochure")
    _write_upload(app, ".incoming/upload-x", b"half an upload")  # still arriving: not part of a backup
    stop = threading.Event()

    def keep_writing():
        while not stop.is_set():
            with db.connection_context():
                AuditEvent.create(action="edit", summary="background write")

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        archive = tmp_path / "backup.tar.gz"
        result = run(app, "backup", str(archive))
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    users_at_backup = User.select().count()

    make.user("rep", email="after-backup@example.com")
    _write_upload(app, "cd/later", b"added later")
    restored = run(app, "restore", str(archive), "--yes")
    assert restored.exit_code == 0, restored.output
    db.close()
    assert User.select().count() == users_at_backup
    assert not User.select().where(User.email == "after-backup@example.com").exists()
    from pathlib import Path
    uploads = Path(app.config["UPLOAD_DIR"])
    assert (uploads / "ab" / "abcdef").read_bytes() == b"%PDF-1.4 brochure"
    assert not (uploads / "cd" / "later").exists()
    with tarfile.open(archive) as tar:
        assert not [n for n in tar.getnames() if ".incoming" in n]
    client = app.test_client()
    assert login(client, "admin@example.com", demo.PASSWORD).status_code == 302
    item = CollateralItem.select().order_by(CollateralItem.id).first()  # the demo library's files came back too
    download = client.get(f"/collateral/{item.id}/download")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")


def _tamper(archive, out, change):
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            member, data = change(member, data)
            if member is not None:
                member.size = len(data)
                dst.addfile(member, io.BytesIO(data))


@pytest.mark.parametrize("damage, reason", [
    ("truncated", "damaged"),
    ("flipped", "does not match its checksum"),
    ("no-manifest", "no manifest.json"),
    ("traversal", "unexpected entry"),
])
def test_restore_refuses_a_damaged_archive_and_changes_nothing(app, make, tmp_path, damage, reason):
    make.user("admin", email="keep@example.com")
    _write_upload(app, "ab/keep", b"keep me")
    archive = tmp_path / "good.tar.gz"
    assert run(app, "backup", str(archive)).exit_code == 0
    bad = tmp_path / "bad.tar.gz"
    if damage == "truncated":
        bad.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    elif damage == "flipped":
        _tamper(archive, bad, lambda m, d: (m, d[:-1] + bytes([d[-1] ^ 1])) if m.name.startswith("uploads/") else (m, d))
    elif damage == "no-manifest":
        _tamper(archive, bad, lambda m, d: (None, d) if m.name == "manifest.json" else (m, d))
    else:
        def evil(member, data):
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["files"]["../escape"] = hashlib.sha256(b"evil").hexdigest()
                return member, json.dumps(manifest).encode()
            return member, data
        _tamper(archive, tmp_path / "step.tar.gz", evil)
        with tarfile.open(tmp_path / "step.tar.gz") as src, tarfile.open(bad, "w:gz") as dst:
            for member in src.getmembers():
                dst.addfile(member, src.extractfile(member))
            extra = tarfile.TarInfo("../escape")
            extra.size = 4
            dst.addfile(extra, io.BytesIO(b"evil"))
    make.user("rep", email="newer@example.com")
    result = run(app, "restore", str(bad), "--yes")
    assert result.exit_code != 0 and "restore refused" in result.output and reason in result.output
    assert User.select().where(User.email == "newer@example.com").exists()
    from pathlib import Path
    assert (Path(app.config["UPLOAD_DIR"]) / "ab" / "keep").read_bytes() == b"keep me"
    assert not (tmp_path / "escape").exists()


def test_restore_refuses_an_archive_of_another_engine(app, tmp_path):
    other = "sqlite" if ON_POSTGRES else "postgresql"
    archive = tmp_path / "other.tar.gz"
    manifest = {"format": 1, "engine": other, "created": "x", "migrations": [], "files": {}}
    data = json.dumps(manifest).encode()
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    result = run(app, "restore", str(archive), "--yes")
    assert result.exit_code != 0 and f"holds a {other} database" in result.output


def test_demo_has_customers_with_contacts_and_a_believable_tier_spread(app):
    from salesweb.models import Contact, Customer
    run(app, "demo")
    total = Customer.select().count()
    assert total >= 100
    tiers = {t: Customer.select().where(Customer.tier == t).count() for t in "ABC"}
    assert 0 < tiers["A"] < tiers["B"] < tiers["C"]
    assert Customer.select().where(Customer.owner.is_null()).count() > 0  # some in the pool
    assert Contact.select().count() >= total
    assert Customer.select().where(Customer.next_visit_due < __import__("datetime").date.today()).exists()
    assert any(not c.name.isascii() for c in Customer.select()) and any(c.name.isascii() for c in Customer.select())


def test_demo_visits_run_two_years_at_ten_to_fifteen_a_rep_a_week_with_plans_and_tasks(app):
    import collections
    import datetime

    from salesweb.models import Task, Visit
    run(app, "demo")
    reps = User.select().where(User.role == "rep").count()
    done = list(Visit.select(Visit.occurred_at, Visit.verified).where(Visit.status == "done"))
    weeks = collections.Counter(v.occurred_at.isocalendar()[:2] for v in done)
    this_week = datetime.date.today().isocalendar()[:2]
    full = [n / reps for week, n in sorted(weeks.items()) if week != this_week][1:]  # the first week is partial
    assert len(full) >= 103  # two years of weeks
    assert 10 <= sum(full) / len(full) <= 15 and min(full) >= 7 and max(full) <= 20
    assert 0.2 < sum(v.verified for v in done) / len(done) < 0.8  # some verified on site, not all
    assert Visit.select().where(Visit.status == "planned").count() >= reps * 3
    assert Task.select().where(Task.done_at.is_null()).count() >= reps


def test_large_demo_people_are_sixty_in_six_teams():
    import random
    rows = demo.people_rows(random.Random(2026), demo.SCALES["large"])
    assert len(rows) == 60 and len({r[0] for r in rows}) == 60  # unique e-mails
    assert len({r[3] for r in rows if r[3]}) == 6
    reps = [r for r in rows if r[2] == "rep"]
    assert len(reps) == 50 and {sum(1 for r in reps if r[3] == t) for t in demo.SALES_TEAMS} == {10}
    assert any(r[1].isascii() for r in reps) and any(not r[1].isascii() for r in reps)


def test_xl_demo_is_three_hundred_people_in_thirty_sales_teams_with_five_times_the_books():
    import random
    scale = demo.SCALES["xl"]
    rows = demo.people_rows(random.Random(2026), scale)
    assert len(rows) == 305 and len({r[0] for r in rows}) == 305  # unique e-mails
    teams = demo.sales_teams(30)
    assert len(teams) == 30 and {r[3] for r in rows if r[3]} == {*teams, "销售管理 Sales leadership"}
    reps = [r for r in rows if r[2] == "rep"]
    assert len(reps) == 270 and {sum(1 for r in reps if r[3] == t) for t in teams} == {9}
    managers = {r[3]: r for r in rows if r[2] == "manager"}
    assert all(managers[t][4] == "director@example.com" for t in teams)  # every team has a manager under the director
    assert all(demo.cities_of(t) for t in teams)
    # 100,000 customers of reps (and a pool), about 3 contacts each, visits over three years
    assert len(reps) * scale.customers_per_rep + scale.pool == 101_900 and sum(scale.contacts) / 2 == 3
    assert scale.weeks == 156 and len(reps) * scale.weeks * sum(scale.visits_per_week) / 2 > 1_000_000


def test_escalate_tells_the_managers_of_overdue_feedback_once(app, make):
    import datetime

    from salesweb.models import Feedback, Notification
    from salesweb.service import rules as feedback
    from salesweb.core import settings
    manager = make.user("manager", team="East")
    rep = make.user("rep", team="East", reports_to=manager)
    long_ago = datetime.datetime.utcnow() - datetime.timedelta(hours=30)
    feedback.log(make.customer(rep), "complaint", "phone", "high", "Late", "", rep, settings.current(), now=long_ago)
    result = run(app, "escalate")
    assert result.exit_code == 0 and "Escalated 1 feedback case(s)" in result.output
    assert "Escalated 0" in run(app, "escalate").output
    assert Feedback.get().escalated_to_id == manager.id
    assert Notification.get(Notification.kind == "feedback_escalated").user_id == manager.id


def test_the_servers_sweeper_escalates_and_clears_files_without_rows_without_cron(app, make):
    import datetime
    import time

    from salesweb.cli import start_sweeper
    from salesweb.models import Feedback, PublicHit
    from salesweb.service import rules as feedback
    from salesweb.core import settings
    from salesweb.infra import storage
    rep = make.user("rep", team="East", reports_to=make.user("manager", team="East"))
    long_ago = datetime.datetime.utcnow() - datetime.timedelta(hours=30)
    PublicHit.insert_many([{"key": "share:203.0.113.7", "at": long_ago},  # no rate limit looks this far back
                           {"key": "share:203.0.113.7", "at": datetime.datetime.utcnow()}]).execute()
    feedback.log(make.customer(rep), "complaint", "phone", "high", "Late", "", rep, settings.current(), now=long_ago)
    orphan = storage.backend(app.config["UPLOAD_DIR"]).path("cd" * 32)  # a save killed before its commit
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"no row names me")
    app.config["SWEEP_SECONDS"] = 0
    assert start_sweeper(app) is None  # off
    app.config["SWEEP_SECONDS"] = 0.05
    sweeper = start_sweeper(app)
    try:
        deadline = time.monotonic() + 5
        while Feedback.get().escalated_at is None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        sweeper.stop()
        sweeper.join(5)
    assert Feedback.get().escalated_at is not None and not sweeper.is_alive()
    assert not orphan.exists()
    assert [hit.at > long_ago for hit in PublicHit.select()] == [True]
