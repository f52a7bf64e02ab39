"""Figures in the browser: a manager opens the team home, follows a number to the list behind it and sets a
target from the suggestion; ops filters the analytics (the URL follows) and takes a table as CSV."""
import datetime
import re

import pytest
from playwright.sync_api import expect

from salesweb.infra import rollups
from salesweb.models import Customer, Target
from salesweb.figures.metrics import Period
from salesweb.core.clock import local_today

from .conftest import DESKTOP, NARROW_PHONE, allow_invalid_form_response, assert_fits_phone, screenshot, sign_in

pytestmark = pytest.mark.browser



@pytest.fixture
def team(app, make):
    boss = make.user("manager", name="Mia Manager", team="East")
    ann = make.user("rep", name="Ann Lee", team="East", reports_to=boss)
    bo = make.user("rep", name="Bo Chen", team="East", reports_to=boss)
    cy = make.user("rep", name="Cy West", team="West")
    with app.app_context():
        today = local_today()
        late = make.customer(ann, name="Late Alpha Ltd", tier="A", region="North")
        Customer.update(next_visit_due=today - datetime.timedelta(days=30)).where(Customer.id == late.id).execute()
        rollups.rebuild()  # a due day written as a row, past the rules that keep the customers by due day
        make.customer(bo, name="On Time Beta Ltd", tier="A")
        last_year = Period.of("month", today).a_year_earlier().start
        make.won_deal(ann, last_year, customer=late, amount=300_000_00)
        make.won_deal(bo, today, amount=120_000_00)
        make.won_deal(cy, today, amount=999_000_00, customer=make.customer(cy, region="North"))
    return {"boss": boss, "ann": ann, "bo": bo, "today": today}


def test_a_manager_follows_a_number_and_sets_a_target_from_the_suggestion(app, team, new_page, browser_errors):
    page = new_page(**DESKTOP)
    sign_in(page, team["boss"])
    expect(page.get_by_role("heading", name="Attainment")).to_be_visible()
    expect(page.locator("section[aria-labelledby=attainment-head]")).not_to_contain_text("Cy West")
    expect(page.locator(".leader")).to_have_text("Best seller: Bo Chen, 120,000 won")

    page.get_by_role("link", name=re.compile(r"^A\s+1 customer$")).click()
    page.wait_for_url(re.compile(r"/customers\?tier=A&overdue=y"))
    expect(page.get_by_role("link", name="Late Alpha Ltd")).to_be_visible()
    expect(page.get_by_text("On Time Beta Ltd")).to_have_count(0)

    page.go_back()
    page.get_by_role("link", name="Set targets").click()
    page.wait_for_url(re.compile(r"/manager/targets"))
    expect(page.get_by_text("300,000 × (1 + 10 %) = 330,000")).to_have_count(2)  # Ann's, and the team's
    page.get_by_label("Growth on last year").fill("20")
    page.get_by_role("button", name="Fill empty targets with suggestions").click()
    expect(page.get_by_label("Ann Lee", exact=True)).to_have_value("360,000")  # 300,000 × 1.2
    expect(page.get_by_text("300,000 × (1 + 20 %) = 360,000").first).to_be_visible()
    expect(page.get_by_label("Team target")).to_have_value("360,000")  # the team's reps sold 300,000
    page.get_by_label("Bo Chen", exact=True).fill("140,000")
    with page.expect_console_message(lambda m: m.type == "error" and "status of 422" in m.text), \
            page.expect_response(re.compile(r"/manager/targets\?")) as refused:
        page.get_by_role("button", name="Save targets").first.click()
    allow_invalid_form_response(browser_errors, refused.value)
    expect(page.get_by_text("The reps' targets add up to 500,000, not the team's 360,000.")).to_be_visible()
    page.get_by_label("Team target").fill("500,000")
    page.get_by_role("button", name="Save targets").first.click()
    expect(page.locator(".flash")).to_contain_text("Targets saved: 3 changed.")
    with app.app_context():
        start = Period.of("month", team["today"]).start
        assert {(t.user_id, t.team_id): t.amount for t in Target.select().where(Target.starts_on == start)} == {
            (team["ann"].id, None): 360_000_00, (team["bo"].id, None): 140_000_00,
            (None, team["ann"].team_id): 500_000_00}

    page.get_by_role("link", name="Team", exact=True).first.click()
    page.wait_for_url(re.compile(r"/manager/$"))
    row = page.locator("section[aria-labelledby=attainment-head] tr", has_text="Bo Chen")
    expect(row).to_contain_text("140,000")
    expect(row).to_contain_text("86%")  # 120,000 won of 140,000

    phone = new_page(**NARROW_PHONE)
    sign_in(phone, team["boss"])
    assert_fits_phone(phone, "team home", 360)
    screenshot(phone, "manager-home-360")
    phone.goto("/manager/targets")
    assert_fits_phone(phone, "targets", 360)
    screenshot(phone, "manager-targets-360")


def test_ops_filters_the_analytics_and_exports_a_table(app, team, make, new_page, browser_errors):
    ops = make.user("ops", name="Olga Ops")
    page = new_page(**DESKTOP, accept_downloads=True)
    sign_in(page, ops)
    expect(page.get_by_role("heading", name="Attainment by team")).to_be_visible()
    expect(page.locator("#figures")).to_contain_text("1,119,000")  # everyone's won this month
    page.get_by_label("Region").select_option("North")
    page.wait_for_url(re.compile(r"region=North"))
    expect(page.locator("#figures")).to_contain_text("999,000")
    expect(page.locator("#figures")).not_to_contain_text("1,119,000")
    page.get_by_role("link", name="Trends and forecast").click()
    page.wait_for_url(re.compile(r"/ops/trends\?.*region=North"))
    expect(page.get_by_role("heading", name="The last 12 months")).to_be_visible()
    with page.expect_download() as got:
        page.get_by_role("link", name=re.compile("CSV.*The last 12 months")).click()
    assert got.value.suggested_filename.startswith("trends-")
    text = open(got.value.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0] == "Month,Won amount,Won deals,New deals,Visits" and "999000.00" in text
    screenshot(page, "ops-trends-desktop")

    phone = new_page(**NARROW_PHONE)
    sign_in(phone, ops)
    for url in ("/ops/", "/ops/activity", "/ops/trends", "/ops/outcomes"):
        phone.goto(url)
        assert_fits_phone(phone, url, 360)
    screenshot(phone, "ops-outcomes-360")
