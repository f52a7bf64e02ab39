"""When each deal goes stale, kept on the deal (`infra.stale`): stale exactly when the old rule says, to the
microsecond (a next step due today is not stale, due yesterday is, on the install's calendar; a stage's rotting days
since the last activity, not a microsecond more), and every write keeps it."""
import datetime

from salesweb.core import settings
from salesweb.customers import cadence, tiers
from salesweb.figures import metrics
from salesweb.infra import stale
from salesweb.models import Deal, Product, Stage
from salesweb.pipeline import queries, rules as pipeline, stages
from salesweb.quotes import rules as quotes
from salesweb.visits import rules as visits

TICK = datetime.timedelta(microseconds=1)
DAY = datetime.date(2026, 11, 23)
AFTER_DAY = datetime.datetime(2026, 11, 23, 16)  # midnight starting 24 November in Shanghai (UTC+8), in UTC


def stage(name):
    return Stage.get(Stage.name_en == name)


def fresh(deal):
    return Deal.get_by_id(deal.id)


def seen_stale(deal, user, now):
    """Whether the deal is stale as of `now` to its badge, its owner's Today and the funnel (the only deal there)."""
    badge = queries.is_stale(fresh(deal), now)
    today = [row.id for row in queries.stale_of(user, now)] == [deal.id]
    funnel = sum(row["stale"] for row in metrics.funnel(metrics.scope_for(user), now.date(), now)) == 1
    assert badge == today == funnel, (badge, today, funnel)
    return badge


def stage_values(s, **changes):
    return {"name_en": s.name_en, "name_zh": s.name_zh, "probability": s.probability, "kind": s.kind,
            "rotting_days": s.rotting_days, **changes}


def test_a_step_due_today_is_not_stale_and_due_yesterday_is_from_midnight_in_shanghai(app, make):
    rep = make.user("rep")
    deal = make.deal(rep, next_step="Call", next_step_due=DAY)
    assert fresh(deal).step_due_at == fresh(deal).stale_at == AFTER_DAY - TICK
    assert not seen_stale(deal, rep, AFTER_DAY - TICK)  # 23:59:59.999999 on its due day: due today
    assert seen_stale(deal, rep, AFTER_DAY)  # 00:00 the day after: due yesterday


def test_a_deal_rots_after_exactly_its_stages_days_since_its_last_activity(app, make):
    rep = make.user("rep")
    deal = make.deal(rep, stage=stage("Proposal"), next_step="Call", next_step_due=DAY + datetime.timedelta(days=300))
    # a visit to its customer is activity: the moment moves in the visit's own UPDATE (Proposal rots in 3 days)
    for at in (datetime.datetime(2027, 1, 5, 9, 30, 0, 250000), datetime.datetime(2027, 1, 9, 8)):
        cadence.record_activity(deal.customer_id, at)
        rotten = at + datetime.timedelta(days=3)
        assert (fresh(deal).last_activity_at, fresh(deal).stale_at) == (at, rotten)
        assert not seen_stale(deal, rep, rotten - datetime.timedelta(seconds=1))
        assert not seen_stale(deal, rep, rotten)  # exactly 3 days quiet: not more than 3
        assert seen_stale(deal, rep, rotten + TICK)
        assert seen_stale(deal, rep, rotten + datetime.timedelta(seconds=1))
    # its due day comes first: that is when it goes stale
    pipeline.set_next_step(fresh(deal), fresh(deal).version, rep, "Visit", datetime.date(2027, 1, 10),
                           datetime.date(2027, 1, 9))
    assert fresh(deal).stale_at == datetime.datetime(2027, 1, 10, 16) - TICK
    cadence.record_activity(deal.customer_id, datetime.datetime(2027, 1, 9, 9))
    assert fresh(deal).stale_at == datetime.datetime(2027, 1, 10, 16) - TICK
    assert stale.differences() == []


def test_no_next_step_is_stale_at_once_and_a_closed_deal_never(app, make):
    rep = make.user("rep")
    deal = make.deal(rep)
    assert fresh(deal).stale_at == stale.EPOCH and seen_stale(deal, rep, datetime.datetime(2026, 1, 1))
    pipeline.win(fresh(deal), fresh(deal).version, rep, today=DAY)
    assert fresh(deal).stale_at is None and not queries.is_stale(fresh(deal), datetime.datetime(2030, 1, 1))
    # reopened with a next step: stale again from when that step is overdue
    pipeline.move(fresh(deal), stage("Negotiation"), fresh(deal).version, rep, today=DAY, next_step="Call",
                  next_step_due=DAY)
    assert fresh(deal).stale_at == AFTER_DAY - TICK
    assert not seen_stale(deal, rep, AFTER_DAY - TICK) and seen_stale(deal, rep, AFTER_DAY)


def test_a_stages_new_rotting_days_move_its_deals(app, make):
    rep, ops = make.user("rep"), make.user("ops")
    deal = make.deal(rep, stage=stage("Proposal"), next_step="Call", next_step_due=DAY + datetime.timedelta(days=300))
    at = datetime.datetime(2027, 2, 1, 10, 0, 0, 5)
    cadence.record_activity(deal.customer_id, at)
    stages.edit(stage("Proposal"), stage_values(stage("Proposal"), rotting_days=10), ops)
    assert fresh(deal).stale_at == at + datetime.timedelta(days=10)
    rotten = at + datetime.timedelta(days=10)
    assert not seen_stale(deal, rep, rotten) and seen_stale(deal, rep, rotten + TICK)
    stages.edit(stage("Proposal"), stage_values(stage("Proposal"), rotting_days=None), ops)  # it never rots now
    assert fresh(deal).stale_at == datetime.datetime(2027, 9, 19, 16) - TICK  # its step's due day's end
    assert stale.differences() == []


def test_a_new_time_zone_moves_when_the_due_days_end(app, make):
    rep, admin = make.user("rep"), make.user("admin")
    deal = make.deal(rep, next_step="Call", next_step_due=DAY)
    tiers.update_settings({"timezone": "Europe/London"}, by=admin)  # UTC+0 in November
    assert fresh(deal).step_due_at == fresh(deal).stale_at == datetime.datetime(2026, 11, 24) - TICK
    assert not seen_stale(deal, rep, datetime.datetime(2026, 11, 24) - TICK)
    assert seen_stale(deal, rep, datetime.datetime(2026, 11, 24))
    assert stale.differences() == []


def visit(**kw):
    return {"occurred_at": datetime.datetime(2027, 3, 1, 2), "duration_minutes": 45, "kind": "on_site",
            "purpose": "Review", "notes": "", "outcome": "positive", "next_step": "", "next_visit_on": None,
            "deal": None, "contacts": [], "market_note": "", "market_tags": "", "lat": None, "lon": None,
            "accuracy": None, "fix_at": None, **kw}


def test_every_write_keeps_when_each_deal_goes_stale(app, make):
    """A fixed sequence through every write that changes what staleness is worked out from."""
    rep, ops, admin = make.user("rep"), make.user("ops"), make.user("admin")
    values = settings.current()
    customer = make.customer(rep)
    first = make.deal(rep, customer=customer, stage=stage("Proposal"), next_step="Call", next_step_due=DAY)
    second = make.deal(rep, customer=customer, stage=stage("Negotiation"))
    product = Product.create(sku="P-1", name="Pump", unit="pcs", unit_price=100_00)

    def check(what):
        assert stale.differences() == [], what

    check("made")
    pipeline.edit(fresh(second), {"title": "Second", "amount": 1_00, "next_step": "Demo",
                                  "next_step_due": DAY + datetime.timedelta(days=2)},
                  customer, rep, fresh(second).version, rep)
    check("edited")
    pipeline.move(fresh(first), stage("Needs analysis"), fresh(first).version, rep, today=DAY)
    check("moved")
    pipeline.move(fresh(first), stage("Proposal"), fresh(first).version, rep, today=DAY, next_step="Send",
                  next_step_due=DAY + datetime.timedelta(days=1))
    check("moved with a step")
    pipeline.set_next_step(fresh(second), fresh(second).version, rep, "Call", DAY + datetime.timedelta(days=5), DAY)
    check("next step")
    visits.log(visit(deal=fresh(first), next_step="Survey", next_visit_on=datetime.date(2027, 3, 8)), customer, rep,
               rep, values, now=datetime.datetime(2027, 3, 1, 3))
    check("a visit with a next step and a day: the deal's step, the customer's deals' activity")
    visits.log(visit(occurred_at=datetime.datetime(2027, 3, 2, 2), deal=fresh(first), next_step="Call again"),
               customer, rep, rep, values, now=datetime.datetime(2027, 3, 2, 3))
    check("a visit with a next step alone: the deal keeps its due day")
    quote = quotes.create(fresh(second), [{"product": str(product.id), "quantity": "1", "unit_price": "",
                                           "discount": ""}], "", DAY + datetime.timedelta(days=30), "", rep, values,
                          DAY)
    sent = quotes.send(quote, quote.version, rep, values, DAY)
    check("a quote sent: its follow-up is the deal's next step")
    quotes.answer(sent, sent.version, rep, False, DAY + datetime.timedelta(days=1))
    check("the quote answered: no next step")
    stages.edit(stage("Proposal"), stage_values(stage("Proposal"), rotting_days=20), ops)
    check("a stage's rotting days")
    pipeline.set_next_step(fresh(second), fresh(second).version, rep, "Call", datetime.date(2027, 6, 1), DAY)
    check("a next step due after the deal rots")
    stages.merge(stage("Negotiation"), stage("Needs analysis"), ops)
    check("a stage merged into one that rots otherwise")
    pipeline.win(fresh(first), fresh(first).version, rep, today=DAY)
    check("won")
    pipeline.move(fresh(first), stage("Prospecting"), fresh(first).version, rep, today=DAY)
    check("reopened")
    tiers.update_settings({"timezone": "America/New_York"}, by=admin)
    check("a new time zone")
    cadence.record_activity(customer.id, datetime.datetime(2027, 4, 1, 1, 2, 3))
    check("activity on the customer")
