"""The attainment tables as SQL works them out, ranks and pages them, hand-computed at their edges: no target, a
target only for the team, a manager among the reps, ties in won, the period's first day, a share due that falls on
a half (rounded to even, as Python's round), page 2 and past the last page. November 2026 has 30 days."""
import datetime

import pytest

from salesweb.figures import metrics
from salesweb.figures.metrics import Period
from salesweb.models import Target

NOV = Period.parse("2026-11")
NOV_15 = datetime.date(2026, 11, 15)  # 15 of 30 days gone by its end: half of a month's target due


@pytest.fixture
def book(app, make):
    """East: manager Mia (who sold 600 herself) over reps Zoe, adam and 王伟, who each won 500 in November, and
    Bo, who won 900. West: rep Wu, 200, with no manager; West has a team target of 1,000 and no rep targets.
    Zoe's target is 1,000; Bo's is 3 (0.03), whose half is 1.5; adam's is 0.01, whose half is 0.5."""
    mia = make.user("manager", name="Mia", team="East")
    people = {"mia": mia}
    for key, name in (("zoe", "Zoe"), ("adam", "adam"), ("wang", "王伟"), ("bo", "Bo")):
        people[key] = make.user("rep", name=name, team="East", reports_to=mia)
    people["wu"] = make.user("rep", name="Wu", team="West")
    people["ops"] = make.user("ops", name="Olga")
    with app.app_context():
        for key, amount in (("zoe", 500_00), ("adam", 500_00), ("wang", 500_00), ("bo", 900_00), ("mia", 600_00),
                            ("wu", 200_00)):
            make.won_deal(people[key], datetime.date(2026, 11, 2), amount=amount)
        for key, amount in (("zoe", 1_000_00), ("bo", 3), ("adam", 1)):
            Target.create(user=people[key].id, period="month", starts_on=NOV.start, amount=amount)
        Target.create(team=people["wu"].team_id, period="month", starts_on=NOV.start, amount=1_000_00)
    return people


def _table(user, today=NOV_15, period=NOV, **asked):
    return metrics.attainment_table(user, period, today, metrics.scope_for(user), **asked)


def test_ties_in_won_rank_by_name_as_written_and_a_manager_is_no_row(app, book):
    with app.app_context():
        table = _table(book["mia"])
    # Bo first; the three 500s by name, capitals before small letters, Latin before Chinese; Mia manages: no row
    assert [row["rep"].name for row in table.rows] == ["Bo", "Zoe", "adam", "王伟"]
    assert table.leader["rep"].name == "Bo" and table.count == 4
    assert table.total["others"] == 600_00  # Mia's own, beside the total


def test_no_target_is_no_attainment_and_the_total_counts_those_with_one(app, book):
    with app.app_context():
        rows = {row["rep"].name: row for row in _table(book["mia"]).rows}
        total = _table(book["mia"]).total
    wang = rows["王伟"]
    assert (wang["target"], wang["attainment"], wang["expected"], wang["pace"], wang["summed"]) == (
        0, None, 0, None, None)
    zoe = rows["Zoe"]  # 500 of 1,000, 500 due by the 15th
    assert (zoe["target"], zoe["counted"], zoe["attainment"], zoe["expected"], zoe["pace"]) == (
        1_000_00, 500_00, 0.5, 500_00, 1.0)
    # Zoe, Bo and adam have a target: 1,900 won of 1,000.04; 王伟's 500 beside it
    assert (total["covers"], total["won"], total["won_count"], total["target"]) == ("some", 1_900_00, 3, 1_000_04)
    assert total["untargeted"] == 500_00 and total["counted"] == 1_900_00


def test_a_share_due_on_a_half_rounds_to_even(app, book):
    with app.app_context():
        rows = {row["rep"].name: row for row in _table(book["mia"]).rows}
        total = _table(book["mia"]).total
    assert rows["Bo"]["expected"] == 2 and rows["adam"]["expected"] == 0  # 1.5 → 2, 0.5 → 0
    assert rows["adam"]["pace"] is None and rows["Bo"]["pace"] == 900_00 / 2
    assert total["expected"] == 500_00 + 2 + 0  # each row's rounded share, added


def test_the_first_day_of_the_period(app, book):
    with app.app_context():
        first = {row["rep"].name: row for row in _table(book["mia"], today=datetime.date(2026, 11, 1)).rows}
        before = {row["rep"].name: row for row in _table(book["mia"], today=datetime.date(2026, 10, 31)).rows}
    assert first["Zoe"]["expected"] == 3_333  # 1,000 × 1/30 = 33.33
    assert before["Zoe"]["expected"] == 0 and before["Zoe"]["pace"] is None


def test_a_target_only_for_the_team_is_no_rep_s_target_but_the_team_s_row_has_it(app, book):
    with app.app_context():
        reps = _table(book["ops"], team_id=book["wu"].team_id)
        teams = {row["team"].name: row for row in
                 metrics.attainment_by_team(NOV, NOV_15, metrics.scope_for(book["ops"])).rows}
    assert [(row["rep"].name, row["target"]) for row in reps.rows] == [("Wu", 0)] and reps.total["covers"] == "none"
    west = teams["West"]  # 200 of 1,000, 500 due by the 15th
    assert (west["won"], west["target"], west["attainment"], west["expected"], west["pace"], west["summed"]) == (
        200_00, 1_000_00, 0.2, 500_00, 0.4, None)
    # East has no team target: its members' (Zoe's, Bo's and adam's), against what those three won
    east = teams["East"]
    assert (east["won"], east["reps"], east["target"], east["counted"], east["expected"], east["summed"]) == (
        3_000_00, 5, 1_000_04, 1_900_00, 500_02, ("members", 3, 5))


def test_page_two_and_past_the_last_page(app, book, make):
    with app.app_context():
        for n in range(23):  # 27 reps under Mia: 23 more, who won nothing
            make.user("rep", name=f"Rep {n:02d}", team="East", reports_to=book["mia"])
        first = _table(book["mia"], page=1, size=25)
        second = _table(book["mia"], page=2, size=25)
        beyond = _table(book["mia"], page=9, size=25)
        every = _table(book["mia"])
    assert [row["rep"].name for row in first.rows][:4] == ["Bo", "Zoe", "adam", "王伟"] and len(first.rows) == 25
    assert [row["rep"].name for row in second.rows] == ["Rep 21", "Rep 22"]  # the 0s by name, after the sellers
    assert beyond.rows == second.rows and second.count == beyond.count == 27
    assert second.leader["rep"].name == "Bo" and second.total == first.total == every.total
    assert [row["rep"].name for row in every.rows] == [row["rep"].name for row in first.rows + second.rows]
    assert second.total["won"] == 1_900_00 and every.summed is False
