"""The bell in the browser: the unread count follows new notifications by polling while the tab is visible, pauses
while it is hidden and catches up at once when it comes back; on a 360 px phone it fits."""
import pytest
from playwright.sync_api import expect

from salesweb.core import notifications

from .conftest import NARROW_PHONE, assert_fits_phone, sign_in

pytestmark = pytest.mark.browser

# Chromium keeps a headless tab visible: hiding it is told to the page the way a browser would tell it.
SET_VISIBILITY = """(state) => {
  Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => state});
  document.dispatchEvent(new Event('visibilitychange'));
}"""


def test_the_bell_follows_new_notifications_only_while_the_tab_is_visible(app, make, new_page):
    app.config["NOTIFICATION_POLL_SECONDS"] = 1
    rep = make.user("rep", name="Ann Lee", team="East")
    page = new_page(**NARROW_PHONE)
    polls = []
    page.on("request", lambda request: polls.append(request.url) if "/notifications/bell" in request.url else None)
    sign_in(page, rep)
    expect(page.get_by_role("link", name="Notifications: 0 unread")).to_be_visible()

    notifications.notify([rep], "visit_comment", "/visits/1", by="Mia", customer="Harbour Foods")
    expect(page.get_by_role("link", name="Notifications: 1 unread")).to_be_visible()  # no reload: the poll
    expect(page.locator("#bell .count")).to_have_text("1")
    assert_fits_phone(page, "home with the bell", 360)

    page.evaluate(SET_VISIBILITY, "hidden")
    page.wait_for_timeout(300)  # a poll already on its way lands
    asked = len(polls)
    notifications.notify([rep], "task_assigned", "/tasks", by="Mia", task="Call back")
    page.wait_for_timeout(2500)
    assert len(polls) == asked  # hidden: not one poll
    expect(page.locator("#bell .count")).to_have_text("1")

    page.evaluate("document.getElementById('bell').dataset.pollSeconds = '60'")  # the next tick is a minute away
    page.evaluate(SET_VISIBILITY, "visible")
    expect(page.get_by_role("link", name="Notifications: 2 unread")).to_be_visible()  # at once, not at a tick
    page.get_by_role("link", name="Notifications: 2 unread").click()
    page.wait_for_url("**/notifications")
    expect(page.get_by_role("button", name="Mia gave you a task: Call back")).to_be_visible()
