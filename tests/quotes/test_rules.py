"""Quotes, contracts and collection: the arithmetic, the authority rule, numbering, transitions and figures."""
import datetime
import threading
from decimal import Decimal

import pytest

from salesweb.core.db import db
from salesweb.models import AuditEvent, Deal, Instalment, Notification, Payment, Product, Quote, QuoteLine, Task
from salesweb.quotes import contracts, queries, rules as quotes
from salesweb.figures import metrics
from salesweb.core import settings
from salesweb.core.errors import Invalid, Stale

TODAY = datetime.date(2026, 11, 23)
SOON = TODAY + datetime.timedelta(days=30)


def product(sku="P-1", price=100_00, name="Pump", unit="pcs"):
    return Product.create(sku=sku, name=name, unit=unit, unit_price=price)


def row(item, quantity="1", price="", discount=""):
    return {"product": str(item.id), "quantity": quantity, "unit_price": price, "discount": discount}


def draft(deal, by, rows, discount="", **kw):
    return quotes.create(deal, rows, discount, kw.pop("valid_until", SOON), "", by, settings.current(), TODAY, **kw)


@pytest.fixture
def team(app, make):
    manager = make.user("manager", team="East")
    rep = make.user("rep", team="East")
    return manager, rep, make.deal(rep)


# --- arithmetic ---------------------------------------------------------------------------------------------

def test_lines_round_each_to_the_cent_and_the_overall_discount_once(app):
    item = product(price=333)  # 3.33
    figures, _clean = quotes.read([row(item, "3", "", "10"), row(item, "0.5", "1.01")], "2.5", SOON, "", TODAY)
    # 3 × 3.33 × 0.9 = 8.991 → 8.99; 0.5 × 1.01 = 0.505 → 0.51 (halves away from zero)
    assert [line.net for line in figures.lines] == [899, 51]
    assert figures.subtotal == 950
    assert figures.discount_amount == 24  # 9.50 × 2.5 % = 0.2375 → 0.24
    assert figures.total == 926
    assert figures.list_total == 999 + 167  # 9.99 + 0.5 × 3.33 = 1.665 → 1.67
    # (1166 - 926) / 1166 = 20.58 %
    assert figures.effective_bp == 2058


@pytest.mark.parametrize("field,value", [("quantity", "-1"), ("quantity", "0"), ("quantity", "1.0001"),
                                         ("unit_price", "-5"), ("discount", "100.5"), ("discount", "-1"),
                                         ("discount", "abc"), ("quantity", "NaN"), ("unit_price", "1e30")])
def test_bad_lines_are_refused_by_field(app, field, value):
    item = product()
    line = row(item)
    line[field] = value
    with pytest.raises(Invalid) as refused:
        quotes.read([line], "", SOON, "", TODAY)
    assert f"lines-0-{field}" in refused.value.errors


def test_the_overall_discount_and_validity_are_checked(app):
    item = product()
    with pytest.raises(Invalid) as refused:
        quotes.read([row(item)], "101", TODAY - datetime.timedelta(days=1), "", TODAY)
    assert set(refused.value.errors) == {"discount", "valid_until"}
    with pytest.raises(Invalid) as refused:
        quotes.read([{"product": "", "quantity": "", "unit_price": ""}], "", SOON, "", TODAY)
    assert "lines" in refused.value.errors
    with pytest.raises(Invalid) as refused:
        quotes.read([{"product": "999999", "quantity": "1"}], "", SOON, "", TODAY)
    assert "lines-0-product_name" in refused.value.errors


# --- authority ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role,discount,expected", [("rep", "10", ""), ("rep", "10.01", "manager"),
                                                    ("rep", "20", "manager"), ("rep", "20.01", "ops"),
                                                    ("support", "15", "manager"), ("manager", "15", ""),
                                                    ("manager", "25", "ops"), ("ops", "90", "")])
def test_authority_follows_the_settings(app, make, role, discount, expected):
    item = product(price=100_000_00)
    figures, _clean = quotes.read([row(item, discount=discount)], "", SOON, "", TODAY)
    assert quotes.needs(figures, make.user(role), settings.current()) == expected


def test_a_lowered_unit_price_counts_as_a_discount(app, make):
    item = product(price=100_00)
    figures, _clean = quotes.read([row(item, "1", "85")], "", SOON, "", TODAY)
    assert figures.effective_bp == 1500
    assert quotes.needs(figures, make.user("rep"), settings.current()) == "manager"
    above, _clean = quotes.read([row(item, "1", "120", "10")], "", SOON, "", TODAY)  # 108 > list: no discount
    assert above.effective_bp == 0 and quotes.needs(above, make.user("rep"), settings.current()) == ""


def test_limits_come_from_settings(app, make):
    ops = make.user("ops")
    settings.update({"discount_limit_rep": 15}, ops)
    item = product()
    figures, _clean = quotes.read([row(item, discount="15")], "", SOON, "", TODAY)
    assert quotes.needs(figures, make.user("rep"), settings.current()) == ""


# --- numbering ----------------------------------------------------------------------------------------------

def test_numbers_count_per_year(app, team):
    _manager, rep, deal = team
    item = product()
    first, second = draft(deal, rep, [row(item)]), draft(deal, rep, [row(item)])
    assert (first.number, second.number) == ("Q-2026-0001", "Q-2026-0002")
    later = quotes.create(deal, [row(item)], "", datetime.date(2027, 1, 10), "", rep, settings.current(),
                          datetime.date(2027, 1, 2))
    assert later.number == "Q-2027-0001"


def test_numbers_stay_unique_when_quotes_are_made_at_once(app, team):
    _manager, rep, deal = team
    item = product()
    numbers, failures = [], []

    def work():
        try:
            with app.app_context():
                for _ in range(5):
                    numbers.append(draft(deal, rep, [row(item)]).number)
                db.close()
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert sorted(numbers) == [f"Q-2026-{n:04d}" for n in range(1, 21)]


# --- transitions --------------------------------------------------------------------------------------------

def test_within_authority_a_draft_is_sent_at_once_and_the_follow_up_clock_starts(app, team):
    _manager, rep, deal = team
    quote = draft(deal, rep, [row(product(), discount="5")])
    sent = quotes.send(quote, quote.version, rep, settings.current(), TODAY)
    assert sent.status == "sent" and sent.sent_on == TODAY and sent.decided_by_id == rep.id
    task = Task.get_by_id(sent.follow_up_id)
    assert task.assignee_id == rep.id and task.due_on == TODAY + datetime.timedelta(days=3)
    assert task.deal_id == deal.id and task.done_at is None
    deal = Deal.get_by_id(deal.id)
    assert deal.next_step == f"Follow up quote {quote.number}" and deal.next_step_due == task.due_on
    # the follow-up's day is over at midnight in Shanghai, the install's time zone (16:00 UTC the day before)
    midnight = datetime.datetime.combine(task.due_on, datetime.time(16))
    from salesweb.pipeline import queries as pipeline
    assert not pipeline.is_stale(deal, midnight - datetime.timedelta(microseconds=1))
    assert pipeline.is_stale(deal, midnight)  # no answer: stale
    answered = quotes.answer(sent, sent.version, rep, True, TODAY + datetime.timedelta(days=1))
    assert answered.status == "accepted"
    assert Task.get_by_id(task.id).done_at is not None
    assert Deal.get_by_id(deal.id).next_step == ""


def test_a_discount_beyond_authority_waits_for_the_manager_who_is_told(app, team):
    manager, rep, deal = team
    quote = draft(deal, rep, [row(product(), discount="15")])
    assert quote.needs == "manager"
    with pytest.raises(Invalid):
        quotes.send(quote, quote.version, rep, settings.current(), TODAY)
    pending = quotes.submit(quote, quote.version, rep, TODAY)
    assert pending.status == "pending"
    assert [n.user_id for n in Notification.select()] == [manager.id]
    assert [q.id for q in queries.queue(manager, TODAY)] == [quote.id]
    assert queries.pending_count(manager, TODAY) == 1
    with pytest.raises(Invalid):  # nobody approves their own quote
        quotes.decide(pending, pending.version, rep, True, "", TODAY)
    approved = quotes.decide(pending, pending.version, manager, True, "fine", TODAY)
    assert approved.status == "approved" and approved.decided_by_id == manager.id
    told = Notification.select().where(Notification.user == rep.id).get()
    assert told.kind == "quote_approved" and told.link == f"/quotes/{quote.id}"
    assert AuditEvent.select().where((AuditEvent.action == "approval") & (AuditEvent.object_id == quote.id)).count() == 2
    sent = quotes.send(approved, approved.version, rep, settings.current(), TODAY)
    assert sent.status == "sent"


def test_returning_needs_a_reason_and_brings_back_a_draft(app, team):
    manager, rep, deal = team
    quote = draft(deal, rep, [row(product(), discount="15")])
    pending = quotes.submit(quote, quote.version, rep, TODAY)
    with pytest.raises(Invalid) as refused:
        quotes.decide(pending, pending.version, manager, False, " ", TODAY)
    assert "note" in refused.value.errors
    returned = quotes.decide(pending, pending.version, manager, False, "Too deep", TODAY)
    assert returned.status == "draft" and returned.decision_note == "Too deep"
    assert Notification.select().where((Notification.user == rep.id) & (Notification.kind == "quote_returned")).exists()


def test_a_quote_that_changed_since_it_was_opened_is_not_approved(app, team):
    manager, rep, deal = team
    item = product()
    quote = draft(deal, rep, [row(item, discount="15")])
    pending = quotes.submit(quote, quote.version, rep, TODAY)
    seen = pending.version
    quotes.edit(pending, pending.version, [row(item, "2", discount="15")], "", SOON, "", rep, settings.current(),
                TODAY)
    resubmitted = quotes.submit(Quote.get_by_id(quote.id), Quote.get_by_id(quote.id).version, rep, TODAY)
    with pytest.raises(Stale):
        quotes.decide(resubmitted, seen, manager, True, "", TODAY)
    assert Quote.get_by_id(quote.id).status == "pending"


def test_an_edited_approved_quote_needs_approval_again(app, team):
    manager, rep, deal = team
    item = product()
    quote = draft(deal, rep, [row(item, discount="15")])
    approved = quotes.decide(quotes.submit(quote, quote.version, rep, TODAY), quote.version + 1, manager, True, "",
                             TODAY)
    edited = quotes.edit(approved, approved.version, [row(item, "3", discount="15")], "", SOON, "", rep,
                         settings.current(), TODAY)
    assert edited.status == "draft" and edited.decided_by_id is None and edited.needs == "manager"
    assert [line.quantity for line in QuoteLine.select().where(QuoteLine.quote == quote.id)] == [Decimal("3")]


def test_beyond_a_managers_limit_only_ops_decides(app, make, team):
    manager, rep, deal = team
    ops = make.user("ops")
    quote = quotes.submit(draft(deal, rep, [row(product(), discount="30")]), 1, rep, TODAY)
    assert quote.needs == "ops"
    assert queries.queue(manager, TODAY) == [] and not quotes.may_decide(manager, quote, TODAY)
    assert [n.user_id for n in Notification.select()] == [ops.id]
    with pytest.raises(Invalid):
        quotes.decide(quote, quote.version, manager, True, "", TODAY)
    assert quotes.decide(quote, quote.version, ops, True, "", TODAY).status == "approved"


def test_another_teams_manager_sees_nothing_to_approve(app, make, team):
    _manager, rep, deal = team
    other = make.user("manager", team="West")
    quote = quotes.submit(draft(deal, rep, [row(product(), discount="15")]), 1, rep, TODAY)
    assert queries.queue(other, TODAY) == [] and not quotes.may_decide(other, quote, TODAY)


def test_expired_quotes_cannot_be_sent_or_approved(app, team):
    manager, rep, deal = team
    quote = quotes.submit(draft(deal, rep, [row(product(), discount="15")], valid_until=TODAY), 1, rep, TODAY)
    later = TODAY + datetime.timedelta(days=1)
    assert queries.state(quote, later) == "expired"
    assert queries.queue(manager, later) == []
    with pytest.raises(Invalid):
        quotes.decide(quote, quote.version, manager, True, "", later)


def test_a_sent_quote_cannot_be_edited_and_status_moves_only_forward(app, team):
    _manager, rep, deal = team
    item = product()
    sent = quotes.send(draft(deal, rep, [row(item)]), 1, rep, settings.current(), TODAY)
    with pytest.raises(Invalid):
        quotes.edit(sent, sent.version, [row(item, "2")], "", SOON, "", rep, settings.current(), TODAY)
    with pytest.raises(Invalid):
        quotes.submit(sent, sent.version, rep, TODAY)
    rejected = quotes.answer(sent, sent.version, rep, False, TODAY)
    with pytest.raises(Invalid):
        quotes.answer(rejected, rejected.version, rep, True, TODAY)


def test_no_quote_on_a_closed_deal(app, make, team):
    _manager, rep, _deal = team
    won = make.won_deal(rep, TODAY)
    with pytest.raises(Invalid):
        draft(won, rep, [row(product())])
    assert Quote.select().count() == 0


# --- contracts and collection -------------------------------------------------------------------------------

def contract_for(make, rep, value="1000", on=TODAY - datetime.timedelta(days=60)):
    deal = make.won_deal(rep, on)
    return contracts.save(deal, f"C-{deal.id}", on, value, rep, TODAY)


def test_a_plan_must_sum_to_the_contract(app, make, team):
    _manager, rep, _deal = team
    contract = contract_for(make, rep)
    with pytest.raises(Invalid) as refused:
        contracts.save_plan(contract, [{"due_on": TODAY, "amount": "600"}, {"due_on": SOON, "amount": "300"}],
                            rep, TODAY)
    assert "plan" in refused.value.errors and Instalment.select().count() == 0
    contracts.save_plan(contract, [{"due_on": SOON, "amount": "400"}, {"due_on": TODAY, "amount": "600"}], rep,
                        TODAY)
    assert [(i.due_on, i.amount) for i in Instalment.select().order_by(Instalment.due_on)] == [
        (TODAY, 600_00), (SOON, 400_00)]


def test_an_even_plan_sums_exactly(app):
    plan = contracts.even_plan(1000_00, 3, datetime.date(2026, 1, 31))
    assert [a for _d, a in plan] == [333_34, 333_33, 333_33]
    assert [d for d, _a in plan] == [datetime.date(2026, 1, 31), datetime.date(2026, 2, 28),
                                     datetime.date(2026, 3, 31)]


def test_payments_cannot_exceed_the_contract(app, make, team):
    _manager, rep, _deal = team
    contract = contract_for(make, rep)
    contracts.record_payment(contract, TODAY, "900", "", rep, TODAY)
    with pytest.raises(Invalid) as refused:
        contracts.record_payment(contract, TODAY, "100.01", "", rep, TODAY)
    assert "amount" in refused.value.errors and Payment.select().count() == 1
    with pytest.raises(Invalid):
        contracts.record_payment(contract, TODAY + datetime.timedelta(days=1), "1", "", rep, TODAY)
    with pytest.raises(Invalid):  # the value cannot drop below what came in
        contracts.save(Deal.get_by_id(contract.deal_id), contract.number, contract.signed_on, "800", rep, TODAY,
                       contract=contract)


def test_overdue_instalments_are_settled_in_due_order(app, make, team):
    manager, rep, _deal = team
    contract = contract_for(make, rep)
    days = [TODAY - datetime.timedelta(days=40), TODAY - datetime.timedelta(days=10), SOON]
    contracts.save_plan(contract, [{"due_on": d, "amount": a} for d, a in zip(days, ("300", "300", "400"))], rep,
                        TODAY)
    contracts.record_payment(contract, TODAY - datetime.timedelta(days=5), "400", "", rep, TODAY)
    standing = queries.standing(contract, TODAY)
    assert [(paid, late) for _i, paid, late in standing.rows] == [(300_00, False), (100_00, True), (0, False)]
    assert standing.overdue == 200_00 and standing.outstanding == 600_00
    with app.app_context():  # each scope's kept statement is written again and checked against its key
        [row_] = queries.overdue_contracts(rep, TODAY, 5)
        assert row_.overdue == 200_00 and row_.since == days[1] and row_.customer_name == contract.deal.customer.name
        assert [r.contract_id for r in queries.overdue_contracts(manager, TODAY, 5)] == [contract.id]
        assert queries.overdue_contracts(make.user("ops"), TODAY, 5)[0].owner_name == rep.name
        assert queries.overdue_contracts(rep, TODAY, 0) == []
        assert queries.overdue_contracts_total(manager, TODAY) == (1, 200_00)
        assert queries.overdue_contracts(make.user("manager", team="West"), TODAY, 5) == []


def test_collection_rate_is_received_over_due_in_the_period(app, make, team):
    manager, rep, _deal = team
    contract = contract_for(make, rep)
    contracts.save_plan(contract, [{"due_on": datetime.date(2026, 11, 5), "amount": "500"},
                                   {"due_on": datetime.date(2026, 12, 5), "amount": "500"}], rep, TODAY)
    contracts.record_payment(contract, datetime.date(2026, 11, 20), "300", "", rep, TODAY)
    contracts.record_payment(contract, datetime.date(2026, 10, 20), "100", "", rep, TODAY)
    period = metrics.Period.chosen("2026-11", "month", TODAY)
    figures = metrics.collection(metrics.scope_for(manager), period, TODAY)
    assert figures == {"due": 500_00, "received": 300_00, "rate": 0.6, "overdue": 100_00, "also": []}
    other = metrics.collection(metrics.scope_for(make.user("manager", team="West")), period, TODAY)
    assert other == {"due": 0, "received": 0, "rate": None, "overdue": 0, "also": []}
