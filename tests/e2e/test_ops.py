"""Sales operations in the browser: ops rebalances 20 customers from one rep to another with a preview and can undo
it; a rep files an expense with a photo of the receipt on a phone; the manager approves it from a phone."""
import datetime
import re

import pytest
from playwright.sync_api import expect

from salesweb.models import Customer, Expense, Reallocation
from salesweb.expenses import budgets, queries as expenses

from .conftest import DESKTOP, NARROW_PHONE, allow_invalid_form_response, assert_fits_phone, screenshot, sign_in

pytestmark = pytest.mark.browser

# A real 1×1 PNG: what a phone camera hands over is checked by its content, not its name.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478da63f8cf"
                    "c0000003010100c9fe92ef0000000049454e44ae426082")


@pytest.fixture
def east(app, make):
    boss = make.user("manager", name="Wang Fang", team="East")
    li = make.user("rep", name="Li Na", team="East", reports_to=boss)
    chen = make.user("rep", name="Chen Jie", team="East", reports_to=boss)
    with app.app_context():
        for i in range(20):
            make.customer(li, name=f"Suzhou Client {i:02d}", tier="C", region="Jiangsu")
        for i in range(5):
            make.customer(li, name=f"Key Account {i}", tier="A", region="Jiangsu")
        make.customer(chen, name="Hangzhou Tea", tier="B", region="Zhejiang")
    return {"boss": boss, "li": li, "chen": chen}


def test_ops_rebalances_twenty_customers_from_one_rep_to_another(app, make, east, new_page):
    ops = make.user("ops", name="Olga Ops")
    page = new_page(**DESKTOP)
    sign_in(page, ops)
    page.get_by_role("link", name="Allocation").click()
    expect(page.get_by_role("heading", name="Who covers what")).to_be_visible()
    li_row = page.get_by_role("row", name=re.compile("Li Na"))
    expect(li_row).to_contain_text("Heavy load")  # 25 against Chen's 1
    screenshot(page, "allocation-desktop")

    page.get_by_label("Owner", exact=True).select_option(label="Li Na")
    page.get_by_label("Tier", exact=True).select_option("C")
    page.get_by_role("button", name="Find customers").click()
    expect(page.get_by_text("20 customers match.")).to_be_visible()
    page.get_by_label("Give them to").select_option(label="Chen Jie")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Moving 20 customers to Chen Jie")
    expect(preview.get_by_role("row", name=re.compile("Li Na"))).to_contain_text("25 → 5")
    expect(preview.get_by_role("row", name=re.compile("Chen Jie"))).to_contain_text("1 → 21")
    assert Customer.select().where(Customer.owner == east["chen"].id).count() == 1  # a preview changes nothing
    screenshot(page, "allocation-preview")
    page.get_by_role("button", name="Reassign 20 customers").click()
    expect(page.get_by_text("20 customers given to Chen Jie.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Chen Jie")).first).to_contain_text("21")
    assert Customer.select().where(Customer.owner == east["chen"].id).count() == 21

    page.locator("#recent").get_by_role("button", name="Undo").click()
    expect(page.get_by_text("Undone: 20 customers are back with their former owners.")).to_be_visible()
    assert Customer.select().where(Customer.owner == east["li"].id).count() == 25
    assert Reallocation.get().undone_at is not None


def test_a_rep_files_an_expense_on_a_phone_and_the_manager_approves_it(app, make, east, new_page, tmp_path,
                                                                       browser_errors):
    ops = make.user("ops")
    with app.app_context():
        team = east["li"].team
        budgets.save(ops, team, *expenses.quarter_of(datetime.date.today()), {"travel": 200_00})
    receipt = tmp_path / "taxi.png"
    receipt.write_bytes(PNG)

    phone = new_page(**NARROW_PHONE)
    sign_in(phone, east["li"])
    phone.get_by_role("link", name="Expenses").click()
    phone.get_by_role("link", name="File a claim").first.click()
    expect(phone.get_by_role("heading", name="File an expense claim")).to_be_visible()
    phone.get_by_label("Amount").fill("-80")
    phone.get_by_label("What it was for").fill("Taxi to Suzhou Client 03 and back")
    with phone.expect_response(re.compile(r"/expenses/new$")) as refused:
        phone.get_by_role("button", name="File the claim").click()
    expect(phone.get_by_text("Attach the receipt: a photo or a PDF.")).to_be_visible()  # nothing filed
    allow_invalid_form_response(browser_errors, refused.value)
    assert Expense.select().count() == 0
    phone.get_by_label("Amount").fill("268.50")
    phone.get_by_role("combobox", name="Customer").press_sequentially("Client 03", delay=30)
    phone.get_by_role("option", name=re.compile("Suzhou Client 03")).click()
    phone.get_by_label("Receipt").set_input_files(str(receipt))
    assert_fits_phone(phone, "expense form", 360)
    screenshot(phone, "expense-form-360")
    phone.get_by_role("button", name="File the claim").click()
    expect(phone.get_by_text("Waiting for approval")).to_be_visible()
    expect(phone.get_by_role("link", name="taxi.png")).to_be_visible()
    claim = Expense.get()
    assert (claim.amount, claim.status, claim.customer.name) == (268_50, "submitted", "Suzhou Client 03")

    boss = new_page(**NARROW_PHONE)
    sign_in(boss, east["boss"])
    boss.get_by_role("link", name="Expense claims").click()
    expect(boss.get_by_role("heading", name="1 claim waits for your decision")).to_be_visible()
    boss.get_by_role("link", name="Review").click()
    expect(boss.get_by_role("alert")).to_contain_text("takes the team over its Travel budget")
    assert_fits_phone(boss, "expense decision", 360)
    screenshot(boss, "expense-decision-360")
    boss.get_by_role("button", name="Approve over budget").click()
    expect(boss.get_by_text("Claim approved; sales support will pay it.")).to_be_visible()
    claim = Expense.get()
    assert (claim.status, claim.over_budget, claim.decided_by_id) == ("approved", 1, east["boss"].id)
