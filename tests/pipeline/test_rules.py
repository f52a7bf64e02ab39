"""Pipeline rules without HTTP: moves and order, conflicts, win/lose/reopen, probability, stale, revenue."""
import datetime
import threading

import pytest

from salesweb.infra import stale as stale_at
from salesweb.core.db import db
from salesweb.models import AuditEvent, Customer, Deal, LossReason, Stage, StageChange
from salesweb.pipeline import queries, rules as pipeline
from salesweb.customers import tiers
from salesweb.core.errors import Invalid, Stale

TODAY = datetime.date(2026, 6, 1)


def stage(name):
    return Stage.get(Stage.name_en == name)


def order(stage_name):
    return [d.title for d in Deal.select().where(Deal.stage == stage(name=stage_name)).order_by(Deal.position)]


def fresh(deal):
    return Deal.get_by_id(deal.id)


@pytest.fixture
def rep(app, make):
    return make.user("rep", team="East")


def test_new_deals_queue_at_the_bottom_with_the_stage_probability(app, make, rep):
    a, b = make.deal(rep, title="A"), make.deal(rep, title="B")
    assert order("Prospecting") == ["A", "B"]
    assert (a.probability, a.version) == (10, 1)
    assert StageChange.select().where(StageChange.deal == a.id).count() == 1


def test_move_across_columns_between_two_cards_writes_one_row(app, make, rep):
    x, y = make.deal(rep, title="X", stage=stage("Proposal")), make.deal(rep, title="Y", stage=stage("Proposal"))
    d = make.deal(rep, title="D")
    moved = pipeline.move(d, stage("Proposal"), d.version, rep, before_id=x.id, after_id=y.id)
    assert order("Proposal") == ["X", "D", "Y"] and order("Prospecting") == []
    assert moved.stages == {stage("Prospecting").id, stage("Proposal").id}
    stored = fresh(d)
    assert (stored.probability, stored.version) == (50, 2) and fresh(x).version == 1 and fresh(y).version == 1
    change = StageChange.select().where(StageChange.deal == d.id).order_by(StageChange.id.desc()).get()
    assert (change.from_stage_id, change.to_stage_id, change.by_id) == (stage("Prospecting").id, stage("Proposal").id,
                                                                        rep.id)
    assert AuditEvent.select().where(AuditEvent.action == "stage_move").count() == 1


def test_reorder_within_a_column_and_order_survives_many_moves(app, make, rep):
    deals = [make.deal(rep, title=str(i)) for i in range(5)]
    expected = [d.title for d in deals]
    import random
    rng = random.Random(7)
    for _ in range(200):
        card = rng.choice(deals)
        card = fresh(card)
        others = [t for t in expected if t != card.title]
        slot = rng.randrange(len(others) + 1)
        before = others[slot - 1] if slot > 0 else None
        after = others[slot] if slot < len(others) else None
        ids = {d.title: d.id for d in deals}
        pipeline.move(card, stage("Prospecting"), card.version, rep, before_id=ids.get(before), after_id=ids.get(after))
        expected = others[:slot] + [card.title] + others[slot:]
        assert order("Prospecting") == expected


def test_a_column_is_rebalanced_when_neighbours_touch(app, make, rep):
    a, b, c = (make.deal(rep, title=t) for t in "ABC")
    Deal.update(position=1.0).where(Deal.id == a.id).execute()
    Deal.update(position=1.0 + 1e-9).where(Deal.id == b.id).execute()
    pipeline.move(c, stage("Prospecting"), c.version, rep, before_id=a.id, after_id=b.id)
    assert order("Prospecting") == ["A", "C", "B"]
    positions = sorted(d.position for d in Deal.select())
    assert min(y - x for x, y in zip(positions, positions[1:])) > 1


def test_a_stale_version_is_a_conflict_and_changes_nothing(app, make, rep):
    d = make.deal(rep)
    pipeline.move(d, stage("Proposal"), 1, rep)
    with pytest.raises(Stale) as conflict:
        pipeline.move(d, stage("Negotiation"), 1, rep)
    assert conflict.value.current.version == 2
    assert fresh(d).stage_id == stage("Proposal").id
    who, when = queries.last_change(conflict.value.current)
    assert who.id == rep.id and when is not None


def test_a_change_made_after_the_deal_was_read_is_a_conflict_and_writes_nothing(app, make, rep):
    d = make.deal(rep)
    read = fresh(d)  # the board's copy, at version 1
    pipeline.move(fresh(d), stage("Proposal"), 1, rep)  # someone else moves it first
    changes, events = StageChange.select().count(), AuditEvent.select().count()
    with pytest.raises(Stale) as conflict:
        pipeline.move(read, stage("Negotiation"), 1, rep)
    assert conflict.value.current.version == 2 and fresh(d).stage_id == stage("Proposal").id
    assert (StageChange.select().count(), AuditEvent.select().count()) == (changes, events)


def test_an_older_copy_of_the_deal_moves_at_the_version_given(app, make, rep):
    d = make.deal(rep)
    old = fresh(d)
    pipeline.move(fresh(d), stage("Proposal"), 1, rep)
    pipeline.move(old, stage("Negotiation"), 2, rep)  # the copy says 1, the caller knows 2: read afresh
    moved = fresh(d)
    assert (moved.stage_id, moved.version) == (stage("Negotiation").id, 3)
    last = StageChange.select().where(StageChange.deal == d.id).order_by(StageChange.id.desc()).get()
    assert (last.from_stage_id, last.to_stage_id) == (stage("Proposal").id, stage("Negotiation").id)


def test_probability_follows_the_stage_unless_overridden(app, make, rep):
    d = make.deal(rep)
    pipeline.move(d, stage("Negotiation"), 1, rep)
    assert fresh(d).probability == 75
    pipeline.edit(fresh(d), {"title": "T", "amount": 5, "probability": 90}, d.customer, rep, 2, rep)
    pipeline.move(fresh(d), stage("Proposal"), 3, rep)
    assert fresh(d).probability == 90 and fresh(d).probability_overridden


def test_win_records_the_date_and_recomputes_the_customer_tier(app, make, rep):
    customer = make.customer(rep)
    d = make.deal(rep, customer=customer, amount=900_000_00)
    pipeline.win(d, 1, rep, amount=1_200_000_00, today=TODAY)
    stored = fresh(d)
    assert (stored.won_on, stored.amount, stored.probability) == (TODAY, 1_200_000_00, 100)
    assert Customer.get_by_id(customer.id).tier == "A"
    pipeline.reopen(stored, stored.version, rep, today=TODAY)
    assert fresh(d).won_on is None and Customer.get_by_id(customer.id).tier == "C"


@pytest.mark.parametrize("status", ["lead", "prospect", "dormant"])
def test_winning_a_deal_makes_the_customer_a_customer_and_records_it(app, make, rep, status):
    customer = make.customer(rep, name="Big Buyer", status=status)
    d = make.deal(rep, customer=customer, title="Pumps", amount=1_700_000_00)
    pipeline.win(d, 1, rep, today=TODAY)
    stored = Customer.get_by_id(customer.id)
    assert (stored.tier, stored.status) == ("A", "customer")
    event = AuditEvent.get((AuditEvent.object_type == "customer") & (AuditEvent.action == "edit"))
    assert (event.object_id, event.actor_id) == (customer.id, rep.id)
    assert event.summary == f"Big Buyer: status {status} → customer (Pumps won)"
    pipeline.reopen(fresh(d), fresh(d).version, rep, today=TODAY)  # taking the win back does not demote it
    assert Customer.get_by_id(customer.id).status == "customer"


def test_a_customer_stays_a_customer_and_other_moves_leave_the_status_alone(app, make, rep):
    lead = make.customer(rep, status="lead")
    d = make.deal(rep, customer=lead)
    pipeline.move(d, stage("Proposal"), 1, rep, today=TODAY)
    pipeline.lose(fresh(d), 2, rep, LossReason.get(LossReason.name_en == "Price"), today=TODAY)
    assert Customer.get_by_id(lead.id).status == "lead"
    buyer = make.customer(rep, status="customer")
    pipeline.win(make.deal(rep, customer=buyer), 1, rep, today=TODAY)
    assert Customer.get_by_id(buyer.id).status == "customer"
    assert AuditEvent.select().where(AuditEvent.object_type == "customer", AuditEvent.action == "edit").count() == 0


def test_lose_needs_a_reason_and_reopen_clears_it(app, make, rep):
    d = make.deal(rep)
    with pytest.raises(Invalid) as refused:
        pipeline.lose(d, 1, rep, None)
    assert "lost_reason" in refused.value.errors and fresh(d).version == 1
    price = LossReason.get(LossReason.name_en == "Price")
    pipeline.lose(d, 1, rep, price, "went with a cheaper offer", today=TODAY)
    stored = fresh(d)
    assert (stored.lost_reason_id, stored.lost_note, stored.lost_on, stored.probability) == (
        price.id, "went with a cheaper offer", TODAY, 0)
    pipeline.reopen(stored, 2, rep)
    reopened = fresh(d)
    assert reopened.stage_id == stage("Prospecting").id and reopened.lost_reason_id is None


def test_support_cannot_move_and_bad_values_are_refused(app, make, rep):
    d = make.deal(rep)
    with pytest.raises(Invalid):
        pipeline.move(d, stage("Proposal"), 1, make.user("support"))
    with pytest.raises(Invalid) as refused:
        pipeline.create({"title": "", "amount": -5}, d.customer, rep, stage("Won"), rep)
    assert set(refused.value.errors) == {"title", "amount", "stage"}
    with pytest.raises(Invalid) as refused:
        pipeline.create({"title": "x", "amount": 10**14}, d.customer, make.user("rep"), stage("Proposal"), rep)
    assert set(refused.value.errors) == {"amount", "owner"}
    assert Deal.select().count() == 1


@pytest.mark.parametrize("days_idle, next_due, stale", [
    (2, TODAY + datetime.timedelta(days=3), False),   # fresh, next step planned
    (4, TODAY + datetime.timedelta(days=3), True),    # Proposal rots after 3 days without activity
    (1, None, True),                                  # no next step
    (1, TODAY - datetime.timedelta(days=1), True),    # next step overdue
])
def test_stale_is_activity_and_next_step_not_age(app, make, rep, days_idle, next_due, stale):
    now = datetime.datetime.combine(TODAY, datetime.time(12))
    d = make.deal(rep, stage=stage("Proposal"), next_step="Send revised quote", next_step_due=next_due)
    d = make.written(d, last_activity_at=now - datetime.timedelta(days=days_idle),
                     created_at=now - datetime.timedelta(days=400))  # age alone never makes a deal stale
    assert queries.is_stale(d, now) is stale
    assert queries.is_stale(make.written(d, stage=stage("Won").id), now) is False


def test_won_revenue_counts_twelve_months_of_won_deals(app, make, rep):
    customer = make.customer(rep)
    old, recent, open_deal = (make.deal(rep, customer=customer, amount=a) for a in (700_000_00, 400_000_00, 9_000_000_00))
    pipeline.win(old, 1, rep, won_on=datetime.date(2025, 5, 31), today=TODAY)
    pipeline.win(recent, 1, rep, won_on=datetime.date(2026, 1, 10), today=TODAY)
    since, until = tiers.window(TODAY)
    assert tiers.won_revenue([customer.id], since, until) == {customer.id: 400_000_00}
    assert open_deal


def test_two_threads_moving_one_card_200_times_never_fail(app, make, rep):
    d = make.deal(rep)
    targets = [stage(n) for n in ("Prospecting", "Needs analysis", "Proposal", "Negotiation")]
    outcomes, errors = [], []

    def mover(offset):
        for i in range(100):
            with db.connection_context():
                current = Deal.get_by_id(d.id)
                target = targets[(i + offset) % len(targets)]
                try:
                    pipeline.move(current, target, current.version, rep)
                    outcomes.append((target.id, current.version + 1))
                except Stale:
                    outcomes.append(None)
                except Exception as exc:  # noqa: BLE001 - any other failure is what this test looks for
                    errors.append(repr(exc))

    threads = [threading.Thread(target=mover, args=(k,)) for k in (0, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    successes = [o for o in outcomes if o]
    final = fresh(d)
    assert final.version == 1 + len(successes)
    last = max(successes, key=lambda o: o[1])
    assert final.stage_id == last[0]


def test_moving_a_won_deal_to_another_customer_recomputes_both(app, make, rep):
    first, second = make.customer(rep, name="First"), make.customer(rep, name="Second")
    d = make.deal(rep, customer=first, amount=1_500_000_00)
    pipeline.win(d, 1, rep, today=datetime.date.today())
    assert Customer.get_by_id(first.id).tier == "A"
    stored = fresh(d)
    pipeline.edit(stored, {"title": stored.title, "amount": stored.amount}, second, rep, stored.version, rep,
                  today=datetime.date.today())
    assert Customer.get_by_id(first.id).tier == "C" and Customer.get_by_id(second.id).tier == "A"


def test_a_closed_deal_takes_the_closing_probability_and_a_won_date_is_not_in_the_future(app, make, rep):
    d = make.deal(rep)
    pipeline.edit(d, {"title": "T", "amount": 1, "probability": 60}, d.customer, rep, 1, rep)
    with pytest.raises(Invalid) as refused:
        pipeline.win(fresh(d), 2, rep, won_on=TODAY + datetime.timedelta(days=1), today=TODAY)
    assert "won_on" in refused.value.errors
    pipeline.win(fresh(d), 2, rep, today=TODAY)
    assert (fresh(d).probability, fresh(d).probability_overridden) == (100, False)


def test_a_note_or_a_visit_is_activity_that_keeps_open_deals_fresh(app, make, rep):
    from salesweb.customers import cadence, rules as customers
    from salesweb.core import settings
    d = make.deal(rep)
    old = datetime.datetime(2026, 1, 1)
    Deal.update(last_activity_at=old).where(Deal.id == d.id).execute()
    stale_at.recompute(where=Deal.id == d.id)  # when it goes stale follows, as a write would keep it
    customers.add_note(Customer.get_by_id(d.customer_id), "Called the buyer", rep)
    assert fresh(d).last_activity_at > old
    Deal.update(last_activity_at=old).where(Deal.id == d.id).execute()
    stale_at.recompute(where=Deal.id == d.id)  # when it goes stale follows, as a write would keep it
    cadence.record_visit(Customer.get_by_id(d.customer_id), datetime.datetime(2026, 2, 1), settings.current())
    assert fresh(d).last_activity_at == datetime.datetime(2026, 2, 1)


def test_history_is_the_latest_changes_oldest_first_with_time_in_each_stage(app, make, rep):
    deal = make.deal(rep, title="Tossed")
    start = datetime.datetime(2026, 1, 1, 9, 0)
    StageChange.delete().where(StageChange.deal == deal.id).execute()
    stages = [stage("Prospecting"), stage("Proposal")]
    StageChange.insert_many([{"deal": deal.id, "from_stage": stages[i % 2].id, "to_stage": stages[(i + 1) % 2].id,
                              "by": rep.id, "at": start + datetime.timedelta(days=i)} for i in range(35)]).execute()
    entries, more = queries.history(deal, limit=30)
    assert more and len(entries) == 30
    assert [c.at for c, _ in entries] == [start + datetime.timedelta(days=i) for i in range(5, 35)]
    assert [until for _, until in entries] == [start + datetime.timedelta(days=i) for i in range(6, 35)] + [None]
    assert entries[0][0].by_name == rep.name and entries[0][0].by_id == rep.id
    entries, more = queries.history(deal, limit=35)
    assert not more and len(entries) == 35


def test_a_move_sets_the_next_step_in_its_own_update(app, make, rep):
    from tests.conftest import count_queries
    quiet, busy = make.deal(rep, title="Quiet"), make.deal(rep, title="Busy")
    due = TODAY + datetime.timedelta(days=2)
    with count_queries() as without:
        pipeline.move(quiet, stage("Proposal"), 1, rep, today=TODAY)
    with count_queries() as with_step:
        pipeline.move(busy, stage("Proposal"), 1, rep, today=TODAY, next_step=" Send the quote ", next_step_due=due)
    assert len(with_step) == len(without)  # one UPDATE writes the stage and the next step
    stored = fresh(busy)
    assert (stored.next_step, stored.next_step_due, stored.version, stored.stage_id) == (
        "Send the quote", due, 2, stage("Proposal").id)
    assert (fresh(quiet).next_step, fresh(quiet).next_step_due) == ("", None)  # a move without one leaves it
    now = datetime.datetime.combine(TODAY, datetime.time(12))
    assert queries.is_stale(fresh(quiet), now)
    assert not queries.is_stale(stored, now)


@pytest.mark.parametrize("step, due, field", [
    ("", TODAY, "next_step"),                                           # a day for no step
    ("Call", TODAY - datetime.timedelta(days=1), "next_step_due"),     # already overdue
    ("Call", TODAY + datetime.timedelta(days=400), "next_step_due"),   # beyond a year
    ("x" * 201, TODAY, "next_step"),
    ("Call", None, "next_step_due"),                                   # a step without its day stays stale
])
def test_a_bad_next_step_refuses_the_move_and_changes_nothing(app, make, rep, step, due, field):
    d = make.deal(rep)
    with pytest.raises(Invalid) as refused:
        pipeline.move(d, stage("Proposal"), 1, rep, today=TODAY, next_step=step, next_step_due=due)
    assert set(refused.value.errors) == {field}
    assert (fresh(d).stage_id, fresh(d).version) == (stage("Prospecting").id, 1)
    with pytest.raises(Invalid):
        pipeline.set_next_step(d, 1, rep, step, due, TODAY)
    assert fresh(d).version == 1


def test_the_next_step_offered_after_a_move_is_held_to_the_version(app, make, rep):
    d = make.deal(rep)
    pipeline.move(d, stage("Proposal"), 1, rep, today=TODAY)
    with pytest.raises(Stale):
        pipeline.set_next_step(fresh(d), 1, rep, "Call", TODAY, TODAY)  # the board's card before the move
    pipeline.set_next_step(fresh(d), 2, rep, "Call", TODAY, TODAY)
    assert (fresh(d).next_step, fresh(d).next_step_due, fresh(d).version) == ("Call", TODAY, 3)
    with pytest.raises(Invalid):
        pipeline.set_next_step(fresh(d), 3, rep, "  ", None, TODAY)  # an offer taken needs a step
