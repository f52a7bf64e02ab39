"""The page shell as a browser loads it: every resource it asks for exists, no console noise."""
import pytest

pytestmark = pytest.mark.browser

ICON_HREF = """() => {
  const link = document.querySelector('link[rel~="icon"]');
  return link ? link.href : new URL('/favicon.ico', location.href).href;
}"""


def test_page_icon_the_browser_asks_for_exists(new_page):
    # Chromium requests /favicon.ico unless the page names an icon; a 404 is a console error on every visit.
    page = new_page()
    page.goto("/login")
    href = page.evaluate(ICON_HREF)
    if not href.startswith("data:"):
        response = page.request.get(href)
        assert response.status == 200, f"{href} answers {response.status}"
