"""Every figure of the metrics service against a small hand-built book of business with known answers."""
import datetime

import pytest

from salesweb.infra import stale as stale_at
from salesweb.models import Customer, Deal, LossReason, Stage, StageChange, Target, Visit
from salesweb.infra import rollups
from salesweb.figures import metrics
from salesweb.core import settings
from salesweb.figures.metrics import Period

NOV = Period.of("month", datetime.date(2026, 11, 15))
TODAY = datetime.date(2026, 11, 15)
NOW = datetime.datetime(2026, 11, 15, 4, 0)  # noon in Shanghai


def stage(name):
    return Stage.get(Stage.name_en == name)


def at(day, hour=2):
    return datetime.datetime.combine(day, datetime.time(hour))


@pytest.fixture
def book(app, make):
    """Two teams. East: manager Mia over reps Ann and Bo. West: rep Cy (outside Mia's reach)."""
    with app.app_context():
        mia = make.user("manager", name="Mia", team="East")
        ann = make.user("rep", name="Ann", team="East", reports_to=mia)
        bo = make.user("rep", name="Bo", team="East", reports_to=mia)
        cy = make.user("rep", name="Cy", team="West")
        ops = make.user("ops", name="Olga")
        north = make.customer(ann, name="North Co", region="North", source="referral", tier="A")
        south = make.customer(bo, name="South Co", region="South", source="website", tier="B")
        west = make.customer(cy, name="West Co", region="North", source="referral")

        def deal(owner, customer, amount, kind=None, on=None, created=None, reason=None, **values):
            d = make.deal(owner, customer=customer, amount=amount, **values)
            fields = {}
            if kind == "won":
                fields.update(stage=stage("Won").id, won_on=on)
            elif kind == "lost":
                fields.update(stage=stage("Lost").id, lost_on=on, lost_reason=reason)
            if created:
                fields["created_at"] = at(created)
            return make.written(d, **fields) if fields else Deal.get_by_id(d.id)

        price = LossReason.get(LossReason.position == 0)
        deal(ann, north, 1_000_00, "won", datetime.date(2026, 11, 3), created=datetime.date(2026, 10, 24))
        deal(bo, south, 3_000_00, "won", datetime.date(2026, 11, 30), created=datetime.date(2026, 11, 10))
        deal(ann, north, 7_000_00, "won", datetime.date(2026, 10, 31))  # the month before
        deal(bo, south, 500_00, "lost", datetime.date(2026, 11, 12), reason=price.id)
        deal(cy, west, 9_000_00, "won", datetime.date(2026, 11, 5))  # another team
        yield {"mia": mia, "ann": ann, "bo": bo, "cy": cy, "ops": ops, "north": north, "south": south, "west": west,
               "deal": deal, "price": price}


def test_periods_hold_their_days_and_their_keys():
    assert (NOV.start, NOV.end, NOV.key, NOV.days) == (datetime.date(2026, 11, 1), datetime.date(2026, 12, 1),
                                                       "2026-11", 30)
    q4 = Period.of("quarter", datetime.date(2026, 12, 31))
    assert (q4.start, q4.end, q4.key) == (datetime.date(2026, 10, 1), datetime.date(2027, 1, 1), "2026-Q4")
    year = Period.of("year", datetime.date(2024, 2, 29))
    assert (year.start, year.end, year.key) == (datetime.date(2024, 1, 1), datetime.date(2025, 1, 1), "2024")
    for period in (NOV, q4, year):
        assert Period.parse(period.key) == period
    assert Period.parse("2026-13") is None and Period.parse("x") is None and Period.parse("2026-Q5") is None
    assert NOV.a_year_earlier() == Period.parse("2025-11") and NOV.before() == Period.parse("2026-10")
    assert q4.after() == Period.parse("2027-Q1")
    assert NOV.elapsed(datetime.date(2026, 10, 31)) == 0 and NOV.elapsed(datetime.date(2026, 11, 30)) == 1
    assert NOV.elapsed(datetime.date(2026, 11, 15)) == 0.5 and NOV.elapsed(datetime.date(2027, 1, 1)) == 1


def test_closed_deals_in_the_scope_and_period(app, book):
    with app.app_context():
        figures = metrics.closed(metrics.scope_for(book["mia"]), NOV)
        assert figures["won_amount"] == 4_000_00 and figures["won_count"] == 2 and figures["lost_count"] == 1
        assert figures["win_rate"] == pytest.approx(2 / 3) and figures["average_size"] == 2_000_00
        # created 2026-10-24 02:00 and won 11-03: 9.9 days; created 11-10 02:00 and won 11-30: 19.9 days
        assert figures["cycle_days"] == pytest.approx((9 + 22 / 24 + 19 + 22 / 24) / 2)
        assert metrics.closed(metrics.scope_for(book["ops"]), NOV)["won_amount"] == 13_000_00
        assert metrics.closed(metrics.scope_for(book["ann"]), NOV)["won_amount"] == 1_000_00
        assert metrics.closed(metrics.scope_for(book["ops"], region="North"), NOV)["won_amount"] == 10_000_00
        assert metrics.closed(metrics.scope_for(book["mia"], source="website"), NOV)["won_count"] == 1


def test_an_empty_period_gives_zeros_not_errors(app, book):
    with app.app_context():
        empty = metrics.closed(metrics.scope_for(book["mia"]), Period.parse("2020-01"))
        assert empty == {"won_amount": 0, "won_count": 0, "lost_count": 0, "win_rate": None, "average_size": None,
                         "cycle_days": None}
        assert metrics.loss_reasons(metrics.scope_for(book["mia"]), Period.parse("2020-01")) == []
        assert metrics.attainment(0, 0, NOV, TODAY) == {"won": 0, "target": 0, "attainment": None, "expected": 0,
                                                        "pace": None}


def test_attainment_and_pace(app, book):
    with app.app_context():
        Target.create(user=book["ann"].id, period="month", starts_on=NOV.start, amount=4_000_00)
        Target.create(user=book["bo"].id, period="month", starts_on=NOV.start, amount=2_000_00)
        Target.create(user=book["bo"].id, period="quarter", starts_on=datetime.date(2026, 10, 1), amount=9_000_00)
        reps = metrics.reps_within(book["mia"])
        assert [r.name for r in reps] == ["Ann", "Bo", "Mia"]
        table = metrics.attainment_table(book["mia"], NOV, TODAY, metrics.scope_for(book["mia"]))
        rows, total = table.rows, table.total
        assert [(r["rep"].name, r["won"], r["target"]) for r in rows] == [
            ("Bo", 3_000_00, 2_000_00), ("Ann", 1_000_00, 4_000_00)]  # Mia manages: no row of hers
        assert rows[0]["attainment"] == 1.5 and rows[1]["attainment"] == 0.25
        # half of November gone by the 15th: 2,000 of Ann's 4,000 expected; she has 1,000, half the pace
        assert rows[1]["expected"] == 2_000_00 and rows[1]["pace"] == 0.5
        assert (total["won"], total["target"], total["attainment"]) == (4_000_00, 6_000_00, pytest.approx(2 / 3))
        mine = metrics.standing(book["ann"], NOV, TODAY)
        assert (mine["won"], mine["target"], mine["rank"], mine["peers"]) == (1_000_00, 4_000_00, 2, 2)


def test_team_rollup_uses_a_team_target_else_its_reps(app, book):
    with app.app_context():
        Target.create(user=book["ann"].id, period="month", starts_on=NOV.start, amount=4_000_00)
        Target.create(user=book["cy"].id, period="month", starts_on=NOV.start, amount=3_000_00)
        Target.create(team=book["cy"].team_id, period="month", starts_on=NOV.start, amount=18_000_00)
        ops = book["ops"]
        table = metrics.attainment_by_team(NOV, TODAY, metrics.scope_for(ops))
        rows, total = table.rows, table.total
        assert [(r["team"].name, r["reps"], r["won"], r["won_count"], r["target"]) for r in rows] == [
            ("West", 1, 9_000_00, 1, 18_000_00), ("East", 3, 4_000_00, 2, 4_000_00)]
        # East has no team target: Ann's 4,000 is its target, against what Ann won (1,000), not Bo's sales too
        assert rows[0]["attainment"] == 0.5 and rows[1]["attainment"] == 0.25 and rows[0]["pace"] == 1
        assert rows[1]["counted"] == 1_000_00 and rows[1]["summed"] == ("members", 1, 3)
        assert (total["won"], total["target"], total["counted"]) == (13_000_00, 22_000_00, 10_000_00)
        # a region narrows the deals counted, not the teams listed
        rows = metrics.attainment_by_team(NOV, TODAY, metrics.scope_for(ops, region="South")).rows
        assert [(r["team"].name, r["won"]) for r in rows] == [("East", 3_000_00), ("West", 0)]


def test_weeks_are_iso_weeks_from_monday():
    week = Period.of("week", datetime.date(2026, 11, 26))  # a Thursday
    assert (week.start, week.end, week.key) == (datetime.date(2026, 11, 23), datetime.date(2026, 11, 30), "2026-W48")
    assert Period.parse("2026-W48") == week and Period.parse("2026-W54") is None
    assert Period.parse("2027-W01").start == datetime.date(2027, 1, 4)
    assert week.before().key == "2026-W47" and week.after().key == "2026-W49"
    assert week.a_year_earlier().start == datetime.date(2025, 11, 24)
    assert week.elapsed(datetime.date(2026, 11, 25)) == pytest.approx(3 / 7)


def test_funnel_counts_open_deals_now_with_weighted_and_stale(app, book):
    with app.app_context():
        deal = book["deal"]
        fresh = deal(book["ann"], book["north"], 2_000_00, next_step="Call", next_step_due=TODAY)
        quiet = deal(book["bo"], book["south"], 4_000_00, next_step="Call", next_step_due=TODAY)
        Deal.update(last_activity_at=NOW - datetime.timedelta(days=30)).where(Deal.id == quiet.id).execute()
        stale_at.recompute(where=Deal.id == quiet.id)  # when it goes stale follows, as a write would keep it
        deal(book["bo"], book["south"], 1_000_00, stage=stage("Proposal"))  # no next step: stale
        deal(book["cy"], book["west"], 5_000_00)
        funnel = {row["stage"].name_en: row for row in metrics.funnel(metrics.scope_for(book["mia"]), TODAY, NOW)}
        assert list(funnel) == ["Prospecting", "Needs analysis", "Proposal", "Negotiation"]
        assert (funnel["Prospecting"]["count"], funnel["Prospecting"]["amount"]) == (2, 6_000_00)
        assert funnel["Prospecting"]["weighted"] == 600_00 and funnel["Prospecting"]["stale"] == 1
        assert (funnel["Proposal"]["count"], funnel["Proposal"]["weighted"], funnel["Proposal"]["stale"]) == (1, 500_00, 1)
        assert funnel["Negotiation"] == {"stage": funnel["Negotiation"]["stage"], "count": 0, "amount": 0,
                                         "weighted": 0, "stale": 0}
        assert fresh.id


def test_stage_flow_from_the_history(app, book):
    with app.app_context():
        d = book["deal"](book["ann"], book["north"], 1_000_00)
        StageChange.delete().where(StageChange.deal == d.id).execute()
        steps = [("Prospecting", datetime.date(2026, 10, 30)), ("Needs analysis", datetime.date(2026, 11, 3)),
                 ("Proposal", datetime.date(2026, 11, 9)), ("Needs analysis", datetime.date(2026, 11, 11)),
                 ("Lost", datetime.date(2026, 12, 2))]
        for name, day in steps:
            StageChange.create(deal=d.id, to_stage=stage(name).id, at=at(day))
        rollups.rebuild()  # the history was written as rows, past the rules that keep the stays' rollup
        flow = {row["stage"].name_en: row for row in metrics.stage_flow(metrics.scope_for(book["mia"]), NOV,
                                                                        settings.current())}
        # narrowed by the customer, the flow is read from the history itself: the same figures
        assert metrics.stage_flow(metrics.scope_for(book["mia"], region="North"), NOV, settings.current()) == \
            list(flow.values())
        assert (flow["Prospecting"]["ended"], flow["Prospecting"]["advanced"]) == (1, 1)
        assert flow["Prospecting"]["average_days"] == pytest.approx(4) and flow["Prospecting"]["conversion"] == 1
        assert (flow["Needs analysis"]["ended"], flow["Needs analysis"]["average_days"]) == (1, pytest.approx(6))
        assert (flow["Proposal"]["ended"], flow["Proposal"]["advanced"], flow["Proposal"]["conversion"]) == (1, 0, 0)
        assert flow["Negotiation"]["conversion"] is None  # nothing left it: no rate, not 0 %
        assert metrics.stage_flow(metrics.scope_for(book["cy"]), NOV, settings.current())[0]["ended"] == 0


def test_everyone_s_flow_counts_each_stay_on_its_install_day(app, book):
    """Ops, unfiltered, reads everyone's stays by the day index: Ann's deal left Prospecting on Oct 30 (Shanghai),
    Cy's left it on Nov 3 and Dec 1 (two deals), Bo's stay ended at 17:00 UTC on Nov 30, which is Dec 1 in
    Shanghai. Over Oct 30 to Dec 1 all four count; Nov alone holds one."""
    with app.app_context():
        moves = [(book["ann"], [("Prospecting", datetime.datetime(2026, 10, 28, 2)),
                                ("Needs analysis", datetime.datetime(2026, 10, 30, 2))]),
                 (book["cy"], [("Prospecting", datetime.datetime(2026, 11, 1, 2)),
                               ("Needs analysis", datetime.datetime(2026, 11, 3, 2))]),
                 (book["cy"], [("Prospecting", datetime.datetime(2026, 11, 29, 2)),
                               ("Lost", datetime.datetime(2026, 12, 1, 2))]),
                 (book["bo"], [("Prospecting", datetime.datetime(2026, 11, 28, 17)),
                               ("Needs analysis", datetime.datetime(2026, 11, 30, 17))])]
        customers = {book["ann"].id: book["north"], book["bo"].id: book["south"], book["cy"].id: book["west"]}
        for owner, steps in moves:
            d = book["deal"](owner, customers[owner.id], 1_000_00)
            StageChange.delete().where(StageChange.deal == d.id).execute()
            for name, when in steps:
                StageChange.create(deal=d.id, to_stage=stage(name).id, at=when)
        rollups.rebuild()
        values, ops = settings.current(), metrics.scope_for(book["ops"])
        span = Period("days", datetime.date(2026, 10, 30), datetime.date(2026, 12, 2))
        flow = metrics.stage_flow(ops, span, values)[0]
        assert (flow["stage"].name_en, flow["ended"], flow["advanced"]) == ("Prospecting", 4, 3)
        assert flow["average_days"] == pytest.approx(2) and flow["conversion"] == 0.75
        november = metrics.stage_flow(ops, NOV, values)[0]
        assert (november["ended"], november["advanced"]) == (1, 1)  # Cy's Nov 3; Bo's ended on Dec 1 there
        # everyone's figures are the sum of each team's
        teams = [metrics.stage_flow(metrics.scope_for(book["ops"], team_id=t), span, values)[0]["ended"]
                 for t in {book["ann"].team_id, book["cy"].team_id}]
        assert sum(teams) == 4
        assert metrics.stage_flow(ops, Period.of("month", datetime.date(2026, 9, 1)), values)[0]["ended"] == 0


def test_visits_fall_in_the_install_s_days_and_compliance_by_tier(app, book):
    with app.app_context():
        base = {"customer": book["north"].id, "rep": book["ann"].id, "status": "done", "created_at": NOW,
                "updated_at": NOW}
        Visit.insert_many([
            {**base, "occurred_at": datetime.datetime(2026, 10, 31, 16, 30), "verified": True},  # Nov 1, 00:30 local
            {**base, "occurred_at": datetime.datetime(2026, 10, 31, 15, 30)},  # Oct 31, 23:30 local
            {**base, "occurred_at": datetime.datetime(2026, 11, 30, 15, 59)},  # Nov 30, 23:59 local
            {**base, "status": "planned", "occurred_at": None, "planned_for": TODAY},
        ]).execute()
        rollups.rebuild()  # written as rows, past the rules that keep the visits' rollups
        assert metrics.visits_by_rep(metrics.scope_for(book["mia"]), NOV, settings.current()) == {book["ann"].id: (2, 1)}
        # narrowed by the customer, counted from the visits themselves: the same
        assert metrics.visits_by_rep(metrics.scope_for(book["mia"], region="North"), NOV, settings.current()) == \
            {book["ann"].id: (2, 1)}
        # by the install's months: Oct 31, 23:30 is October's; Nov 1, 00:30 November's (rollup and rows alike)
        for scope in (metrics.scope_for(book["mia"]), metrics.scope_for(book["mia"], region="North")):
            assert [(m["month"], m["visits"]) for m in metrics.trends(scope, TODAY, settings.current(), months=2)] \
                == [("2026-10", 1), ("2026-11", 2)]
        Customer.update(next_visit_due=datetime.date(2026, 11, 1)).where(
            Customer.id.in_([book["north"].id, book["west"].id])).execute()
        rollups.rebuild()  # due days written as rows, past the rules that keep the customers by due day
        assert metrics.overdue_by_tier(metrics.scope_for(book["mia"]), TODAY) == {"A": 1, "B": 0, "C": 0}
        assert metrics.overdue_by_tier(metrics.scope_for(book["ops"], region="North"), TODAY) == {"A": 1, "B": 0, "C": 1}
        assert metrics.new_customers(metrics.scope_for(book["mia"]), Period.of("month", datetime.date.today()),
                                     settings.current()) == 2


def test_losses_sources_forecast_and_trends(app, book):
    with app.app_context():
        mia = metrics.scope_for(book["mia"])
        [(reason, count, amount)] = metrics.loss_reasons(mia, NOV)
        assert (reason.name_en, count, amount) == (book["price"].name_en, 1, 500_00)
        assert metrics.by_source(mia, NOV) == [("website", 1, 1, 3_000_00, 0.5), ("referral", 1, 0, 1_000_00, 1.0)]
        deal = book["deal"]
        deal(book["ann"], book["north"], 1_000_00, expected_close=datetime.date(2026, 10, 20))
        deal(book["ann"], book["north"], 2_000_00, expected_close=datetime.date(2026, 11, 20), stage=stage("Proposal"))
        deal(book["bo"], book["south"], 4_000_00, expected_close=datetime.date(2027, 9, 1))
        deal(book["bo"], book["south"], 8_000_00)
        assert metrics.forecast(mia, TODAY, months=2) == [
            ("overdue", 1, 1_000_00, 100_00), ("2026-11", 1, 2_000_00, 1_000_00), ("2026-12", 0, 0, 0),
            ("2027-09", 1, 4_000_00, 400_00), ("", 1, 8_000_00, 800_00)]
        months = metrics.trends(mia, TODAY, settings.current(), months=3)
        assert [m["month"] for m in months] == ["2026-09", "2026-10", "2026-11"]
        assert (months[1]["won_amount"], months[1]["won_count"]) == (7_000_00, 1)
        assert (months[2]["won_amount"], months[2]["won_count"]) == (4_000_00, 2)
        assert months[0] == {"month": "2026-09", "won_amount": 0, "won_count": 0, "new_deals": 0, "visits": 0}


def test_visits_over_days_around_whole_months_count_each_day_once(app, book):
    """A period that starts and ends inside months reads its whole months from the months' rollup and the days
    around them from the days': Oct 14 and Jan 13 fall outside, Oct 15, Nov 10, Dec 31 and Jan 12 inside."""
    with app.app_context():
        base = {"customer": book["north"].id, "rep": book["ann"].id, "status": "done", "created_at": NOW,
                "updated_at": NOW}
        days = [datetime.date(2026, 10, 14), datetime.date(2026, 10, 15), datetime.date(2026, 11, 10),
                datetime.date(2026, 12, 31), datetime.date(2027, 1, 12), datetime.date(2027, 1, 13)]
        Visit.insert_many([{**base, "occurred_at": at(day), "verified": day.month == 11} for day in days]).execute()
        rollups.rebuild()
        period = Period("days", datetime.date(2026, 10, 15), datetime.date(2027, 1, 13))
        assert metrics._months_within(period.start, period.end) == (
            ["2026-11", "2026-12"], [(datetime.date(2026, 10, 15), datetime.date(2026, 11, 1)),
                                     (datetime.date(2027, 1, 1), datetime.date(2027, 1, 13))])
        assert metrics.visits_by_rep(metrics.scope_for(book["mia"]), period, settings.current()) == {book["ann"].id: (4, 1)}
        assert metrics.visits_by_rep(metrics.scope_for(book["mia"], region="North"), period, settings.current()) == \
            {book["ann"].id: (4, 1)}
        assert metrics.visits_by_rep(metrics.scope_for(book["cy"]), period, settings.current()) == {}
        inside = Period("days", datetime.date(2026, 11, 3), datetime.date(2026, 11, 20))  # no whole month
        assert metrics.visits_by_rep(metrics.scope_for(book["mia"]), inside, settings.current()) == {book["ann"].id: (1, 1)}


def test_funnel_adds_up_each_stage_over_everyone_in_scope_a_manager_among_them(app, book):
    """The funnel's sums are added up by stage in SQL over the rows kept per owner and stage: the manager's own
    deals count with their reps', someone out of reach does not, ops sees everyone, and a narrowing by the
    customer's region sums the deals themselves the same way."""
    with app.app_context():
        deal = book["deal"]
        deal(book["mia"], book["north"], 1_000_00)  # the manager's own deal, Prospecting (10 %)
        deal(book["ann"], book["north"], 2_000_00)
        deal(book["bo"], book["south"], 4_000_00)
        deal(book["bo"], book["south"], 3_000_00, stage=stage("Proposal"))
        deal(book["cy"], book["west"], 5_000_00)  # out of Mia's reach
        mine = {row["stage"].name_en: row for row in metrics.funnel(metrics.scope_for(book["mia"]), TODAY, NOW)}
        assert (mine["Prospecting"]["count"], mine["Prospecting"]["amount"], mine["Prospecting"]["weighted"]) == (
            3, 7_000_00, 700_00)
        assert (mine["Proposal"]["count"], mine["Proposal"]["amount"]) == (1, 3_000_00)
        assert (mine["Needs analysis"]["count"], mine["Needs analysis"]["amount"]) == (0, 0)
        everyone = {row["stage"].name_en: row for row in metrics.funnel(metrics.scope_for(book["ops"]), TODAY, NOW)}
        assert (everyone["Prospecting"]["count"], everyone["Prospecting"]["amount"]) == (4, 12_000_00)
        north = {row["stage"].name_en: row for row in
                 metrics.funnel(metrics.scope_for(book["mia"], region="North"), TODAY, NOW)}
        assert (north["Prospecting"]["count"], north["Prospecting"]["amount"], north["Proposal"]["count"]) == (
            2, 3_000_00, 0)
        assert metrics.funnel(metrics.scope_for(book["cy"]), TODAY, NOW)[0]["count"] == 1
