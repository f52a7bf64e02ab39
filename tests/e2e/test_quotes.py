"""Quotes in the browser: a rep builds a quote with a 15 % discount and it waits; the manager approves it on a
phone; the rep marks it sent. The printout is one clean A4 page from Chromium's print to PDF."""
import re

import pytest
from playwright.sync_api import expect

from salesweb.models import Product, Quote, Task

from .conftest import DESKTOP, NARROW_PHONE, assert_fits_phone, screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(app, make):
    boss = make.user("manager", name="Mia Manager", team="East")
    rep = make.user("rep", name="Ann Lee", team="East", reports_to=boss)
    with app.app_context():
        Product.create(sku="PX-100", name="Pump PX-100", unit="pcs", unit_price=1000_00)
        Product.create(sku="VL-200", name="Valve VL-200", unit="pcs", unit_price=50_00)
        deal = make.deal(rep, title="Boiler room refit", customer=make.customer(rep, name="Harbour Foods Ltd"))
    return {"boss": boss, "rep": rep, "deal": deal}


def test_a_discount_beyond_the_reps_limit_waits_for_the_manager_then_goes_out(app, shop, new_page):
    page = new_page(**DESKTOP)
    sign_in(page, shop["rep"])
    page.goto(f"/deals/{shop['deal'].id}")
    page.get_by_role("link", name="New quote").click()
    page.wait_for_url(re.compile(r"/quotes/new$"))

    page.get_by_label("Product", exact=True).press_sequentially("PX", delay=30)
    page.get_by_role("option", name=re.compile("Pump PX-100")).click()
    expect(page.get_by_label("Unit price")).to_have_value("1000.00")
    expect(page.get_by_label("Quantity")).to_have_value("1")
    page.get_by_label("Quantity").fill("2")
    page.get_by_label("Discount (%)", exact=True).fill("15")
    totals = page.locator("#quote-totals")
    expect(totals).to_contain_text("1,700")  # 2 × 1,000 less 15 %, live
    expect(totals).to_contain_text("Above your limit of 10 %")
    expect(page.locator("#line-net-0")).to_have_text("1,700")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/quotes/\d+$"))
    page.get_by_role("button", name="Ask for approval").click()
    expect(page.locator("h1 .badge")).to_have_text("Waiting for approval")
    quote = Quote.get()
    assert quote.status == "pending" and quote.total == 1700_00 and quote.needs == "manager"

    phone = new_page(**NARROW_PHONE)
    sign_in(phone, shop["boss"])
    expect(phone.get_by_role("link", name="Notifications: 1 unread")).to_be_visible()
    phone.get_by_role("link", name="1 quote waits for your approval").click()  # tap one
    phone.wait_for_url(re.compile(r"/manager/approvals$"))
    item = phone.locator(f"#queue-{quote.id}")
    expect(item).to_contain_text("15 % off catalogue")
    assert_fits_phone(phone, "approvals", 360)
    screenshot(phone, "approvals-phone")
    item.get_by_role("button", name="Approve").click()  # tap two
    expect(phone.locator(f"#queue-{quote.id}")).to_contain_text("Approved.")
    assert Quote.get().status == "approved"

    page.reload()
    expect(page.get_by_role("link", name="Notifications: 1 unread")).to_be_visible()
    page.get_by_role("button", name="Mark sent").click()
    expect(page.locator("h1 .badge")).to_have_text("Sent")
    sent = Quote.get()
    assert sent.status == "sent" and Task.get_by_id(sent.follow_up_id).title == f"Follow up quote {sent.number}"


def test_the_printout_is_one_clean_page(app, shop, new_page, tmp_path):
    from salesweb.quotes import rules as quotes
    from salesweb.core import settings
    import datetime
    with app.app_context():
        products = list(Product.select().order_by(Product.sku))
        quote = quotes.create(shop["deal"], [{"product": str(p.id), "quantity": "3", "discount": "5"} for p in products],
                              "2", datetime.date.today() + datetime.timedelta(days=30), "Delivery within 4 weeks.",
                              shop["rep"], settings.current(), datetime.date.today())
    page = new_page(**DESKTOP)
    sign_in(page, shop["rep"])
    page.goto(f"/quotes/{quote.id}/print")
    page.emulate_media(media="print")
    expect(page.locator(".screen-only")).to_be_hidden()
    expect(page.get_by_role("heading", name="Quotation")).to_be_visible()
    expect(page.locator("body")).to_contain_text("Harbour Foods Ltd")
    expect(page.locator("tr.total")).to_contain_text(f"{quote.total / 100:,.2f}".rstrip("0").rstrip("."))
    pdf = page.pdf(format="A4", print_background=True)  # what Chromium's print to PDF makes of it
    (tmp_path / "quote.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1, "a two-line quote fits one page"
    # nothing sticks out of the printable width (A4 less the margins, at 96 px per inch)
    widest = page.evaluate("() => Math.max(...[...document.body.querySelectorAll('*')]"
                           ".map(el => el.getBoundingClientRect().right))")
    assert widest <= page.evaluate("() => document.documentElement.clientWidth")


def test_a_quote_with_long_lines_fits_a_phone(app, shop, new_page):
    with app.app_context():
        import datetime
        from salesweb.quotes import rules as quotes
        from salesweb.core import settings
        product = Product.create(sku="HX-9000", name="Stainless plate heat exchanger HX-9000 for food-grade lines",
                                 unit="sets", unit_price=1_234_567_00)
        today = datetime.date.today()
        quote = quotes.create(shop["deal"], [{"product": str(product.id), "quantity": "12.5", "discount": "7.5"}],
                              "5", today + datetime.timedelta(days=30), "", shop["rep"], settings.current(), today)
    phone = new_page(**NARROW_PHONE)
    sign_in(phone, shop["rep"])
    phone.goto(f"/quotes/{quote.id}")
    expect(phone.get_by_role("cell", name=re.compile("Stainless plate heat exchanger"))).to_be_attached()
    assert_fits_phone(phone, "quote page", 360)
    screenshot(phone, "quote-long-lines-360")
