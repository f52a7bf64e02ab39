"""Settings: SPEC defaults, typed storage, validation across fields, every change audited."""
import pytest

from salesweb.models import AuditEvent, Setting
from salesweb.core import settings
from salesweb.core.errors import Invalid


def test_defaults_are_the_specs(app):
    values = settings.current()
    assert values["tier_a_threshold"] == 1_000_000_00
    assert values["tier_b_threshold"] == 100_000_00
    assert (values["cadence_a_days"], values["cadence_b_days"], values["cadence_c_days"]) == (30, 90, 180)
    assert (values["discount_limit_rep"], values["discount_limit_manager"]) == (10, 20)
    assert (values["weekly_visit_norm_min"], values["weekly_visit_norm_max"]) == (10, 15)
    assert values["timezone"] == "Asia/Shanghai" and values["currency"] == "CNY"


def test_install_fallback_applies_until_a_value_is_stored(app, make):
    assert settings.current({"timezone": "Europe/Paris"})["timezone"] == "Europe/Paris"
    settings.update({"timezone": "Asia/Tokyo"}, by=make.user("admin"))
    assert settings.current({"timezone": "Europe/Paris"})["timezone"] == "Asia/Tokyo"


def test_update_stores_typed_values_and_audits_each_change(app, make):
    admin = make.user("admin")
    changed = settings.update({"cadence_a_days": 21, "currency": "CNY"}, by=admin)
    assert changed == {"cadence_a_days": 21}
    assert settings.current()["cadence_a_days"] == 21
    event = AuditEvent.get(AuditEvent.action == "settings")
    assert event.actor_id == admin.id and "cadence_a_days: 30 → 21" in event.summary
    settings.update({"cadence_a_days": 14}, by=admin)
    assert Setting.select().count() == 1


@pytest.mark.parametrize("changes, field", [
    ({"tier_a_threshold": 50_000_00}, "tier_a_threshold"),
    ({"cadence_a_days": 0}, "cadence_a_days"),
    ({"cadence_a_days": 120}, "cadence_b_days"),
    ({"discount_limit_rep": 30}, "discount_limit_rep"),
    ({"discount_limit_manager": 101}, "discount_limit_manager"),
    ({"weekly_visit_norm_min": 20}, "weekly_visit_norm_min"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"currency": "XXX"}, "currency"),
    ({"company_name": "   "}, "company_name"),
])
def test_invalid_values_are_refused_and_nothing_is_stored(app, make, changes, field):
    with pytest.raises(Invalid) as refused:
        settings.update(changes, by=make.user("admin"))
    assert field in refused.value.errors
    assert Setting.select().count() == 0
    assert not AuditEvent.select().where(AuditEvent.action == "settings").exists()


def test_a_setting_another_worker_saved_shows_once_this_workers_settings_are_read_again(app, make, signed_in,
                                                                                        monkeypatch):
    """Within its settings time this worker renders with the settings it has, then reads them again."""
    import time

    client, boss = signed_in("manager", team="East")
    make.user("rep", team="East", reports_to=boss, name="Li Lei")
    english = {"Accept-Language": "en"}
    assert "10–15" in client.get("/manager/", headers=english).get_data(as_text=True)
    # another worker saves the visit norm: this one's settings are not told
    Setting.insert(key="weekly_visit_norm_min", value="3").on_conflict(
        conflict_target=[Setting.key], update={Setting.value: "3"}).execute()
    assert "10–15" in client.get("/manager/", headers=english).get_data(as_text=True)  # the settings it still has
    later = time.monotonic() + float(app.config["SETTINGS_CACHE_SECONDS"]) + 60
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert "3–15" in client.get("/manager/", headers=english).get_data(as_text=True)
