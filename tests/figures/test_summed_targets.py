"""A quarter or year without a target of its own takes the sum of the targets set for its months (a year: for its
quarters, and the months of a quarter without one), for reps and teams alike. Attainment and pace then count only
what was won in the months the target covers, and the share due by today is each part's own share.
Hand-computed in Q4 2026: October 31 days, November 30, December 31 (92 in all)."""
import datetime

import pytest

from salesweb.models import Target
from salesweb.figures import metrics
from salesweb.figures.metrics import Period

Q4, YEAR = Period.parse("2026-Q4"), Period.parse("2026")
DEC_7 = datetime.date(2026, 12, 7)


def _month(key):
    return Period.parse(key).start


@pytest.fixture
def book(app, make):
    """Ann (team South, with manager Mo) won 50,000 in October, 30,000 in November, 7,000 in December and 20,000 in
    February. December's target: 310,000 (Ann's and South's)."""
    mo = make.user("manager", name="Mo", team="South")
    ann = make.user("rep", name="Ann", team="South", reports_to=mo)
    with app.app_context():
        for day, amount in (("2026-10-10", 50_000_00), ("2026-11-10", 30_000_00), ("2026-12-02", 7_000_00),
                            ("2026-02-10", 20_000_00)):
            make.won_deal(ann, datetime.date.fromisoformat(day), amount=amount)
        Target.create(user=ann.id, period="month", starts_on=_month("2026-12"), amount=310_000_00)
        Target.create(team=ann.team_id, period="month", starts_on=_month("2026-12"), amount=310_000_00)
    return {"mo": mo, "ann": ann}


def _ann(book, period, today=DEC_7):
    table = metrics.attainment_table(book["mo"], period, today, metrics.scope_for(book["mo"]))
    return table.rows[0], table.total


def test_a_quarter_takes_the_sum_of_its_months_and_counts_their_sales(app, book):
    with app.app_context():
        row, _total = _ann(book, Q4)
    # 87,000 won in the quarter; the target is December's 310,000, so only December's 7,000 counts
    assert (row["won"], row["target"], row["counted"], row["summed"]) == (
        87_000_00, 310_000_00, 7_000_00, ("months", 1, 3))
    assert row["attainment"] == pytest.approx(7 / 310)
    # due by December 7: 7/31 of December's target (not 68/92 of the quarter's)
    assert row["expected"] == 70_000_00 and row["pace"] == pytest.approx(0.1)


def test_a_quarter_s_own_target_comes_before_its_months(app, book):
    with app.app_context():
        Target.create(user=book["ann"].id, period="quarter", starts_on=Q4.start, amount=920_000_00)
        row, _total = _ann(book, Q4)
    assert (row["target"], row["counted"], row["summed"]) == (920_000_00, 87_000_00, None)
    assert row["expected"] == 680_000_00  # 68 of 92 days gone by December 7


def test_a_year_takes_its_quarters_else_their_months(app, book):
    with app.app_context():
        ann = book["ann"]
        Target.create(user=ann.id, period="quarter", starts_on=_month("2026-01"), amount=600_000_00)
        Target.create(user=ann.id, period="month", starts_on=_month("2026-02"), amount=999_000_00)  # Q1's own wins
        row, _total = _ann(book, YEAR)
    # Q1's 600,000 (three months) and December's 310,000: four of twelve months
    assert (row["target"], row["summed"]) == (910_000_00, ("months", 4, 12))
    assert row["won"] == 107_000_00 and row["counted"] == 27_000_00  # February's 20,000 and December's 7,000
    assert row["expected"] == 670_000_00  # Q1 all due, December 7/31


def test_team_targets_are_summed_too_and_a_team_without_one_takes_its_members(app, book):
    with app.app_context():
        ops = metrics.scope_for(book["mo"])
        rows = metrics.attainment_by_team(Q4, DEC_7, ops).rows
        assert (rows[0]["target"], rows[0]["counted"], rows[0]["summed"]) == (310_000_00, 7_000_00,
                                                                              ("months", 1, 3))
        Target.delete().where(Target.team.is_null(False)).execute()
        table = metrics.attainment_by_team(Q4, DEC_7, ops)
        rows, total = table.rows, table.total
    # no team target: Ann's (one of the team's two members), against what Ann won in December
    assert (rows[0]["target"], rows[0]["counted"], rows[0]["summed"]) == (310_000_00, 7_000_00,
                                                                          ("members", 1, 2))
    assert rows[0]["pace"] == pytest.approx(0.1) and total["pace"] == pytest.approx(0.1)


def test_no_target_in_any_month_is_no_target_and_no_data_is_nothing_counted(app, book):
    with app.app_context():
        row, total = _ann(book, Period.parse("2025-Q4"))
        assert (row["won"], row["target"], row["attainment"], row["pace"], row["summed"]) == (0, 0, None, None, None)
        assert total["covers"] == "none"


def test_the_first_days_of_a_quarter(app, book):
    with app.app_context():
        Target.create(user=book["ann"].id, period="month", starts_on=_month("2026-10"), amount=31_000_00)
        on_the_first, _total = _ann(book, Q4, today=datetime.date(2026, 10, 1))
        before, _total = _ann(book, Q4, today=datetime.date(2026, 9, 30))
    assert on_the_first["summed"] == ("months", 2, 3) and on_the_first["expected"] == 1_000_00  # 1/31 of 31,000
    assert before["expected"] == 0 and before["pace"] is None


def test_the_team_home_and_the_targets_sheet_show_the_sum_for_a_quarter(app, book):
    from tests.conftest import login
    client = app.test_client()
    login(client, book["mo"].email)
    home = client.get("/manager/?period=2026-Q4", headers={"Accept-Language": "en"}).get_data(as_text=True)
    row = home.split(">Ann</a>")[1].split("</tr>")[0]
    assert "310,000" in row and "sum of 1 of 3 months" in row and "7,000 counted" in row and "No target" not in row
    sheet = client.get("/manager/targets?period=2026-Q4", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert sheet.count("Set within the period: 310,000 (covering 1 of 3 months)") == 2  # Ann's line and the team's
    month = client.get("/manager/targets?period=2026-12", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Set within the period" not in month
