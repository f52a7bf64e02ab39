"""Admin: users, teams, settings, the audit log; every change audited."""
import pytest

from salesweb.models import AuditEvent, Setting, Team, User
from tests.conftest import PASSWORD, count_queries, login, post


@pytest.fixture
def admin(signed_in):
    return signed_in("admin", name="Admin")[0]


def test_admin_pages_are_admin_only(signed_in):
    for role in ("rep", "manager", "support", "ops"):
        client, _ = signed_in(role)
        for url in ("/admin/", "/admin/users", "/admin/users/new", "/admin/teams", "/admin/settings"):
            assert client.get(url).status_code == 403, (role, url)


def test_create_a_user_who_can_then_sign_in(app, admin):
    team = Team.create(name="East")
    response = post(admin, "/admin/users/new", {
        "email": "Zhang.Min@example.com", "name": "张敏", "role": "rep", "team": str(team.id),
        "reports_to": "", "locale": "zh", "password": "a long enough passphrase"})
    assert response.status_code == 302
    user = User.get(User.email == "zhang.min@example.com")
    assert (user.name, user.role, user.team_id, user.locale) == ("张敏", "rep", team.id, "zh")
    created = AuditEvent.select().where(AuditEvent.action == "create").order_by(AuditEvent.id.desc()).get()
    assert created.object_id == user.id and created.actor.name == "Admin"
    assert login(app.test_client(), "zhang.min@example.com", "a long enough passphrase").status_code == 302


def test_bad_user_input_is_shown_in_the_form_and_changes_nothing(app, admin, make):
    make.user("rep", email="taken@example.com")
    before = User.select().count()
    response = post(admin, "/admin/users/new", {
        "email": "taken@example.com", "name": "", "role": "emperor", "team": "999", "reports_to": "abc",
        "locale": "", "password": "123"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This field is required." in page and "Not a valid choice" in page
    assert 'value="taken@example.com"' in page  # what was typed stays
    assert User.select().count() == before


def test_duplicate_email_is_refused_with_a_message(app, admin, make):
    make.user("rep", email="taken@example.com")
    response = post(admin, "/admin/users/new", {
        "email": "TAKEN@example.com", "name": "Copy", "role": "rep", "team": "", "reports_to": "",
        "locale": "", "password": "a long enough passphrase"})
    assert response.status_code == 422
    assert "Another user already has this email." in response.get_data(as_text=True)


def test_edit_a_user(app, admin, make):
    rep = make.user("rep")
    boss = make.user("manager", name="Boss")
    response = post(admin, f"/admin/users/{rep.id}", {
        "email": rep.email, "name": "Renamed", "role": "rep", "team": "", "reports_to": str(boss.id),
        "locale": "en"})
    assert response.status_code == 302
    stored = User.get_by_id(rep.id)
    assert (stored.name, stored.reports_to_id, stored.locale) == ("Renamed", boss.id, "en")
    assert "name" in AuditEvent.get(AuditEvent.action == "edit").summary


def test_unknown_user_is_404(admin):
    assert admin.get("/admin/users/9999").status_code == 404
    assert post(admin, "/admin/users/9999/active", {"active": "0"}).status_code == 404


def test_deactivate_and_reactivate(app, admin, make):
    rep = make.user("rep")
    assert post(admin, f"/admin/users/{rep.id}/active", {"active": "0"}).status_code == 302
    assert not User.get_by_id(rep.id).active
    assert login(app.test_client(), rep.email).status_code == 401
    post(admin, f"/admin/users/{rep.id}/active", {"active": "1"})
    assert login(app.test_client(), rep.email).status_code == 302


def test_reset_password(app, admin, make):
    rep = make.user("rep")
    weak = post(admin, f"/admin/users/{rep.id}/password", {"password": "12345678"})
    assert weak.status_code == 422 and "too common" in weak.get_data(as_text=True)
    assert post(admin, f"/admin/users/{rep.id}/password", {"password": "reset by the admin"}).status_code == 302
    assert login(app.test_client(), rep.email, PASSWORD).status_code == 401
    assert login(app.test_client(), rep.email, "reset by the admin").status_code == 302
    assert AuditEvent.select().where(AuditEvent.action == "password_reset").count() == 1


def test_users_list_filters_and_pages_in_fixed_queries(app, admin, make):
    for i in range(60):
        make.user("rep", name=f"Rep {i:02d}", team="East")
    with count_queries() as queries:
        page = admin.get("/admin/users?role=rep").get_data(as_text=True)
    assert len(queries) == 3
    assert "60 users" in page and "Page 1 of 3" in page
    found = admin.get("/admin/users?q=Rep 07", headers={"HX-Request": "true"})
    body = found.get_data(as_text=True)
    assert "Rep 07" in body and "Rep 08" not in body and "<html" not in body
    assert "HX-Request" in found.headers["Vary"]


def test_user_search_treats_wildcards_as_text_and_ignores_case(app, admin, make):
    make.user("rep", name="Ann_Lee", email="ann@example.com")
    make.user("rep", name="Bob Stone", email="bob@example.com")
    assert "Bob Stone" not in admin.get("/admin/users?q=_").get_data(as_text=True)
    assert "Bob Stone" not in admin.get("/admin/users?q=%25").get_data(as_text=True)
    page = admin.get("/admin/users?q=ANN_").get_data(as_text=True)
    assert "Ann_Lee" in page and "Bob Stone" not in page


def test_teams_create_and_assign_a_manager(app, admin, make):
    boss = make.user("manager", name="Boss")
    rep = make.user("rep")
    assert post(admin, "/admin/teams/new", {"name": "West", "manager": str(boss.id)}).status_code == 302
    team = Team.get(Team.name == "West")
    assert team.manager_id == boss.id and User.get_by_id(boss.id).team_id == team.id
    refused = post(admin, "/admin/teams/new", {"name": "West", "manager": str(rep.id)})
    assert refused.status_code == 422
    assert Team.select().count() == 1
    page = admin.get("/admin/teams").get_data(as_text=True)
    assert "West" in page and "Boss" in page


def test_settings_page_saves_and_validates(app, admin):
    form = admin.get("/admin/settings").get_data(as_text=True)
    assert 'value="1000000"' in form  # tier A threshold shown in whole currency units
    values = {"company_name": "Acme 销售", "currency": "CNY", "timezone": "Asia/Shanghai",
              "default_locale": "zh", "tier_a_threshold": "2000000", "tier_b_threshold": "200000",
              "cadence_a_days": "30", "cadence_b_days": "90", "cadence_c_days": "180",
              "discount_limit_rep": "10", "discount_limit_manager": "20",
              "weekly_visit_norm_min": "10", "weekly_visit_norm_max": "15",
              "pool_claim_limit": "30", "pool_recycle_days": "60", "share_link_days": "7",
              "visit_duration_minutes": "45", "checkin_radius_m": "500", "checkin_accuracy_m": "100",
              "checkin_max_age_minutes": "10", "offline_late_hours": "72", "quote_valid_days": "30",
                  "quote_follow_up_days": "3", "feedback_response_hours": "24", "customer_link_days": "14",
              "reallocation_undo_hours": "24", "expense_max_amount": "50000", "expense_claim_days": "90"}
    assert post(admin, "/admin/settings", values).status_code == 302
    assert Setting.get_by_id("tier_a_threshold").value == str(2_000_000_00)
    assert "Acme 销售" in admin.get("/admin/").get_data(as_text=True)
    bad = post(admin, "/admin/settings", {**values, "tier_b_threshold": "3000000", "cadence_a_days": "abc"})
    assert bad.status_code == 422
    assert Setting.get_by_id("tier_b_threshold").value == str(200_000_00)


def test_audit_log_for_admin_and_ops_only(app, signed_in, make):
    ops, _ = signed_in("ops")
    rep, _ = signed_in("rep")
    assert rep.get("/audit/").status_code == 403
    page = ops.get("/audit/?action=login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Signed in" in page and "Not a valid choice" not in page
    assert ops.get("/audit/?since=not-a-date").status_code == 200


@pytest.mark.parametrize("query", [
    "since=0001-01-01", "until=9999-12-31", "actor=²", "actor=99999999999999999999", "page=99999999999999999999",
    "page=-3", "endpoint=x&page=2", "_external=1", "q=" + "x" * 5000, "action=nonsense",
])
def test_audit_page_survives_odd_query_strings(app, admin, query):
    response = admin.get(f"/audit/?{query}")
    assert response.status_code == 200, query


def test_audit_filters_apply_without_an_action_in_the_url(app, admin, make):
    make.user("rep", email="findme@example.com")
    page = admin.get("/audit/?q=findme", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "1 event" in page and "Not a valid choice" not in page


def test_huge_ids_are_not_found(admin):
    assert admin.get("/admin/users/99999999999999999999").status_code == 404
    assert admin.get("/admin/teams/99999999999999999999").status_code == 404


def test_editing_a_user_keeps_a_deactivated_boss(app, admin, make):
    boss = make.user("manager", name="Old Boss", team="East")
    rep = make.user("rep", team="East")
    from salesweb.admin import rules as people
    people.set_active(boss, False, by=User.get(User.role == "admin"))
    form = admin.get(f"/admin/users/{rep.id}").get_data(as_text=True)
    assert f'<option selected value="{boss.id}">Old Boss (deactivated)</option>' in form
    response = post(admin, f"/admin/users/{rep.id}", {"email": rep.email, "name": "Renamed", "role": "rep",
                                                     "team": str(rep.team_id), "reports_to": str(boss.id),
                                                     "locale": ""})
    assert response.status_code == 302
    assert User.get_by_id(rep.id).reports_to_id == boss.id


def test_audit_filters_narrow_the_list(app, admin, make):
    make.user("rep", email="findme@example.com")
    page = admin.get("/audit/?action=create&q=findme").get_data(as_text=True)
    assert "findme@example.com" in page and "1 event" in page


def test_an_admin_sees_a_locked_account_and_unlocks_it(app, admin, make):
    rep = make.user("rep", name="Li Lei", email="li@example.com")
    page = admin.get(f"/admin/users/{rep.id}").get_data(as_text=True)
    assert "Failed sign-ins from new browsers in the last 15 minutes: 0." in page
    for i in range(20):
        assert login(app.test_client(), "li@example.com", "wrong", REMOTE_ADDR=f"198.51.100.{i}").status_code == 401
    assert login(app.test_client(), "li@example.com", REMOTE_ADDR="10.0.0.1").status_code == 429
    page = admin.get(f"/admin/users/{rep.id}").get_data(as_text=True)
    assert "Sign-in locked" in page and "Browsers Li Lei has not signed in from before are refused until" in page
    response = post(admin, f"/admin/users/{rep.id}/unlock", token_from=f"/admin/users/{rep.id}")
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/users/{rep.id}"
    page = admin.get(f"/admin/users/{rep.id}").get_data(as_text=True)
    assert "Sign-in unlocked: Li Lei can sign in again" in page
    assert "Failed sign-ins from new browsers in the last 15 minutes: 0." in page
    assert login(app.test_client(), "li@example.com", REMOTE_ADDR="10.0.0.1").status_code == 302
    event = AuditEvent.get(AuditEvent.action == "login_unlocked")
    assert event.object_id == rep.id and event.actor.name == "Admin"


def test_unlocking_an_unknown_user_is_404_and_changes_nothing(app, admin):
    assert post(admin, "/admin/users/9999/unlock", token_from="/admin/users").status_code == 404
    assert not AuditEvent.select().where(AuditEvent.action == "login_unlocked").exists()


def test_the_user_page_reads_the_sign_in_lock_in_fixed_queries(app, admin, make):
    rep = make.user("rep", email="li@example.com")
    for i in range(25):
        login(app.test_client(), "li@example.com", "wrong", REMOTE_ADDR=f"198.51.100.{i}")
    with count_queries() as queries:
        assert admin.get(f"/admin/users/{rep.id}").status_code == 200
    # the admin, the user, teams, bosses; the account's last sign-in, its failures in the window, and its lock
    assert len(queries) == 7



def test_users_list_reads_each_combination_of_filters(app, admin, make):
    """Every shape of the user list's kept statements: text, role and status each given or not, a later page."""
    boss = make.user("manager", name="Boss Ma", team="East")
    make.user("rep", name="Ann Lee", team="East", reports_to=boss)
    gone = make.user("rep", name="Ann Gone", email="gone@example.com")
    User.update(active=False).where(User.id == gone.id).execute()
    make.user("support", name="Sam Ann")
    for q in ("", "ann"):
        for role in ("", "rep"):
            for status in ("", "active", "inactive"):
                for number in ("1", "2"):
                    response = admin.get(f"/admin/users?q={q}&role={role}&status={status}&page={number}")
                    assert response.status_code == 200, (q, role, status)
                page = admin.get(f"/admin/users?q={q}&role={role}&status={status}").get_data(as_text=True)
                shown = {name for name in ("Ann Lee", "Ann Gone", "Sam Ann", "Boss Ma") if f">{name}</a>" in page}
                expected = {name for name, r, active in (("Ann Lee", "rep", True), ("Ann Gone", "rep", False),
                                                         ("Sam Ann", "support", True), ("Boss Ma", "manager", True))
                            if (not q or q in name.lower()) and (not role or r == role)
                            and (not status or active == (status == "active"))}
                assert shown == expected, (q, role, status)
    row = admin.get("/admin/users?q=ann+lee").get_data(as_text=True)
    assert ">East</td>" in row and ">Boss Ma</td>" in row and ">Active</td>" in row
    assert "Deactivated</span>" in admin.get("/admin/users?q=gone&status=inactive").get_data(as_text=True)


def test_audit_log_reads_each_combination_of_filters(app, admin, make):
    """Every shape of the audit log's kept statements: each filter alone, all of them, none, a later page."""
    from salesweb.core import audit
    actor = make.user("ops", name="Olga Ops")
    audit.record("edit", actor=actor, summary="budget East travel", object_type="budget", object_id=7)
    audit.record("create", actor=None, summary="nightly import")
    filters = {"action": "edit", "actor": str(actor.id), "q": "budget", "since": "2000-01-01", "until": "2999-01-01"}
    for name, value in [(None, None), *filters.items()]:
        for number in ("1", "2"):
            response = admin.get(f"/audit/?{name}={value}&page={number}" if name else f"/audit/?page={number}",
                                 headers={"Accept-Language": "en"})
            assert response.status_code == 200, name
        page = admin.get(f"/audit/?{name}={value}" if name else "/audit/").get_data(as_text=True)
        assert "budget East travel" in page and "Olga Ops" in page and "budget #7" in page, name
        assert ("nightly import" in page) == (name in (None, "since", "until")), name
    everything = "&".join(f"{k}={v}" for k, v in filters.items())
    page = admin.get(f"/audit/?{everything}").get_data(as_text=True)
    assert "1 event" in page and "budget East travel" in page
    assert "0 events" in admin.get("/audit/?until=2001-01-01").get_data(as_text=True)
