"""The admin's user list: search as you type through htmx, with the URL kept in sync."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP

pytestmark = pytest.mark.browser


def test_user_search_filters_as_you_type_and_survives_reload(make, signed_in_page):
    make.user("rep", name="Alice Zhang", team="East")
    make.user("rep", name="Bob Li", team="East")
    make.user("support", name="Carol Wang")
    page, _admin = signed_in_page("admin", **DESKTOP)
    page.goto("/admin/users")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(4)
    page.evaluate("window.__marker = 'no reload'")

    page.get_by_label("Search").press_sequentially("ali", delay=30)

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Alice Zhang")
    expect(page).to_have_url(re.compile(r"/admin/users\?(.*&)?q=ali(&|$)"))
    assert page.evaluate("window.__marker") == "no reload"

    page.reload()
    expect(page.get_by_label("Search")).to_have_value("ali")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Alice Zhang")

    page.get_by_label("Search").fill("")  # clearing the search brings everyone back
    expect(rows).to_have_count(4)
    expect(page).not_to_have_url(re.compile(r"q=ali"))


def test_a_user_opened_from_a_search_keeps_its_address_and_back_returns_to_the_search(make, signed_in_page):
    alice = make.user("rep", name="Alice Zhang", team="East")
    make.user("rep", name="Bob Li", team="East")
    page, _admin = signed_in_page("admin", **DESKTOP)
    page.goto("/admin/users")
    rows = page.locator("#results tbody tr")
    page.get_by_label("Search").press_sequentially("ali", delay=30)
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"[?&]q=ali(&|$)"))

    rows.get_by_role("link", name="Alice Zhang").click()  # the search box loses focus on the way
    expect(page).to_have_url(re.compile(rf"/admin/users/{alice.id}$"))
    page.wait_for_load_state("networkidle")
    expect(page).to_have_url(re.compile(rf"/admin/users/{alice.id}$"))

    page.go_back()
    expect(page).to_have_url(re.compile(r"/admin/users\?(.*&)?q=ali(&|$)"))
    expect(page.get_by_label("Search")).to_have_value("ali")
    page.wait_for_load_state()


def test_the_audit_log_filters_by_a_date_as_it_changes(make, signed_in_page):
    page, _admin = signed_in_page("admin", **DESKTOP)
    page.goto("/audit")
    page.evaluate("window.__marker = 'no reload'")
    page.get_by_label("From").fill("2026-01-02")
    expect(page).to_have_url(re.compile(r"[?&]since=2026-01-02(&|$)"))
    assert page.evaluate("window.__marker") == "no reload"
