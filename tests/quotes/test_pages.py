"""Quote, approval, contract and notification pages: roles, scope, bad input and what each page shows."""
import datetime
import io

import pytest

from salesweb.models import AuditEvent, Contract, Instalment, Notification, Payment, Product, Quote, QuoteLine
from salesweb.quotes import contracts, rules as quotes
from salesweb.core import settings
from salesweb.core.clock import local_today
from tests.conftest import client_for, count_queries, post


@pytest.fixture
def shop(app, make):
    """A team (manager, rep), a deal of the rep's, a product, and a rep of another team."""
    manager = make.user("manager", team="East")
    rep = make.user("rep", team="East")
    stranger = make.user("rep", team="West")
    product = Product.create(sku="PX-100", name="Pump PX-100", unit="pcs", unit_price=1000_00)
    return manager, rep, stranger, make.deal(rep, title="Boiler room"), product


def quote_form(product, quantity="2", discount="", overall="", valid=None, **extra):
    with_days = valid or (datetime.date.today() + datetime.timedelta(days=20)).isoformat()
    return {"lines-0-product": str(product.id), "lines-0-product_name": product.name, "lines-0-quantity": quantity,
            "lines-0-unit_price": "", "lines-0-discount": discount, "discount": overall, "valid_until": with_days,
            "notes": "", **extra}


def test_products_are_kept_by_ops_and_support_only(app, signed_in):
    ops, _user = signed_in("ops")
    assert ops.get("/ops/products").status_code == 200
    response = post(ops, "/ops/products/new", {"sku": "A-1", "name": "Valve", "unit": "pcs", "unit_price": "12.50",
                                                "active": "y"})
    assert response.status_code == 303 and Product.get(Product.sku == "A-1").unit_price == 1250
    refused = post(ops, "/ops/products/new", {"sku": "A-1", "name": "Other", "unit_price": "-1"})
    assert refused.status_code == 422 and "Another product has this SKU" in refused.get_data(as_text=True)
    support, _user = signed_in("support")
    assert support.get("/ops/products/new").status_code == 200
    rep, _user = signed_in("rep")
    assert rep.get("/ops/products").status_code == 403
    assert post(rep, "/ops/products/new", {"sku": "B", "name": "B", "unit_price": "1"}).status_code == 403


def test_a_catalogue_csv_is_imported_whole_or_not_at_all(app, signed_in):
    ops, _user = signed_in("ops")
    bad = "sku,name,unit,unit_price,active\nA-1,Valve,pcs,12.5,yes\nA-2,,pcs,abc,maybe\n".encode()
    response = post(ops, "/ops/products/import", {"file": (io.BytesIO(bad), "p.csv")},
                    content_type="multipart/form-data")
    assert response.status_code == 422 and "Line 3" in response.get_data(as_text=True)
    assert Product.select().count() == 0
    good = "sku,name,unit,unit_price,active\nA-1,阀门,个,12.5,yes\nA-2,Pump,pcs,\"1,200\",no\n".encode("gb18030")
    response = post(ops, "/ops/products/import", {"file": (io.BytesIO(good), "p.csv")},
                    content_type="multipart/form-data")
    assert response.status_code == 303
    assert {(p.sku, p.name, p.unit_price, p.active) for p in Product.select()} == {
        ("A-1", "阀门", 1250, True), ("A-2", "Pump", 1200_00, False)}
    assert AuditEvent.select().where(AuditEvent.action == "import").count() == 1


def test_a_rep_builds_a_quote_and_bad_lines_change_nothing(app, shop):
    _manager, rep, stranger, deal, product = shop
    client = client_for(app, rep)
    page = client.get(f"/deals/{deal.id}/quotes/new")
    assert page.status_code == 200 and "Product" in page.get_data(as_text=True)
    refused = post(client, f"/deals/{deal.id}/quotes/new", quote_form(product, quantity="-2", discount="120"))
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Enter a quantity above 0." in body and "from 0 to 100" in body
    assert Quote.select().count() == 0
    added = post(client, f"/deals/{deal.id}/quotes/new", {**quote_form(product), "action": "add"})
    assert added.status_code == 200 and 'name="lines-1-quantity"' in added.get_data(as_text=True)
    saved = post(client, f"/deals/{deal.id}/quotes/new", quote_form(product, discount="5"))
    assert saved.status_code == 303
    quote = Quote.get()
    assert quote.total == 1900_00 and quote.status == "draft" and quote.number.startswith("Q-")
    assert [line.net for line in QuoteLine.select()] == [1900_00]
    detail = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert quote.number in detail and "1,900" in detail and "Mark sent" in detail
    other = client_for(app, stranger)
    assert other.get(f"/deals/{deal.id}/quotes/new").status_code == 404
    assert post(other, f"/deals/{deal.id}/quotes/new", quote_form(product)).status_code == 404
    assert other.get(f"/quotes/{quote.id}").status_code == 404
    assert other.get(f"/quotes/{quote.id}/print").status_code == 404
    assert post(other, f"/quotes/{quote.id}/send", {"version": quote.version}).status_code == 404


def test_the_live_totals_follow_the_lines(app, shop):
    _manager, rep, _stranger, _deal, product = shop
    client = client_for(app, rep)
    response = post(client, "/quotes/preview", quote_form(product, quantity="3", discount="10", overall="5"),
                    headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    # 3 × 1,000 × 0.9 = 2,700; 5 % off = 2,565; 14.5 % off list: above a rep's 10 %
    assert response.status_code == 200 and "2,700" in body and "2,565" in body and "14.5 %" in body
    assert 'id="line-net-0" hx-swap-oob="true">2,700<' in body
    assert "Above your limit of 10" in body


def test_a_quote_beyond_authority_waits_in_the_managers_queue_and_the_rep_is_told(app, make, shop):
    manager, rep, _stranger, deal, product = shop
    client = client_for(app, rep)
    post(client, f"/deals/{deal.id}/quotes/new", quote_form(product, discount="15"))
    quote = Quote.get()
    assert "Ask for approval" in client.get(f"/quotes/{quote.id}").get_data(as_text=True)
    assert post(client, f"/quotes/{quote.id}/send", {"version": quote.version}).status_code == 303
    assert Quote.get().status == "draft"  # refused: it needs approval first
    assert post(client, f"/quotes/{quote.id}/submit", {"version": quote.version}).status_code == 303
    quote = Quote.get()
    assert quote.status == "pending"
    boss = client_for(app, manager)
    home = boss.get("/manager/").get_data(as_text=True)
    assert "Notifications: 1 unread" in home
    queue = boss.get("/manager/approvals").get_data(as_text=True)
    assert quote.number in queue and "15 % off catalogue" in queue
    west = client_for(app, make.user("manager", team="West"))
    assert quote.number not in west.get("/manager/approvals").get_data(as_text=True)
    assert post(west, f"/quotes/{quote.id}/approve", {"version": quote.version}).status_code == 404
    assert client.get("/manager/approvals").status_code == 403
    stale = post(boss, f"/quotes/{quote.id}/approve", {"version": quote.version - 1, "from": "queue"},
                 headers={"HX-Request": "true"})
    assert stale.status_code == 409 and Quote.get().status == "pending"
    done = post(boss, f"/quotes/{quote.id}/approve", {"version": quote.version, "from": "queue"},
                headers={"HX-Request": "true"})
    assert done.status_code == 200 and "Approved." in done.get_data(as_text=True)
    assert Quote.get().status == "approved"
    notices = client.get("/notifications").get_data(as_text=True)
    assert f"approved quote {quote.number}" in notices
    note = Notification.get(Notification.user == rep.id)
    opened = post(client, f"/notifications/{note.id}/open")
    assert opened.status_code == 303 and opened.headers["Location"].endswith(f"/quotes/{quote.id}")
    assert Notification.get_by_id(note.id).read_at is not None
    assert post(boss, f"/notifications/{note.id}/open").status_code == 404  # another's notification
    assert post(client, f"/quotes/{quote.id}/send", {"version": Quote.get().version}).status_code == 303
    assert Quote.get().status == "sent"


def test_a_queue_item_carries_each_sessions_own_form_token(app, make, shop):
    """The form in each queue item is written with the reader's own CSRF token, never another session's, and an
    approval without script (a plain form post) goes through with it."""
    import re
    manager, rep, _stranger, deal, product = shop
    client = client_for(app, rep)
    post(client, f"/deals/{deal.id}/quotes/new", quote_form(product, discount="15"))
    quote = Quote.get()
    post(client, f"/quotes/{quote.id}/submit", {"version": quote.version})
    phone, laptop = client_for(app, manager), client_for(app, manager)

    def item_token(page):
        item = re.search(rf'id="queue-{quote.id}".*?</article>', page, re.S).group(0)
        return re.search(r'name="csrf_token" value="([^"]+)"', item).group(1)
    first, second = (c.get("/manager/approvals").get_data(as_text=True) for c in (phone, laptop))
    assert item_token(first) != item_token(second)  # the same item, each session's token
    approved = phone.post(f"/quotes/{quote.id}/approve", data={"csrf_token": item_token(first),
                                                                 "version": Quote.get().version, "from": "queue"})
    assert approved.status_code == 303 and Quote.get().status == "approved"


def test_nobody_approves_their_own_quote(app, shop):
    manager, _rep, _stranger, deal, product = shop
    boss = client_for(app, manager)
    Product.update(unit_price=1000_00).execute()
    post(boss, f"/deals/{deal.id}/quotes/new", quote_form(product, discount="25"))
    quote = Quote.get()
    post(boss, f"/quotes/{quote.id}/submit", {"version": quote.version})
    quote = Quote.get()
    assert quote.needs == "ops" and quote.status == "pending"
    refused = post(boss, f"/quotes/{quote.id}/approve", {"version": quote.version})
    assert refused.status_code == 303 and Quote.get().status == "pending"
    assert "You cannot approve a quote you prepared." in boss.get(refused.headers["Location"]).get_data(as_text=True)


def test_the_print_page_is_in_the_readers_language(app, shop):
    _manager, rep, _stranger, deal, product = shop
    quote = quotes.create(deal, [{"product": str(product.id), "quantity": "2"}], "", local_today_plus(10), "Net 30",
                          rep, settings.current(), datetime.date.today())
    client = client_for(app, rep)
    english = client.get(f"/quotes/{quote.id}/print").get_data(as_text=True)
    assert "Quotation" in english and quote.number in english and "2,000" in english and "Net 30" in english
    assert deal.customer.name in english and "not an offer" in english
    chinese = client.get(f"/quotes/{quote.id}/print", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "报价单" in chinese


def local_today_plus(days):
    return datetime.date.today() + datetime.timedelta(days=days)


def test_contract_plan_and_payments_on_a_won_deal(app, make, shop):
    manager, rep, stranger, _deal, _product = shop
    won = make.won_deal(rep, datetime.date.today() - datetime.timedelta(days=70), amount=3000_00)
    client = client_for(app, rep)
    page = client.get(f"/deals/{won.id}").get_data(as_text=True)
    assert "Record the contract" in page
    saved = post(client, f"/deals/{won.id}/contract", {"number": "HT-2026-001", "signed_on": won.won_on.isoformat(),
                                                       "value": "3000"})
    assert saved.status_code == 303
    contract = Contract.get()
    days = [datetime.date.today() - datetime.timedelta(days=d) for d in (40, 10)]
    uneven = post(client, f"/deals/{won.id}/contract/plan", {
        "plan-0-due_on": days[0].isoformat(), "plan-0-amount": "1000",
        "plan-1-due_on": days[1].isoformat(), "plan-1-amount": "1000"})
    assert uneven.status_code == 422 and "sum to 2,000.00" in uneven.get_data(as_text=True)
    assert Instalment.select().count() == 0
    even = post(client, f"/deals/{won.id}/contract/plan", {"action": "even", "count": "3",
                                                            "first_due": days[0].isoformat()})
    assert even.status_code == 200 and "1000.00" in even.get_data(as_text=True)
    planned = post(client, f"/deals/{won.id}/contract/plan", {
        "plan-0-due_on": days[0].isoformat(), "plan-0-amount": "1000",
        "plan-1-due_on": days[1].isoformat(), "plan-1-amount": "2000"})
    assert planned.status_code == 303 and Instalment.select().count() == 2
    assert post(client, f"/deals/{won.id}/payments/new", {"received_on": datetime.date.today().isoformat(),
                                                           "amount": "1200"}).status_code == 303
    too_much = post(client, f"/deals/{won.id}/payments/new", {"received_on": datetime.date.today().isoformat(),
                                                               "amount": "1800.01"})
    assert too_much.status_code == 422 and "more than the contract" in too_much.get_data(as_text=True)
    assert Payment.select().count() == 1
    page = client.get(f"/deals/{won.id}").get_data(as_text=True)
    assert "HT-2026-001" in page and "1,200" in page and "Overdue" in page
    receivables = client.get("/receivables").get_data(as_text=True)
    assert won.title in receivables and "1,800" in receivables
    assert won.title in client_for(app, manager).get("/receivables").get_data(as_text=True)
    other = client_for(app, stranger)
    assert won.title not in other.get("/receivables").get_data(as_text=True)
    assert other.get(f"/deals/{won.id}/contract").status_code == 404
    assert post(other, f"/deals/{won.id}/payments/new", {"received_on": "2026-01-01", "amount": "1"}).status_code == 404
    payment = Payment.get()
    assert post(other, f"/payments/{payment.id}/delete").status_code == 404
    assert post(client, f"/payments/{payment.id}/delete").status_code == 303 and Payment.select().count() == 0
    admin, _user = make.user("admin"), None
    assert client_for(app, admin).get(f"/deals/{won.id}/contract").status_code == 403


def test_a_signed_contract_file_is_stored_and_served_only_in_scope(app, make, shop):
    _manager, rep, stranger, _deal, _product = shop
    won = make.won_deal(rep, datetime.date.today())
    client = client_for(app, rep)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    response = post(client, f"/deals/{won.id}/contract", {"number": "HT-9", "signed_on": won.won_on.isoformat(),
                                                          "value": "1000", "file": (io.BytesIO(pdf), "合同.pdf")},
                    content_type="multipart/form-data")
    assert response.status_code == 303
    contract = Contract.get()
    served = client.get(f"/contracts/{contract.id}/file")
    assert served.status_code == 200 and served.data == pdf and served.headers["X-Content-Type-Options"] == "nosniff"
    assert client_for(app, stranger).get(f"/contracts/{contract.id}/file").status_code == 404
    bad = post(client, f"/deals/{won.id}/contract", {"number": "HT-9", "signed_on": won.won_on.isoformat(),
                                                     "value": "1000", "file": (io.BytesIO(b"MZ\x90\x00"), "a.pdf")},
               content_type="multipart/form-data")
    assert bad.status_code == 422


def test_the_bell_costs_no_query(app, shop):
    _manager, rep, _stranger, _deal, _product = shop
    client = client_for(app, rep)
    client.get("/notifications")
    with count_queries() as queries:
        client.get("/notifications")
    assert len(queries) == 2  # the user with the unread count, the notifications
