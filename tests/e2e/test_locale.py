"""Switching between English and Simplified Chinese, and the choice following the user."""
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .conftest import PHONE, sign_in

pytestmark = pytest.mark.browser


def _sign_out_button(page):
    # Located by the form, not the text: the text is what changes with the language.
    return page.locator('form[action$="/logout"] button[type="submit"]')


def _expect_chinese(page):
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("button", name="English", exact=True)).to_be_visible()
    expect(_sign_out_button(page)).not_to_have_text("Sign out")


def _expect_english(page):
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="简体中文", exact=True)).to_be_visible()
    expect(_sign_out_button(page)).to_have_text("Sign out")


def test_language_switch_rerenders_and_is_stored_on_the_user(signed_in_page, new_page):
    page, user = signed_in_page("rep", **PHONE)
    _expect_english(page)

    page.get_by_role("button", name="简体中文", exact=True).click()
    _expect_chinese(page)
    assert re.search(r"/rep/\??$", page.url), page.url

    page.get_by_role("button", name="English", exact=True).click()
    _expect_english(page)
    assert re.search(r"/rep/\??$", page.url), page.url

    page.get_by_role("button", name="简体中文", exact=True).click()
    _expect_chinese(page)
    _sign_out_button(page).click()
    page.wait_for_url(re.compile(r"/login"))

    again = new_page(**PHONE)  # new context: no cookies, an English-speaking browser
    sign_in(again, user)
    _expect_chinese(again)


def test_language_chosen_before_sign_in_is_kept_for_the_user(make, new_page):
    user = make.user("manager", team="East")
    page = new_page(**PHONE)
    page.goto("/login")
    page.get_by_role("button", name="简体中文", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    assert re.search(r"/login\??$", page.url), page.url

    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator('form[action$="/login"] button[type="submit"]').click()
    page.wait_for_url("**/manager/")
    _expect_chinese(page)

    _sign_out_button(page).click()
    page.wait_for_url(re.compile(r"/login"))
    again = new_page(**PHONE)
    sign_in(again, user)
    _expect_chinese(again)
