"""The installable app in Chromium on a phone: the service worker takes over, keeps the pages a rep opened, shows
them without signal marked with the time they were kept, shows the offline page for any other, starts the app at
the rep's home, and forgets every kept page at sign-out."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import NARROW_PHONE, assert_fits_phone, screenshot, sign_in

pytestmark = pytest.mark.browser

KEPT = "() => caches.keys().then(names => names.filter(n => n.startsWith('pages-')))"


def _controlled(page):
    # installing fetches the whole shell: on a busy machine that takes longer than a click
    page.wait_for_function("() => window.salesPhone === true", timeout=30_000)
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # a page opened once the worker is active is one it looks after
    assert page.evaluate("() => !!navigator.serviceWorker.controller")


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_a_rep_opens_kept_pages_without_signal_and_signing_out_forgets_them(app, make, new_page, locale):
    rep = make.user("rep", name="Ann Field", team="East")
    customer = make.customer(rep, name="Kept Pumps Co")
    page = new_page(locale=locale, **NARROW_PHONE)
    sign_in(page, rep)
    _controlled(page)
    page.goto("/rep/")  # through the worker now: kept
    page.goto(f"/customers/{customer.id}")
    expect(page.get_by_role("heading", name="Kept Pumps Co")).to_be_visible()
    assert page.evaluate(KEPT) == [f"pages-{rep.id}"]

    page.context.set_offline(True)
    page.goto("/rep/")
    note = page.locator("#kept-copy")
    words = {"en-US": "Offline: as of", "zh-CN": "离线：截至"}[locale]
    expect(note).to_have_text(re.compile(rf"^{words} \d\d:\d\d( [AP]M)?$"))
    assert_fits_phone(page, "Today, kept", 360)
    screenshot(page, f"phone-offline-today-{locale}")
    page.goto(f"/customers/{customer.id}")
    expect(page.get_by_role("heading", name="Kept Pumps Co")).to_be_visible()
    expect(page.locator("#kept-copy")).to_be_visible()
    page.goto("/")  # where the installed app starts: the rep's home
    expect(page.locator("#kept-copy")).to_be_visible()
    expect(page.locator(".mainnav [aria-current='page']")).to_have_count(1)
    page.goto("/collateral")  # never opened: the offline page, which names nobody
    expect(page.locator("[data-offline-page] h1")).to_have_text({"en-US": "No connection", "zh-CN": "没有网络连接"}[locale])
    expect(page.get_by_text("Ann Field")).to_have_count(0)
    assert_fits_phone(page, "offline page", 360)
    screenshot(page, f"phone-offline-page-{locale}")

    page.context.set_offline(False)
    page.goto("/rep/")
    expect(page.locator("#kept-copy")).to_have_count(0)
    page.locator("form[action='/logout'] button").click()
    page.wait_for_url(re.compile(r"/login$"))
    page.wait_for_function("() => caches.keys().then(names => !names.some(n => n.startsWith('pages-')))")
    page.context.set_offline(True)
    page.goto(f"/customers/{customer.id}")  # after sign-out nothing of the rep's is shown from the phone
    expect(page.locator("[data-offline-page]")).to_be_visible()
    expect(page.get_by_text("Kept Pumps Co")).to_have_count(0)


def test_another_user_on_the_same_phone_never_sees_the_first_ones_pages(app, make, new_page):
    first = make.user("rep", name="First Rep", team="East")
    second = make.user("rep", name="Second Rep", team="East")
    theirs = make.customer(first, name="First Only Co")
    page = new_page(**NARROW_PHONE)
    sign_in(page, first)
    _controlled(page)
    page.goto(f"/customers/{theirs.id}")
    page.locator("form[action='/logout'] button").click()
    page.wait_for_url(re.compile(r"/login$"))
    sign_in(page, second)
    page.goto("/rep/")
    page.context.set_offline(True)
    page.goto(f"/customers/{theirs.id}")
    expect(page.locator("[data-offline-page]")).to_be_visible()
    expect(page.get_by_text("First Only Co")).to_have_count(0)


IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Mobile/15E148 Safari/604.1")


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_an_iphone_is_shown_once_how_to_add_the_app_and_why(app, make, new_page, locale):
    rep = make.user("rep", name="Ann Field", team="East")
    page = new_page(locale=locale, user_agent=IPHONE, **NARROW_PHONE)
    sign_in(page, rep)
    hint = page.locator("#ios-install-hint")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text({"en-US": "seven days", "zh-CN": "七天"}[locale])
    expect(page.locator("#install-offer")).to_be_hidden()  # Android's offer waits for the browser's own prompt
    assert_fits_phone(page, "Today with the iOS hint", 360)
    screenshot(page, f"phone-ios-hint-{locale}")
    hint.get_by_role("button").click()
    expect(hint).to_be_hidden()
    page.goto("/rep/")
    page.wait_for_function("() => window.salesPhone === true")  # phone.js has run
    expect(page.locator("#ios-install-hint")).to_be_hidden()


def test_a_desktop_browser_is_offered_nothing_until_it_can_install(app, make, new_page):
    rep = make.user("rep", name="Ann Field", team="East")
    page = new_page()
    sign_in(page, rep)
    page.wait_for_function("() => window.salesPhone === true")
    expect(page.locator("#ios-install-hint")).to_be_hidden()
    expect(page.locator("#install-offer")).to_be_hidden()
