"""Figures over a manager's whole subtree and over everyone read the group rows the rollups keep for them; the same
figures read person by person (the same people, narrowed otherwise) agree, hand-counted: a director two levels
above the reps, a manager who sells among their reps, and ops (everyone, the pool included where it counts)."""
import dataclasses
import datetime

from salesweb.customers import queries as customer_queries
from salesweb.figures import metrics
from salesweb.models import Stage
from salesweb.models.rollups import ALL, EVERYONE, TEAM

DAY = datetime.date(2026, 11, 10)
MONTH = metrics.Period.of("month", DAY)


def _people(make):
    """Dora directs Mia, who sells beside her rep Ann; Bo reports to Dora straight; Cy, in North, to no one."""
    dora = make.user("manager", name="Dora", team="Board")
    mia = make.user("manager", name="Mia", team="East", reports_to=dora)
    ann = make.user("rep", name="Ann", team="East", reports_to=mia)
    bo = make.user("rep", name="Bo", team="Board", reports_to=dora)
    cy = make.user("rep", name="Cy", team="North")
    ops = make.user("ops")
    return dora, mia, ann, bo, cy, ops


def _both(scope, figure):
    """A figure read through the scope's group rows, and person by person: they must agree."""
    per_person = dataclasses.replace(scope, group=())
    found = figure(scope)
    assert figure(per_person) == found
    return found


def test_won_lost_open_and_new_customers_over_a_subtree_and_everyone(app, make):
    """Won in November: Ann 100 and 300, Mia 50, Bo 20, Cy 1,000. Open: one each (100 each, in the first stage).
    Customers: one each made with their deals, and one in the pool."""
    with app.app_context():
        dora, mia, ann, bo, cy, ops = _people(make)
        for owner, amount in ((ann, 100_00), (ann, 300_00), (mia, 50_00), (bo, 20_00), (cy, 1_000_00)):
            make.won_deal(owner, DAY, amount=amount)
        customers = {}
        for owner in (ann, mia, bo, cy):
            customers[owner.id] = make.customer(owner)
            make.deal(owner, customers[owner.id], amount=100_00)
        make.customer(None, by=ops)

        assert metrics.scope_for(dora).group == (TEAM, dora.id)
        assert metrics.scope_for(ops).group == (ALL, EVERYONE)
        assert metrics.scope_for(ops, team_id=mia.team_id).group == ()

        def won(scope):
            found = metrics.closed(scope, MONTH)
            return found["won_amount"], found["won_count"]
        assert _both(metrics.scope_for(dora), won) == (470_00, 4)
        assert _both(metrics.scope_for(mia), won) == (450_00, 3)
        assert _both(metrics.scope_for(ops), won) == (1_470_00, 5)

        first = Stage.get(Stage.position == 0)

        def open_deals(scope):
            row = next(r for r in metrics.funnel(scope, DAY, datetime.datetime(2026, 11, 10, 12)) if r["stage"] == first)
            return row["count"], row["amount"]
        assert _both(metrics.scope_for(dora), open_deals) == (3, 300_00)
        assert _both(metrics.scope_for(mia), open_deals) == (2, 200_00)
        assert _both(metrics.scope_for(ops), open_deals) == (4, 400_00)

        # every customer was made today: each won deal's (Ann 2, Mia, Bo, Cy), each open deal's, one in the pool
        today = metrics.Period.of("month", datetime.date.today())

        def new(scope):
            return metrics.new_customers(scope, today, None)
        assert _both(metrics.scope_for(mia), new) == 3 + 2
        assert _both(metrics.scope_for(dora), new) == 3 + 2 + 2
        assert _both(metrics.scope_for(ops), new) == 3 + 2 + 2 + 2 + 1

        # the customer list's tier tabs (every customer is C): a manager's and a director's subtree, ops with the
        # pool
        def tiers(user):
            return customer_queries.tier_counts(user, {}, DAY)
        assert tiers(mia)["C"] == 5 and tiers(dora)["C"] == 7 and tiers(ops)["C"] == 10
        assert tiers(ann)["C"] == 3
