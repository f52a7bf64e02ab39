"""Service in the browser: a customer sends a complaint from the rep's link on a phone; the rep and the manager see it;
support answers it. A rep asks support from the field and gets the answer back."""
import re

import pytest
from playwright.sync_api import expect

from salesweb.models import Feedback, HelpRequest

from .conftest import DESKTOP, NARROW_PHONE, assert_fits_phone, screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def people(app, make):
    boss = make.user("manager", name="Mia Manager", team="East")
    rep = make.user("rep", name="Ann Lee", team="East", reports_to=boss)
    support = make.user("support", name="Sam Support")
    with app.app_context():
        customer = make.customer(rep, name="Harbour Foods Ltd")
    return {"boss": boss, "rep": rep, "support": support, "customer": customer}


def test_a_customer_complains_through_the_link_and_support_answers(app, people, new_page):
    rep = new_page(**DESKTOP)
    sign_in(rep, people["rep"])
    rep.goto(f"/customers/{people['customer'].id}")
    rep.get_by_role("button", name="Send feedback form").click()
    link = rep.get_by_label("Share link").input_value()
    assert re.search(r"/f/[\w-]+$", link)

    customer = new_page(**NARROW_PHONE)  # the customer, not signed in, on a phone
    customer.goto(link)
    expect(customer.get_by_role("heading", level=1)).to_contain_text("Your feedback")
    assert_fits_phone(customer, "public feedback form", 360)
    customer.get_by_label("Something went wrong").check()
    customer.get_by_label("Your message").fill("The second pump arrived with a cracked housing <b>again</b>.")
    customer.get_by_label("Your name (optional)").fill("Li Lei")
    screenshot(customer, "feedback-form-phone")
    customer.get_by_role("button", name="Send").click()
    expect(customer.get_by_role("heading", level=1)).to_have_text("Thank you")
    case = Feedback.get()
    assert (case.source, case.kind, case.contact_name) == ("customer", "complaint", "Li Lei")

    rep.reload()
    expect(rep.get_by_role("link", name="Notifications: 1 unread")).to_be_visible()
    expect(rep.locator("#timeline")).to_contain_text("cracked housing <b>again</b>.")  # shown as typed, inert
    rep.goto("/rep/")
    expect(rep.locator("#tasks-head").locator("..")).to_contain_text(
        "First response: Complaint from Harbour Foods Ltd, “The second pump arrived with a cracked housing <b>again</b>.”")

    manager = new_page(**DESKTOP)
    sign_in(manager, people["boss"])
    manager.goto("/feedback")
    expect(manager.locator(".queue")).to_contain_text("Harbour Foods Ltd")

    desk = new_page(**NARROW_PHONE)
    sign_in(desk, people["support"])
    expect(desk.locator("main")).to_contain_text("Feedback waiting for a response")
    desk.get_by_role("link", name=re.compile("Complaint · Harbour Foods Ltd")).click()
    desk.wait_for_url(re.compile(r"/feedback/\d+$"))
    desk.get_by_label("First response").fill("We are sending a replacement housing today.")
    desk.get_by_role("button", name="Save response").click()
    expect(desk.get_by_role("button", name="Save response")).to_have_count(0)
    expect(desk.locator("main")).to_contain_text("We are sending a replacement housing today.")
    assert_fits_phone(desk, "feedback case", 360)
    assert Feedback.get().responded_by_id == people["support"].id


def test_a_help_request_round_trip(app, people, new_page):
    phone = new_page(**NARROW_PHONE)
    sign_in(phone, people["rep"])
    phone.get_by_role("link", name="Ask support").click()
    phone.wait_for_url(re.compile(r"/requests/new$"))
    phone.get_by_label("Question").fill("Customer wants the English spec sheet for PX-300 now.")
    phone.get_by_label("Urgent: with the customer now").check()
    phone.get_by_label("Customer", exact=True).press_sequentially("Harb", delay=30)
    phone.get_by_role("option", name=re.compile("Harbour Foods Ltd")).click()
    assert_fits_phone(phone, "ask support", 360)
    phone.get_by_role("button", name="Send to support").click()
    phone.wait_for_url(re.compile(r"/requests/\d+$"))
    asked = HelpRequest.get()
    assert asked.urgency == "high" and asked.customer_id == people["customer"].id

    desk = new_page(**DESKTOP)
    sign_in(desk, people["support"])
    expect(desk.get_by_role("link", name="Notifications: 1 unread")).to_be_visible()
    desk.goto("/support/requests")
    desk.get_by_role("link", name=re.compile("English spec sheet")).click()
    desk.wait_for_url(re.compile(r"/requests/\d+$"))
    desk.get_by_role("button", name="Claim").click()
    expect(desk.get_by_role("button", name="Claim")).to_have_count(0)  # the same page, now claimed
    desk.get_by_label("Reply").fill("Sent to your mailbox; also in the library as PX-300 EN.")
    desk.get_by_role("button", name="Reply and mark answered").click()
    expect(desk.locator("#thread")).to_contain_text("PX-300 EN")
    assert HelpRequest.get().status == "answered"

    phone.reload()
    expect(phone.get_by_role("link", name=re.compile(r"Notifications: 2 unread"))).to_be_visible()  # claimed, replied
    expect(phone.locator("#thread")).to_contain_text("PX-300 EN")
    screenshot(phone, "help-request-phone")
    phone.get_by_role("button", name="Close").click()
    expect(phone.locator("#thread")).to_contain_text("This request is closed.")
    assert HelpRequest.get().status == "closed"


IN_VIEW = """(el) => { const box = el.getBoundingClientRect();
  return box.top >= 52 && box.bottom <= window.innerHeight && box.left >= 0 && box.right <= window.innerWidth; }"""


def test_a_link_sent_from_a_phone_shows_where_it_was_asked_for(app, people, new_page):
    with app.app_context():  # a customer page as long as a real one: the section is far below the top
        from salesweb.customers import rules as customers
        for n in range(8):
            customers.add_note(people["customer"], f"Called about the spring order, round {n}.", people["rep"])
    phone = new_page(**NARROW_PHONE)
    sign_in(phone, people["rep"])
    phone.goto(f"/customers/{people['customer'].id}")
    phone.get_by_role("button", name="Send NPS survey").tap()
    heading = phone.get_by_role("heading", name="NPS survey link for Harbour Foods Ltd")
    expect(heading).to_be_visible()
    link = phone.get_by_label("Share link")
    expect(link).to_have_value(re.compile(r"/nps/[\w-]+$"))
    phone.wait_for_function(f"() => {{ const el = document.querySelector('#service input[readonly]'); "
                            f"return el && ({IN_VIEW})(el); }}")
    assert phone.evaluate("() => window.scrollY") > 300  # it did not leave the reader at the top of the page
    assert link.evaluate(IN_VIEW) and heading.evaluate(IN_VIEW)
    assert_fits_phone(phone, "customer page with a survey link", 360)
    screenshot(phone, "survey-link-360")

    phone.get_by_role("button", name="Send feedback form").tap()
    expect(phone.get_by_role("heading", name="Feedback form link for Harbour Foods Ltd")).to_be_visible()
    expect(phone.get_by_label("Share link")).to_have_value(re.compile(r"/f/[\w-]+$"))
    assert phone.get_by_label("Share link").evaluate(IN_VIEW)


def test_a_link_sent_from_the_customer_page_copies_and_hides_a_share_sheet_the_browser_lacks(app, people, new_page):
    page = new_page(**DESKTOP, permissions=["clipboard-read", "clipboard-write"])
    sign_in(page, people["rep"])
    page.goto(f"/customers/{people['customer'].id}")
    page.get_by_role("button", name="Send feedback form").click()
    link = page.get_by_label("Share link")
    expect(link).to_have_value(re.compile(r"/f/[\w-]+$"))
    expect(page.get_by_role("button", name="Send…")).to_be_hidden()  # no share sheet in a desktop browser
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()") == link.input_value()
