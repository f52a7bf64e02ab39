"""Signing out ends the session for the browser: back and direct links land on the login page."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP

pytestmark = pytest.mark.browser


def test_sign_out_lands_on_login_and_back_shows_nothing(signed_in_page):
    page, _admin = signed_in_page("admin", **DESKTOP)
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login$"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_text("You are signed out.")).to_be_visible()

    page.go_back()
    expect(page).to_have_url(re.compile(r"/login(\?|$)"))
    expect(page.get_by_role("heading", name="Administration")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(page.locator('nav[aria-label="Main"]')).to_have_count(0)

    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fadmin%2F$"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_role("heading", name="Administration")).to_have_count(0)
