"""A quote action either answers as it should or leaves the quote as it was: the answer is worked out before the
write, or inside its transaction, never after a commit it could no longer undo."""
import datetime

import pytest

from salesweb.models import AuditEvent, Notification, Product, Quote, QuoteEvent
from salesweb.quotes import routes
from salesweb.quotes import rules as quotes
from salesweb.core import settings
from tests.conftest import client_for, post


@pytest.fixture
def shop(app, make):
    manager = make.user("manager", team="East")
    rep = make.user("rep", team="East")
    product = Product.create(sku="PX-100", name="Pump PX-100", unit="pcs", unit_price=1000_00)
    return manager, rep, make.deal(rep, title="Boiler room"), product


def draft(deal, rep, product, discount=""):
    return quotes.create(deal, [{"product": str(product.id), "quantity": "2", "discount": discount}], "",
                         datetime.date.today() + datetime.timedelta(days=20), "", rep, settings.current(),
                         datetime.date.today())


def test_a_rep_submitting_with_from_queue_and_no_htmx_lands_on_the_quote(app, shop):
    """The exact request that answered 500 after the draft was already approved."""
    _manager, rep, deal, product = shop
    quote = draft(deal, rep, product, discount="5")
    client = client_for(app, rep)
    response = post(client, f"/quotes/{quote.id}/submit", {"version": quote.version, "from": "queue"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/quotes/{quote.id}")
    assert Quote.get_by_id(quote.id).status == "approved"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Approved: the discount is within your authority." in page


def test_a_manager_approving_from_the_queue_without_htmx_goes_back_to_the_queue(app, shop):
    manager, rep, deal, product = shop
    quote = draft(deal, rep, product, discount="15")
    quote = quotes.submit(quote, quote.version, rep, datetime.date.today())
    response = post(client_for(app, manager), f"/quotes/{quote.id}/approve",
                    {"version": quote.version, "from": "queue"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/manager/approvals")
    assert Quote.get_by_id(quote.id).status == "approved"


def test_an_approval_whose_answer_fails_is_undone(app, shop, monkeypatch):
    """Whatever breaks while the answer is built, the approval, its history, audit and notices are not kept."""
    manager, rep, deal, product = shop
    quote = draft(deal, rep, product, discount="15")
    quote = quotes.submit(quote, quote.version, rep, datetime.date.today())
    client = client_for(app, manager)
    events, audits, notices = QuoteEvent.select().count(), AuditEvent.select().count(), Notification.select().count()

    def broken(*args, **kwargs):
        raise RuntimeError("the answer could not be built")
    monkeypatch.setattr(routes, "_queue_items", broken)
    failed = post(client, f"/quotes/{quote.id}/approve", {"version": quote.version, "from": "queue"},
                  headers={"HX-Request": "true"})
    assert failed.status_code == 500
    kept = Quote.get_by_id(quote.id)
    assert (kept.status, kept.version, kept.decided_by_id) == ("pending", quote.version, None)
    assert (QuoteEvent.select().count(), AuditEvent.select().count(), Notification.select().count()) == (
        events, audits, notices)
