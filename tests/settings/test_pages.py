"""The ops settings area: the sales process's settings beside the stages, validated as a whole, each change audited."""
import pytest

from salesweb.models import AuditEvent, Setting
from salesweb.core import settings
from tests.conftest import post

PROCESS = {"tier_a_threshold": "1000000", "tier_b_threshold": "100000", "cadence_a_days": "30",
           "cadence_b_days": "90", "cadence_c_days": "180", "discount_limit_rep": "10",
           "discount_limit_manager": "20", "quote_valid_days": "30", "quote_follow_up_days": "3",
           "weekly_visit_norm_min": "10", "weekly_visit_norm_max": "15", "pool_claim_limit": "30",
           "pool_recycle_days": "60", "visit_duration_minutes": "45", "checkin_radius_m": "500",
           "checkin_accuracy_m": "100", "checkin_max_age_minutes": "10", "offline_late_hours": "72",
           "reallocation_undo_hours": "24",
           "expense_max_amount": "50000", "expense_claim_days": "90"}


def test_ops_settings_hold_the_process_and_not_the_company(app, signed_in):
    client, _ops = signed_in("ops")
    page = client.get("/ops/settings").get_data(as_text=True)
    for label in ("Tier A from", "Visit tier A every", "Rep discount limit", "Weekly visit norm, at least",
                  "Customers a rep may hold from the pool", "A bulk reassignment can be undone for",
                  "Stages and loss reasons"):
        assert label in page, label
    assert "Company name" not in page and "Time zone" not in page
    assert set(PROCESS) == {d.key for d in settings.DEFINITIONS if d.group in settings.PROCESS_GROUPS}


@pytest.mark.parametrize("role", ["rep", "manager", "support"])
def test_only_ops_reaches_it(app, signed_in, role):
    client, _user = signed_in(role, team="East" if role in ("rep", "manager") else None)
    assert client.get("/ops/settings").status_code == 403
    assert post(client, "/ops/settings", PROCESS).status_code == 403


def test_changes_are_audited_one_by_one(app, signed_in):
    client, _ops = signed_in("ops")
    changed = {**PROCESS, "cadence_a_days": "21", "weekly_visit_norm_min": "8", "discount_limit_rep": "12"}
    assert post(client, "/ops/settings", changed).status_code == 302
    assert settings.current()["cadence_a_days"] == 21
    summaries = {e.summary for e in AuditEvent.select().where(AuditEvent.action == "settings")}
    assert summaries == {"cadence_a_days: 30 → 21", "weekly_visit_norm_min: 10 → 8", "discount_limit_rep: 10 → 12"}


@pytest.mark.parametrize("change, message", [
    ({"tier_a_threshold": "50000"}, "Tier A must start above tier B."),
    ({"cadence_b_days": "20"}, "Visit A customers at least as often as B, and B as often as C."),
    ({"cadence_a_days": "0"}, "Number must be between 1 and 3650."),
    ({"discount_limit_manager": "101"}, "Number must be between 0 and 100."),
    ({"discount_limit_rep": "30"}, "A rep&#39;s limit cannot exceed a manager&#39;s."),
    ({"weekly_visit_norm_min": "20"}, "The lower bound cannot exceed the upper bound."),
    ({"reallocation_undo_hours": "-1"}, "Number must be between 1 and 720."),
])
def test_invalid_settings_are_refused_whole(app, signed_in, change, message):
    client, _ops = signed_in("ops")
    refused = post(client, "/ops/settings", {**PROCESS, "pool_claim_limit": "40", **change})
    assert refused.status_code == 422
    assert message in refused.get_data(as_text=True)
    assert Setting.select().count() == 0  # not even the valid pool change
    assert AuditEvent.select().where(AuditEvent.action == "settings").count() == 0
