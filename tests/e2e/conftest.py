"""Browser fixtures: the app served on a real port, the system Chromium, and pages that fail on console errors.

One browser per test run; one live server (fresh migrated database) and fresh contexts per test.
Every page's console errors and uncaught exceptions are collected; a test that produced any fails
at teardown (a Content-Security-Policy violation shows up as a console error).
"""
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

PHONE = {"viewport": {"width": 375, "height": 812}, "has_touch": True, "is_mobile": True}
NARROW_PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}

ROLES = ("rep", "manager", "support", "ops", "admin")
HOME_LABELS = {"rep": "Today", "manager": "Team", "support": "Desk", "ops": "Operations", "admin": "Admin"}

SHOTS = Path("/tmp/shots")
TIMEOUT_MS = 5000


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """The app on 127.0.0.1 at a free port, in a daemon thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def browser_errors():
    """Console errors and page errors seen during the test; must stay empty."""
    errors = []
    yield errors
    assert not errors, "browser reported errors:\n" + "\n".join(errors)


@pytest.fixture
def new_page(browser, live_server, browser_errors):
    """new_page(**context_options) -> a page in a fresh context (English browser unless told)."""
    contexts = []

    def open_page(**options):
        options.setdefault("locale", "en-US")
        context = browser.new_context(base_url=live_server, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)

        def on_console(message):
            location = message.location or {}
            if message.type == "error":  # the browser's own /favicon.ico probe included: every layout names it
                browser_errors.append(f"console error on {message.page.url if message.page else '?'}: "
                                      f"{message.text} ({location.get('url', '')})")

        def on_page_error(error):
            page = error.page
            browser_errors.append(f"uncaught exception on {page.url if page else '?'}: {error.error}")

        context.on("console", on_console)
        context.on("weberror", on_page_error)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def sign_in(page, user, password=PASSWORD):
    """Sign in through the real login form, in whichever language it is shown (its fields by their ids); waits for
    the role's home."""
    page.goto("/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(password)
    page.locator("button.primary").click()
    page.wait_for_url(f"**/{user.role}/")


@pytest.fixture
def signed_in_page(make, new_page):
    """signed_in_page(role, **context_options) -> (page, user), signed in on the role's home."""
    def open_signed_in(role, **options):
        user = make.user(role, team="East" if role in ("rep", "manager") else None)
        page = new_page(**options)
        sign_in(page, user)
        return page, user
    return open_signed_in


# With is_mobile, Chromium widens the layout viewport to fit content that overflows, so window.innerWidth
# alone would grow with the overflow: compare it with the device width as well.
MEASURE = """(limit) => {
  const offenders = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > limit + 0.5 && offenders.length < 5) {
      offenders.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
        ' right=' + Math.round(box.right) + ' "' + (el.textContent || '').trim().slice(0, 40) + '"');
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
          clientWidth: document.documentElement.clientWidth, offenders: offenders};
}"""


def assert_fits_phone(page, where, width):
    """No horizontal scrolling on a phone `width` px wide; the message names the elements sticking out."""
    measured = page.evaluate(MEASURE, width)
    assert measured["innerWidth"] == width and measured["clientWidth"] == width, (where, measured)
    assert measured["scrollWidth"] <= width, (where, measured)


def screenshot(page, name):
    """A full-page screenshot for human review, outside the repository."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, caret="initial")  # hiding the caret writes style="" that the CSP then reports
    return path


def allow_invalid_form_response(browser_errors, response):
    """Chromium logs any 4xx fetch as a console error. A 422 is how the app answers a form it refuses
    (the form comes back with its messages), so for this one response, and only its exact message, that
    log line is expected and removed; every other console error still fails the test."""
    assert response.status == 422, response.status
    expected = f"Failed to load resource: the server responded with a status of 422 ({response.status_text})"
    matching = [e for e in browser_errors if expected in e and e.endswith(f"({response.url})")]
    assert len(matching) == 1, browser_errors
    browser_errors.remove(matching[0])
