"""Setting targets: last year's actual as the suggestion, team targets split across reps with the sum checked,
the sheet written in one transaction and audited, for the manager's own subtree only."""
import datetime
import re
from decimal import Decimal

import pytest

from salesweb.models import AuditEvent, Target
from salesweb.targets import rules as targets
from salesweb.core.errors import Invalid
from salesweb.figures.metrics import Period
from tests.conftest import count_queries, post

EN = {"Accept-Language": "en"}
NOV = Period.parse("2026-11")
URL = "/manager/targets?period=2026-11"


def test_the_suggestion_is_last_years_actual_grown_and_rounded():
    assert targets.suggestion(1_000_000_00, Decimal(10)) == 1_100_000_00  # SPEC's own example
    assert targets.suggestion(333, Decimal("12.5")) == 375  # 374.625 → 375
    assert targets.suggestion(1_000_00, Decimal(-100)) == 0 and targets.suggestion(0, Decimal(50)) == 0
    assert targets.parse_growth(" 7.5% ") == Decimal("7.5") and targets.parse_growth("") == 0
    for bad in ("ten", "-101", "1001", "NaN", "Infinity"):
        with pytest.raises(Invalid):
            targets.parse_growth(bad)


def test_amounts_are_read_as_people_type_them():
    assert targets.parse_amount("1,100,000") == 1_100_000_00
    assert targets.parse_amount("1 100 000.505") == 1_100_000_51 and targets.parse_amount("1，000") == 1_000_00
    assert targets.parse_amount("  ") is None and targets.parse_amount("0") == 0
    for bad in ("-5", "1e30", "abc", "NaN", "100000000000.01"):
        with pytest.raises(ValueError):
            targets.parse_amount(bad)


def test_a_split_adds_up_to_the_whole_to_the_minor_unit():
    assert targets.split(100, [1, 1, 1]) == [34, 33, 33]
    assert targets.split(1_000_00, [3_000_00, 1_000_00, 0]) == [750_00, 250_00, 0]
    assert targets.split(10, [0, 0]) == [5, 5]  # no history: evenly
    assert targets.split(7, [1, 2]) == [2, 5]  # 2.33 and 4.67: the larger fraction takes the spare unit
    assert sum(targets.split(999_999_99, [17, 23, 5, 11])) == 999_999_99
    assert targets.split(0, [1, 2]) == [0, 0] and targets.split(5, []) == []


@pytest.fixture
def team(app, make):
    """Mia manages East (Ann, Bo); Cy is in West, outside her reach. Ann won 300 and Bo 100 in November 2025."""
    mia = make.user("manager", name="Mia", team="East")
    ann = make.user("rep", name="Ann", team="East", reports_to=mia)
    bo = make.user("rep", name="Bo", team="East", reports_to=mia)
    cy = make.user("rep", name="Cy", team="West")
    with app.app_context():
        for owner, amount in ((ann, 300_00), (bo, 100_00), (cy, 900_00)):
            make.won_deal(owner, datetime.date(2025, 11, 20), amount=amount)
        east = ann.team_id
    return {"mia": mia, "ann": ann, "bo": bo, "cy": cy, "east": east}


def _client(app, user):
    from tests.conftest import login
    client = app.test_client()
    login(client, user.email)
    return client


def test_the_sheet_shows_last_year_and_the_arithmetic(app, team):
    client = _client(app, team["mia"])
    with count_queries() as queries:
        page = client.get(URL + "&growth=10", headers=EN).get_data(as_text=True)
    shown = lambda name: re.search(rf">\s*{name}\b", page) is not None  # noqa: E731 (as text: a token may hold "Cy")
    assert shown("Ann") and shown("Bo") and not shown("Cy") and "East" in page
    assert "300 × (1 + 10 %) = 330" in page and "100 × (1 + 10 %) = 110" in page
    assert "400 × (1 + 10 %) = 440" in page  # the team: its reps' sum
    assert len(queries) <= 12, queries


def test_a_manager_sets_targets_and_each_change_is_audited(app, team):
    client = _client(app, team["mia"])
    ann, bo, east = team["ann"], team["bo"], team["east"]
    response = post(client, URL, {"growth": "10", "action": "save", f"team-{east}": "440,000",
                                  f"user-{ann.id}": "330,000", f"user-{bo.id}": "110000"}, token_from=URL)
    assert response.status_code == 303
    with app.app_context():
        stored = {(t.user_id, t.team_id): t.amount for t in Target.select()}
        assert stored == {(ann.id, None): 330_000_00, (bo.id, None): 110_000_00, (None, east): 440_000_00}
        assert all(t.period == "month" and t.starts_on == NOV.start for t in Target.select())
        assert AuditEvent.select().where(AuditEvent.object_type == "target").count() == 3
    # Clearing one removes it; the untouched ones are not written again.
    post(client, URL, {"growth": "10", "action": "save", f"team-{east}": "440,000", f"user-{ann.id}": "",
                       f"user-{bo.id}": ""}, token_from=URL)
    with app.app_context():
        assert Target.select().count() == 1
        assert AuditEvent.select().where(AuditEvent.object_type == "target").count() == 5
    page = client.get(URL, headers=EN).get_data(as_text=True)
    assert 'value="440,000"' in page


def test_rep_targets_must_add_up_to_the_team_target(app, team):
    client = _client(app, team["mia"])
    ann, bo, east = team["ann"], team["bo"], team["east"]
    response = post(client, URL, {"growth": "10", "action": "save", f"team-{east}": "500000",
                                  f"user-{ann.id}": "330000", f"user-{bo.id}": "110000"}, token_from=URL)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The reps&#39; targets add up to 440,000, not the team&#39;s 500,000." in page
    assert 'value="330000"' in page  # what was typed stays
    with app.app_context():
        assert Target.select().count() == 0 and AuditEvent.select().where(
            AuditEvent.object_type == "target").count() == 0


def test_bad_amounts_are_refused_and_nothing_is_written(app, team):
    client = _client(app, team["mia"])
    ann, bo = team["ann"], team["bo"]
    response = post(client, URL, {"growth": "10", "action": "save", f"user-{ann.id}": "-5",
                                  f"user-{bo.id}": "120000"}, token_from=URL)
    assert response.status_code == 422
    assert "Enter an amount between 0 and 100,000,000,000." in response.get_data(as_text=True)
    response = post(client, URL, {"growth": "lots", "action": "save", f"user-{bo.id}": "120000"}, token_from=URL)
    assert "Enter a growth from -100 to 1000 %." in response.get_data(as_text=True)
    with app.app_context():
        assert Target.select().count() == 0


def test_helpers_fill_the_sheet_without_saving(app, team):
    client = _client(app, team["mia"])
    ann, bo, east = team["ann"], team["bo"], team["east"]
    page = post(client, URL, {"growth": "10", "action": f"use:user-{ann.id}"}, token_from=URL).get_data(as_text=True)
    assert f'name="user-{ann.id}" value="330"' in page
    page = post(client, URL, {"growth": "25", "action": "suggest", f"user-{bo.id}": "99"},
                token_from=URL).get_data(as_text=True)
    assert f'name="user-{ann.id}" value="375"' in page and f'name="user-{bo.id}" value="99"' in page  # typed kept
    assert f'name="team-{east}" value="500"' in page
    page = post(client, URL, {"growth": "10", "action": f"share:team-{east}", f"team-{east}": "1,000"},
                token_from=URL).get_data(as_text=True)
    assert f'name="user-{ann.id}" value="750"' in page and f'name="user-{bo.id}" value="250"' in page
    assert "2 rep targets add up to 1,000" in page
    page = post(client, URL, {"growth": "10", "action": f"even:team-{east}", f"team-{east}": "1,000.01"},
                token_from=URL).get_data(as_text=True)
    assert f'name="user-{ann.id}" value="500.01"' in page and f'name="user-{bo.id}" value="500"' in page
    response = post(client, URL, {"growth": "10", "action": f"even:team-{east}"}, token_from=URL)
    assert "Enter the team&#39;s target first, then split it." in response.get_data(as_text=True)
    with app.app_context():
        assert Target.select().count() == 0


def test_reps_outside_the_subtree_cannot_be_given_targets(app, team, signed_in):
    client = _client(app, team["mia"])
    cy = team["cy"]
    with app.app_context():
        west = cy.team_id
    post(client, URL, {"growth": "10", "action": "save", f"user-{cy.id}": "5", f"team-{west}": "5"}, token_from=URL)
    with app.app_context():
        assert Target.select().count() == 0
    rep_client, _rep = signed_in("rep")
    assert rep_client.get(URL).status_code == 403
    ops_client, _ops = signed_in("ops")
    assert ops_client.get(URL).status_code == 403


def test_a_week_asks_for_its_month(app, team):
    client = _client(app, team["mia"])
    page = client.get("/manager/targets?period=2026-W48", headers=EN).get_data(as_text=True)
    assert "November 2026" in page and "Week of" not in page


def test_a_manager_with_no_one_reporting_sees_an_empty_sheet(app, signed_in):
    client, _boss = signed_in("manager", team="Lonely")
    page = client.get(URL, headers=EN).get_data(as_text=True)
    assert "No one reports to you yet" in page


def test_a_director_s_sheet_shows_whole_teams_25_lines_a_page_and_saves_those(app, make):
    """Three teams of ten reps under a director: North and South (11 lines each) fill the first page, West the
    second; saving the second page writes West's lines and leaves the others' targets as they were."""
    director = make.user("manager", name="Dora", team="Board")
    reps = {}
    for team in ("North", "South", "West"):
        boss = make.user("manager", name=f"Boss {team}", team=team, reports_to=director)
        reps[team] = [make.user("rep", name=f"{team} rep {i}", team=team, reports_to=boss) for i in range(9)]
    with app.app_context():
        Target.create(user=reps["North"][0].id, period="month", starts_on=NOV.start, amount=5_000_00)
        west = reps["West"][0].team_id
    client = _client(app, director)
    first = client.get(URL, headers=EN).get_data(as_text=True)
    assert "North rep 0" in first and "South rep 8" in first and "West rep" not in first
    assert "Page 1 of 2" in first and 'href="/manager/targets?period=2026-11&amp;page=2"' in first
    with count_queries() as queries:
        second = client.get(URL + "&page=2", headers=EN).get_data(as_text=True)
    assert "West rep 0" in second and "North rep" not in second and len(queries) <= 12
    assert f'action="/manager/targets?period=2026-11&amp;page=2"' in second
    response = post(client, URL + "&page=2", {"growth": "10", "action": "save", f"team-{west}": "900",
                                             **{f"user-{rep.id}": "100" for rep in reps["West"]}},
                    token_from=URL + "&page=2")
    assert response.status_code == 303 and response.headers["Location"].endswith("page=2")
    with app.app_context():
        stored = {(t.user_id, t.team_id): t.amount for t in Target.select()}
    assert stored == {(reps["North"][0].id, None): 5_000_00, (None, west): 900_00,
                      **{(rep.id, None): 100_00 for rep in reps["West"]}}


def test_the_sheet_counts_each_team_s_people_and_lists_those_without_a_team_last(app, make):
    """Under director Dora (of team Board, where no one else is): North (its manager and two reps), and Lone, of no
    team, who won 1,234 in November 2025. Board is listed while it has a target of its own for the period, with no
    one's line under it: Dora is no line of hers."""
    dora = make.user("manager", name="Dora", team="Board")
    boss = make.user("manager", name="Nate", team="North", reports_to=dora)
    for name in ("Ann", "Bo"):
        make.user("rep", name=name, team="North", reports_to=boss)
    lone = make.user("rep", name="Lone", reports_to=dora)
    with app.app_context():
        make.won_deal(lone, datetime.date(2025, 11, 20), amount=1_234_00)
        board = Target.create(team=dora.team_id, period="month", starts_on=NOV.start, amount=7_000_00)
    client = _client(app, dora)
    with count_queries() as queries:
        page = client.get(URL, headers=EN).get_data(as_text=True)
    assert len(queries) == 5
    assert re.findall(r"<h2>([^<]+)</h2>", page) == ["Board", "North", "Reps without a team"]
    assert len(re.findall(r'name="(?:user|team)-\d+"', page)) == 1 + 1 + 3 + 1  # Board, North and its 3, Lone
    assert f'name="user-{dora.id}"' not in page and "1,234" in page.split("Reps without a team")[-1]
    with app.app_context():
        board.delete_instance()
    page = client.get(URL, headers=EN).get_data(as_text=True)
    assert re.findall(r"<h2>([^<]+)</h2>", page) == ["North", "Reps without a team"]
