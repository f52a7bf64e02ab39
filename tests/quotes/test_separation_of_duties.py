"""Whoever set a quote's discount does not approve it: the quote records who set it (its overall discount, or
prices and lines that change its discount off catalogue), shows it, audits it, and waits for someone else, the
next approver up or ops, never for nobody."""
import datetime
import importlib.util

import pytest

from salesweb.core.db import db
from salesweb.models import AuditEvent, Notification, Product, Quote
from salesweb.quotes import queries, rules as quotes
from salesweb.infra import schema
from salesweb.core import settings
from salesweb.core.errors import Invalid
from tests.conftest import login, post

TODAY = datetime.date.today()
SOON = TODAY + datetime.timedelta(days=20)


@pytest.fixture
def chain(app, make):
    """A director above East's manager (Wang Fang), who leads a rep (Li Na) with a deal; and an ops user."""
    director = make.user("manager", team="HQ", name="Zhao Lei")
    manager = make.user("manager", team="East", reports_to=director, name="Wang Fang")
    rep = make.user("rep", team="East", name="Li Na")
    ops = make.user("ops", name="Sun Li")
    product = Product.create(sku="PX-100", name="Pump PX-100", unit="pcs", unit_price=1000_00)
    return director, manager, rep, ops, make.deal(rep, title="Boiler room"), product


def rows(product, discount="", quantity="1", price=""):
    return [{"product": str(product.id), "quantity": quantity, "unit_price": price, "discount": discount}]


def drafted(deal, rep, product, discount="5"):
    return quotes.create(deal, rows(product, discount), "", SOON, "", rep, settings.current(), TODAY)


def edited(quote, by, product, discount, notes="", **line):
    return quotes.edit(quote, quote.version, rows(product, discount, **line), "", SOON, notes, by,
                       settings.current(), TODAY)


def test_a_manager_who_sets_a_reps_discount_cannot_approve_it_and_the_director_is_asked(app, chain):
    director, manager, rep, ops, deal, product = chain
    quote = drafted(deal, rep, product)
    assert quote.discount_set_by_id == rep.id and quote.needs == ""
    quote = edited(quote, manager, product, "18")
    # 18 % is beyond the rep's 10 %: still the rep's quote, but the manager set its discount
    assert (quote.prepared_by_id, quote.discount_set_by_id, quote.needs) == (rep.id, manager.id, "manager")
    pending = quotes.submit(quote, quote.version, manager, TODAY)
    assert pending.status == "pending"
    assert [n.user_id for n in Notification.select()] == [director.id]
    assert queries.queue(manager, TODAY) == [] and queries.pending_count(manager, TODAY) == 0
    assert not quotes.may_decide(manager, pending, TODAY)
    with pytest.raises(Invalid) as refused:
        quotes.decide(pending, pending.version, manager, True, "", TODAY)
    assert "You set this discount" in str(refused.value.errors[None])
    assert Quote.get_by_id(quote.id).status == "pending"
    assert [q.id for q in queries.queue(director, TODAY)] == [quote.id] and quotes.may_decide(director, pending, TODAY)
    assert [q.id for q in queries.queue(ops, TODAY)] == [quote.id]
    approved = quotes.decide(pending, pending.version, director, True, "", TODAY)
    assert approved.status == "approved" and approved.decided_by_id == director.id
    summaries = [a.summary for a in AuditEvent.select().where((AuditEvent.object_type == "quote")
                                                             & (AuditEvent.object_id == quote.id))
                 .order_by(AuditEvent.id)]
    assert "5 % → 18 % off catalogue set by Wang Fang" in summaries[1]
    assert summaries[-1].startswith(f"Quote {quote.number} approved (18 % off catalogue set by Wang Fang)")


def test_with_no_manager_above_the_setter_ops_is_asked(app, make, chain):
    _director, _manager, _rep, ops, _deal, product = chain
    boss = make.user("manager", team="West", name="Qian Hui")  # reports to nobody
    rep = make.user("rep", team="West")
    quote = edited(drafted(make.deal(rep), rep, product), boss, product, "15")
    pending = quotes.submit(quote, quote.version, rep, TODAY)
    assert pending.needs == "manager"
    assert [n.user_id for n in Notification.select()] == [ops.id]
    assert queries.queue(boss, TODAY) == [] and [q.id for q in queries.queue(ops, TODAY)] == [quote.id]
    assert quotes.decide(pending, pending.version, ops, True, "", TODAY).status == "approved"


def test_changing_only_the_terms_around_the_discount_leaves_its_setter(app, chain):
    _director, manager, rep, _ops, deal, product = chain
    quote = drafted(deal, rep, product, discount="15")
    quote = edited(quote, manager, product, "15", notes="Delivery in May")
    assert quote.discount_set_by_id == rep.id
    pending = quotes.submit(quote, quote.version, rep, TODAY)
    assert quotes.may_decide(manager, pending, TODAY)
    assert quotes.decide(pending, pending.version, manager, True, "", TODAY).status == "approved"


def test_a_lowered_price_or_a_new_quantity_mix_is_a_change_of_discount(app, chain):
    _director, manager, rep, _ops, deal, product = chain
    quote = drafted(deal, rep, product, discount="")
    quote = edited(quote, manager, product, "", price="820")  # 18 % below the catalogue's 1,000
    assert (quote.discount_set_by_id, quote.effective_bp, quote.needs) == (manager.id, 1800, "manager")
    again = edited(quote, rep, product, "", quantity="3", price="820")  # more of the same: still 18 %
    assert again.discount_set_by_id == manager.id


def test_a_discount_is_judged_against_the_lesser_authority_of_preparer_and_setter(app, chain):
    _director, manager, rep, _ops, deal, product = chain
    quote = quotes.create(deal, rows(product, "15"), "", SOON, "", manager, settings.current(), TODAY)
    assert quote.needs == ""  # within the manager's own 20 %
    raised = edited(quote, rep, product, "16")
    assert (raised.discount_set_by_id, raised.needs) == (rep.id, "manager")  # beyond the rep's 10 %


def test_the_setter_shows_on_the_quote_page_and_in_the_queue_and_the_web_refuses_their_approval(app, chain):
    director, manager, rep, _ops, deal, product = chain
    quote = drafted(deal, rep, product)
    boss = app.test_client()
    assert login(boss, manager.email).status_code == 302
    form = {"lines-0-product": str(product.id), "lines-0-product_name": product.name, "lines-0-quantity": "1",
            "lines-0-unit_price": "", "lines-0-discount": "18", "discount": "", "valid_until": SOON.isoformat(),
            "notes": "", "version": str(quote.version)}
    assert post(boss, f"/quotes/{quote.id}/edit", form).status_code == 303
    quote = Quote.get_by_id(quote.id)
    assert post(boss, f"/quotes/{quote.id}/submit", {"version": quote.version}).status_code == 303
    quote = Quote.get_by_id(quote.id)
    page = boss.get(f"/quotes/{quote.id}").get_data(as_text=True)
    assert "Prepared by</dt><dd>Li Na" in page and "Discount set by</dt><dd>Wang Fang" in page
    assert "Approve</button>" not in page
    refused = post(boss, f"/quotes/{quote.id}/approve", {"version": quote.version})
    assert refused.status_code == 303 and Quote.get_by_id(quote.id).status == "pending"
    assert "You set this discount, so someone else approves it." in boss.get(
        refused.headers["Location"]).get_data(as_text=True)
    assert quote.number not in boss.get("/manager/approvals").get_data(as_text=True)
    above = app.test_client()
    assert login(above, director.email).status_code == 302
    queue = above.get("/manager/approvals").get_data(as_text=True)
    assert quote.number in queue and "by Li Na" in queue and "discount set by Wang Fang" in queue
    chinese = above.get("/manager/approvals", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "折扣由 Wang Fang 设定" in chinese


def test_quotes_written_before_are_credited_to_their_last_editor(app, chain):
    _director, manager, rep, _ops, deal, product = chain
    untouched = drafted(deal, rep, product)
    changed = edited(drafted(deal, rep, product), manager, product, "5", notes="as before")
    Quote.update(discount_set_by=None).execute()
    spec = importlib.util.spec_from_file_location("setter", schema.MIGRATIONS / "0018_quote_discount_setter.py")
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with app.app_context():
        db.execute_sql(migration.BACKFILL)
    assert Quote.get_by_id(untouched.id).discount_set_by_id == rep.id
    assert Quote.get_by_id(changed.id).discount_set_by_id == manager.id
