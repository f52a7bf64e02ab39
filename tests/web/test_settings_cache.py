"""Settings are read once per worker and kept for SETTINGS_CACHE_SECONDS: a change saved in this worker is
seen at once, one saved by another worker (written straight to the table here) once the time is up."""
import time

from salesweb.web import pages as web
from salesweb.models import Setting
from salesweb.core import settings
from salesweb.core.settings import current_settings

from ..conftest import count_queries


def _read(app):
    with app.test_request_context("/"):
        with count_queries() as queries:
            values = current_settings()
    return values, len(queries)


def test_settings_are_kept_by_the_worker_and_a_change_here_is_seen_at_once(app, make):
    admin = make.user("admin")
    first, reads = _read(app)
    assert reads == 1 and first["share_link_days"] == 7
    again, reads = _read(app)
    assert reads == 0 and again == first
    again["share_link_days"] = 99  # a request's copy: changing it changes nothing for the next one
    with app.test_request_context("/"):
        settings.update({"share_link_days": 14}, admin)
    changed, reads = _read(app)
    assert reads == 1 and changed["share_link_days"] == 14


def test_a_change_by_another_worker_is_seen_once_the_cache_time_is_up(app, monkeypatch):
    _read(app)
    Setting.insert(key="share_link_days", value="21").on_conflict(
        conflict_target=[Setting.key], update={Setting.value: "21"}).execute()
    assert _read(app)[0]["share_link_days"] == 7  # still within the cache time
    later = time.monotonic() + float(app.config["SETTINGS_CACHE_SECONDS"]) + 1
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert _read(app)[0]["share_link_days"] == 21
