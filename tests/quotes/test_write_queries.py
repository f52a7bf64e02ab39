"""Each write of a quote costs a fixed number of statements, within the budget of 12 a request: the quote list's
counts are kept by the writes (one upsert each where a quote's status or validity moves)."""
import datetime

import pytest

from salesweb.models import Product, Quote
from tests.conftest import client_for, count_queries, csrf_token

FORM_DAYS = 20


@pytest.fixture
def shop(app, make):
    manager = make.user("manager", team="East")
    rep = make.user("rep", team="East", reports_to=manager)
    product = Product.create(sku="PX-100", name="Pump PX-100", unit="pcs", unit_price=1000_00)
    return manager, rep, make.deal(rep, title="Boiler room"), product


def form(product, discount="", days=FORM_DAYS):
    return {"lines-0-product": str(product.id), "lines-0-product_name": product.name, "lines-0-quantity": "2",
            "lines-0-unit_price": "", "lines-0-discount": discount, "discount": "",
            "valid_until": (datetime.date.today() + datetime.timedelta(days=days)).isoformat(), "notes": ""}


def counted(client, url, data):
    """(status, statements) of one POST, its CSRF token read before."""
    data = {"csrf_token": csrf_token(client, "/account/password"), **data}
    with count_queries() as queries:
        response = client.post(url, data=data)
    return response.status_code, len(queries)


def test_each_quote_write_costs_a_fixed_number_of_statements(app, shop):
    manager, rep, deal, product = shop
    client, boss = client_for(app, rep), client_for(app, manager)
    found = {"create": counted(client, f"/deals/{deal.id}/quotes/new", form(product, discount="15"))}
    quote = Quote.get()
    found["edit"] = counted(client, f"/quotes/{quote.id}/edit", {**form(product, discount="15", days=30),
                                                                  "version": quote.version})
    found["submit"] = counted(client, f"/quotes/{quote.id}/submit", {"version": Quote.get().version})
    found["return"] = counted(boss, f"/quotes/{quote.id}/return", {"version": Quote.get().version, "note": "No"})
    counted(client, f"/quotes/{quote.id}/submit", {"version": Quote.get().version})
    found["approve"] = counted(boss, f"/quotes/{quote.id}/approve", {"version": Quote.get().version})
    found["send"] = counted(client, f"/quotes/{quote.id}/send", {"version": Quote.get().version})
    found["accept"] = counted(client, f"/quotes/{quote.id}/accept", {"version": Quote.get().version})
    counted(client, f"/deals/{deal.id}/quotes/new", form(product))
    other = Quote.select().order_by(Quote.id.desc()).get()
    found["submit within authority"] = counted(client, f"/quotes/{other.id}/submit", {"version": other.version})
    counted(client, f"/quotes/{other.id}/send", {"version": Quote.get_by_id(other.id).version})
    found["reject"] = counted(client, f"/quotes/{other.id}/reject", {"version": Quote.get_by_id(other.id).version})
    # each with its savepoint and release; the upsert of the quote's counts is one of them where its status or
    # validity moves
    assert found == {"create": (303, 12), "edit": (303, 12), "submit": (303, 12), "return": (303, 12),
                     "approve": (303, 12), "send": (303, 11), "accept": (303, 11), "submit within authority": (303, 8),
                     "reject": (303, 11)}
