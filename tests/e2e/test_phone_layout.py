"""Nothing overflows a 360-px-wide phone, in English or Chinese."""
import pytest
from playwright.sync_api import expect

from .conftest import NARROW_PHONE, ROLES, screenshot

pytestmark = pytest.mark.browser

ADMIN_PAGES = ["/admin/users", "/admin/users/new", "/admin/teams", "/admin/settings", "/audit/"]

MEASURE = """() => {
  const width = window.innerWidth;
  const offenders = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5 && offenders.length < 5) {
      offenders.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
        ' right=' + Math.round(box.right) + ' "' + (el.textContent || '').trim().slice(0, 40) + '"');
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, offenders: offenders};
}"""


def assert_fits(page, where):
    measured = page.evaluate(MEASURE)
    assert measured["innerWidth"] == 360, (where, measured)
    assert measured["scrollWidth"] <= measured["innerWidth"], (where, measured)


def _check(page, paths, language):
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, (path, response.status)
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN" if language == "zh" else "en")
        assert_fits(page, f"{path} ({language})")


@pytest.mark.parametrize("role", ROLES)
def test_role_pages_fit_a_360px_phone(signed_in_page, role):
    page, _user = signed_in_page(role, **NARROW_PHONE)
    paths = [f"/{role}/"] + (ADMIN_PAGES if role == "admin" else [])

    _check(page, paths, "en")
    page.goto(f"/{role}/")
    screenshot(page, f"{role}-home-360-en")

    page.get_by_role("button", name="简体中文", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    _check(page, paths, "zh")
    page.goto(f"/{role}/")
    screenshot(page, f"{role}-home-360-zh")


def test_login_page_fits_a_360px_phone(new_page):
    page = new_page(**NARROW_PHONE)
    page.goto("/login")
    assert_fits(page, "/login (en)")
    screenshot(page, "login-360-en")

    page.get_by_role("button", name="简体中文", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    assert_fits(page, "/login (zh)")
    screenshot(page, "login-360-zh")
