"""The frame of every page on a 360-px phone: the company name and every tab label whole (more tabs than fit
scroll, the current one in view), the survey's 0–10 scale as 44-px targets, and a page icon wherever a page is
opened, the printout and the customer's pages included."""
import datetime

import pytest
from playwright.sync_api import expect

from salesweb.models import Product
from salesweb.service import links as customer_links
from salesweb.quotes import rules as quotes
from salesweb.core import settings

from .conftest import NARROW_PHONE, ROLES, assert_fits_phone, screenshot, sign_in

pytestmark = pytest.mark.browser

# Text cut short (its box narrower than what it holds) in the top bar and the tab bar, and boxes wider than the
# screen (what a scrolling box such as the tab bar or a wide table's frame holds scrolls within it).
CHROME = """(limit) => {
  const cut = [], wide = [];
  for (const el of document.querySelectorAll('.brand, .topbar-actions > *, .mainnav a, .mainnav a span')) {
    if (el.scrollWidth > el.clientWidth) { cut.push(el.textContent.trim() + ' ' + el.scrollWidth + '>' + el.clientWidth); }
  }
  const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  for (const el of document.body.querySelectorAll('*')) {
    let inside = false;
    for (let up = el.parentElement; up && !inside; up = up.parentElement) { inside = scrolls(up); }
    if (!inside && el.getBoundingClientRect().width > limit + 0.5) { wide.push(el.tagName + '.' + el.className); }
  }
  return {cut: cut, wide: wide};
}"""

# The current tab's box, and the visible part of the tab bar.
CURRENT_TAB = """() => {
  const tab = document.querySelector('.mainnav [aria-current="page"]').getBoundingClientRect();
  const bar = document.querySelector('.mainnav ul').getBoundingClientRect();
  return {left: tab.left, right: tab.right, barLeft: bar.left, barRight: bar.right};
}"""


def _assert_whole(page, where):
    found = page.evaluate(CHROME, 360)
    assert found == {"cut": [], "wide": []}, where
    assert_fits_phone(page, where, 360)


@pytest.mark.parametrize("role", ROLES)
def test_the_company_name_and_every_tab_label_are_whole_at_360px(make, signed_in_page, role):
    page, _user = signed_in_page(role, **NARROW_PHONE)
    for language in ("en", "zh"):
        if language == "zh":
            page.get_by_role("button", name="简体中文", exact=True).click()
            expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        page.goto(f"/{role}/")
        _assert_whole(page, f"/{role}/ ({language})")
        screenshot(page, f"{role}-chrome-360-{language}")


def test_the_current_tab_is_in_view_when_more_tabs_than_fit(make, signed_in_page):
    page, _user = signed_in_page("ops", **NARROW_PHONE)  # nine tabs: the bar scrolls
    for path, label in (("/audit/", "Audit log"), ("/customers", "Customers"), ("/budgets", "Budgets")):
        page.goto(path)
        expect(page.locator('.mainnav [aria-current="page"]')).to_have_text(label)
        box = page.evaluate(CURRENT_TAB)
        assert box["barLeft"] - 0.5 <= box["left"] and box["right"] <= box["barRight"] + 0.5, (path, box)
        _assert_whole(page, path)
    # a tap on a tab takes the reader there, and its tab comes along into view (a boosted navigation)
    page.locator(".mainnav").get_by_role("link", name="Operations").click()
    page.wait_for_url("**/ops/")
    box = page.evaluate(CURRENT_TAB)
    assert box["barLeft"] - 0.5 <= box["left"] and box["right"] <= box["barRight"] + 0.5, box


def test_the_survey_scale_is_two_rows_of_44px_targets_at_360px(app, make, new_page):
    rep = make.user("rep", team="East")
    with app.app_context():
        link = customer_links.create(make.customer(rep, name="Harbour Foods"), "survey", rep, settings.current())
    for locale in ("en-US", "zh-CN"):
        page = new_page(locale=locale, **NARROW_PHONE)
        page.goto(f"/nps/{link.token}")
        options = page.locator(".nps-option")
        expect(options).to_have_count(11)
        boxes = [options.nth(i).bounding_box() for i in range(11)]
        assert all(box["width"] >= 44 and box["height"] >= 44 for box in boxes), boxes
        assert all(box["x"] >= 0 and box["x"] + box["width"] <= 360 for box in boxes), boxes
        assert len({round(box["y"]) for box in boxes}) == 2  # 0–5 and 6–10
        _assert_whole(page, f"survey ({locale})")
        options.nth(9).click()  # the whole box is the target
        expect(page.get_by_label("9", exact=True)).to_be_checked()
        screenshot(page, f"survey-360-{locale}")


def test_every_layout_names_an_icon_that_exists_and_favicon_ico_answers(app, make, new_page):
    rep = make.user("rep", team="East")
    with app.app_context():
        product = Product.create(sku="PX-100", name="Pump PX-100", unit="pcs", unit_price=1000_00)
        deal = make.deal(rep, customer=make.customer(rep, name="Harbour Foods"))
        quote = quotes.create(deal, [{"product": str(product.id), "quantity": "1", "discount": ""}], "",
                              datetime.date.today() + datetime.timedelta(days=30), "", rep, settings.current(),
                              datetime.date.today())
        link = customer_links.create(deal.customer, "feedback", rep, settings.current())
    page = new_page(**NARROW_PHONE)
    missing = []
    page.on("response", lambda response: missing.append(response.url) if response.status >= 400 else None)
    for path in ("/login", f"/f/{link.token}"):
        page.goto(path)
        _assert_icons(page, path)
    sign_in(page, rep)
    page.goto(f"/quotes/{quote.id}/print")
    _assert_icons(page, "print")
    assert missing == []
    icon = page.request.get("/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"] in ("image/vnd.microsoft.icon", "image/x-icon")
    assert icon.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file


def _assert_icons(page, where):
    hrefs = page.eval_on_selector_all('link[rel~="icon"]', "links => links.map(link => link.href)")
    assert any(href.endswith("/favicon.ico") for href in hrefs), (where, hrefs)
    for href in hrefs:
        assert page.request.get(href).status == 200, (where, href)
