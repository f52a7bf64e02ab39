"""What the quote page says about approval follows the quote: a discount beyond the preparer's authority needs
approval until someone approves it, and from then on the page says who did."""
import datetime

import pytest

from salesweb.models import Product, Quote
from salesweb.quotes import rules as quotes
from salesweb.core import settings
from tests.conftest import login

TODAY = datetime.date.today()


@pytest.fixture
def shop(app, make):
    manager = make.user("manager", team="East", name="Wang Fang")
    rep = make.user("rep", team="East", name="Li Na")
    product = Product.create(sku="PX-100", name="Pump PX-100", unit="pcs", unit_price=1000_00)
    return manager, rep, make.deal(rep, title="Boiler room"), product


def page_of(app, user, quote, **headers):
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client.get(f"/quotes/{quote.id}", headers=headers).get_data(as_text=True)


def test_an_approved_quote_no_longer_says_it_needs_approval(app, shop):
    manager, rep, deal, product = shop
    quote = quotes.create(deal, [{"product": str(product.id), "quantity": "1", "discount": "15"}], "",
                          TODAY + datetime.timedelta(days=20), "", rep, settings.current(), TODAY)
    assert "needs a manager’s approval" in page_of(app, rep, quote)
    quote = quotes.submit(quote, quote.version, rep, TODAY)
    assert "needs a manager’s approval" in page_of(app, rep, quote)
    quote = quotes.decide(quote, quote.version, manager, True, "", TODAY)
    page = page_of(app, rep, quote)
    assert "needs a manager’s approval" not in page and "approved by Wang Fang" in page
    quote = quotes.send(quote, quote.version, rep, settings.current(), TODAY)
    page = page_of(app, rep, Quote.get_by_id(quote.id))
    assert "needs a manager’s approval" not in page and "approved by Wang Fang" in page
    chinese = page_of(app, rep, quote, **{"Accept-Language": "zh-CN"})
    assert "需经理审批" not in chinese and "已由 Wang Fang 批准" in chinese
