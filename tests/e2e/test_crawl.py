"""Every page the app serves, opened in Chromium as each role, with hostile text in every field the pages show:
no script in the text runs, no markup in it becomes an element, and no page reports a Content-Security-Policy
violation or any other console error (the fixtures fail the test on one)."""
import pytest

from salesweb.models import (CollateralItem, Contact, Customer, CustomerNote, Deal, Expense, Feedback, HelpRequest,
                             Product, Task, Team, User, Visit)
from tests.conftest import PASSWORD
from tests.hardening.test_url_policy import POLICY
from tests.hardening.walk import QUERY, rules, url_for_rule
from tests.hardening.world import build

pytestmark = pytest.mark.browser

PAYLOAD = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">"\'&<b>bold</b> 客户'
# Answers that are not pages: files (the page icon too), feeds, exports, fragments polled by script, and the health
# check.
NOT_PAGES = ("download", "export", "receipt", "photo", "file", "attachment", "feeds.", "static", "favicon", "healthz",
             "notification_bell", ".pick", "customer_fields", "more_cards", "quick_add_form", "pipeline.close",
             "shared.", "public.")
INERT = """() => ({
  ran: window.__xss || null,
  handlers: document.querySelectorAll('[onerror], [onload], [onclick]').length,
  bold: [...document.querySelectorAll('b')].filter(b => b.textContent === 'bold').length,
  scripts: [...document.scripts].filter(s => s.textContent.includes('__xss')).length,
})"""


def poison(world):
    """Every text field the pages show, given the payload (as an import or an old version might have left it)."""
    ids = world.ids
    Customer.update(name=PAYLOAD + " Acme", industry=PAYLOAD, region=PAYLOAD, address=PAYLOAD, notes=PAYLOAD).where(
        Customer.id == ids["customer_id"]).execute()
    Contact.update(name=PAYLOAD, title=PAYLOAD, email=PAYLOAD).where(Contact.id == ids["contact_id"]).execute()
    Deal.update(title=PAYLOAD, next_step=PAYLOAD, notes=PAYLOAD).execute()
    Visit.update(purpose=PAYLOAD, notes=PAYLOAD, next_step=PAYLOAD, market_note=PAYLOAD).execute()
    Task.update(title=PAYLOAD).execute()
    Expense.update(description=PAYLOAD).execute()
    Feedback.update(description=PAYLOAD).execute()
    HelpRequest.update(question=PAYLOAD).execute()
    CollateralItem.update(title=PAYLOAD, description=PAYLOAD).execute()
    CustomerNote.create(customer=ids["customer_id"], author=world.users["rep"], body=PAYLOAD)
    Product.update(name=PAYLOAD).execute()
    Team.update(name=PAYLOAD).where(Team.id == ids["team_id"]).execute()
    User.update(name=PAYLOAD).where(User.id == world.users["rep"].id).execute()


@pytest.mark.parametrize("role", ["rep", "manager", "support", "ops", "admin"])
def test_every_page_renders_hostile_text_inert_without_csp_violations(app, make, new_page, role):
    world = build(app, make)
    poison(world)
    page = new_page()
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(world.users[role].email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    seen = shown = 0
    for endpoint, method, rule in rules(app):
        if method != "GET" or POLICY[(endpoint, method)][role] != "ok" or any(n in endpoint for n in NOT_PAGES):
            continue
        url = url_for_rule(rule, endpoint, world.ids)
        query = "&".join(f"{k}={world.ids[v]}" for k, v in QUERY.get(endpoint, {}).items())
        response = page.goto(url + (f"?{query}" if query else ""))
        assert response.status == 200, (endpoint, response.status)
        found = page.evaluate(INERT)
        assert found == {"ran": None, "handlers": 0, "bold": 0, "scripts": 0}, (endpoint, found)
        seen += 1
        shown += "&lt;script&gt;window.__xss=1" in page.content()
    assert shown >= 15, "too few pages showed the hostile text for this test to mean anything"
    assert seen >= {"rep": 30, "manager": 35, "support": 30, "ops": 35, "admin": 30}[role]
