"""The cost of sales per team, hand-counted: what each team spent, its new customers and its won deals over a window
of whole months and the days around them, at its edges (no data, the window's first and last day on the install's
calendar, Shanghai: UTC+8), with a manager among the reps, a director's team that is not their subtree, and reps who
moved teams (with their manager, and without). A team counts what its members made and won, whoever they report to."""
import datetime

import pytest

from salesweb.admin import rules as people
from salesweb.expenses import queries as expenses
from salesweb.figures.metrics import Period
from salesweb.models import Expense, StoredFile, Team, User

# April 12 to July 10: April's last days, May and June whole, July's first ten days.
WINDOW = Period.last_days(datetime.date(2026, 7, 10))
LONG_AGO = datetime.datetime(2026, 1, 5, 4)


def _utc(day, hour, minute=0):
    return datetime.datetime(2026, *day, hour, minute)


@pytest.fixture
def teams(app, make):
    """Lead: Dan, a director whose subtree is everyone. East: Mia (its manager) with Ann and Bob. West: Cal (its
    manager) with Cy. Empty: no one."""
    with app.app_context():
        dan = make.user("manager", name="Dan", team="Lead")
        mia = make.user("manager", name="Mia", team="East", reports_to=dan)
        cal = make.user("manager", name="Cal", team="West", reports_to=dan)
        ann, bob = make.user("rep", name="Ann", team="East"), make.user("rep", name="Bob", team="East")
        cy = make.user("rep", name="Cy", team="West")
        Team.create(name="Empty")
        found = {user.name.lower(): user for user in (dan, mia, cal, ann, bob, cy)}
        old = {name: make.customer(user, made_at=LONG_AGO) for name, user in found.items()}  # made before the window
        for who, made in (("ann", _utc((4, 11), 16)),  # 00:00 on April 12 in Shanghai: the first day
                          ("ann", _utc((4, 11), 15, 59)),  # 23:59 on April 11: the day before
                          ("bob", _utc((7, 10), 15, 59)),  # 23:59 on July 10: the last day
                          ("bob", _utc((7, 10), 16)),  # 00:00 on July 11: the day after
                          ("bob", _utc((5, 15), 3)),  # a whole month's
                          ("mia", _utc((6, 5), 3)),  # the manager's own
                          ("dan", _utc((5, 1), 3))):
            make.customer(found[who], made_at=made)
        for who, day in (("ann", (4, 12)), ("ann", (4, 11)), ("bob", (7, 10)), ("bob", (7, 11)), ("mia", (6, 20)),
                         ("dan", (5, 2)), ("cy", (5, 31))):
            make.won_deal(found[who], datetime.date(2026, *day), customer=old[who])
        receipt = StoredFile.create(sha256="0" * 64, size=1, kind="png", mime="image/png")
        for amount, status, day in ((100_00, "approved", (4, 12)), (50_00, "paid", (7, 10)),
                                    (999_00, "submitted", (5, 5)), (70_00, "approved", (4, 11)),
                                    (30_00, "paid", (7, 11))):
            Expense.create(claimant=found["ann"], team=found["ann"].team_id, spent_on=datetime.date(2026, *day),
                           category="travel", amount=amount, description="Fair", receipt=receipt,
                           receipt_name="r.png", status=status)
        Expense.create(claimant=dan, team=dan.team_id, spent_on=datetime.date(2026, 5, 5), category="travel",
                       amount=10_00, description="Lunch", receipt=receipt, receipt_name="r.png", status="rejected")
        return found


def _costs(period=WINDOW):
    ids = [team.id for team in Team.select()]
    return [(name, spent, new, won) for _id, name, spent, new, won in expenses.costs(period.start, period.end, ids)]


def _move(user, team, reports_to):
    user = User.get_by_id(user.id)
    people.update_user(user, user.email, user.name, user.role, Team.get(Team.name == team), reports_to, None, None)


def test_each_team_counts_its_members_own_within_the_window(app, teams):
    """East: Ann's first-day customer and win, Bob's last-day ones and May's customer, Mia's own (a manager among
    the reps); the days before and after count nowhere. Lead counts Dan's own, not his subtree's. Spent: approved
    and paid claims of the window's days, by the claim's team."""
    with app.app_context():
        assert _costs() == [("East", 150_00, 4, 3), ("Empty", 0, 0, 0), ("Lead", 0, 1, 1), ("West", 0, 0, 1)]
        assert _costs(Period.of("month", datetime.date(2026, 6, 1))) == [  # whole months only
            ("East", 0, 1, 1), ("Empty", 0, 0, 0), ("Lead", 0, 0, 0), ("West", 0, 0, 0)]
        assert _costs(Period.last_days(datetime.date(2026, 7, 10), 5)) == [  # days only
            ("East", 50_00, 1, 1), ("Empty", 0, 0, 0), ("Lead", 0, 0, 0), ("West", 0, 0, 0)]
        assert _costs(Period.of("month", datetime.date(2025, 6, 1))) == [  # no data
            ("East", 0, 0, 0), ("Empty", 0, 0, 0), ("Lead", 0, 0, 0), ("West", 0, 0, 0)]
        assert expenses.costs(WINDOW.start, WINDOW.end, []) == []


def test_a_rep_who_moves_team_takes_their_figures_along(app, teams):
    """Bob moves to West under Cal: his customers and wins go with him (the claims stay with the team that made
    them). Then Ann moves to West but still reports to Mia: neither East nor West is its manager's subtree now,
    and each still counts its members alone."""
    with app.app_context():
        _move(teams["bob"], "West", teams["cal"])
        assert _costs() == [("East", 150_00, 2, 2), ("Empty", 0, 0, 0), ("Lead", 0, 1, 1), ("West", 0, 2, 2)]
        _move(teams["ann"], "West", teams["mia"])
        assert _costs() == [("East", 150_00, 1, 1), ("Empty", 0, 0, 0), ("Lead", 0, 1, 1), ("West", 0, 3, 3)]
        _move(teams["ann"], "East", teams["cy"])  # back in East, reporting to someone in West
        assert _costs() == [("East", 150_00, 2, 2), ("Empty", 0, 0, 0), ("Lead", 0, 1, 1), ("West", 0, 2, 2)]


def test_a_team_without_its_manager_in_it_counts_its_members(app, teams):
    """Mia leaves East for Lead, still East's manager and its members' boss: East counts Ann and Bob alone, Lead
    Dan and Mia. Then Ann and Bob move to West: East, still led by Mia, has no one and counts nothing."""
    with app.app_context():
        _move(teams["mia"], "Lead", teams["dan"])
        assert Team.get(Team.name == "East").manager_id == teams["mia"].id
        assert _costs() == [("East", 150_00, 3, 2), ("Empty", 0, 0, 0), ("Lead", 0, 2, 2), ("West", 0, 0, 1)]
        for rep in ("ann", "bob"):
            _move(teams[rep], "West", teams["cal"])
        assert _costs() == [("East", 150_00, 0, 0), ("Empty", 0, 0, 0), ("Lead", 0, 2, 2), ("West", 0, 3, 3)]
