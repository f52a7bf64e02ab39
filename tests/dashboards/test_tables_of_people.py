"""A table of people shows 25 of them at a time, however many there are: the first page holds the best sellers,
the next pages the rest; the totals count everyone, the CSV holds every row, and the page reads no more queries."""
import csv
import datetime
import io
import re

from salesweb.core.clock import local_today
from salesweb.infra import rollups
from salesweb.models import User, Visit
from tests.conftest import count_queries

EN = {"Accept-Language": "en"}


def _team(app, make, boss, count=30):
    """`count` reps under `boss`: rep i won i × 100 this month (rep 0 nothing)."""
    reps = [make.user("rep", name=f"Rep {i:02d}", team="East", reports_to=boss) for i in range(count)]
    with app.app_context():
        today = local_today()
        for i, rep in enumerate(reps[1:], start=1):
            make.won_deal(rep, today, amount=i * 100_00)
    return reps


def _names(html, block):
    """The rep names in one card of the page, in order."""
    card = html.split(f'id="{block}-head"')[1].split("</section>")[0]
    return re.findall(r">(Rep \d\d)</a>", card)


def test_the_team_home_pages_its_tables_of_people(app, make, signed_in):
    client, boss = signed_in("manager", name="Mia", team="East")
    _team(app, make, boss)
    first = client.get("/manager/", headers=EN).get_data(as_text=True)
    ranked = _names(first, "attainment")
    assert ranked == [f"Rep {i:02d}" for i in range(29, 4, -1)]  # the 25 best sellers, most won first
    assert "Best seller: Rep 29, 2,900 won" in first
    assert "43,500" in first  # the total counts all 30: 100 + 200 + ... + 2,900
    assert _names(first, "visits") == [f"Rep {i:02d}" for i in range(25)]  # by name
    assert first.count('class="pager"') == 2 and "Page 1 of 2" in first
    assert 'href="/manager/?page=2"' in first and 'href="/manager/?visits_page=2"' in first
    second = client.get("/manager/?page=2&visits_page=2", headers=EN).get_data(as_text=True)
    assert _names(second, "attainment") == ["Rep 04", "Rep 03", "Rep 02", "Rep 01", "Rep 00"]
    assert _names(second, "visits") == [f"Rep {i:02d}" for i in range(25, 30)]
    assert "Best seller: Rep 29, 2,900 won" in second and "43,500" in second
    beyond = client.get("/manager/?page=99&visits_page=x", headers=EN).get_data(as_text=True)
    assert _names(beyond, "attainment")[0] == "Rep 04" and _names(beyond, "visits")[0] == "Rep 00"
    rows = list(csv.reader(io.StringIO(client.get("/manager/export/attainment.csv", headers=EN)
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1 + 30 + 1  # the header, every rep, the total


def test_the_team_home_takes_the_same_queries_on_any_page(app, make, signed_in):
    client, boss = signed_in("manager", team="East")
    _team(app, make, boss)
    for url in ("/manager/", "/manager/?page=2&visits_page=2"):
        with count_queries() as queries:
            assert client.get(url).status_code == 200
        assert len(queries) == 11, url


def test_a_team_of_25_or_fewer_has_no_pager(app, make, signed_in):
    client, boss = signed_in("manager", team="East")
    _team(app, make, boss, count=25)
    page = client.get("/manager/", headers=EN).get_data(as_text=True)
    assert 'class="pager"' not in page and len(_names(page, "attainment")) == 25


def test_ops_pages_the_visits_per_rep_and_a_team_s_attainment(app, make, signed_in):
    client, _ops = signed_in("ops")
    boss = make.user("manager", team="East")
    reps = _team(app, make, boss)
    activity = client.get("/ops/activity", headers=EN).get_data(as_text=True)
    assert _names(activity, "visits") == [f"Rep {i:02d}" for i in range(25)] and "Page 1 of 2" in activity
    assert 'href="/ops/activity?page=2"' in activity
    later = client.get("/ops/activity?page=2", headers=EN).get_data(as_text=True)
    assert _names(later, "visits") == [f"Rep {i:02d}" for i in range(25, 30)]
    team = client.get(f"/ops/?team={reps[0].team_id}&page=2", headers={**EN, "HX-Request": "true"})
    assert _names(team.get_data(as_text=True), "attainment") == ["Rep 04", "Rep 03", "Rep 02", "Rep 01", "Rep 00"]
    for url in ("/ops/activity", "/ops/activity?page=2"):
        with count_queries() as queries:
            client.get(url)
        assert len(queries) == 8, url  # the cost of sales per team: one statement


def test_a_page_of_visits_per_rep_shows_its_own_reps_counts_and_the_csv_everyone_s(app, make, signed_in):
    """Each page reads the visits of the reps it shows: rep i did i % 4 visits this week (one verified when any),
    a manager's own visits are no row; the first days of the week count; the CSV holds all 30."""
    client, boss = signed_in("manager", name="Mia", team="East")
    reps = _team(app, make, boss)
    with app.app_context():
        today = local_today()
        monday = today - datetime.timedelta(days=today.weekday())
        customer = make.customer(boss, name="Visited Co")
        base = {"customer": customer.id, "status": "done", "created_at": datetime.datetime(2026, 1, 1),
                "updated_at": datetime.datetime(2026, 1, 1)}
        noon = datetime.datetime.combine(monday, datetime.time(4, 0))  # noon of Monday in Shanghai
        Visit.insert_many([{**base, "rep": rep.id, "occurred_at": noon, "verified": n == 0}
                           for i, rep in enumerate(reps) for n in range(i % 4)]
                          + [{**base, "rep": boss.id, "occurred_at": noon, "verified": True}]).execute()
        rollups.rebuild()
    second = client.get("/manager/?visits_page=2", headers=EN).get_data(as_text=True)
    card = second.split('id="visits-head"')[1].split("</section>")[0]
    shown = re.findall(r">(Rep \d\d)</a></td>\s*<td class=\"num[^\"]*\">(\d+)</td><td class=\"num\">(\d+)</td>", card)
    assert shown == [(f"Rep {i:02d}", str(i % 4), str(min(i % 4, 1))) for i in range(25, 30)]
    first = client.get("/manager/", headers=EN).get_data(as_text=True)
    card = first.split('id="visits-head"')[1].split("</section>")[0]
    assert re.findall(r">(Rep \d\d)</a></td>\s*<td class=\"num[^\"]*\">(\d+)</td>", card)[:4] == [
        ("Rep 00", "0"), ("Rep 01", "1"), ("Rep 02", "2"), ("Rep 03", "3")]
    rows = list(csv.reader(io.StringIO(client.get("/manager/export/visits.csv?period={}-W{:02d}".format(
        *monday.isocalendar()[:2]), headers=EN)
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    assert [(row[0], row[1], row[2]) for row in rows[1:]] == [
        (f"Rep {i:02d}", str(i % 4), str(min(i % 4, 1))) for i in range(30)]


def test_a_director_s_visits_table_lists_the_active_reps_of_the_whole_subtree_by_name(app, make, signed_in):
    """The home's visits table pages over the active reps anywhere below the director, by name: not the managers
    between, not a rep who left, not a rep of another subtree; its pager counts them alone."""
    client, director = signed_in("manager", name="Dora", team="North")
    below = make.user("manager", name="Mid", team="North", reports_to=director)
    reps = [make.user("rep", name=f"Rep {i:02d}", team="North", reports_to=below if i % 2 else director)
            for i in range(27)]
    left = make.user("rep", name="Rep 98", team="North", reports_to=below)
    with app.app_context():
        User.update(active=False).where(User.id == left.id).execute()
    make.user("rep", name="Rep 99", team="West", reports_to=make.user("manager", name="Other"))
    first = client.get("/manager/", headers=EN).get_data(as_text=True)
    assert _names(first, "visits") == [f"Rep {i:02d}" for i in range(25)]
    second = client.get("/manager/?visits_page=2", headers=EN).get_data(as_text=True)
    assert _names(second, "visits") == ["Rep 25", "Rep 26"] and len(reps) == 27
    assert "Page 2 of 2" in second
