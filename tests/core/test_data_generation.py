"""The data generation: every write to a business table moves it (the database's triggers, so no write path can
forget), and a result kept under it is never served after a write."""
import datetime
import importlib.util

from salesweb.core.db import db, is_sqlite
from salesweb.models import DataGeneration, Deal, Stage
from salesweb.core import cache, settings
from salesweb.pipeline import rules as pipeline
from salesweb.infra import schema
from tests.conftest import count_queries, login

EN = {"Accept-Language": "en"}


def _migration():
    spec = importlib.util.spec_from_file_location("generation", schema.MIGRATIONS / "0016_data_generation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generation():
    return DataGeneration.get_by_id(1).n


def test_every_business_table_moves_the_generation_on_every_kind_of_write(app):
    migration = _migration()
    tables = migration.tracked_tables(db.obj)
    assert "deal" in tables and "visit" in tables and "login_attempt" not in tables and len(tables) >= 40
    if is_sqlite():
        found = {(row[0], row[1]) for row in db.execute_sql(
            "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'generation_%'")}
        missing = [f"{t} {e}" for t in tables for e in ("insert", "update", "delete")
                   if (t, f"generation_{t}_{e}") not in found]
    else:
        found = {row[0] for row in db.execute_sql(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE left(t.tgname, 11) = 'generation_'")}
        missing = [t for t in tables if t not in found]
    assert missing == []  # a new table needs migration 0016's add_trigger() in its own migration


def test_a_write_moves_the_generation_once_committed_and_a_read_does_not(app, make):
    rep = make.user("rep")
    before = generation()
    deal = make.deal(rep)
    after_create = generation()
    assert after_create > before
    list(Deal.select())
    assert generation() == after_create
    with db.atomic():
        Deal.update(title="Renamed").where(Deal.id == deal.id).execute()
        Deal.update(title="Renamed again").where(Deal.id == deal.id).execute()
    assert generation() > after_create
    moved = generation()
    with db.atomic() as transaction:
        Deal.update(title="Not kept").where(Deal.id == deal.id).execute()
        transaction.rollback()
    assert generation() == moved  # a write that never committed changes nothing kept


def test_the_team_home_shows_a_win_at_once_and_reuses_its_figures_until_then(app, make, signed_in):
    client, boss = signed_in("manager", team="East")
    rep = make.user("rep", team="East", reports_to=boss, name="Li Lei")
    deal = make.deal(rep, amount=100_000_00)
    assert "123,456" not in client.get("/manager/", headers=EN).get_data(as_text=True)
    with count_queries() as cold:
        client.get("/manager/", headers=EN)
    with count_queries(warm=True) as warm:
        page = client.get("/manager/", headers=EN).get_data(as_text=True)
    assert len(warm) == 1 < len(cold)  # the signed-in user, the generation with it, and nothing else
    assert "Li Lei" in page
    pipeline.win(Deal.get_by_id(deal.id), Deal.get_by_id(deal.id).version, boss, amount=123_456_00,
                 today=datetime.date.today())
    assert "123,456" in client.get("/manager/", headers=EN).get_data(as_text=True)  # not the page kept before


def test_a_result_is_kept_per_user_locale_and_key_and_only_for_safe_requests(app, make, signed_in):
    client, boss = signed_in("manager", team="East")
    other_client, other = signed_in("manager", team="West")
    english = client.get("/manager/", headers=EN).get_data(as_text=True)
    chinese = client.get("/manager/", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "Attainment" in english and "Attainment" not in chinese
    with count_queries(warm=True) as warm:
        other_client.get("/manager/", headers=EN)
    assert len(warm) > 1  # another manager's figures are their own
    with app.test_request_context("/manager/", method="POST"):
        from flask_login import login_user

        from salesweb.web.kept import remembered
        login_user(boss)
        calls = []
        remembered("x", 1, lambda: calls.append(1))
        remembered("x", 1, lambda: calls.append(1))
        assert calls == [1, 1]  # a write's request always computes afresh
    cache.clear_all()


def test_a_setting_another_worker_saved_shows_once_this_workers_settings_are_read_again(app, make, signed_in,
                                                                                        monkeypatch):
    """Within its settings time this worker renders with the settings it has; what it keeps then is not served
    once it has read them again."""
    import time

    from salesweb.web import pages as web
    from salesweb.models import Setting
    client, boss = signed_in("manager", team="East")
    make.user("rep", team="East", reports_to=boss, name="Li Lei")
    assert "10–15" in client.get("/manager/", headers=EN).get_data(as_text=True)
    # another worker saves the visit norm: this one's settings are not told, only the generation moves
    Setting.insert(key="weekly_visit_norm_min", value="3").on_conflict(
        conflict_target=[Setting.key], update={Setting.value: "3"}).execute()
    assert "10–15" in client.get("/manager/", headers=EN).get_data(as_text=True)  # the settings it still has
    later = time.monotonic() + float(app.config["SETTINGS_CACHE_SECONDS"]) + 60
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert "3–15" in client.get("/manager/", headers=EN).get_data(as_text=True)
