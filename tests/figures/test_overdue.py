"""What is overdue today, as the collection figure reads it from the rollups of what is unpaid per due day:
hand-counted, and equal to what the contracts themselves say."""
import datetime

from salesweb.figures import metrics
from salesweb.models.rollups import OWN, UnpaidDay, UnpaidMonth
from salesweb.quotes import contracts, queries

DEC_1 = datetime.date(2026, 12, 1)
MONTH = metrics.Period.of("month", DEC_1)


def contract(make, owner, value, plan, payments=()):
    """A contract on a deal of `owner` won in the spring, with a plan [(due day, amount)] and payments."""
    signed = datetime.date(2026, 4, 1)
    deal = make.won_deal(owner, signed)
    found = contracts.save(deal, f"C-{deal.id}", signed, value, owner, signed)
    contracts.save_plan(found, [{"due_on": day, "amount": amount} for day, amount in plan], owner, signed)
    for day, amount in payments:
        contracts.record_payment(found, day, amount, "", owner, DEC_1)
    return found


def overdue(user, today):
    return metrics.collection(metrics.scope_for(user), MONTH, today)["overdue"]


def test_nothing_owed_is_nothing_overdue(app, make):
    with app.app_context():
        boss = make.user("manager", team="East")
        assert overdue(boss, DEC_1) == 0 and overdue(make.user("ops"), DEC_1) == 0


def test_payments_settle_the_earliest_instalments_and_a_day_is_overdue_the_day_after(app, make):
    """Ann: 300 due Oct 10, 300 due Nov 20, 400 due Dec 1, 400 paid; 200 is unpaid of Nov 20's, all of Dec 1's.
    Mia, the manager, owns a deal too: 500 due Nov 30, nothing paid. Cy, in another team: 100 due Oct 1, paid."""
    with app.app_context():
        mia = make.user("manager", team="East")
        ann = make.user("rep", team="East", reports_to=mia)
        cy = make.user("rep", team="West")
        contract(make, ann, "1000", [(datetime.date(2026, 10, 10), "300"), (datetime.date(2026, 11, 20), "300"),
                                     (DEC_1, "400")], [(datetime.date(2026, 10, 5), "400")])
        late = contract(make, mia, "500", [(datetime.date(2026, 11, 30), "500")])
        contract(make, cy, "100", [(datetime.date(2026, 10, 1), "100")], [(datetime.date(2026, 10, 1), "100")])
        assert {(r.owner, r.day, r.unpaid) for r in UnpaidDay.select().where(UnpaidDay.grp == OWN)} == {
            (ann.id, datetime.date(2026, 11, 20), 200_00), (ann.id, DEC_1, 400_00),
            (mia.id, datetime.date(2026, 11, 30), 500_00)}
        assert {(r.owner, r.month, r.unpaid) for r in UnpaidMonth.select().where(UnpaidMonth.grp == OWN)} == {
            (ann.id, "2026-11", 200_00), (ann.id, "2026-12", 400_00), (mia.id, "2026-11", 500_00)}
        # on the first of the month, what fell due that day is not overdue yet; on the second it is
        assert overdue(mia, DEC_1) == 700_00 and overdue(mia, datetime.date(2026, 12, 2)) == 1_100_00
        assert overdue(ann, DEC_1) == 200_00 and overdue(cy, DEC_1) == 0
        assert overdue(mia, datetime.date(2026, 11, 20)) == 0  # Oct 10's was paid, Nov 20's not due before today
        ops = make.user("ops")
        assert overdue(ops, datetime.date(2026, 12, 2)) == 1_100_00
        for user in (mia, ann, cy, ops):  # as the contracts themselves have it
            for today in (DEC_1, datetime.date(2026, 12, 2), datetime.date(2027, 1, 1)):
                assert overdue(user, today) == queries.overdue_contracts_total(user, today)[1], (user.role, today)
        contracts.record_payment(late, datetime.date(2026, 11, 30), "500", "", mia, DEC_1)
        assert overdue(mia, DEC_1) == 200_00 and overdue(ops, DEC_1) == 200_00


def test_the_team_and_region_filters_agree(app, make):
    """Narrowed by the customer's region, the figure reads the contracts; unnarrowed, the rollups: the same money."""
    with app.app_context():
        rep = make.user("rep", team="East")
        north = make.customer(rep, region="North")
        deal = make.won_deal(rep, datetime.date(2026, 4, 1), customer=north)
        found = contracts.save(deal, "C-N", datetime.date(2026, 4, 1), "600", rep, datetime.date(2026, 4, 1))
        contracts.save_plan(found, [{"due_on": datetime.date(2026, 9, 1), "amount": "600"}], rep,
                            datetime.date(2026, 4, 1))
        contracts.record_payment(found, datetime.date(2026, 9, 2), "250", "", rep, DEC_1)
        ops = make.user("ops")
        whole = metrics.collection(metrics.scope_for(ops), MONTH, DEC_1)["overdue"]
        north_only = metrics.collection(metrics.scope_for(ops, region="North"), MONTH, DEC_1)["overdue"]
        south_only = metrics.collection(metrics.scope_for(ops, region="South"), MONTH, DEC_1)["overdue"]
        assert whole == north_only == 350_00 and south_only == 0
