"""The budget sheet shows a page of teams at a time (as many budget lines as a list has rows), each with its own
quarter's figures; saving or refusing a team's budget comes back to that team's page; the sheet takes the same
queries however many teams there are."""
import datetime

import pytest

from salesweb.core import settings
from salesweb.expenses import budgets, queries, rules as expenses
from salesweb.models import Expense
from tests.conftest import count_queries, login, post
from tests.expenses.test_expenses import upload

TODAY = datetime.date(2026, 11, 23)


def client_for(app, user):
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def claim(app, rep, amount, day=TODAY, category="travel"):
    return expenses.file(rep, {"spent_on": day, "category": category, "amount": amount, "description": "Taxi"},
                         upload(app), settings.current(), TODAY)


@pytest.fixture
def teams(app, make):
    """Three teams by name, A East, B North and C West, each a manager and a rep; two teams to a page."""
    app.config["PAGE_SIZE"] = 10  # ten lines: two teams of five categories
    found = {}
    for name in ("C West", "A East", "B North"):
        boss = make.user("manager", team=name, name=f"Boss of {name}")
        found[name] = (boss, make.user("rep", team=name, reports_to=boss, name=f"Rep of {name}"))
    return found


def _sections(page):
    return [part.split("</h2>")[0].split(">")[-1] for part in page.split('<section class="card" id="team-')[1:]]


def test_the_sheet_shows_two_teams_a_page_each_with_its_own_quarter(app, make, teams):
    ops = make.user("ops")
    west_boss, west_rep = teams["C West"]
    east_boss, east_rep = teams["A East"]
    budgets.save(ops, west_rep.team, 2026, 4, {"travel": 1000_00, "events": 200_00})
    budgets.save(ops, east_rep.team, 2026, 4, {"travel": 5000_00})
    first_day = datetime.date(2026, 10, 1)
    approved, paid = claim(app, west_rep, 300_00, day=first_day), claim(app, west_rep, 250_00)
    claim(app, west_rep, 100_00)  # waiting
    rejected = claim(app, west_rep, 999_00)
    claim(app, west_rep, 77_00, day=datetime.date(2026, 9, 30))  # the day before the quarter: not in it
    claim(app, west_rep, 40_00, category="events")
    east_claim = claim(app, east_rep, 4000_00)  # another team's: not West's
    expenses.approve(approved, approved.version, west_boss)
    expenses.approve(paid, paid.version, west_boss)
    expenses.mark_paid(Expense.get_by_id(paid.id), 2, make.user("support"))
    expenses.reject(rejected, rejected.version, west_boss, "No receipt detail")
    expenses.approve(east_claim, east_claim.version, east_boss)

    listed = queries.visible_teams(ops)
    assert [t.name for t in listed] == ["A East", "B North", "C West"]
    [west] = queries.team_budgets(ops, 2026, 4, listed[2:], 2)
    assert west.name == "C West"
    assert [(c, x.planned, x.spent, x.pending) for c, x in west.lines.items() if x.planned or x.spent or x.pending] \
        == [("travel", 1000_00, 550_00, 100_00), ("events", 200_00, 0, 40_00)]
    east, north = queries.team_budgets(ops, 2026, 4, listed[:2], 0)
    assert (east.name, east.lines["travel"].spent, east.lines["travel"].over) == ("A East", 4000_00, False)
    assert (north.name, north.total.planned, north.total.spent, north.total.pending) == ("B North", 0, 0, 0)
    assert [t.name for t in queries.team_budgets(ops, 2026, 4)] == ["A East", "B North", "C West"]  # the CSV's

    client = client_for(app, ops)
    first = client.get("/budgets?quarter=2026-Q4", headers={"Accept-Language": "en"}).get_data(as_text=True)
    second = client.get("/budgets?quarter=2026-Q4&page=2", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _sections(first) == ["A East", "B North"] and "Page 1 of 2" in first
    assert _sections(second) == ["C West"] and "Page 2 of 2" in second
    assert 'value="1000.00"' in second and '<td class="num">550</td>' in second and '<td class="num">100</td>' in second
    # the quarter next door opens on the same page
    assert "/budgets?quarter=2026-Q3&amp;page=2" in second and "/budgets?quarter=2027-Q1&amp;page=2" in second
    # a manager sees their own team's sheet, one page
    mine = client_for(app, west_boss).get("/budgets?quarter=2026-Q4").get_data(as_text=True)
    assert _sections(mine) == ["C West"] and "Page 1" not in mine


def test_saving_or_refusing_a_teams_budget_comes_back_to_its_page(app, make, teams):
    ops = make.user("ops")
    west = teams["C West"][1].team
    client = client_for(app, ops)
    saved = post(client, f"/budgets/{west.id}", {"quarter": "2026-Q4", "travel": "12,000"})
    assert saved.status_code == 303
    assert saved.headers["Location"].endswith(f"/budgets?quarter=2026-Q4&page=2#team-{west.id}")
    east = teams["A East"][1].team
    assert post(client, f"/budgets/{east.id}", {"quarter": "2026-Q4", "travel": "1"}).headers["Location"].endswith(
        f"/budgets?quarter=2026-Q4#team-{east.id}")
    refused = post(client, f"/budgets/{west.id}", {"quarter": "2026-Q4", "travel": "-3"},
                   headers={"Accept-Language": "en"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and _sections(page) == ["C West"] and "Page 2 of 2" in page
    assert 'value="-3" aria-invalid="true"' in page


def test_the_sheet_takes_the_same_queries_for_one_team_as_for_nine(app, make):
    app.config["PAGE_SIZE"] = 10
    ops = make.user("ops")
    make.user("manager", team="Team 0")
    client = client_for(app, ops)
    client.get("/budgets")

    def counts():
        found = []
        for url in ("/budgets", "/budgets?page=2"):
            with count_queries() as seen:
                assert client.get(url).status_code == 200
            found.append(len(seen))
        return found

    few = counts()
    assert few == [4, 4]  # the session's user; the teams; their budgets; their claims of the quarter
    for n in range(1, 9):
        make.user("manager", team=f"Team {n}")
    assert counts() == few
