"""Attainment tables compare like with like: only reps are rows of the reps' table, and a total adds target, won
and the share due by today over the same rows (those with a target), with what the others won beside it.
Hand-computed on December 2026 (31 days): on the 7th, 7/31 of a month's target is due."""
import datetime

import pytest

from salesweb.models import Target
from salesweb.figures import metrics
from salesweb.figures.metrics import Period

DEC = Period.parse("2026-12")
DEC_7 = datetime.date(2026, 12, 7)


@pytest.fixture
def book(app, make):
    """South (Sam, Sue) has a December team target of 310,000; Key (Kim) and East (Eve) have none. Director Dee
    manages Sam's team and sold 5,000 herself."""
    dee = make.user("manager", name="Dee", team="South")
    sam = make.user("rep", name="Sam", team="South", reports_to=dee)
    sue = make.user("rep", name="Sue", team="South", reports_to=dee)
    kim = make.user("rep", name="Kim", team="Key")
    eve = make.user("rep", name="Eve", team="East")
    ops = make.user("ops", name="Olga")
    with app.app_context():
        make.won_deal(sam, datetime.date(2026, 12, 2), amount=4_000_00)
        make.won_deal(sue, datetime.date(2026, 12, 5), amount=3_000_00)
        make.won_deal(kim, datetime.date(2026, 12, 3), amount=131_000_00)
        make.won_deal(eve, datetime.date(2026, 12, 4), amount=74_000_00)
        make.won_deal(dee, datetime.date(2026, 12, 6), amount=5_000_00)
        Target.create(team=sam.team_id, period="month", starts_on=DEC.start, amount=310_000_00)
    return {"dee": dee, "sam": sam, "sue": sue, "kim": kim, "eve": eve, "ops": ops}


def _rollup(user, today=DEC_7, period=DEC):
    table = metrics.attainment_by_team(period, today, metrics.scope_for(user))
    return table.rows, table.total


def test_the_team_total_adds_only_the_teams_with_a_target(app, book):
    with app.app_context():
        rows, total = _rollup(book["ops"])
    assert [(r["team"].name, r["won"], r["target"]) for r in rows] == [
        ("Key", 131_000_00, 0), ("East", 74_000_00, 0), ("South", 12_000_00, 310_000_00)]
    # South: 12,000 won (Sam 4,000, Sue 3,000, Dee 5,000) of 310,000; 70,000 due by the 7th
    assert (total["covers"], total["won"], total["target"], total["expected"]) == (
        "some", 12_000_00, 310_000_00, 70_000_00)
    assert total["attainment"] == pytest.approx(12 / 310) and total["pace"] == pytest.approx(12 / 70)
    assert total["untargeted"] == 205_000_00 and total["others"] == 0  # Key and East, beside the total
    # the old sum, 217,000 of 310,000 (70 %) at a pace of 310 %, is nowhere
    assert total["attainment"] < 0.04 and total["pace"] < 0.2


def test_with_no_target_anywhere_the_total_is_all_won_and_no_ratio(app, book):
    with app.app_context():
        Target.delete().execute()
        rows, total = _rollup(book["ops"])
    assert (total["covers"], total["won"], total["target"], total["attainment"], total["pace"]) == (
        "none", 217_000_00, 0, None, None)
    assert total["untargeted"] == 0


def test_with_no_data_the_tables_are_empty_and_the_total_is_zero(app, make):
    with app.app_context():
        ops = make.user("ops")
        rows, total = _rollup(ops)
        assert rows == [] and (total["won"], total["target"], total["attainment"]) == (0, 0, None)
        table = metrics.attainment_table(ops, DEC, DEC_7, metrics.scope_for(ops))
        rows, total = table.rows, table.total
        assert rows == [] and total["covers"] == "none" and total["others"] == 0


def test_managers_are_no_rows_of_the_reps_table_and_their_sales_stand_beside_the_total(app, book):
    with app.app_context():
        Target.create(user=book["sam"].id, period="month", starts_on=DEC.start, amount=31_000_00)
        people = metrics.reps_within(book["dee"])
        assert {p.name for p in people} == {"Dee", "Sam", "Sue"}
        table = metrics.attainment_table(book["dee"], DEC, DEC_7, metrics.scope_for(book["dee"]))
        rows, total = table.rows, table.total
    assert [r["rep"].name for r in rows] == ["Sam", "Sue"]  # Dee manages: no row, not the best seller
    # Sam: 4,000 of 31,000; 7,000 due by the 7th
    assert (rows[0]["attainment"], rows[0]["expected"], rows[0]["pace"]) == (
        pytest.approx(4 / 31), 7_000_00, pytest.approx(4 / 7))
    assert (total["covers"], total["won"], total["target"], total["expected"]) == ("some", 4_000_00, 31_000_00,
                                                                                 7_000_00)
    assert total["pace"] == pytest.approx(4 / 7)
    assert total["untargeted"] == 3_000_00 and total["others"] == 5_000_00  # Sue's, and Dee's own


def test_the_first_days_of_a_period(app, book):
    with app.app_context():
        _rows, first_day = _rollup(book["ops"], today=datetime.date(2026, 12, 1))
        _rows, before = _rollup(book["ops"], today=datetime.date(2026, 11, 30))
    assert first_day["expected"] == 10_000_00 and first_day["pace"] == pytest.approx(12 / 10)  # 1/31 of 310,000
    assert before["expected"] == 0 and before["pace"] is None  # nothing due yet: no pace, not an infinite one


def test_the_page_and_its_csv_say_what_the_total_covers(app, book):
    from tests.figures.test_analytics import EN, _rows
    from tests.conftest import login
    client = app.test_client()
    login(client, book["ops"].email)
    page = client.get("/ops/?period=2026-12", headers=EN).get_data(as_text=True)
    foot = page.split("<tfoot>")[1].split("</tfoot>")[0]
    assert "Total of teams with a target" in foot and "12,000" in foot and "310,000" in foot and "4%" in foot
    assert "Teams without a target" in foot and "205,000" in foot and "217,000" not in foot
    rows = _rows(client.get("/ops/export/attainment.csv?period=2026-12", headers=EN))
    assert rows[-2][:5] == ["Total of teams with a target", "12000.00", "3", "310000.00", "0.0387"]
    assert rows[-1][:2] == ["Teams without a target", "205000.00"]
    client = app.test_client()
    login(client, book["dee"].email)
    home = client.get("/manager/?period=2026-12", headers=EN).get_data(as_text=True)
    table = home.split('id="attainment-head"')[1].split("</section>")[0]
    assert ">Dee<" not in table and "Managers' own deals" in table and "5,000" in table
