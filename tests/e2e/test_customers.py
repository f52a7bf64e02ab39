"""Customers in the browser: the rep's tier view and customer page on a phone, the manager's bulk
reassignment on a desktop, and claiming from the customer pool."""
import re

import pytest
from playwright.sync_api import expect

from salesweb.models import Contact, Customer

from . import conftest
from .conftest import DESKTOP, PHONE, allow_invalid_form_response, screenshot, sign_in

pytestmark = pytest.mark.browser

PHONE_WIDTH = PHONE["viewport"]["width"]

def assert_fits_phone(page, where):
    conftest.assert_fits_phone(page, where, PHONE_WIDTH)


def _rows(page):
    return page.locator("#customer-list table.customers tbody tr")


def _tab(page, label):
    return page.get_by_role("navigation", name="Tiers").get_by_role("link", name=re.compile(rf"^{label}\s+\d+$"))


def test_rep_on_a_phone_switches_tabs_searches_opens_a_customer_and_adds_a_contact(make, new_page, browser_errors):
    rep = make.user("rep", name="Rita Rep", team="East")
    make.customer(rep, name="Apex Machinery", tier="A", region="Shanghai")
    beacon = make.customer(rep, name="Beacon Foods", tier="B", region="Hangzhou")
    birch = make.customer(rep, name="Birch Logistics", tier="B", region="Suzhou")
    cobalt = make.customer(rep, name="Cobalt Tools", tier="C", region="Ningbo")
    Contact.create(customer=beacon, name="Wang Lei", phone="13800000001")
    Contact.create(customer=birch, name="Zhou Min", phone="13900000002")
    Contact.create(customer=cobalt, name="Wang Fang", phone="13700000003")  # matches the search, but tier C
    other_rep = make.user("rep", team="East")
    make.customer(other_rep, name="Bamboo Wang Trading", tier="B")  # another rep's: never listed

    page = new_page(**PHONE)
    sign_in(page, rep)
    page.goto("/customers")
    rows = _rows(page)
    expect(rows).to_have_count(4)
    expect(_tab(page, "All")).to_have_attribute("aria-current", "page")
    assert_fits_phone(page, "/customers")
    page.evaluate("window.__marker = 'no reload'")

    # Tab B: only B customers, URL pushed, the list swapped in place.
    _tab(page, "B").tap()
    expect(page).to_have_url(re.compile(r"/customers\?(.*&)?tier=B(&|$)"))
    expect(_tab(page, "B")).to_have_attribute("aria-current", "page")
    expect(rows).to_have_count(2)
    expect(rows.locator("td.name")).to_have_text([re.compile("Beacon Foods"), re.compile("Birch Logistics")])
    assert page.evaluate("window.__marker") == "no reload"

    # Search by a contact's name, as you type: narrows within tab B.
    search = page.get_by_label("Search")
    search.tap()
    search.press_sequentially("wang", delay=30)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Beacon Foods")
    expect(page).to_have_url(re.compile(r"[?&]q=wang(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]tier=B(&|$)"))
    expect(_tab(page, "B")).to_have_attribute("aria-current", "page")
    expect(_tab(page, "C")).to_have_text(re.compile(r"^\s*C\s+1\s*$"))  # counts follow the search
    assert page.evaluate("window.__marker") == "no reload"

    # Reload keeps the tab and the search.
    page.reload()
    expect(page.get_by_label("Search")).to_have_value("wang")
    expect(_tab(page, "B")).to_have_attribute("aria-current", "page")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Beacon Foods")

    # Back returns to the previous view: tab B without the search.
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"q=wang"))
    expect(page).to_have_url(re.compile(r"[?&]tier=B(&|$)"))
    expect(page.get_by_label("Search")).to_have_value("")
    expect(_tab(page, "B")).to_have_attribute("aria-current", "page")
    expect(rows).to_have_count(2)

    screenshot(page, "customers-rep-list-375-en")

    # Each customer is a card with a big tap target.
    card_link = rows.filter(has_text="Beacon Foods").get_by_role("link", name=re.compile("Beacon Foods"))
    box = card_link.bounding_box()
    assert box and box["height"] >= 44, box
    card_link.tap()
    expect(page).to_have_url(re.compile(rf"/customers/{beacon.id}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Beacon Foods")
    contacts = page.locator("#contacts")
    expect(contacts).to_contain_text("Wang Lei")
    assert_fits_phone(page, f"/customers/{beacon.id}")
    page.evaluate("window.__marker = 'no reload'")

    # Add a contact with a bad email: the message shows inline and what was typed is kept.
    contacts.get_by_text("Add contact", exact=True).tap()
    contacts.get_by_label("Name", exact=True).fill("Li Na")
    contacts.get_by_label("Job title", exact=True).fill("Purchasing manager")
    contacts.get_by_label("Phone", exact=True).fill("+86 138 0013 8000")
    contacts.get_by_label("Email", exact=True).fill("li.na-at-example")
    with page.expect_console_message(lambda m: m.type == "error" and "status of 422" in m.text), \
            page.expect_response(re.compile(rf"/customers/{beacon.id}/contacts$")) as refused:
        contacts.get_by_role("button", name="Save contact").tap()
    allow_invalid_form_response(browser_errors, refused.value)
    email = contacts.get_by_label("Email", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(contacts.locator("#email-error")).to_have_text("Enter a valid email address.")
    expect(email).to_have_value("li.na-at-example")
    expect(contacts.get_by_label("Name", exact=True)).to_have_value("Li Na")
    expect(contacts.get_by_label("Job title", exact=True)).to_have_value("Purchasing manager")
    expect(contacts.get_by_label("Phone", exact=True)).to_have_value("+86 138 0013 8000")
    assert page.evaluate("window.__marker") == "no reload"
    assert_fits_phone(page, f"/customers/{beacon.id} with the contact form's error")
    screenshot(page, "customers-rep-customer-375-invalid-email")
    assert not Contact.select().where(Contact.name == "Li Na").exists()

    # Corrected: saved, listed in the Contacts section without a page load, and stored.
    email.fill("li.na@example.com")
    with page.expect_response(re.compile(rf"/customers/{beacon.id}/contacts$")) as saved:
        contacts.get_by_role("button", name="Save contact").tap()
    assert saved.value.status == 200
    expect(contacts.locator("li.contact").filter(has_text="Li Na")).to_contain_text("Purchasing manager")
    expect(contacts.get_by_role("link", name="li.na@example.com")).to_be_visible()
    expect(contacts.get_by_role("link", name="+86 138 0013 8000")).to_be_visible()
    expect(contacts.locator("li.contact")).to_have_count(2)
    assert page.evaluate("window.__marker") == "no reload"
    stored = Contact.get(Contact.customer == beacon.id, Contact.name == "Li Na")
    assert (stored.title, stored.phone, stored.email) == ("Purchasing manager", "+86 138 0013 8000", "li.na@example.com")
    assert_fits_phone(page, f"/customers/{beacon.id} after adding a contact")
    screenshot(page, "customers-rep-customer-375")

    # The list in Chinese: still fits the phone, and the page speaks Chinese.
    page.goto("/customers?tier=B")
    page.get_by_role("button", name="简体中文", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(rows).to_have_count(2)
    assert_fits_phone(page, "/customers?tier=B (zh)")
    screenshot(page, "customers-rep-list-375-zh")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Customers")
    expect(page.get_by_role("link", name="Customer pool")).to_have_count(0)
    expect(page.get_by_label("搜索")).to_have_attribute("placeholder", re.compile(r"^[^A-Za-z]+$"))


def test_a_customer_opened_from_a_search_keeps_its_address_and_back_returns_to_the_search(make, new_page):
    rep = make.user("rep", name="Rita Rep", team="East")
    beacon = make.customer(rep, name="Beacon Foods", tier="B")
    make.customer(rep, name="Birch Logistics", tier="B")
    make.customer(rep, name="Apex Machinery", tier="A")

    page = new_page(**PHONE)
    sign_in(page, rep)
    page.goto("/customers")
    rows = _rows(page)
    expect(rows).to_have_count(3)

    # Typed with a pause in the middle, as people do: the list and the address bar follow the search.
    search = page.get_by_label("Search")
    search.tap()
    search.press_sequentially("bea", delay=30)
    expect(page).to_have_url(re.compile(r"[?&]q=bea(&|$)"))
    expect(rows).to_have_count(1)
    search.press_sequentially("con", delay=30)
    expect(page).to_have_url(re.compile(r"[?&]q=beacon(&|$)"))
    expect(rows).to_have_count(1)

    # Tapping the result (the search box loses focus on the way) opens the customer, and the address bar
    # stays on it: nothing from the search comes after it.
    rows.get_by_role("link", name=re.compile("Beacon Foods")).tap()
    expect(page).to_have_url(re.compile(rf"/customers/{beacon.id}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Beacon Foods")
    page.wait_for_load_state("networkidle")
    expect(page).to_have_url(re.compile(rf"/customers/{beacon.id}$"))
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Beacon Foods")

    # Back: the list searched for what was typed, the search in the box.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/customers\?(.*&)?q=beacon(&|$)"))
    expect(search).to_have_value("beacon")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Beacon Foods")
    page.wait_for_load_state()  # Back reloads the page (htmx keeps no history cache): let it finish first

    # Back once more: the list as it was before the search (the typing left one step in the history).
    page.go_back()
    expect(page).to_have_url(re.compile(r"/customers$"))
    expect(search).to_have_value("")
    expect(rows).to_have_count(3)


def test_manager_reassigns_two_customers_from_the_list(make, new_page):
    manager = make.user("manager", name="Mia Manager", team="East")
    rep_one = make.user("rep", name="Oscar One", team="East")
    rep_two = make.user("rep", name="Tina Two", team="East")
    first = make.customer(rep_one, name="Delta Plastics", tier="B")
    second = make.customer(rep_one, name="Echo Textiles", tier="C")
    kept = make.customer(rep_one, name="Falcon Paper", tier="A")

    page = new_page(**DESKTOP)
    sign_in(page, manager)
    page.goto("/customers")
    rows = _rows(page)
    expect(rows).to_have_count(3)
    for customer in (first, second, kept):
        expect(rows.filter(has_text=customer.name)).to_contain_text("Oscar One")

    page.get_by_label("Select Delta Plastics").check()
    page.get_by_label("Select Echo Textiles").check()
    screenshot(page, "customers-manager-list-1280-before")
    # The "New owner" label must name the reassign form's select (not another control on the page).
    expect(page.locator("#reassign select")).to_have_accessible_name("New owner")
    page.get_by_label("New owner", exact=True).select_option(label="Tina Two")
    page.get_by_role("button", name="Reassign selected").click()

    expect(page.locator(".flash-success")).to_have_text("2 customer(s) reassigned.")
    expect(page).to_have_url(re.compile(r"/customers(\?[^/]*)?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Customers")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="Delta Plastics")).to_contain_text("Tina Two")
    expect(rows.filter(has_text="Echo Textiles")).to_contain_text("Tina Two")
    expect(rows.filter(has_text="Falcon Paper")).to_contain_text("Oscar One")
    screenshot(page, "customers-manager-list-1280")

    owners = {c.name: c.owner_id for c in Customer.select().where(Customer.id.in_([first.id, second.id, kept.id]))}
    assert owners == {"Delta Plastics": rep_two.id, "Echo Textiles": rep_two.id, "Falcon Paper": rep_one.id}


def test_rep_claims_a_customer_from_the_pool(make, new_page):
    rep = make.user("rep", name="Rita Rep", team="East")
    ops = make.user("ops")
    pooled = make.customer(None, by=ops, name="Harbor Trading", region="Xiamen")

    page = new_page(**PHONE)
    sign_in(page, rep)
    page.goto("/customers")
    page.get_by_role("link", name="Customer pool").first.tap()
    expect(page).to_have_url(re.compile(r"/customers/pool$"))
    row = page.locator("#pool-list tbody tr").filter(has_text="Harbor Trading")
    expect(row).to_have_count(1)
    assert_fits_phone(page, "/customers/pool")

    row.get_by_role("button", name="Claim Harbor Trading").tap()

    expect(page).to_have_url(re.compile(rf"/customers/{pooled.id}$"))
    expect(page.locator(".flash-success")).to_have_text("Harbor Trading is now yours.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Harbor Trading")
    expect(page.locator(".facts dt", has_text="Owner").locator("xpath=following-sibling::dd[1]")).to_have_text("Rita Rep")
    assert Customer.get_by_id(pooled.id).owner_id == rep.id

    page.goto("/customers/pool")
    expect(page.locator("#pool-list")).to_contain_text("The pool is empty")
