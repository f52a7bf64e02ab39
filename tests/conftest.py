"""Fixtures: a fresh database per test built by the migrations, factories, signed-in clients.

SQLite (the default): the migrations run once into a template file that each test copies.
PostgreSQL (DATABASE_URL=postgresql://...): the migrations run once into that database and
each test starts from emptied tables.
"""
import logging
import os
import re
import shutil
import threading
from contextlib import contextmanager

import pytest

from salesweb.app import create_app
from salesweb.core.db import db
from salesweb.models import ALL_MODELS
from salesweb.auth import rules as auth
from salesweb.admin import rules as people
from salesweb.infra import schema

DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql://"))
PASSWORD = "correct horse battery staple"
auth.PASSWORD_METHOD = "scrypt:1024:8:1"  # cheap hashes keep the suite fast; checks read the method from the hash


def _config(tmp_path, url):
    return {
        "TESTING": True,
        "DATABASE_URL": url,
        "INSTANCE_PATH": tmp_path / "instance",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "SECRET_KEY": "test-secret",
        "SETTINGS_CACHE_SECONDS": "3600",  # settings change only through the service here: counts stay exact
        "CHECK_KEPT_STATEMENTS": True,  # each kept statement is written again and compared: a key missing a shape fails
    }


@pytest.fixture(scope="session")
def template_database(tmp_path_factory):
    """The migrated schema, built once per test run."""
    base = tmp_path_factory.mktemp("template")
    url = DATABASE_URL if ON_POSTGRES else f"sqlite:///{base / 'template.db'}"
    app = create_app(_config(base, url))
    with app.app_context():
        if ON_POSTGRES:
            db.execute_sql("DROP SCHEMA public CASCADE")
            db.execute_sql("CREATE SCHEMA public")
        schema.migrate()
        db.close()
    return url


def _empty_postgres():
    """Empty every table, then put back the rows the migrations seed (stages, loss reasons)."""
    tables = ", ".join(f'"{m._meta.table_name}"' for m in ALL_MODELS)
    db.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")  # names come from the models
    import importlib.util
    spec = importlib.util.spec_from_file_location("seed", schema.MIGRATIONS / "0003_pipeline.py")
    seed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(seed)
    from salesweb.models import LossReason, Stage
    Stage.insert_many([{"name_en": en, "name_zh": zh, "position": i, "probability": p, "kind": kind,
                        "rotting_days": rot} for i, (en, zh, p, kind, rot) in enumerate(seed.STAGES)]).execute()
    LossReason.insert_many([{"name_en": en, "name_zh": zh, "position": i}
                            for i, (en, zh) in enumerate(seed.LOSS_REASONS)]).execute()


@pytest.fixture
def database_url(tmp_path, template_database):
    if ON_POSTGRES:
        return template_database
    path = tmp_path / "salesweb.db"
    shutil.copyfile(template_database.removeprefix("sqlite:///"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(tmp_path, database_url):
    app = create_app(_config(tmp_path, database_url))
    # No app context is held open: each request gets its own, as in production.
    if ON_POSTGRES:
        _empty_postgres()
    yield app
    db.close()


@pytest.fixture
def client(app):
    return app.test_client()


class Factory:
    def __init__(self):
        self.count = 0

    def user(self, role="rep", name=None, team=None, reports_to=None, email=None, password=PASSWORD, **kw):
        self.count += 1
        return people.create_user(
            email or f"{role}{self.count}@example.com", name or f"{role.title()} {self.count}", role, password,
            team_name=team, reports_to=reports_to, **kw)


    def customer(self, owner=None, name=None, by=None, tier="C", made_at=None, **values):
        """A customer made through the rules (`made_at`: at that UTC time, its rollups kept as of then)."""
        from salesweb.customers import rules as customers
        from salesweb.core import settings
        self.count += 1
        by = by or owner or self.user("ops")
        values = {"name": name or f"Customer {self.count}", "source": "other", "status": "customer", **values}
        return customers.create(values, owner, by, settings.current(), tier=tier,
                                tier_reason="created" if tier == "C" else "import", now=made_at)


    def deal(self, owner, customer=None, title=None, amount=100_000_00, stage=None, by=None, **values):
        from salesweb.models import Stage
        from salesweb.pipeline import rules as pipeline
        self.count += 1
        customer = customer or self.customer(owner)
        stage = stage or Stage.get(Stage.position == 0)
        return pipeline.create({"title": title or f"Deal {self.count}", "amount": amount, **values},
                               customer, owner, stage, by or owner)

    def won_deal(self, owner, on, **kw):
        """A deal of `owner` won on the day `on` (written straight to the row, as a history would have it)."""
        from salesweb.models import Stage
        return self.written(self.deal(owner, **kw), stage=Stage.get(Stage.kind == "won").id, won_on=on)

    def written(self, deal, **fields):
        """`deal` with `fields` written straight to its row (a history made up in a few lines: a close on a given
        day, a making long ago), its rollups kept as the rules would have kept them."""
        from salesweb.infra import rollups, stale
        from salesweb.models import Deal, Stage
        before = Deal.get_by_id(deal.id)
        Deal.update(**fields).where(Deal.id == deal.id).execute()
        stale.recompute(where=Deal.id == deal.id)
        after = Deal.get_by_id(deal.id)
        rollups.deal_changed(rollups.counted(before, Stage.get_by_id(before.stage_id).kind),
                             rollups.counted(after, Stage.get_by_id(after.stage_id).kind))
        return after


@pytest.fixture
def make():
    return Factory()


def csrf_token(client, url="/login"):
    """The CSRF token a real browser would get from the page's form."""
    body = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body) or \
        re.search(r'"X-CSRFToken": "([^"]+)"', body)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def login(client, email, password=PASSWORD, remember=False, **environ):
    data = {"csrf_token": csrf_token(client), "email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data, environ_base=environ)


def post(client, url, data=None, token_from=None, **kw):
    """POST a form the way the page would, CSRF token included."""
    data = dict(data or {})
    if "csrf_token" not in data:
        data["csrf_token"] = csrf_token(client, token_from or "/account/password")
    return client.post(url, data=data, **kw)


@pytest.fixture
def signed_in(app, make):
    """signed_in(role) -> (client, user): a fresh client signed in as a new user of that role."""
    def sign_in(role="rep", **kw):
        user = make.user(role, **kw)
        client = app.test_client()
        response = login(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client, user
    return sign_in


class QueryCounter(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.queries = []

    def emit(self, record):
        if isinstance(record.msg, tuple):
            self.queries.append(record.msg[0])


@contextmanager
def count_queries():
    """Count the SQL statements peewee sends inside the block (exact)."""
    logger = logging.getLogger("peewee")
    counter = QueryCounter()
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    try:
        yield counter.queries
    finally:
        logger.removeHandler(counter)
        logger.setLevel(old_level)


def in_parallel(count, work):
    """work(n) in `count` threads started together (each with its own client or connection); their results in
    order. Any exception in a thread fails the test."""
    results, errors, start = [None] * count, [], threading.Barrier(count)

    def run(n):
        try:
            start.wait()
            results[n] = work(n)
        except Exception as exc:  # collected, asserted below
            errors.append(repr(exc))
    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results


def client_for(app, user):
    """A fresh client signed in as `user` (made already)."""
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client
