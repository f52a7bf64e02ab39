"""Each role lands on its home and its main navigation offers exactly what it can reach; htmx boosting."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, HOME_LABELS, PHONE, ROLES, screenshot

pytestmark = pytest.mark.browser

CUSTOMERS = ("Customers", "/customers")
PIPELINE = ("Pipeline", "/pipeline")
COLLATERAL = ("Collateral", "/collateral")
VISITS = ("Visits", "/visits")
EXTRA_ENTRIES = {
    "rep": [CUSTOMERS, PIPELINE, VISITS, COLLATERAL],
    "manager": [CUSTOMERS, PIPELINE, VISITS, COLLATERAL],
    "support": [CUSTOMERS, PIPELINE, COLLATERAL, ("Quotes", "/quotes"), ("Products", "/ops/products")],
    "admin": [CUSTOMERS, PIPELINE, COLLATERAL, ("Users", "/admin/users"), ("Teams", "/admin/teams"), ("Settings", "/admin/settings"),
              ("Audit log", "/audit/")],
    "ops": [CUSTOMERS, PIPELINE, VISITS, COLLATERAL, ("Allocation", "/ops/allocation"), ("Budgets", "/budgets"),
            ("Settings", "/ops/settings"), ("Audit log", "/audit/")],
}


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("role", ROLES)
def test_role_lands_on_its_home_with_only_its_nav_entries(signed_in_page, role, viewport):
    options = PHONE if viewport == "phone" else DESKTOP
    page, _user = signed_in_page(role, **options)

    assert page.url.endswith(f"/{role}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    nav = page.locator('nav[aria-label="Main"]')
    expect(nav).to_be_visible()
    links = nav.get_by_role("link")
    expected = [(HOME_LABELS[role], f"/{role}/")] + EXTRA_ENTRIES.get(role, [])
    expect(links).to_have_count(len(expected))
    shown = [(text.strip(), links.nth(i).get_attribute("href")) for i, text in enumerate(links.all_inner_texts())]
    assert shown == expected
    expect(nav.get_by_role("link", name=HOME_LABELS[role])).to_have_attribute("aria-current", "page")

    width = options["viewport"]["width"]
    bar = nav.locator("ul").bounding_box()  # the phone's tab bar does not spill over
    assert bar["x"] >= 0 and bar["x"] + bar["width"] <= width + 0.5, bar
    for i in range(len(expected)):  # every entry comes on screen (more than fit: the bar scrolls sideways)
        links.nth(i).scroll_into_view_if_needed()
        box = links.nth(i).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (expected[i], box)


def test_boosted_nav_link_swaps_the_page_without_a_reload(make, signed_in_page):
    boss = make.user("manager", name="Wang Jianguo", team="East")
    make.user("rep", name="Li Na", team="East")
    make.user("support", name="Zhao Min", reports_to=boss)
    page, _admin = signed_in_page("admin", **DESKTOP)
    page.evaluate("window.__marker = 'still here'")

    page.locator('nav[aria-label="Main"]').get_by_role("link", name="Users").click()

    page.wait_for_url(re.compile(r"/admin/users$"))
    expect(page.get_by_role("heading", level=1, name="Users")).to_be_visible()
    expect(page.locator("#results tbody tr")).to_have_count(4)
    expect(page).to_have_title(re.compile(r"^Users"))
    expect(page.locator('nav[aria-label="Main"]').get_by_role("link", name="Users")) \
        .to_have_attribute("aria-current", "page")
    assert page.evaluate("window.__marker") == "still here"
    screenshot(page, "admin-users-1280")
