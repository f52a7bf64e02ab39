"""Each role has a home; / sends people there; another role's home is 403."""
import datetime
import re

import pytest

from salesweb.infra import stale as stale_at
from salesweb.models import ROLES
from tests.conftest import count_queries


@pytest.mark.parametrize("role", ROLES)
def test_root_sends_each_role_home_and_other_homes_are_forbidden(signed_in, role):
    client, user = signed_in(role)
    assert client.get("/").headers["Location"] == f"/{role}/"
    assert client.get(f"/{role}/").status_code == 200
    for other in ROLES:
        if other != role:
            assert client.get(f"/{other}/").status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_anonymous_visitors_are_sent_to_sign_in(client, role):
    response = client.get(f"/{role}/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


def test_rep_home_is_today(app, make, signed_in):
    client, rep = signed_in("rep", team="South")
    page = client.get("/rep/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for block in ("This week", "Planned today", "Overdue for a visit", "Tasks due", "Deals gone stale", "Log visit"):
        assert block in page


def test_nav_shows_only_what_the_role_can_reach(signed_in):
    rep, _ = signed_in("rep")
    page = rep.get("/rep/").get_data(as_text=True)
    assert "/admin/users" not in page and "/audit/" not in page
    admin, _ = signed_in("admin")
    page = admin.get("/admin/").get_data(as_text=True)
    assert all(url in page for url in ("/admin/users", "/admin/teams", "/admin/settings", "/audit/"))


def test_a_rep_sees_their_month_on_today(app, make, signed_in):
    from salesweb.models import Target
    from salesweb.figures.metrics import Period
    from salesweb.core.clock import local_today
    client, rep = signed_in("rep", team="South")
    rival = make.user("rep", team="South")
    make.user("rep", team="North")  # another team: not a peer
    with app.app_context():
        today = local_today()
        for owner, amount in ((rep, 1_500_00), (rival, 2_000_00)):
            make.won_deal(owner, today, amount=amount)
        Target.create(user=rep.id, period="month", starts_on=Period.of("month", today).start, amount=3_000_00)
    page = client.get("/rep/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "1,500" in page and "won of 3,000" in page and "Attainment 50%" in page and "Rank 2 of 2" in page
    from salesweb.figures.metrics import attainment
    pace = attainment(1_500_00, 3_000_00, Period.of("month", today), today)["pace"]
    assert f"Pace {pace:.0%}" in page


def test_a_rep_without_a_team_ranks_among_every_rep_and_sees_their_stale_deals(app, make, signed_in):
    from salesweb.core.clock import local_today
    from salesweb.models import Deal, Stage
    client, rep = signed_in("rep")
    make.user("rep", team="North")  # a rep of a team is a peer of a rep without one
    with app.app_context():
        today = local_today()
        make.won_deal(rep, today, amount=500_00)
        stage = Stage.select().where(Stage.kind == "open").order_by(Stage.position).first()
        Stage.update(rotting_days=7).where(Stage.id == stage.id).execute()
        quiet = make.deal(rep, title="Quiet pumps", stage=stage, next_step="Call", next_step_due=today)
        Deal.update(last_activity_at=quiet.last_activity_at - datetime.timedelta(days=30)).where(
            Deal.id == quiet.id).execute()
        stale_at.recompute(where=Deal.id == quiet.id)  # when it goes stale follows, as a write would keep it
        make.deal(rep, title="Busy valves", stage=stage, next_step="Call", next_step_due=today)
    page = client.get("/rep/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "won · no target set" in page and "Rank 1 of 2" in page
    stale = page[page.index("Deals gone stale"):]
    assert "Quiet pumps" in stale and "Busy valves" not in stale


@pytest.mark.parametrize("role, path, current", [
    ("ops", "/ops/", "Operations"), ("ops", "/ops/allocation", "Allocation"), ("ops", "/ops/settings", "Settings"),
    ("manager", "/manager/targets", "Team"), ("admin", "/admin/settings", "Settings"),
    ("support", "/quotes", "Quotes"), ("rep", "/customers", "Customers"),
])
def test_the_navigation_marks_one_entry_as_the_page(signed_in, role, path, current):

    client, _user = signed_in(role)
    page = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    nav = page[page.index('<nav class="mainnav"'):page.index("</nav>", page.index('<nav class="mainnav"'))]
    marked = re.findall(r'aria-current="page">.*?<span>([^<]+)</span>', nav)
    assert marked == [current]
