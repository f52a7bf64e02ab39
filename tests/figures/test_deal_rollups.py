"""The figures that read the rollups of the pipeline's history (deals won, lost and made per owner per day and
month; the deals per stage and close month), hand-counted at their edges: no data, a manager among reps, the
first days of a period, the install's time zone (Shanghai, UTC+8). Each also against the same figure narrowed by
a customer filter that every deal passes, which reads the rows."""
import datetime

import pytest

from salesweb.infra import stale as stale_at
from salesweb.core import settings
from salesweb.figures import metrics
from salesweb.figures.metrics import Period
from salesweb.models import Deal
from tests.figures.test_metrics import book, stage  # noqa: F401 (the hand-built book of business)

TODAY = datetime.date(2026, 11, 15)


def _everyone(book, **narrowed):
    return metrics.scope_for(book["ops"], **narrowed)


def test_no_deals_no_figures(app, make):
    with app.app_context():
        olga = make.user("ops")
        ops = metrics.scope_for(olga)
        period = Period.of("quarter", TODAY)
        assert metrics.won_by_owner(ops, period) == {} and metrics.attainment_table(olga, period, TODAY, ops).count == 0
        assert metrics.closed(ops, period)["won_count"] == 0 and metrics.closed(ops, period)["cycle_days"] is None
        assert metrics.forecast(ops, TODAY, months=1) == [("2026-11", 0, 0, 0)]
        funnel = metrics.funnel(ops, TODAY, datetime.datetime(2026, 11, 15))
        assert funnel and all(row["count"] == row["stale"] == 0 for row in funnel)
        assert all(m["won_count"] == m["new_deals"] == 0 for m in metrics.trends(ops, TODAY, settings.current()))


def test_won_by_owner_over_days_around_a_whole_month_with_a_manager_among_reps(app, book):
    """Oct 31 to Dec 1: October's last day and December's first from the days' rollup, November whole from the
    months'. Mia (the manager) wins on Dec 1, the period's last day; Ann's 7,000 of Oct 31 is its first day."""
    with app.app_context():
        book["deal"](book["mia"], book["north"], 500_00, "won", datetime.date(2026, 12, 1))
        book["deal"](book["ann"], book["north"], 50_00, "won", datetime.date(2026, 12, 2))  # the day after
        span = Period("days", datetime.date(2026, 10, 31), datetime.date(2026, 12, 2))
        mia = metrics.scope_for(book["mia"])
        for scope in (mia, metrics.scope_for(book["mia"], source="")):
            assert metrics.won_by_owner(scope, span) == {book["ann"].id: (8_000_00, 2), book["bo"].id: (3_000_00, 1),
                                                         book["mia"].id: (500_00, 1)}
        table = metrics.attainment_table(book["mia"], span, TODAY, mia)
        assert [(row["rep"].name, row["won"], row["won_count"]) for row in table.rows] == [
            ("Ann", 8_000_00, 2), ("Bo", 3_000_00, 1)]
        assert table.total["others"] == 500_00  # Mia's own, on the span's last day
        narrowed = metrics.attainment_table(book["mia"], span, TODAY, metrics.scope_for(book["mia"], tier="A"))
        assert [(row["rep"].name, row["won"], row["won_count"]) for row in narrowed.rows] == [
            ("Ann", 8_000_00, 2), ("Bo", 0, 0)] and narrowed.total["others"] == 500_00  # Bo's customer is a B
        figures = metrics.closed(mia, span)
        assert (figures["won_amount"], figures["won_count"], figures["lost_count"]) == (11_500_00, 4, 1)
        team = metrics.attainment_table(book["mia"], Period.of("month", TODAY), TODAY, mia).rows
        assert [(row["rep"].name, row["won"]) for row in team] == [("Bo", 3_000_00), ("Ann", 1_000_00)]


def test_new_deals_fall_in_the_install_s_months(app, book, make):
    """Made at 16:30 UTC on Mar 31 is 00:30 on Apr 1 in Shanghai: April's; made at 15:30 UTC, March's."""
    with app.app_context():
        for made in (datetime.datetime(2025, 3, 31, 16, 30), datetime.datetime(2025, 3, 31, 15, 30)):
            make.written(book["deal"](book["ann"], book["north"], 100_00), created_at=made)
        for scope in (_everyone(book), _everyone(book, region="North")):
            months = metrics.trends(scope, datetime.date(2025, 4, 15), settings.current(), months=2)
            assert [(m["month"], m["new_deals"]) for m in months] == [("2025-03", 1), ("2025-04", 1)]


def test_closed_on_the_first_day_of_a_quarter(app, book):
    """Won on Oct 1 counts in Q4 and not in Q3; lost on Sep 30 in Q3."""
    with app.app_context():
        book["deal"](book["cy"], book["west"], 2_000_00, "won", datetime.date(2026, 10, 1))
        book["deal"](book["cy"], book["west"], 300_00, "lost", datetime.date(2026, 9, 30))
        q4, q3 = Period.parse("2026-Q4"), Period.parse("2026-Q3")
        for cy in (metrics.scope_for(book["cy"]), metrics.scope_for(book["cy"], region="North")):
            figures = metrics.closed(cy, q4)
            assert (figures["won_amount"], figures["won_count"], figures["lost_count"]) == (11_000_00, 2, 0)
            figures = metrics.closed(cy, q3)
            assert (figures["won_amount"], figures["won_count"], figures["lost_count"]) == (0, 0, 1)


def test_the_forecast_and_the_funnel_read_the_open_deals_only(app, book):
    """A won deal expected to close in a month counts in neither; the stale count is exact: a step overdue, then a
    stage gone quiet."""
    with app.app_context():
        deal = book["deal"]
        now = datetime.datetime(2026, 11, 15, 4, 0)
        planned = deal(book["ann"], book["north"], 1_000_00, expected_close=datetime.date(2026, 12, 3),
                       next_step="Call", next_step_due=datetime.date(2026, 11, 20))
        deal(book["bo"], book["south"], 2_000_00, expected_close=datetime.date(2026, 12, 9),
             next_step="Call", next_step_due=datetime.date(2026, 11, 14))  # its step is overdue
        deal(book["ann"], book["north"], 4_000_00, "won", datetime.date(2026, 11, 2),
             expected_close=datetime.date(2026, 12, 1))
        Deal.update(last_activity_at=now).where(Deal.id == planned.id).execute()
        stale_at.recompute(where=Deal.id == planned.id)  # when it goes stale follows, as a write would keep it
        mia = metrics.scope_for(book["mia"])
        weighted = 3_000_00 * stage("Prospecting").probability // 100
        assert metrics.forecast(mia, TODAY, months=2) == [("2026-11", 0, 0, 0), ("2026-12", 2, 3_000_00, weighted)]
        assert metrics.forecast(metrics.scope_for(book["mia"], tier="B"), TODAY, months=2) == [
            ("2026-11", 0, 0, 0), ("2026-12", 1, 2_000_00, weighted * 2 // 3)]
        first = metrics.funnel(mia, TODAY, now)[0]
        assert (first["stage"].name_en, first["count"], first["amount"], first["weighted"], first["stale"]) == \
            ("Prospecting", 2, 3_000_00, weighted, 1)
        rotting = stage("Prospecting").rotting_days
        Deal.update(last_activity_at=now - datetime.timedelta(days=(rotting or 1) + 1)).where(
            Deal.id == planned.id).execute()
        stale_at.recompute(where=Deal.id == planned.id)
        assert metrics.funnel(mia, TODAY, now)[0]["stale"] == (2 if rotting else 1)
        assert metrics.funnel(metrics.scope_for(book["mia"], tier="A"), TODAY, now)[0]["stale"] == (1 if rotting else 0)
