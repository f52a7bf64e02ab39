"""The rep's day in the browser: log a visit from Today on a phone with a check-in, then the manager's
comment comes back to the rep."""
import datetime
import re

import pytest
from playwright.sync_api import expect

from salesweb.infra import stale as stale_at
from salesweb.core.db import utcnow
from salesweb.models import Customer, Deal, Visit

from .conftest import DESKTOP, NARROW_PHONE, PHONE, assert_fits_phone, screenshot, sign_in

pytestmark = pytest.mark.browser

ACME = (31.2304, 121.4737)


def test_a_rep_logs_a_visit_from_today_and_the_manager_coaches(make, new_page):
    boss = make.user("manager", name="Wang Fang", team="East")
    rep = make.user("rep", name="Tom Baker", team="East", reports_to=boss)
    customer = make.customer(rep, name="Acme Shanghai", tier="A")
    Customer.update(next_visit_due=datetime.date.today() - datetime.timedelta(days=12), lat=ACME[0],
                    lon=ACME[1]).where(Customer.id == customer.id).execute()

    phone = new_page(**PHONE, geolocation={"latitude": ACME[0] + 0.001, "longitude": ACME[1], "accuracy": 12},
                     permissions=["geolocation"])
    sign_in(phone, rep)
    overdue = phone.locator("#overdue-list")
    expect(overdue).to_contain_text("Acme Shanghai")
    expect(phone.locator(".week-count .big-number strong")).to_have_text("0")
    assert_fits_phone(phone, "Today", PHONE["viewport"]["width"])
    screenshot(phone, "today-375")

    overdue.locator("li", has_text="Acme Shanghai").get_by_role("link", name="Log visit").tap()  # one tap to the form
    expect(phone.get_by_role("heading", name="Log visit")).to_be_visible()
    expect(phone.get_by_role("combobox", name="Customer")).to_have_value("Acme Shanghai")
    phone.get_by_role("button", name="Check in here").tap()
    expect(phone.get_by_text(re.compile(r"Position taken, accurate to 12 m"))).to_be_visible()
    phone.get_by_label("Notes").fill("Talked about the 2027 order.")
    phone.get_by_label("Outcome").select_option("positive")
    assert_fits_phone(phone, "Log visit", PHONE["viewport"]["width"])
    screenshot(phone, "log-visit-375")
    phone.get_by_role("button", name="Save").tap()

    expect(phone.get_by_text("Visit to Acme Shanghai logged.")).to_be_visible()
    assert phone.url.endswith("/rep/")
    expect(phone.locator("#overdue-list")).to_have_count(0)  # nobody is overdue any more
    expect(phone.locator(".week-count .big-number strong")).to_have_text("1")
    visit = Visit.get()
    assert visit.verified and visit.distance_m == 111 and visit.notes == "Talked about the 2027 order."
    assert Customer.get_by_id(customer.id).last_visit_at == visit.occurred_at

    desk = new_page(**DESKTOP)
    sign_in(desk, boss)
    desk.goto("/visits")
    desk.get_by_role("link", name=re.compile("Acme Shanghai")).click()
    desk.wait_for_url(re.compile(r"/visits/\d+$"))
    expect(desk.locator(".badge.ok")).to_have_text("Verified on site · 111 m")
    desk.get_by_label("Comment").fill("Good. Bring the engineer next time.")
    desk.get_by_role("button", name="Add comment").click()
    expect(desk.get_by_text("Comment added.")).to_be_visible()

    phone.goto("/rep/")
    comments = phone.get_by_role("region", name=re.compile("New comments from your manager"))
    expect(comments).to_contain_text("Bring the engineer next time.")
    comments.get_by_role("link", name="View").tap()
    expect(phone.locator("#comments")).to_contain_text("Wang Fang")
    phone.goto("/rep/")
    expect(phone.get_by_text("New comments from your manager")).to_have_count(0)
    assert visit.occurred_at <= utcnow()
    phone.goto(f"/customers/{customer.id}")  # the customer's timeline shows the visit as verified
    expect(phone.locator("#timeline .badge.ok")).to_have_text("Verified on site · 111 m")


def test_a_full_today_fits_a_360px_phone_with_a_thumb_sized_action_on_every_row(make, new_page):
    from salesweb.customers import cadence
    from salesweb.core import settings
    from salesweb.visits import tasks, rules as visits
    boss = make.user("manager", name="Wang Fang", team="East")
    rep = make.user("rep", name="Maximiliana Konstantinopoulou", team="East", reports_to=boss)
    today = cadence.local_date(utcnow(), settings.current())  # the install's day (Shanghai), not this machine's
    for n, tier in enumerate("ABC"):
        late = make.customer(rep, name=f"上海长江精密机械制造股份有限公司 {tier}", tier=tier)
        Customer.update(next_visit_due=today - datetime.timedelta(days=10 + n)).where(Customer.id == late.id).execute()
    planned_for = make.customer(rep, name="Hangzhou West Lake Instruments Co., Ltd.")
    visits.plan(planned_for, rep, today, rep, today)
    tasks.create("Send the revised offer with the long list of options", rep, today, rep, today, customer=planned_for)
    stale = make.deal(rep, customer=planned_for, title="Line 3 retrofit")
    Deal.update(next_step="", next_step_due=None).where(Deal.id == stale.id).execute()
    stale_at.recompute(where=Deal.id == stale.id)  # when it goes stale follows, as a write would keep it

    phone = new_page(**NARROW_PHONE)
    sign_in(phone, rep)
    for language in ("en", "zh"):
        if language == "zh":
            phone.get_by_role("button", name="简体中文", exact=True).click()
            expect(phone.locator("html")).to_have_attribute("lang", "zh-CN")
        expect(phone.locator("#overdue-list li")).to_have_count(3)
        expect(phone.locator("#overdue-list li").first).to_contain_text("A")  # A first
        for section in ("planned-head", "tasks-head", "stale-head"):
            expect(phone.locator(f"section[aria-labelledby={section}] li")).to_have_count(1)
        assert_fits_phone(phone, f"Today, every kind of row ({language})", 360)
        actions = phone.locator("main li .button, main li button")
        assert actions.count() >= 6
        for n in range(actions.count()):
            if actions.nth(n).is_visible():
                box = actions.nth(n).bounding_box()
                assert box["height"] >= 44, (actions.nth(n).inner_text(), box)
        screenshot(phone, f"today-full-360-{language}")
