"""The figures that read the rollups of closed deals by source and loss reason, of customers made per owner, and of
the regions in use, hand-counted at their edges: no data, a manager among reps, a period's first and last days,
the install's time zone (Shanghai, UTC+8), a customer's source changed after its deals closed. Each also against
the same figure narrowed by a customer filter that every deal passes, which reads the rows."""
import datetime

from salesweb.core import settings
from salesweb.customers import pool, queries as customer_queries, rules as customers
from salesweb.expenses import queries as expenses
from salesweb.figures import metrics
from salesweb.figures.metrics import Period
from salesweb.models import Customer, LossReason, Stage

NOVEMBER = Period.of("month", datetime.date(2026, 11, 15))


def _closed(make, owner, customer, amount, kind, day, reason=None):
    deal = make.deal(owner, customer, amount=amount)
    fields = {"won_on": day} if kind == "won" else {"lost_on": day, "lost_reason": reason}
    return make.written(deal, stage=Stage.get(Stage.kind == kind).id, **fields)


def _source(customer, source):
    customer = Customer.get_by_id(customer.id)
    customers.update(customer, {name: getattr(customer, name) for name in customers.FIELDS} | {"source": source},
                     customer.owner, customer.owner)


def test_no_closed_deals_no_sources_nor_reasons(app, make):
    with app.app_context():
        everyone = metrics.scope_for(make.user("ops"))
        assert metrics.by_source(everyone, NOVEMBER) == [] and metrics.loss_reasons(everyone, NOVEMBER) == []
        assert metrics.new_customers(everyone, NOVEMBER, settings.current()) == 0


def test_won_and_lost_by_source_and_reason_follow_a_source_changed_after_the_close(app, make):
    with app.app_context():
        mia = make.user("manager", name="Mia", team="East")
        ann = make.user("rep", name="Ann", team="East", reports_to=mia)
        cal = make.user("rep", name="Cal", team="West")
        ops = make.user("ops")
        first, second = list(LossReason.select().order_by(LossReason.position, LossReason.id))[:2]
        visit, referral = make.customer(ann, source="visit"), make.customer(ann, source="referral")
        website, mine, west = (make.customer(ann, source="website"), make.customer(mia, source="visit"),
                               make.customer(cal, source="referral"))
        _closed(make, ann, visit, 100_00, "won", datetime.date(2026, 11, 1))  # the period's first day
        _closed(make, ann, visit, 10_00, "lost", datetime.date(2026, 11, 2))  # no reason given
        _closed(make, ann, referral, 50_00, "lost", datetime.date(2026, 11, 30), first.id)  # its last day
        _closed(make, ann, website, 70_00, "won", datetime.date(2026, 10, 31))  # the day before
        _closed(make, ann, website, 20_00, "lost", datetime.date(2026, 11, 15), second.id)
        _closed(make, mia, mine, 300_00, "won", datetime.date(2026, 11, 10))  # the manager's own
        _closed(make, cal, west, 40_00, "lost", datetime.date(2026, 12, 1), first.id)  # the day after
        make.deal(ann, visit, amount=999_00)  # open: in no figure here
        everyone, team = metrics.scope_for(ops), metrics.scope_for(mia)
        rows = everyone, metrics.scope_for(ops, tier="C")  # every customer is tier C: the rows' figure
        for scope in rows:
            assert metrics.by_source(scope, NOVEMBER) == [("visit", 2, 1, 400_00, 2 / 3), ("referral", 0, 1, 0, 0.0),
                                                          ("website", 0, 1, 0, 0.0)]
            assert [(r and r.id, n, amount) for r, n, amount in metrics.loss_reasons(scope, NOVEMBER)] == [
                (first.id, 1, 50_00), (second.id, 1, 20_00), (None, 1, 10_00)]
        _source(mine, "website")  # after the manager's deal was won
        _source(referral, "trade_show")
        for scope in rows:
            assert metrics.by_source(scope, NOVEMBER) == [("website", 1, 1, 300_00, 0.5), ("visit", 1, 1, 100_00, 0.5),
                                                          ("trade_show", 0, 1, 0, 0.0)]
        assert metrics.by_source(metrics.scope_for(ann), NOVEMBER) == [
            ("visit", 1, 1, 100_00, 0.5), ("trade_show", 0, 1, 0, 0.0), ("website", 0, 1, 0, 0.0)]
        assert metrics.by_source(team, NOVEMBER) == metrics.by_source(everyone, NOVEMBER)
        december = Period.of("month", datetime.date(2026, 12, 1))
        assert metrics.by_source(everyone, december) == [("referral", 0, 1, 0, 0.0)]
        assert metrics.by_source(metrics.scope_for(ann), december) == []


def test_new_customers_fall_on_the_install_s_days_and_follow_their_owner(app, make):
    """Shanghai is UTC+8: made at 15:30 UTC on Oct 31 is Oct 31 there, at 16:30 Nov 1; 15:59 on Nov 30 is Nov 30,
    16:00 Dec 1."""
    with app.app_context():
        values = settings.current()
        ann, bob = make.user("rep", name="Ann", team="East"), make.user("rep", name="Bob", team="West")
        ops = make.user("ops")
        make.customer(ann, made_at=datetime.datetime(2026, 10, 31, 15, 30))
        make.customer(ann, made_at=datetime.datetime(2026, 11, 1, 16, 30) - datetime.timedelta(days=1))
        pooled = make.customer(None, by=ops, made_at=datetime.datetime(2026, 11, 15, 3))
        make.customer(bob, made_at=datetime.datetime(2026, 11, 30, 15, 59))
        make.customer(bob, made_at=datetime.datetime(2026, 11, 30, 16, 0))
        everyone = metrics.scope_for(ops)
        assert metrics.new_customers(everyone, NOVEMBER, values) == 3  # the pool's too
        assert metrics.new_customers(metrics.scope_for(ops, tier="C"), NOVEMBER, values) == 3  # from the rows
        assert metrics.new_customers(metrics.scope_for(ann), NOVEMBER, values) == 1
        last_days = Period.last_days(datetime.date(2026, 11, 30), 29)  # Nov 2 to Nov 30: days only
        assert metrics.new_customers(everyone, last_days, values) == 2
        pool.claim(Customer.get_by_id(pooled.id), ann, values)
        assert metrics.new_customers(metrics.scope_for(ann), NOVEMBER, values) == 2
        assert metrics.new_customers(everyone, NOVEMBER, values) == 3
        make.won_deal(ann, datetime.date(2026, 11, 1))  # its customer is made now: in no period here
        make.won_deal(bob, datetime.date(2026, 10, 31))
        rows = expenses.costs(NOVEMBER.start, NOVEMBER.end, [ann.team_id, bob.team_id])
        assert [(name, new, won) for _id, name, _spent, new, won in rows] == [("East", 2, 1), ("West", 1, 0)]


def test_the_regions_in_use_are_those_of_some_customer(app, make):
    with app.app_context():
        mia = make.user("manager", name="Mia", team="East")
        ann, ops = make.user("rep", name="Ann", team="East", reports_to=mia), make.user("ops")
        assert customer_queries.regions(ops) == []
        south = make.customer(ann, region="South")
        make.customer(None, by=ops, region="North")
        make.customer(ann, region="")
        assert customer_queries.regions(ops) == ["North", "South"]
        assert customer_queries.regions(mia) == ["South"]  # the pool's are not in a manager's reach
        customer = Customer.get_by_id(south.id)
        customers.update(customer, {name: getattr(customer, name) for name in customers.FIELDS} | {"region": "West"},
                         customer.owner, ops)
        assert customer_queries.regions(ops) == ["North", "West"]
