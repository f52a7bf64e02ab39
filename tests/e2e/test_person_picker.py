"""The person picker on a phone 360 px wide, in English and Chinese: a director with more people than a select
should hold types part of a name, picks an owner, and the customer list follows; emptied, it is anyone again."""
import re

import pytest
from playwright.sync_api import expect

from salesweb.customers import queries

from . import conftest
from .conftest import NARROW_PHONE, screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_a_director_picks_an_owner_by_typing_on_a_narrow_phone(make, new_page, locale):
    director = make.user("manager", name="Dana Director", locale=locale)
    reps = [make.user("rep", name=f"Rep {i:02d}", reports_to=director) for i in range(queries.PEOPLE_LISTED + 2)]
    make.customer(reps[7], name="Seventh Heaven Ltd")
    make.customer(reps[8], name="Eighth Wonder Co")
    make.user("rep", name="Rep Outsider")  # another team's: never offered

    page = new_page(**NARROW_PHONE)
    sign_in(page, director)
    page.goto("/customers")
    rows = page.locator("#customer-list table.customers tbody tr")
    expect(rows).to_have_count(2)
    owner = page.locator("#owner-name")
    expect(owner).to_have_value("")
    owner.fill("rep 0")
    options = page.locator("#owner-options .picker-option")
    expect(options).to_have_count(10)  # Rep 00 ... Rep 09, and not the outsider
    owner.fill("rep 07")
    expect(options).to_have_count(1)
    conftest.assert_fits_phone(page, f"/customers with the person picker open ({locale})", 360)
    screenshot(page, f"person-picker-{locale}-360")
    options.first.tap()
    expect(owner).to_have_value("Rep 07")
    expect(page).to_have_url(re.compile(rf"/customers\?(.*&)?owner={reps[7].id}(&|$)"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Seventh Heaven Ltd")

    page.reload()  # the choice stays shown on the page the URL names
    expect(page.locator("#owner-name")).to_have_value("Rep 07")
    expect(rows).to_have_count(1)
    page.locator("#owner-name").fill("")
    expect(rows).to_have_count(2)
    conftest.assert_fits_phone(page, f"/customers ({locale})", 360)
