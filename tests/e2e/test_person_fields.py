"""Person fields beyond 20 people in reach, in a real browser, on a 360 px phone and a 1366 px desk, in English and
Chinese: the allocation console's owner filter and new owner, the deal form's owner, and the screens that carry a
person picker (the audit log's who, the visit list's rep, the customer form's owner) fit and show it."""
import re

import pytest
from playwright.sync_api import expect

from salesweb.customers import queries
from salesweb.models import Deal

from . import conftest
from .conftest import NARROW_PHONE, screenshot, sign_in

pytestmark = pytest.mark.browser
DESK = {"viewport": {"width": 1366, "height": 900}}


IDLE = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"


def _pick(page, field_id, typed, name):
    # as a person types: once the page has settled (typed into a field htmx is still setting up, nothing is asked)
    page.wait_for_function(IDLE)
    page.locator(f"#{field_id}-name").fill(typed)
    option = page.locator(f"#{field_id}-options .picker-option", has_text=name)
    expect(option).to_have_count(1)
    option.first.click()
    expect(page.locator(f"#{field_id}-name")).to_have_value(name)


@pytest.mark.parametrize("locale", ["en", "zh"])
@pytest.mark.parametrize("size", ["phone", "desk"])
def test_ops_reassigns_through_the_allocation_consoles_pickers(make, new_page, locale, size):
    ops = make.user("ops", name="Olga Ops", locale=locale)
    reps = [make.user("rep", name=f"Rep {i:02d}") for i in range(queries.PEOPLE_LISTED + 2)]
    for name in ("Alpha Ltd", "Beta Co"):
        make.customer(reps[4], name=name, region="Jiangsu")
    page = new_page(**(NARROW_PHONE if size == "phone" else DESK))
    sign_in(page, ops)
    page.goto("/ops/allocation")
    expect(page.locator("#owner-name")).to_be_visible()
    expect(page.locator("#region-rep-name")).to_be_visible()  # the regions card's rep, a picker too
    _pick(page, "owner", "rep 04", "Rep 04")
    page.locator("#choose form.filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"owner={reps[4].id}"))
    expect(page.locator("#choose table.load tbody tr")).to_have_count(2)
    _pick(page, "to_owner", "rep 1", "Rep 12")
    if size == "phone":
        conftest.assert_fits_phone(page, f"/ops/allocation with pickers ({locale})", 360)
    screenshot(page, f"allocation-pickers-{locale}-{size}")
    page.locator("#choose form[method=post] button.primary").click()
    expect(page.locator("#preview")).to_contain_text("Rep 12")
    expect(page.locator("#preview")).to_contain_text("Rep 04")


@pytest.mark.parametrize("locale", ["en", "zh"])
@pytest.mark.parametrize("size", ["phone", "desk"])
def test_a_manager_gives_a_deal_to_someone_typed_and_the_other_person_fields_fit(make, new_page, locale, size):
    boss = make.user("manager", name="Boss Ma", locale=locale)
    reps = [make.user("rep", name=f"Rep {i:02d}", reports_to=boss) for i in range(queries.PEOPLE_LISTED + 1)]
    customer = make.customer(reps[0], name="Acme")
    deal = make.deal(reps[0], customer=customer, title="Acme renewal")
    page = new_page(**(NARROW_PHONE if size == "phone" else DESK))
    sign_in(page, boss)
    for url, field, shot in ((f"/deals/{deal.id}/edit", "owner", "deal-form"), ("/customers/new", "owner",
                             "customer-form"), ("/visits", "rep", "visit-list")):
        page.goto(url)
        expect(page.locator(f"#{field}-name")).to_be_visible()
        if size == "phone":
            conftest.assert_fits_phone(page, f"{url} ({locale})", 360)
        screenshot(page, f"{shot}-picker-{locale}-{size}")
    page.goto(f"/deals/{deal.id}/edit")
    expect(page.locator("#owner-name")).to_have_value("Rep 00")
    _pick(page, "owner", "rep 15", "Rep 15")
    page.locator("form button.primary[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/deals/{deal.id}$"))
    assert Deal.get_by_id(deal.id).owner_id == reps[15].id


@pytest.mark.parametrize("locale", ["en", "zh"])
@pytest.mark.parametrize("size", ["phone", "desk"])
def test_the_audit_logs_who_is_a_picker_and_the_log_pages_by_key(app, make, new_page, locale, size):
    admin = make.user("admin", name="Ada Admin", locale=locale)
    for i in range(queries.PEOPLE_LISTED + 1):
        make.user("rep", name=f"Rep {i:02d}")
    app.config["PAGE_SIZE"] = 5
    page = new_page(**(NARROW_PHONE if size == "phone" else DESK))
    sign_in(page, admin)
    page.goto("/audit/")
    _pick(page, "actor", "ada", "Ada Admin")
    expect(page).to_have_url(re.compile(rf"actor={admin.id}"))
    page.goto("/audit/")
    page.locator("nav.pager a[rel=next]").click()
    expect(page.locator("nav.pager a[rel=prev]")).to_be_visible()
    if size == "phone":
        conftest.assert_fits_phone(page, f"/audit/ ({locale})", 360)
    screenshot(page, f"audit-picker-{locale}-{size}")
