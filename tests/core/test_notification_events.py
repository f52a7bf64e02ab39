"""Comments and assignments notify the person they concern, with a link to the record; one's own doing does not."""
import datetime

import pytest

from salesweb.models import Customer, Deal, Notification, PoolMove
from salesweb.allocation import rules as allocation
from salesweb.customers import rules as customers, pool
from salesweb.core import notifications, settings
from salesweb.pipeline import rules as pipeline
from salesweb.reports import rules as reports
from salesweb.visits import tasks, rules as visits
from tests.conftest import post

NOW = datetime.datetime(2026, 11, 23, 2, 0)
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def team(make):
    boss = make.user("manager", name="Boss", team="East")
    rep = make.user("rep", name="Rep One", team="East", reports_to=boss)
    other = make.user("rep", name="Rep Two", team="East", reports_to=boss)
    return boss, rep, other


def told(app, user):
    """The user's notifications as (kind, link, sentence), oldest first."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        return [(n.kind, n.link, notifications.text(n))
                for n in Notification.select().where(Notification.user == user.id).order_by(Notification.id)]


def a_visit(rep, customer):
    return visits.log({"occurred_at": NOW - datetime.timedelta(hours=1), "duration_minutes": 30, "kind": "phone",
                       "outcome": "", "contacts": []}, customer, rep, rep, settings.current(), now=NOW)


def customer_values(customer):
    return {"name": customer.name, "source": customer.source, "status": customer.status}


def test_a_managers_comment_on_a_visit_tells_its_rep(app, make, team):
    boss, rep, _other = team
    visit = a_visit(rep, make.customer(rep, name="Acme"))
    visits.comment(visit, "Ask about the budget", boss)
    assert told(app, rep) == [("visit_comment", f"/visits/{visit.id}", "Boss commented on your visit to Acme.")]
    assert told(app, boss) == []


def test_a_comment_on_a_weekly_report_tells_its_author(app, team):
    boss, rep, _other = team
    report = reports.save(rep, 2026, 47, {"feedback": "Prices too high"}, True, TODAY)
    reports.comment(report, "Good week", boss)
    assert told(app, rep) == [("report_comment", "/rep/reports/2026-W47",
                               "Boss commented on your weekly report for 2026-W47.")]


def test_the_report_link_opens_the_report_for_its_author(app, signed_in):
    boss_client, boss = signed_in("manager", team="East")
    rep_client, rep = signed_in("rep", reports_to=boss)
    year, week, _day = datetime.date.today().isocalendar()
    assert post(rep_client, f"/rep/reports/{year}-W{week}", {"feedback": "Fine", "action": "submit"},
                token_from=f"/rep/reports/{year}-W{week}").status_code == 303
    assert post(boss_client, f"/manager/reports/{rep.id}/{year}-W{week}", {"body": "Well done"},
                token_from=f"/manager/reports/{rep.id}/{year}-W{week}").status_code == 303
    [(_kind, link, _text)] = told(app, rep)
    page = rep_client.get(link, headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Well done" in page.get_data(as_text=True)


def test_a_customer_given_to_someone_else_tells_the_new_owner(app, make, team):
    boss, rep, other = team
    customer = make.customer(rep, name="Acme")
    customers.update(Customer.get_by_id(customer.id), customer_values(customer), other, boss)
    assert told(app, other) == [("customer_assigned", f"/customers/{customer.id}", "Boss gave you customer Acme.")]
    customers.update(Customer.get_by_id(customer.id), customer_values(customer), boss, boss)  # taken by himself
    customers.update(Customer.get_by_id(customer.id), {**customer_values(customer), "name": "Acme Ltd"}, boss, boss)
    assert told(app, boss) == [] and len(told(app, other)) == 1


def test_a_customer_created_for_someone_else_tells_its_owner(app, make, team):
    boss, rep, _other = team
    make.customer(rep, name="Mine")  # a rep's own: nobody to tell
    given = make.customer(rep, name="Given", by=boss)
    assert told(app, rep) == [("customer_assigned", f"/customers/{given.id}", "Boss gave you customer Given.")]


def test_bulk_reassignment_tells_the_new_owner_once(app, make, team):
    boss, rep, other = team
    moved = [make.customer(rep, name=f"C{i}") for i in range(3)]
    assert allocation.reassign(boss, [c.id for c in moved], other, move_deals=False).customers == 3
    assert told(app, other) == [("customers_assigned", f"/customers?owner={other.id}", "Boss gave you 3 customers.")]
    one = make.customer(rep, name="Solo")
    allocation.reassign(boss, [one.id], other, move_deals=False)
    assert told(app, other)[-1] == ("customer_assigned", f"/customers/{one.id}", "Boss gave you customer Solo.")


def test_claiming_from_the_pool_tells_nobody_but_undoing_a_recycle_tells_the_owner(app, make, team):
    _boss, rep, _other = team
    ops = make.user("ops", name="Olga")
    values = {**settings.current(), "pool_recycle_days": 60}
    free = make.customer(None, by=ops, name="Free")
    pool.claim(free, rep, values)
    assert told(app, rep) == []
    idle = make.customer(rep, name="Idle")
    Customer.update(last_activity_at=NOW - datetime.timedelta(days=61)).where(Customer.id == idle.id).execute()
    Customer.update(last_activity_at=NOW).where(Customer.id == free.id).execute()
    assert pool.recycle(values, now=NOW) == 1
    pool.revert(PoolMove.get(PoolMove.kind == "recycle"), ops, now=NOW)
    assert told(app, rep) == [("customer_assigned", f"/customers/{idle.id}", "Olga gave you customer Idle.")]


def test_a_deal_given_to_someone_else_tells_the_new_owner(app, make, team):
    boss, rep, other = team
    deal = make.deal(rep, title="Boiler room")  # the rep's own
    assert told(app, rep) == []
    given = make.deal(rep, title="Chiller", by=boss)
    assert told(app, rep) == [("deal_assigned", f"/deals/{given.id}", "Boss gave you deal Chiller.")]
    stored = Deal.get_by_id(deal.id)
    pipeline.edit(stored, {"title": "Boiler room", "amount": stored.amount}, stored.customer, other, stored.version,
                  boss)
    assert told(app, other) == [("deal_assigned", f"/deals/{deal.id}", "Boss gave you deal Boiler room.")]
    stored = Deal.get_by_id(deal.id)
    pipeline.edit(stored, {"title": "Boiler room 2", "amount": stored.amount}, stored.customer, other,
                  stored.version, boss)  # same owner: nothing new
    assert len(told(app, other)) == 1


def test_a_task_handed_to_someone_tells_them(app, team):
    boss, rep, other = team
    tasks.create("Call back", rep, TODAY, rep, TODAY)  # one's own
    task = tasks.create("Send the brochure", rep, TODAY, boss, TODAY)
    assert told(app, rep) == [("task_assigned", "/tasks", "Boss gave you a task: Send the brochure")]
    tasks.reassign(task, other, boss)
    assert told(app, other) == [("task_assigned", "/tasks", "Boss gave you a task: Send the brochure")]


def test_a_comment_lights_the_bell_and_opening_it_leads_to_the_visit(app, make, signed_in):
    boss_client, boss = signed_in("manager", name="Boss", team="East")
    rep_client, rep = signed_in("rep", reports_to=boss)
    visit = a_visit(rep, make.customer(rep, name="Acme"))
    assert post(boss_client, f"/visits/{visit.id}/comments", {"body": "Ask about the budget"},
                token_from="/visits").status_code == 303
    home = rep_client.get("/rep/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Notifications: 1 unread" in home
    note = Notification.get(Notification.user == rep.id)
    opened = post(rep_client, f"/notifications/{note.id}/open")
    assert opened.status_code == 303 and opened.headers["Location"].endswith(f"/visits/{visit.id}")
