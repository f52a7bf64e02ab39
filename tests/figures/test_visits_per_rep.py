"""The visits per rep of the activity tab, hand-counted: done and verified visits over a window of whole months and
the days around them, at its edges (no visits, the window's first and last day on the install's calendar, Shanghai:
UTC+8), managers and inactive reps in no row, a page of reps, a team, a manager's reach and a customer filter (which
reads the visits themselves)."""
import datetime

import pytest

from salesweb.core import settings
from salesweb.figures import metrics
from salesweb.figures.metrics import Period
from salesweb.infra import rollups
from salesweb.models import Team, User, Visit

# April 12 to July 10: April's last days, May and June whole, July's first ten days.
WINDOW = Period.last_days(datetime.date(2026, 7, 10))


@pytest.fixture
def book(app, make):
    with app.app_context():
        mia = make.user("manager", name="Mia", team="East")
        ann, bob = make.user("rep", name="Ann", team="East"), make.user("rep", name="Bob", team="East")
        dee = make.user("rep", name="Dee", team="East")  # no visits
        make.user("manager", name="Cal", team="West")
        cy = make.user("rep", name="Cy", team="West")
        zed = make.user("rep", name="Zed", team="East")
        User.update(active=False).where(User.id == zed.id).execute()
        north, south = make.customer(mia, region="North"), make.customer(mia, region="South")
        at = datetime.datetime(2026, 1, 1)
        visits = [(ann, (4, 11), 16, 0, True, north),  # 00:00 on April 12 in Shanghai: the first day
                  (ann, (4, 11), 15, 59, True, north),  # 23:59 on April 11: the day before
                  (bob, (7, 10), 15, 59, False, north),  # 23:59 on July 10: the last day
                  (bob, (7, 10), 16, 0, True, north),  # 00:00 on July 11: the day after
                  (bob, (5, 20), 4, 0, True, north),  # a whole month's
                  (mia, (6, 1), 4, 0, True, north),  # a manager's own: no row
                  (cy, (6, 15), 4, 0, False, south),
                  (zed, (6, 15), 4, 0, True, north)]  # inactive: no row
        Visit.insert_many([{"customer": customer.id, "rep": rep.id, "status": "done", "verified": verified,
                            "occurred_at": datetime.datetime(2026, *day, hour, minute), "created_at": at,
                            "updated_at": at} for rep, day, hour, minute, verified, customer in visits]
                          + [{"customer": north.id, "rep": ann.id, "status": "planned", "verified": False,
                              "occurred_at": datetime.datetime(2026, 6, 2, 4), "created_at": at,
                              "updated_at": at}]).execute()
        rollups.rebuild()
        return {"ops": make.user("ops"), "mia": mia, "east": Team.get(Team.name == "East").id}


def _rows(user, period=WINDOW, team=None, offset=0, limit=None, **narrow):
    scope = metrics.scope_for(user, team, None, **narrow)
    return [(rep.name, done, verified) for rep, done, verified in
            metrics.visits_per_rep(user, team, scope, period, settings.current(), offset, limit)]


def test_each_active_rep_s_visits_in_the_window(app, book):
    with app.app_context():
        ops = book["ops"]
        everyone = [("Ann", 1, 1), ("Bob", 2, 1), ("Cy", 1, 0), ("Dee", 0, 0)]
        assert _rows(ops) == everyone and metrics.reps_in_view(ops) == 4
        assert _rows(ops, tier="C") == everyone  # every customer is tier C: from the visits themselves
        assert _rows(ops, region="North") == [("Ann", 1, 1), ("Bob", 2, 1), ("Cy", 0, 0), ("Dee", 0, 0)]
        assert _rows(ops, offset=1, limit=2) == [("Bob", 2, 1), ("Cy", 1, 0)]
        assert _rows(ops, offset=1, limit=2, region="South") == [("Bob", 0, 0), ("Cy", 1, 0)]
        assert _rows(ops, team=book["east"]) == [("Ann", 1, 1), ("Bob", 2, 1), ("Dee", 0, 0)]
        assert metrics.reps_in_view(ops, book["east"]) == 3
        assert _rows(book["mia"]) == [("Ann", 1, 1), ("Bob", 2, 1), ("Dee", 0, 0)]
        assert metrics.reps_in_view(book["mia"]) == 3


def test_whole_months_alone_days_alone_and_no_visits(app, book):
    with app.app_context():
        ops = book["ops"]
        assert _rows(ops, Period.of("month", datetime.date(2026, 5, 1))) == [
            ("Ann", 0, 0), ("Bob", 1, 1), ("Cy", 0, 0), ("Dee", 0, 0)]
        assert _rows(ops, Period.last_days(datetime.date(2026, 7, 10), 3)) == [  # July 8 to 10
            ("Ann", 0, 0), ("Bob", 1, 0), ("Cy", 0, 0), ("Dee", 0, 0)]
        assert _rows(ops, Period.of("week", datetime.date(2026, 4, 12))) == [  # April 6 to 12: the 11th too
            ("Ann", 2, 2), ("Bob", 0, 0), ("Cy", 0, 0), ("Dee", 0, 0)]
        assert _rows(ops, Period.of("year", datetime.date(2025, 1, 1))) == [
            ("Ann", 0, 0), ("Bob", 0, 0), ("Cy", 0, 0), ("Dee", 0, 0)]
