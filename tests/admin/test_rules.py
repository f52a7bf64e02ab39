"""Users and teams: team managers, reporting lines, no loops, deactivation."""
import pytest

from salesweb.models import AuditEvent, Team, User
from salesweb.admin import rules as people
from salesweb.core.errors import Invalid


def test_first_manager_of_a_team_leads_it_and_members_report_to_them(app, make):
    early = make.user("rep", team="East")
    manager = make.user("manager", team="East")
    late = make.user("rep", team="East")
    team = Team.get(Team.name == "East")
    assert team.manager_id == manager.id
    assert User.get_by_id(early.id).reports_to_id == manager.id
    assert late.reports_to_id == manager.id


def test_explicit_reports_to_wins_over_the_team_manager(app, make):
    make.user("manager", team="East")
    mentor = make.user("manager", team="Mentors")
    rep = make.user("rep", team="East", reports_to=mentor)
    assert rep.reports_to_id == mentor.id


def test_second_manager_does_not_take_over_a_led_team_and_reports_to_its_manager(app, make):
    first = make.user("manager", team="East")
    second = make.user("manager", team="East")
    assert Team.get(Team.name == "East").manager_id == first.id
    assert second.reports_to_id == first.id


def test_emails_are_unique_whatever_their_case(app, make):
    make.user("rep", email="Wang.Fang@Example.com")
    assert User.get().email == "wang.fang@example.com"
    with pytest.raises(Invalid) as refused:
        make.user("rep", email="WANG.FANG@example.com")
    assert "email" in refused.value.errors


def test_reporting_loops_are_refused(app, make):
    admin = make.user("admin")
    boss = make.user("manager", team="East")
    rep = make.user("rep", team="East")
    with pytest.raises(Invalid) as refused:
        people.update_user(boss, boss.email, boss.name, "manager", boss.team, rep, None, by=admin)
    assert "reports_to" in refused.value.errors
    assert User.get_by_id(boss.id).reports_to_id is None


def test_deactivation_ends_sessions_and_keeps_the_record(app, make):
    admin = make.user("admin")
    rep = make.user("rep")
    version = rep.session_version
    people.set_active(rep, False, by=admin)
    stored = User.get_by_id(rep.id)
    assert not stored.active and stored.session_version == version + 1
    assert AuditEvent.select().where(AuditEvent.action == "deactivate").count() == 1


def test_admin_cannot_deactivate_themselves(app, make):
    admin = make.user("admin")
    with pytest.raises(Invalid):
        people.set_active(admin, False, by=admin)
    assert User.get_by_id(admin.id).active


def test_a_team_is_led_only_by_an_active_manager(app, make):
    admin = make.user("admin")
    rep = make.user("rep")
    with pytest.raises(Invalid) as refused:
        people.save_team(None, "West", rep, by=admin)
    assert "manager" in refused.value.errors
    assert not Team.select().where(Team.name == "West").exists()


def test_a_weak_password_leaves_no_user_behind(app):
    with pytest.raises(Invalid) as refused:
        people.create_user("new@example.com", "New", "rep", "password1", team_name="Brand new team")
    assert "password" in refused.value.errors
    assert not User.select().exists() and not Team.select().exists()


def test_demoting_a_manager_frees_their_team(app, make):
    admin = make.user("admin")
    boss = make.user("manager", team="East")
    people.update_user(boss, boss.email, boss.name, "rep", boss.team, None, None, by=admin)
    assert Team.get(Team.name == "East").manager_id is None


@pytest.mark.parametrize("name, initials", [
    ("Emma Clarke", "EC"), ("Tom", "TO"), ("王芳", "王芳"), ("欧阳娜娜", "娜娜"), ("周杰 Zhou Jie", "周杰"),
])
def test_initials(name, initials):
    assert User(name=name).initials == initials


def test_a_new_team_manager_never_becomes_the_manager_of_their_own_boss(app, make):
    """The team's members who report to nobody report to its new manager, except those the manager reports to:
    a director in the team, above the manager, would otherwise report to them, and the line would loop."""
    admin = make.user("admin")
    director = make.user("manager", team="Head office")  # leads Head office, reports to nobody
    lead = make.user("manager", team="Regional", reports_to=director)
    loose = make.user("rep", team="Head office")  # reports to the director, as the team's first manager
    Team.update(manager=None).where(Team.name == "Head office").execute()
    User.update(reports_to=None).where(User.id == loose.id).execute()
    people.save_team(Team.get(Team.name == "Head office"), "Head office", lead, by=admin)
    assert User.get_by_id(director.id).reports_to_id is None  # not the lead's: that was a loop
    assert User.get_by_id(loose.id).reports_to_id == lead.id
    assert User.get_by_id(lead.id).reports_to_id == director.id


def test_a_new_manager_created_into_a_team_never_leads_their_own_boss(app, make):
    admin = make.user("admin")
    director = make.user("manager")
    team = people.save_team(None, "Plant sales", None, by=admin)
    User.update(team=team).where(User.id == director.id).execute()  # in the team, leading nobody
    new = people.create_user("new.lead@example.com", "New Lead", "manager", "a long passphrase here", team=team,
                             reports_to=director)
    assert Team.get_by_id(team.id).manager_id == new.id
    assert User.get_by_id(director.id).reports_to_id is None and new.reports_to_id == director.id
