"""Nothing overflows a 360-px-wide phone, in English or Chinese."""
import datetime

import pytest
from playwright.sync_api import expect

from salesweb.core import settings
from salesweb.core.db import utcnow
from salesweb.visits import rules as visits

from .conftest import NARROW_PHONE, ROLES, assert_fits_phone, screenshot

pytestmark = pytest.mark.browser

ADMIN_PAGES = ["/admin/users", "/admin/users/new", "/admin/teams", "/admin/settings", "/audit/"]

def assert_fits(page, where):
    assert_fits_phone(page, where, 360)


def _check(page, paths, language):
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, (path, response.status)
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN" if language == "zh" else "en")
        assert_fits(page, f"{path} ({language})")


def _colleagues(make):
    """Rows for the lists to lay out, one with a long name and email (they must wrap, not overflow)."""
    boss = make.user("manager", name="Wang Jianguo", team="East China Key Accounts")
    make.user("rep", name="Maximiliana Konstantinopoulou-Oyelaran", team="East China Key Accounts",
              email="maximiliana.konstantinopoulou-oyelaran@subsidiary.example.com")
    make.user("rep", name="李晓明", reports_to=boss)


@pytest.mark.parametrize("role", ROLES)
def test_role_pages_fit_a_360px_phone(make, signed_in_page, role):
    if role == "admin":
        _colleagues(make)
    page, _user = signed_in_page(role, **NARROW_PHONE)
    paths = [f"/{role}/", "/collateral"] + (ADMIN_PAGES if role == "admin" else [])

    for language in ("en", "zh"):
        if language == "zh":
            page.get_by_role("button", name="简体中文", exact=True).click()
            expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        _check(page, paths, language)
        if role == "admin":
            page.goto("/admin/users")
            screenshot(page, f"admin-users-360-{language}")
        page.goto(f"/{role}/")
        screenshot(page, f"{role}-home-360-{language}")


def test_login_page_fits_a_360px_phone(new_page):
    page = new_page(**NARROW_PHONE)
    page.goto("/login")
    assert_fits(page, "/login (en)")
    screenshot(page, "login-360-en")

    page.get_by_role("button", name="简体中文", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    assert_fits(page, "/login (zh)")
    screenshot(page, "login-360-zh")


def test_a_visit_sent_days_after_its_capture_is_marked_within_a_360px_phone(make, signed_in_page):
    """The manager's visit list and the visit's page show "sent 4 days after it was captured", and nothing
    overflows, in English or Chinese."""
    page, boss = signed_in_page("manager", **NARROW_PHONE)
    rep = make.user("rep", name="Maximiliana Konstantinopoulou-Oyelaran", team="East", reports_to=boss)
    customer = make.customer(rep, name="Shanghai Precision Hydraulic Pumps and Valves Manufacturing Co., Ltd.")
    saved = utcnow() - datetime.timedelta(days=4, hours=2)
    visit = visits.log({"occurred_at": saved - datetime.timedelta(minutes=30), "duration_minutes": 45,
                        "kind": "on_site", "outcome": "positive", "contacts": [],
                        "captured_at": saved.replace(tzinfo=datetime.UTC).isoformat()},
                       customer, rep, rep, settings.current())
    for language, marker in (("en", "sent 4 days after it was captured"), ("zh", "在手机上记录 4 天后才发送")):
        if language == "zh":
            page.get_by_role("button", name="简体中文", exact=True).click()
            expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        for path in ("/visits", f"/visits/{visit.id}"):
            assert page.goto(path).status == 200
            expect(page.locator(".badge.warn", has_text=marker)).to_be_visible()
            assert_fits(page, f"{path} ({language})")
        screenshot(page, f"visit-sent-late-360-{language}")
