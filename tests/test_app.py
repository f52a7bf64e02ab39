"""The app as a whole: configuration, health, headers, error pages."""
import os
import re
import stat

import pytest

from salesweb.app import create_app
from tests.conftest import csrf_token, post


def test_secret_key_is_generated_once_into_instance_with_0600(tmp_path, database_url, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = {"DATABASE_URL": database_url, "INSTANCE_PATH": tmp_path / "inst"}
    first = create_app(config).config["SECRET_KEY"]
    second = create_app(config).config["SECRET_KEY"]
    path = tmp_path / "inst" / "secret_key"
    assert first == second and len(first) >= 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_environment_then_instance_config_override_defaults(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("TIMEZONE", "Europe/Berlin")
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text('PAGE_SIZE = 7\nTIMEZONE = "Asia/Tokyo"\n')
    app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": instance, "SECRET_KEY": "k"})
    assert app.config["PAGE_SIZE"] == 7 and app.config["TIMEZONE"] == "Asia/Tokyo"
    assert app.config["MAX_CONTENT_LENGTH"] > 50 * 1024 * 1024


def test_session_lifetimes_are_set_deliberately(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 12 * 3600
    assert app.config["REMEMBER_COOKIE_DURATION"].days == 14


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here


def test_pages_have_no_inline_script_or_event_handlers(signed_in):
    client, _ = signed_in("admin")
    for url in ("/login", "/admin/", "/admin/users", "/admin/users/new", "/admin/settings", "/audit/"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>" not in page and " onclick=" not in page and "hx-on" not in page, url
        for tag in re.findall(r"<script[^>]*>", page):
            assert "src=" in tag, (url, tag)


def test_htmx_runs_without_eval(client):
    page = client.get("/login").get_data(as_text=True)
    assert '"allowEval":false' in page and '"includeIndicatorStyles":false' in page


def test_404_page_is_in_the_layout_in_both_languages(client):
    en = client.get("/nowhere", headers={"Accept-Language": "en"})
    zh = client.get("/nowhere", headers={"Accept-Language": "zh-CN"})
    assert en.status_code == zh.status_code == 404
    assert "Not found" in en.get_data(as_text=True) and "<nav" not in en.get_data(as_text=True)
    assert "未找到" in zh.get_data(as_text=True)


def test_403_page_in_both_languages(signed_in):
    client, _ = signed_in("rep")
    response = client.get("/admin/", headers={"Accept-Language": "en"})
    assert response.status_code == 403 and "Not allowed" in response.get_data(as_text=True)
    post(client, "/account/locale", {"locale": "zh"})
    assert "无权操作" in client.get("/admin/").get_data(as_text=True)


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    app = create_app({"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "INSTANCE_PATH": tmp_path,
                      "SECRET_KEY": "k"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "unreachable"


def test_a_secret_key_file_without_a_key_is_refused(tmp_path, database_url, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    (tmp_path / "inst").mkdir()
    (tmp_path / "inst" / "secret_key").write_text("")
    import pytest
    with pytest.raises(RuntimeError, match="no usable key"):
        create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": tmp_path / "inst"})


def test_an_unknown_timezone_in_the_environment_is_refused_at_start(tmp_path, database_url, monkeypatch):
    import pytest
    monkeypatch.setenv("TIMEZONE", "Mars/Olympus")
    with pytest.raises(RuntimeError, match="TIMEZONE"):
        create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": tmp_path, "SECRET_KEY": "k"})


def test_413_for_an_oversized_request(app, signed_in):
    client, _ = signed_in("rep")
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = post(client, "/account/password", {"current": "x" * 4096, "new": "y", "confirm": "y"})
    assert response.status_code == 413 and "Too large" in response.get_data(as_text=True)


def test_500_is_logged_and_shown_in_the_layout(app, client, monkeypatch):
    from salesweb.core import settings
    monkeypatch.setattr(settings, "current", lambda *a: 1 / 0)
    response = client.get("/login", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)


def test_htmx_fragment_errors_are_short(signed_in):
    client, _ = signed_in("admin")
    response = client.get("/admin/users/9999", headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert "<html" not in response.get_data(as_text=True)


def test_the_language_switch_works_signed_out(client):
    token = csrf_token(client)
    client.post("/account/locale", data={"csrf_token": token, "locale": "zh", "next": "/login"})
    assert 'lang="zh-CN"' in client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_a_worker_ready_to_serve_sets_its_startup_heap_out_of_the_collectors_reach(monkeypatch):
    """salesweb serve's workers freeze what start-up allocated (salesweb.cli.freeze_heap) once they are ready."""
    import gc

    from salesweb import cli
    calls = []
    monkeypatch.setattr(cli, "settle_crashes", lambda app: calls.append("settled"))
    monkeypatch.setattr(cli, "start_sweeper", lambda app: calls.append("sweeper"))
    gc.unfreeze()
    try:
        cli._worker_started(type("Worker", (), {"wsgi": object()})())
        assert calls == ["settled", "sweeper"] and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_templates_read_the_environments_globals_as_they_are_and_keep_their_own_apart(app):
    env = app.jinja_env
    plain = env.from_string("{{ later_global }}")
    env.globals["later_global"] = "added after loading"
    assert plain.render() == "added after loading"
    own = env.from_string("{{ own_global }}|{{ later_global }}", globals={"own_global": "mine"})
    assert own.render() == "mine|added after loading"
    assert "own_global" not in env.globals


def test_an_app_away_from_its_repository_says_how_to_install_it(monkeypatch, tmp_path):
    from salesweb import app as factory
    monkeypatch.setattr(factory, "ROOT", tmp_path)  # as a plain `pip install .` leaves it: no templates beside it
    with pytest.raises(RuntimeError, match="make install"):
        factory.create_app({"SECRET_KEY": "x" * 32, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"})
