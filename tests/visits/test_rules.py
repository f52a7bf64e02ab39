"""Visit rules without HTTP: the cadence moves, deals freshen, the next visit is planned, check-ins are judged."""
import datetime

import pytest

from salesweb.infra import stale as stale_at
from salesweb.allocation import rules as allocation
from salesweb.figures import metrics
from salesweb.infra import rollups
from salesweb.models import Customer, Deal, Task, Visit, VisitContact
from salesweb.customers import rules as customers, tiers
from salesweb.core import settings
from salesweb.visits import queries, tasks, rules as visits
from salesweb.core.errors import Invalid

NOW = datetime.datetime(2026, 11, 23, 2, 0)  # 10:00 in Shanghai
TODAY = datetime.date(2026, 11, 23)


def values(**kw):
    return {"occurred_at": NOW - datetime.timedelta(hours=1), "duration_minutes": 45, "kind": "on_site",
            "purpose": "Quarterly review", "notes": "", "outcome": "positive", "next_step": "", "next_visit_on": None,
            "deal": None, "contacts": [], "market_note": "", "market_tags": "", "lat": None, "lon": None,
            "accuracy": None, "fix_at": None, **kw}


@pytest.fixture
def spec(app):
    return settings.current()


def test_logging_a_visit_moves_the_cadence_freshens_deals_and_plans_the_next(app, make, spec):
    rep = make.user("rep")
    customer = make.customer(rep, tier="A")
    Customer.update(next_visit_due=TODAY - datetime.timedelta(days=9)).where(Customer.id == customer.id).execute()
    deal = make.deal(rep, customer=customer)
    Deal.update(last_activity_at=NOW - datetime.timedelta(days=40)).where(Deal.id == deal.id).execute()
    stale_at.recompute(where=Deal.id == deal.id)  # when it goes stale follows, as a write would keep it
    contact = customers.save_contact(customer, None, {"name": "李伟"}, rep)
    visit = visits.log(values(next_visit_on=TODAY + datetime.timedelta(days=14), next_step="Send the quote",
                              deal=deal, contacts=[contact]),
                       Customer.get_by_id(customer.id), rep, rep, spec, now=NOW)
    fresh = Customer.get_by_id(customer.id)
    assert fresh.last_visit_at == NOW - datetime.timedelta(hours=1)
    assert fresh.next_visit_due == TODAY + datetime.timedelta(days=30)  # tier A cadence from the visit's local day
    assert Deal.get_by_id(deal.id).last_activity_at == NOW - datetime.timedelta(hours=1)
    planned = Visit.get((Visit.status == "planned") & (Visit.customer == customer.id))
    assert planned.planned_for == TODAY + datetime.timedelta(days=14) and planned.purpose == "Send the quote"
    task = Task.get(Task.visit == planned.id)
    assert (task.assignee_id, task.due_on, task.source) == (rep.id, planned.planned_for, "next_visit")
    assert [m.contact_id for m in VisitContact.select().where(VisitContact.visit == visit.id)] == [contact.id]
    assert queries.overdue_customers(rep, TODAY) == []


def test_logging_the_planned_visit_fulfils_it_and_its_task(app, make, spec):
    rep = make.user("rep")
    customer = make.customer(rep)
    planned = visits.plan(customer, rep, TODAY, rep, TODAY, now=NOW - datetime.timedelta(days=3))
    visit = visits.log(values(), Customer.get_by_id(customer.id), rep, rep, spec, now=NOW, planned=planned)
    assert visit.id == planned.id and Visit.get_by_id(planned.id).status == "done"
    assert Task.get(Task.visit == planned.id).done_at == NOW
    with pytest.raises(Invalid):  # it cannot be fulfilled twice
        visits.log(values(), customer, rep, rep, spec, now=NOW, planned=Visit.get_by_id(planned.id))


@pytest.mark.parametrize("change, field", [
    ({"occurred_at": NOW + datetime.timedelta(hours=1)}, "occurred_at"),
    ({"occurred_at": None}, "occurred_at"),
    ({"duration_minutes": 0}, "duration_minutes"), ({"duration_minutes": 2000}, "duration_minutes"),
    ({"kind": "lunch"}, "kind"), ({"outcome": "great"}, "outcome"),
    ({"next_visit_on": TODAY - datetime.timedelta(days=1)}, "next_visit_on"),
    ({"purpose": "x" * 201}, "purpose"),
    ({"lat": 91.0, "lon": 0.0, "accuracy": 5.0, "fix_at": NOW}, "checkin"),
    ({"lat": 10.0, "lon": 181.0, "accuracy": 5.0, "fix_at": NOW}, "checkin"),
    ({"lat": 10.0, "lon": 10.0, "accuracy": 0.0, "fix_at": NOW}, "checkin"),
    ({"lat": 10.0, "lon": None, "accuracy": 5.0, "fix_at": NOW}, "checkin"),
])
def test_bad_visits_are_refused_and_nothing_is_stored(app, make, spec, change, field):
    rep = make.user("rep")
    customer = make.customer(rep)
    with pytest.raises(Invalid) as refused:
        visits.log(values(**change), customer, rep, rep, spec, now=NOW)
    assert field in refused.value.errors
    assert not Visit.select().exists() and Customer.get_by_id(customer.id).last_visit_at is None


def test_a_deal_of_another_customer_is_refused(app, make, spec):
    rep = make.user("rep")
    customer, other = make.customer(rep), make.customer(rep)
    with pytest.raises(Invalid) as refused:
        visits.log(values(deal=make.deal(rep, customer=other)), customer, rep, rep, spec, now=NOW)
    assert "deal" in refused.value.errors


SHANGHAI_OFFICE = (31.2304, 121.4737)


def fix(lat=SHANGHAI_OFFICE[0], lon=SHANGHAI_OFFICE[1], accuracy=20.0, age_minutes=1):
    return {"lat": lat, "lon": lon, "accuracy": accuracy, "at": NOW - datetime.timedelta(minutes=age_minutes)}


@pytest.mark.parametrize("given, reused, expected", [
    (fix(), False, (True, 0, "")),
    (fix(lat=SHANGHAI_OFFICE[0] + 0.004), False, (True, 445, "")),            # 445 m: inside 500 m
    (fix(lat=SHANGHAI_OFFICE[0] + 0.005), False, (False, 556, "far")),
    (fix(accuracy=150.0), False, (False, 0, "inaccurate")),
    (fix(age_minutes=11), False, (False, 0, "stale")),
    (fix(), True, (False, 0, "reused")),
])
def test_verification_needs_near_accurate_fresh_and_new(app, spec, given, reused, expected):
    assert visits.verify(given, SHANGHAI_OFFICE, NOW, spec, reused) == expected


def test_the_first_good_check_in_sets_the_customers_place_and_the_second_verifies(app, make, spec):
    rep = make.user("rep")
    customer = make.customer(rep)
    first = fix()
    visit = visits.log(values(lat=first["lat"], lon=first["lon"], accuracy=first["accuracy"], fix_at=first["at"]),
                       customer, rep, rep, spec, now=NOW)
    assert (visit.verified, visit.check_problem) == (False, "no_place")
    assert (Customer.get_by_id(customer.id).lat, Customer.get_by_id(customer.id).lon) == SHANGHAI_OFFICE
    again = visits.log(values(lat=first["lat"], lon=first["lon"], accuracy=first["accuracy"], fix_at=first["at"]),
                       Customer.get_by_id(customer.id), rep, rep, spec, now=NOW)
    assert (again.verified, again.check_problem) == (False, "reused")  # the same fix twice proves nothing
    later = fix(accuracy=12.0, age_minutes=0)
    third = visits.log(values(lat=later["lat"] + 0.001, lon=later["lon"], accuracy=12.0, fix_at=later["at"]),
                       Customer.get_by_id(customer.id), rep, rep, spec, now=NOW)
    assert third.verified and third.distance_m == 111
    colleague = make.user("rep")  # a fix copied from another rep's visit proves nothing either
    copied = visits.log(values(lat=later["lat"] + 0.001, lon=later["lon"], accuracy=12.0, fix_at=later["at"]),
                        Customer.get_by_id(customer.id), colleague, colleague, spec, now=NOW)
    assert (copied.verified, copied.check_problem) == (False, "reused")


def test_overdue_customers_come_a_first_then_most_overdue(app, make):
    rep = make.user("rep")
    rows = [("C late", "C", 40), ("A bit late", "A", 2), ("B late", "B", 10), ("A very late", "A", 20),
            ("On time", "A", -3)]
    for name, tier, late in rows:
        customer = make.customer(rep, name=name, tier=tier)
        Customer.update(next_visit_due=TODAY - datetime.timedelta(days=late)).where(Customer.id == customer.id).execute()
    assert [c.name for c in queries.overdue_customers(rep, TODAY)] == ["A very late", "A bit late", "B late", "C late"]
    assert queries.overdue_count(rep, TODAY) == 4


def test_the_week_counts_visits_on_the_local_calendar(app, make, spec):
    rep = make.user("rep")
    customer = make.customer(rep)
    monday, next_monday = queries.week_bounds(TODAY)
    assert monday == datetime.date(2026, 11, 23) and next_monday == datetime.date(2026, 11, 30)
    # Sunday 23:30 UTC is Monday 07:30 in Shanghai: this week. Sunday 15:00 UTC is Sunday 23:00: last week.
    for at in (datetime.datetime(2026, 11, 22, 23, 30), datetime.datetime(2026, 11, 22, 15, 0)):
        visits.log(values(occurred_at=at), customer, rep, rep, spec, now=NOW)
    assert queries.done_between([rep.id], monday, next_monday, spec) == {rep.id: (1, 0)}


def test_tasks_snooze_done_and_a_manager_hands_them_on(app, make):
    boss = make.user("manager")
    rep = make.user("rep", reports_to=boss)
    outsider = make.user("rep")
    task = tasks.create("Call back", rep, TODAY, boss, TODAY)
    with pytest.raises(Invalid):
        tasks.create("Not theirs", outsider, TODAY, rep, TODAY)
    tasks.snooze(task, 3, TODAY)
    assert Task.get_by_id(task.id).due_on == TODAY + datetime.timedelta(days=3)
    assert queries.open_tasks_for(rep, TODAY) == [] and len(queries.open_tasks_for(
        rep, TODAY + datetime.timedelta(days=3))) == 1
    with pytest.raises(Invalid):
        tasks.reassign(task, outsider, boss)
    tasks.reassign(task, boss, boss)
    tasks.done(Task.get_by_id(task.id), boss)
    assert Task.get_by_id(task.id).done_at is not None and queries.open_tasks_for(
        boss, TODAY + datetime.timedelta(days=9)) == []


def test_a_task_about_a_deal_takes_its_customer_and_refuses_another(app, make):
    rep = make.user("rep")
    customer, elsewhere = make.customer(rep), make.customer(rep)
    deal = make.deal(rep, customer=customer)
    task = tasks.create("Chase", rep, TODAY, rep, TODAY, deal=deal)
    assert (task.customer_id, Task.get_by_id(task.id).customer_id) == (customer.id, customer.id)
    with pytest.raises(Invalid):
        tasks.create("Mixed up", rep, TODAY, rep, TODAY, customer=elsewhere, deal=deal)
    assert Task.select().count() == 1


def test_a_check_in_long_after_the_visit_does_not_verify_it(app, make, spec):
    rep = make.user("rep")
    customer = make.customer(rep)
    Customer.update(lat=SHANGHAI_OFFICE[0], lon=SHANGHAI_OFFICE[1]).where(Customer.id == customer.id).execute()
    here = fix(age_minutes=0)
    checked = dict(lat=here["lat"], lon=here["lon"], accuracy=here["accuracy"], fix_at=here["at"])
    last_week = visits.log(values(occurred_at=NOW - datetime.timedelta(days=7), **checked),
                           Customer.get_by_id(customer.id), rep, rep, spec, now=NOW)
    assert (last_week.verified, last_week.check_problem) == (False, "stale")
    just_now = visits.log(values(occurred_at=NOW - datetime.timedelta(hours=1),
                                 **{**checked, "fix_at": here["at"] - datetime.timedelta(seconds=30)}),
                          Customer.get_by_id(customer.id), rep, rep, spec, now=NOW)
    assert just_now.verified  # written up on the way out: still the visit


def test_a_visit_settles_the_plans_it_overtakes_and_keeps_later_ones(app, make, spec):
    rep = make.user("rep")
    customer = make.customer(rep)
    yesterday = visits.plan(customer, rep, TODAY, rep, TODAY - datetime.timedelta(days=1))
    Visit.update(planned_for=TODAY - datetime.timedelta(days=1)).where(Visit.id == yesterday.id).execute()
    later = visits.plan(customer, rep, TODAY + datetime.timedelta(days=14), rep, TODAY)
    visits.log(values(), Customer.get_by_id(customer.id), rep, rep, spec, now=NOW)
    assert Visit.get_by_id(yesterday.id).status == "cancelled"
    assert Task.get(Task.visit == yesterday.id).done_at == NOW
    assert Visit.get_by_id(later.id).status == "planned" and Task.get(Task.visit == later.id).done_at is None
    assert Visit.get_by_id(yesterday.id).updated_at == NOW


def test_a_visit_logged_for_its_plan_does_the_plans_task_and_leaves_other_customers_plans(app, make, spec):
    rep = make.user("rep")
    customer, other = make.customer(rep), make.customer(rep)
    planned = visits.plan(customer, rep, TODAY, rep, TODAY)
    elsewhere = visits.plan(other, rep, TODAY, rep, TODAY)
    visit = visits.log(values(), Customer.get_by_id(customer.id), rep, rep, spec, now=NOW,
                       planned=Visit.get_by_id(planned.id))
    assert visit.id == planned.id and Visit.get_by_id(planned.id).status == "done"
    assert Task.get(Task.visit == planned.id).done_at == NOW
    assert Visit.get_by_id(elsewhere.id).status == "planned" and Task.get(Task.visit == elsewhere.id).done_at is None


def test_a_visit_linked_to_a_deal_gives_the_deal_its_next_step(app, make, spec):
    from salesweb.pipeline import queries as pipeline
    rep = make.user("rep")
    customer = make.customer(rep)
    deal = make.deal(rep, customer=customer, next_step="Call back", next_step_due=TODAY - datetime.timedelta(days=3))
    assert pipeline.is_stale(Deal.get_by_id(deal.id), NOW)  # its next step is overdue
    next_week = TODAY + datetime.timedelta(days=7)
    visits.log(values(next_step="Demo for the engineers", next_visit_on=next_week, deal=deal), customer, rep, rep,
               spec, now=NOW)
    stored = Deal.get_by_id(deal.id)
    assert (stored.next_step, stored.next_step_due, stored.version) == ("Demo for the engineers", next_week, 2)
    assert not pipeline.is_stale(stored, NOW)  # and so its Stale badge goes
    # a date alone: the next visit is the next step
    visits.log(values(occurred_at=NOW - datetime.timedelta(minutes=30), next_visit_on=next_week, deal=deal),
               customer, rep, rep, spec, now=NOW)
    assert (Deal.get_by_id(deal.id).next_step, Deal.get_by_id(deal.id).next_step_due) == ("Next visit", next_week)


def test_only_the_latest_visit_to_a_deal_sets_its_next_step(app, make, spec):
    rep = make.user("rep")
    customer = make.customer(rep)
    deal = make.deal(rep, customer=customer, next_step="Send the quote", next_step_due=TODAY)
    visits.log(values(next_step="Nothing to say"), customer, rep, rep, spec, now=NOW)  # linked to no deal
    visits.log(values(deal=deal), customer, rep, rep, spec, now=NOW)  # linked, with no next step
    assert (Deal.get_by_id(deal.id).next_step, Deal.get_by_id(deal.id).version) == ("Send the quote", 1)
    later = TODAY + datetime.timedelta(days=5)
    visits.log(values(next_step="Site survey", next_visit_on=later, deal=deal), customer, rep, rep, spec, now=NOW)
    # an older visit logged late does not take the deal back to its next step
    visits.log(values(occurred_at=NOW - datetime.timedelta(days=2), next_step="Old idea",
                      next_visit_on=TODAY + datetime.timedelta(days=9), deal=deal), customer, rep, rep, spec, now=NOW)
    assert (Deal.get_by_id(deal.id).next_step, Deal.get_by_id(deal.id).next_step_due) == ("Site survey", later)


def test_a_visits_next_step_without_a_date_keeps_the_deals_due_day(app, make, spec):
    from salesweb.pipeline import queries as pipeline
    rep = make.user("rep")
    customer = make.customer(rep)
    in_three_days = TODAY + datetime.timedelta(days=3)
    deal = make.deal(rep, customer=customer, next_step="Call back", next_step_due=in_three_days)
    visits.log(values(next_step="Send the brochure", deal=deal), customer, rep, rep, spec, now=NOW)
    stored = Deal.get_by_id(deal.id)
    assert (stored.next_step, stored.next_step_due) == ("Send the brochure", in_three_days)
    assert not pipeline.is_stale(stored, NOW)  # a fresh deal is not made stale by a step without a date


def test_a_visit_on_a_customer_changed_since_the_request_read_it_counts_it_where_it_is_stored(app, make, spec):
    """The request read the customer; before its visit was written the customer got a new owner and tier: the
    visit's update finds the row changed, reads it as stored and moves its due day there (the customers by due day
    agree with a rebuild). A visit logged late on a copy older still moves nothing back: not the last visit, not
    the due day, not the latest activity (the reassignment's)."""
    boss = make.user("manager")
    rep, other, ops = make.user("rep", reports_to=boss), make.user("rep", reports_to=boss), make.user("ops")
    customer = make.customer(rep, tier="C", made_at=NOW - datetime.timedelta(days=400))
    read = Customer.get_by_id(customer.id)  # as the request read it
    allocation.reassign(ops, [customer.id], other, now=NOW)
    tiers.lock(Customer.get_by_id(customer.id), "A", "Key account", ops, spec)
    visits.log(values(), read, rep, rep, spec, now=NOW)
    stored = Customer.get_by_id(customer.id)
    assert (stored.owner_id, stored.tier, stored.last_visit_at) == (other.id, "A", NOW - datetime.timedelta(hours=1))
    assert stored.next_visit_due == TODAY + datetime.timedelta(days=30)  # tier A's cadence, as stored
    assert rollups.differences() == []
    assert metrics.overdue_by_tier(metrics.scope_for(boss), TODAY + datetime.timedelta(days=31)) == \
        {"A": 1, "B": 0, "C": 0}
    visits.log(values(occurred_at=NOW - datetime.timedelta(days=2)), read, rep, rep, spec, now=NOW)
    again = Customer.get_by_id(customer.id)
    assert (again.last_visit_at, again.next_visit_due, again.last_activity_at) == (
        stored.last_visit_at, stored.next_visit_due, NOW)
    assert rollups.differences() == []
