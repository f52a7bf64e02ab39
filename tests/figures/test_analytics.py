"""Ops analytics: any period, team, region, tier and source; four tabs of figures, each table as CSV; the same
tables on the team home export for the manager's subtree only."""
import csv
import datetime
import io

import pytest

from salesweb.models import AuditEvent, Deal, LossReason, Stage, Target
from salesweb.figures import analytics
from salesweb.figures.metrics import Period
from salesweb.core.clock import local_today
from tests.conftest import count_queries

EN = {"Accept-Language": "en"}



def _lost(make, deal, day, reason=None):
    make.written(deal, stage=Stage.get(Stage.kind == "lost").id, lost_on=day, lost_reason=reason)


def _rows(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


@pytest.fixture
def book(app, make):
    """East: Mia over Ann (North, referral) and Bo (South, website); West: Cy (North). All won this month."""
    mia = make.user("manager", name="Mia", team="East")
    ann = make.user("rep", name="Ann", team="East", reports_to=mia)
    bo = make.user("rep", name="Bo", team="East", reports_to=mia)
    cy = make.user("rep", name="Cy", team="West")
    with app.app_context():
        today = local_today()
        north = make.customer(ann, name="North Co", region="North", source="referral", tier="A")
        south = make.customer(bo, name="South Co", region="South", source="website")
        west = make.customer(cy, name="West Co", region="North", source="referral")
        make.won_deal(ann, today, customer=north, amount=1_000_00)
        make.won_deal(bo, today, customer=south, amount=3_000_00)
        make.won_deal(cy, today, customer=west, amount=9_000_00)
        _lost(make, make.deal(bo, customer=south, amount=500_00), today, LossReason.get(LossReason.position == 0).id)
        Target.create(team=ann.team_id, period="month", starts_on=Period.of("month", today).start, amount=8_000_00)
    return {"mia": mia, "ann": ann, "bo": bo, "cy": cy, "today": today}


def test_ops_sees_every_team_then_one(app, book, signed_in):
    client, _ops = signed_in("ops")
    page = client.get("/ops/", headers=EN).get_data(as_text=True)
    assert "Attainment by team" in page and "East" in page and "West" in page
    assert "13,000" in page and "50%" in page  # everyone's won; East: 4,000 of its 8,000 target
    east = book["ann"].team_id
    page = client.get(f"/ops/?team={east}", headers=EN).get_data(as_text=True)
    assert "Best seller: Bo, 3,000 won" in page and "Cy" not in page.split("Attainment")[1]
    for tab, blocks in (("activity", ("Visits per rep", "Visits overdue now", "New customers")),
                        ("trends", ("The last 12 months", "Forecast by expected close")),
                        ("outcomes", ("Loss reasons", "Win rate by customer source"))):
        page = client.get(f"/ops/{tab}", headers=EN).get_data(as_text=True)
        assert all(block in page for block in blocks), tab


def test_filters_narrow_by_the_customer_and_swap_the_figures_only(app, book, signed_in):
    client, _ops = signed_in("ops")
    page = client.get("/ops/?region=North", headers=EN).get_data(as_text=True)
    assert "10,000" in page and "13,000" not in page  # Ann's and Cy's, not Bo's South deal
    fragment = client.get("/ops/?source=website", headers={**EN, "HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="figures">') and "<html" not in fragment
    assert "3,000" in fragment and "?source=website" in fragment  # the tabs and CSV links follow the filters
    assert client.get("/ops/?tier=Z&team=abc&source=<x>&period=2026-99", headers=EN).status_code == 200


def test_a_team_that_is_not_an_id_is_not_applied(app, book):
    east, today = book["ann"].team, datetime.date(2026, 6, 15)
    assert analytics.read_filters({"team": str(east.id)}, None, today, lambda: [east]).team_id == east.id
    for junk in ("abc", "", "-1", "99999999999999999999", "9999999999", " 1"):
        assert analytics.read_filters({"team": junk}, None, today, lambda: [east]).team_id is None, junk


def test_each_tab_and_fragment_stays_within_the_query_budget(app, book, signed_in):
    client, _ops = signed_in("ops")
    for url in ("/ops/", "/ops/activity", "/ops/trends", "/ops/outcomes", f"/ops/?team={book['ann'].team_id}"):
        with count_queries() as queries:
            assert client.get(url).status_code == 200
        assert len(queries) <= 12, (url, len(queries))


def test_every_table_exports_to_csv_with_the_page_filters(app, book, signed_in):
    client, _ops = signed_in("ops")
    for name in analytics.CSV:
        rows = _rows(client.get(f"/ops/export/{name}.csv", headers=EN))
        assert len(rows) >= 2, name
    teams = _rows(client.get("/ops/export/attainment.csv", headers=EN))
    assert teams[0][:2] == ["Team", "Won"] and [row[0] for row in teams[1:3]] == ["West", "East"]  # most won first
    assert teams[2][:5] == ["East", "4000.00", "2", "8000.00", "0.5000"]  # the team's own target
    # the total compares East's won with East's target; West's sales stand beside it
    assert teams[3][:5] == ["Total of teams with a target", "4000.00", "2", "8000.00", "0.5000"]
    assert teams[4][:2] == ["Teams without a target", "9000.00"] and len(teams) == 5
    sources = _rows(client.get("/ops/export/sources.csv?region=South", headers=EN))
    assert sources[1:] == [["Website registration", "1", "1", "3000.00", "0.5000"]]
    losses = _rows(client.get("/ops/export/losses.csv", headers={"Accept-Language": "zh"}))
    assert losses[0][0] == "丢单原因" and losses[1][1] == "1"
    assert client.get("/ops/export/nothing.csv").status_code == 404
    with app.app_context():
        assert AuditEvent.select().where(AuditEvent.action == "export").count() == len(analytics.CSV) + 3


def test_a_manager_exports_the_home_tables_for_the_subtree_only(app, book):
    from tests.conftest import login
    client = app.test_client()
    login(client, book["mia"].email)
    reps = _rows(client.get("/manager/export/attainment.csv", headers=EN))
    assert [r[0] for r in reps[1:]] == ["Bo", "Ann", "Total"]  # reps only: Mia manages them
    closed = _rows(client.get(f"/manager/export/closed.csv?team={book['cy'].team_id}", headers=EN))
    assert closed[1][0] == "4000.00"  # West is out of reach: the filter is not applied
    page = client.get("/manager/", headers=EN).get_data(as_text=True)
    for name in ("attainment", "closed", "funnel", "flow", "visits"):
        assert f"/manager/export/{name}.csv" in page
    assert client.get("/ops/export/closed.csv").status_code == 403


def test_ops_analytics_is_for_ops(signed_in):
    for role in ("rep", "manager", "support"):
        client, _user = signed_in(role)
        assert client.get("/ops/").status_code == 403 and client.get("/ops/export/closed.csv").status_code == 403


def test_cost_per_new_customer_and_per_won_deal_by_team(app, book, signed_in):
    from salesweb.models import Expense, StoredFile
    receipt = StoredFile.create(sha256="0" * 64, size=1, kind="png", mime="image/png")
    today, ann = book["today"], book["ann"]
    for amount, status in ((600_00, "approved"), (400_00, "paid"), (999_00, "submitted"), (50_00, "rejected")):
        Expense.create(claimant=ann, team=ann.team_id, spent_on=today, category="travel", amount=amount,
                       description="Fair", receipt=receipt, receipt_name="r.png", status=status)
    client, _ops = signed_in("ops")
    rows = _rows(client.get("/ops/export/costs.csv", headers=EN))
    # East spent 1,000 (approved and paid only) for 2 new customers and 2 won deals; West nothing for 1 and 1.
    assert rows[0] == ["Team", "Spent", "New customers", "Won deals", "Cost per new customer", "Cost per won deal"]
    assert rows[1:] == [["East", "1000.00", "2", "2", "500.00", "500.00"], ["West", "0.00", "1", "1", "0.00", "0.00"],
                        ["All", "1000.00", "3", "3", "333.33", "333.33"]]
    page = client.get("/ops/activity", headers=EN).get_data(as_text=True)
    assert "Cost of sales" in page and "333.33" in page


def test_new_customers_of_the_costs_figure_fall_on_the_install_s_days(app, make):
    """Shanghai is UTC+8: a customer made at 16:30 UTC on Oct 31 was made on Nov 1 there, one at 15:30 on Oct 31."""
    import datetime
    from salesweb.expenses import queries as expenses
    ann = make.user("rep", name="Ann", team="East")
    with app.app_context():
        for hour in (15, 16):
            make.customer(ann, made_at=datetime.datetime(2026, 10, 31, hour, 30))
        start, end = datetime.date(2026, 11, 1), datetime.date(2026, 12, 1)
        rows = expenses.costs(start, end, [ann.team_id])
        assert [(name, new) for _id, name, _spent, new, _won in rows] == [("East", 1)]
