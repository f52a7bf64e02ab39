"""Budgets and expense claims: the arithmetic, the claim's path (file → approve/reject → paid), refusals, scope,
audit entries and the pages."""
import datetime
import io

import pytest

from salesweb.models import AuditEvent, Budget, Expense, Notification, StoredFile, Visit
from salesweb.expenses import budgets, queries, rules as expenses
from salesweb.core import settings
from salesweb.core.errors import Invalid, Stale
from tests.conftest import login, post
from tests.infra.test_storage import PNG

TODAY = datetime.date(2026, 11, 23)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def east(app, make):
    manager = make.user("manager", team="East", name="Wang Fang")
    rep = make.user("rep", team="East", reports_to=manager, name="Li Na")
    return manager, rep, make.customer(rep, name="Acme Pumps")


def upload(app, data=PNG, name="receipt.png"):
    return io.BytesIO(data), name, app.config["UPLOAD_DIR"], 5 * 1024 * 1024


def claim(app, rep, amount=300_00, category="travel", day=TODAY, **values):
    return expenses.file(rep, {"spent_on": day, "category": category, "amount": amount,
                               "description": "Taxi to Acme", **values}, upload(app), settings.current(), TODAY)


def test_quarters_and_budget_lines_add_up(app, make, east):
    manager, rep, _customer = east
    ops = make.user("ops")
    assert queries.quarter_of(datetime.date(2026, 11, 23)) == (2026, 4)
    assert queries.quarter_range(2026, 4) == (datetime.date(2026, 10, 1), datetime.date(2027, 1, 1))
    assert queries.quarter_range(2026, 1) == (datetime.date(2026, 1, 1), datetime.date(2026, 4, 1))
    team = rep.team
    budgets.save(ops, team, 2026, 4, {"travel": 1000_00, "events": 0})
    approved, paid, waiting = claim(app, rep, 300_00), claim(app, rep, 250_00), claim(app, rep, 100_00)
    rejected = claim(app, rep, 999_00)
    claim(app, rep, 77_00, day=datetime.date(2026, 9, 30))  # last quarter: not counted
    expenses.approve(approved, approved.version, manager)
    expenses.approve(paid, paid.version, manager)
    expenses.mark_paid(Expense.get_by_id(paid.id), 2, make.user("support"))
    expenses.reject(rejected, rejected.version, manager, "No receipt detail")
    [east_budget] = queries.team_budgets(ops, 2026, 4)
    line = east_budget.lines["travel"]
    assert (line.planned, line.spent, line.pending, line.left, line.over) == (1000_00, 550_00, 100_00, 450_00, False)
    assert east_budget.total.planned == 1000_00 and east_budget.lines["events"].planned == 0
    effect = queries.budget_effect(waiting)
    assert effect == {"planned": 1000_00, "spent": 550_00, "after": 650_00, "over": False}
    # Claims still waiting count in none of the others' effects: only what is approved or paid is spent.
    assert queries.budget_effect(claim(app, rep, 450_00))["over"] is False  # 550 + 450 = 1000: just within
    assert queries.budget_effect(claim(app, rep, 451_00)) == {"planned": 1000_00, "spent": 550_00,
                                                               "after": 1001_00, "over": True}


def test_budget_save_validates_and_audits_each_change(app, make, east):
    _manager, rep, _customer = east
    ops = make.user("ops")
    with pytest.raises(Invalid) as refused:
        budgets.save(ops, rep.team, 2026, 4, {"travel": -1, "events": 10**14})
    assert set(refused.value.errors) == {"travel", "events"}
    with pytest.raises(Invalid):
        budgets.save(make.user("manager", team="East"), rep.team, 2026, 4, {"travel": 100})
    assert Budget.select().count() == 0
    assert budgets.save(ops, rep.team, 2026, 4, {"travel": 500_00, "events": 0}) == {"travel": 500_00}
    assert budgets.save(ops, rep.team, 2026, 4, {"travel": 600_00}) == {"travel": 600_00}
    assert Budget.get().amount == 600_00
    assert AuditEvent.select().where(AuditEvent.object_type == "budget").count() == 2


def test_an_approval_over_budget_is_flagged_and_the_path_notifies_everyone(app, make, east):
    manager, rep, _customer = east
    ops, support = make.user("ops"), make.user("support")
    budgets.save(ops, rep.team, 2026, 4, {"travel": 500_00})
    first = claim(app, rep, 400_00)
    assert Notification.get(Notification.kind == "expense_filed").user_id == manager.id
    expenses.approve(first, first.version, manager)
    second = claim(app, rep, 200_00)
    assert queries.budget_effect(second) == {"planned": 500_00, "spent": 400_00, "after": 600_00, "over": True}
    approved = expenses.approve(second, second.version, manager, "Trade fair week")
    assert approved.over_budget == 1 and approved.status == "approved"
    assert Notification.select().where((Notification.kind == "expense_to_pay")
                                       & (Notification.user == support.id)).count() == 2
    paid = expenses.mark_paid(approved, approved.version, support, "TX-881")
    assert paid.status == "paid" and paid.payment_reference == "TX-881"
    assert {n.kind for n in Notification.select().where(Notification.user == rep.id)} == {
        "expense_approved", "expense_paid"}
    summaries = [e.summary for e in AuditEvent.select().where(AuditEvent.object_type == "expense")
                 .order_by(AuditEvent.id)]
    assert "Expense approved over budget" in summaries and "Expense paid (TX-881)" in summaries


def test_who_decides_and_who_pays(app, make, east):
    manager, rep, _customer = east
    other_manager = make.user("manager", team="West")
    support, ops = make.user("support"), make.user("ops")
    item = claim(app, rep)
    for someone in (rep, other_manager, support):
        with pytest.raises(Invalid):
            expenses.approve(item, item.version, someone)
    with pytest.raises(Invalid):
        expenses.mark_paid(item, item.version, support)  # not approved yet
    with pytest.raises(Invalid):
        expenses.reject(item, item.version, manager, "  ")  # a reason is needed
    own = claim(app, manager)  # a manager's own claim goes to ops (they report to no one)
    assert not expenses.may_decide(manager, own, manager)
    assert expenses.may_decide(ops, own, manager)
    assert [e.id for e in queries.waiting_for(ops)] == [own.id]
    assert [e.id for e in queries.waiting_for(manager)] == [item.id]
    approved = expenses.approve(item, item.version, manager)
    with pytest.raises(Invalid):
        expenses.mark_paid(approved, approved.version, ops)  # support pays
    with pytest.raises(Stale):
        expenses.mark_paid(approved, item.version, support)  # an old version: someone acted meanwhile


@pytest.mark.parametrize("values, field", [
    ({"amount": -5_00}, "amount"), ({"amount": 0}, "amount"), ({"amount": 10**12}, "amount"),
    ({"spent_on": TODAY + datetime.timedelta(days=1)}, "spent_on"),
    ({"spent_on": TODAY - datetime.timedelta(days=400)}, "spent_on"),
    ({"category": "yacht"}, "category"), ({"description": "  "}, "description"),
])
def test_bad_claims_are_refused_and_write_nothing(app, make, east, values, field):
    _manager, rep, _customer = east
    with pytest.raises(Invalid) as refused:
        claim(app, rep, **({"amount": 300_00} | values))
    assert field in refused.value.errors
    assert Expense.select().count() == 0 and StoredFile.select().count() == 0


def test_claims_on_another_reps_visit_or_customer_and_wrong_receipts_are_refused(app, make, east):
    manager, rep, customer = east
    colleague = make.user("rep", team="East", reports_to=manager)
    theirs = Visit.create(customer=make.customer(colleague), rep=colleague, status="done")
    with pytest.raises(Invalid) as refused:
        claim(app, rep, visit=theirs.id)
    assert "visit" in refused.value.errors
    with pytest.raises(Invalid) as refused:
        claim(app, rep, customer=make.customer(colleague).id)
    assert "customer" in refused.value.errors
    for data, name in ((b"MZ\x90\x00" + b"\x00" * 64, "receipt.exe"), (b"<svg onload=alert(1)>", "receipt.png"),
                       (b"", "empty.png")):
        with pytest.raises(Invalid) as refused:
            expenses.file(rep, {"spent_on": TODAY, "category": "travel", "amount": 100, "description": "x"},
                          upload(app, data, name), settings.current(), TODAY)
        assert "receipt" in refused.value.errors
    with pytest.raises(Invalid) as refused:
        expenses.file(rep, {"spent_on": TODAY, "category": "travel", "amount": 100, "description": "x"}, None,
                      settings.current(), TODAY)
    assert "receipt" in refused.value.errors
    mine = Visit.create(customer=customer, rep=rep, status="done")
    linked = claim(app, rep, visit=mine.id)
    assert linked.customer_id == customer.id  # the visit's customer
    assert Expense.select().count() == 1


# --- pages ------------------------------------------------------------------------------------------------------

def client_for(app, user):
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def test_claims_are_seen_by_claimant_manager_support_and_ops_only(app, make, east):
    manager, rep, _customer = east
    item = claim(app, rep)
    stranger = make.user("rep", team="West")
    other_manager = make.user("manager", team="West")
    for outsider in (stranger, other_manager):
        client = client_for(app, outsider)
        assert client.get(f"/expenses/{item.id}").status_code == 404
        assert client.get(f"/expenses/{item.id}/receipt").status_code == 404
        assert post(client, f"/expenses/{item.id}/approve", {"version": "1"}).status_code == 404
    for insider in (rep, manager, make.user("support"), make.user("ops"), make.user("admin")):
        assert client_for(app, insider).get(f"/expenses/{item.id}").status_code == 200
    receipt = client_for(app, rep).get(f"/expenses/{item.id}/receipt")
    assert receipt.status_code == 200 and receipt.headers["X-Content-Type-Options"] == "nosniff"
    assert client_for(app, make.user("support")).get("/expenses/new").status_code == 403
    assert client_for(app, rep).get("/budgets").status_code == 403


def test_filing_a_claim_through_the_form(app, make, east):
    manager, rep, customer = east
    client = client_for(app, rep)
    form = {"spent_on": TODAY.isoformat(), "category": "travel", "amount": "-12", "description": "Taxi",
            "customer": str(customer.id)}
    refused = post(client, "/expenses/new", {**form, "receipt": (io.BytesIO(PNG), "r.png")},
                   content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "Enter an amount between 0 and 100,000,000,000." in refused.get_data(as_text=True)
    assert Expense.select().count() == 0
    done = post(client, "/expenses/new", {**form, "amount": "1,234.50", "receipt": (io.BytesIO(PNG), "r.png")},
                content_type="multipart/form-data")
    assert done.status_code == 303
    item = Expense.get()
    assert (item.amount, item.customer_id, item.team_id) == (1234_50, customer.id, rep.team_id)


def test_manager_approves_from_the_page_and_sees_the_budget_warning(app, make, east):
    manager, rep, _customer = east
    ops = make.user("ops")
    budgets.save(ops, rep.team, 2026, 4, {"travel": 100_00})
    item = claim(app, rep, 300_00, day=TODAY)
    client = client_for(app, manager)
    page = client.get(f"/expenses/{item.id}").get_data(as_text=True)
    assert "Approving this takes the team over its Travel budget" in page and "Approve over budget" in page
    assert post(client, f"/expenses/{item.id}/approve", {"version": str(item.version)}).status_code == 303
    assert Expense.get_by_id(item.id).status == "approved"
    again = post(client, f"/expenses/{item.id}/reject", {"version": str(item.version), "note": "late"})
    assert again.status_code == 422 and Expense.get_by_id(item.id).status == "approved"


def test_budget_sheet_for_ops_and_a_team_manager(app, make, east):
    manager, rep, _customer = east
    ops = make.user("ops")
    make.user("manager", team="West")
    client = client_for(app, ops)
    saved = post(client, f"/budgets/{rep.team_id}", {"quarter": "2026-Q4", "travel": "12,000", "events": "500",
                                                     "samples": "", "hospitality": "0", "other": ""})
    assert saved.status_code == 303
    assert Budget.get(Budget.category == "travel").amount == 12_000_00
    bad = post(client, f"/budgets/{rep.team_id}", {"quarter": "2026-Q4", "travel": "-3", "events": "abc"})
    assert bad.status_code == 422 and Budget.get(Budget.category == "travel").amount == 12_000_00
    mine = client_for(app, manager).get("/budgets?quarter=2026-Q4").get_data(as_text=True)
    assert "East" in mine and "West" not in mine and "12,000" in mine
    assert post(client_for(app, manager), f"/budgets/{rep.team_id}", {"quarter": "2026-Q4", "travel": "1"}
                ).status_code == 403
    csv = client.get("/budgets.csv?quarter=2026-Q4").get_data(as_text=True)
    assert "East,Travel,12000.00" in csv


def test_each_role_lands_on_its_list_of_claims(app, make, east):
    manager, rep, _customer = east
    item = claim(app, rep)
    for user, expected in ((rep, "Taxi to Acme"), (manager, "1 claim waits for your decision"),
                           (make.user("support"), "No claims here."), (make.user("ops"), "Taxi to Acme")):
        page = client_for(app, user).get("/expenses")
        assert page.status_code == 200 and expected in page.get_data(as_text=True), user.role
    expenses.approve(item, item.version, manager)
    assert "Taxi to Acme" in client_for(app, make.user("support")).get("/expenses").get_data(as_text=True)
    assert client_for(app, rep).get("/expenses?status=bogus").status_code == 200


def test_ops_decides_only_for_claimants_without_an_active_manager(app, make, east):
    manager, rep, _customer = east
    ops = make.user("ops")
    item = claim(app, rep)
    page = client_for(app, ops).get(f"/expenses/{item.id}").get_data(as_text=True)
    assert "Your decision" not in page  # the manager decides
    from salesweb.models import User
    User.update(active=False).where(User.id == manager.id).execute()
    assert [e.id for e in queries.waiting_for(ops)] == [item.id]
    assert "Your decision" in client_for(app, ops).get(f"/expenses/{item.id}").get_data(as_text=True)


def test_a_posted_visit_of_someone_else_is_refused_in_the_form(app, make, east):
    manager, rep, customer = east
    colleague = make.user("rep", team="East", reports_to=manager)
    theirs = Visit.create(customer=make.customer(colleague), rep=colleague, status="done")
    refused = post(client_for(app, rep), "/expenses/new", {
        "spent_on": TODAY.isoformat(), "category": "travel", "amount": "12", "description": "Taxi",
        "visit": str(theirs.id), "receipt": (io.BytesIO(PNG), "r.png")}, content_type="multipart/form-data")
    assert refused.status_code == 422 and "Choose one of your own visits." in refused.get_data(as_text=True)
    assert Expense.select().count() == 0


def test_a_budget_for_no_real_quarter_is_refused(app, make, east):
    _manager, rep, _customer = east
    client = client_for(app, make.user("ops"))
    for quarter in ("1999-Q1", "2026-Q5", "soon", ""):
        response = post(client, f"/budgets/{rep.team_id}", {"quarter": quarter, "travel": "100"})
        assert response.status_code == 422, quarter
    assert Budget.select().count() == 0


def test_each_role_and_filter_lists_the_claims_in_its_scope_with_their_people(app, make, east):
    """Every shape of the claims list's kept statements: each role's scope, each filter, a later page."""
    manager, rep, customer = east
    outsider = make.user("rep", team="West", name="Zhou Kai")
    claim(app, rep, customer=customer.id, description="Lunch with Acme")
    claim(app, rep, description="Train ticket")
    claim(app, outsider, description="Hotel in Xi'an")
    viewers = {"rep": rep, "manager": manager, "support": make.user("support"), "ops": make.user("ops"),
               "admin": make.user("admin")}
    for role, user in viewers.items():
        client = client_for(app, user)
        for status in queries.LIST_FILTERS + ("",):
            for page_number in ("1", "2"):
                page = client.get(f"/expenses?status={status}&page={page_number}")
                assert page.status_code == 200, (role, status)
        page = client.get("/expenses?status=all").get_data(as_text=True)
        assert "Li Na" in page and "Acme Pumps" in page and "Train ticket" in page, role
        assert ("Hotel in Xi" in page) == (role in ("support", "ops", "admin")), role
        paid = client.get("/expenses?status=paid").get_data(as_text=True).split('id="expense-list"')[1]
        assert "Lunch with Acme" not in paid and "No claims here." in paid
