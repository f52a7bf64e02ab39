"""Visits over HTTP: the form round trip, Today, the list, comments, scope, CSRF and query counts."""
import datetime
import io
import re

import pytest

from salesweb.core.db import utcnow
from salesweb.models import Contact, Customer, Task, Visit, VisitComment, VisitContact
from salesweb.core import settings
from salesweb.customers import cadence
from salesweb.infra import rollups
from salesweb.visits import rules as visits
from tests.conftest import count_queries, post
from tests.infra.test_storage import JPEG, PDF

EN = {"Accept-Language": "en"}
HX = {"HX-Request": "true", **EN}


@pytest.fixture
def team(app, signed_in):
    boss_client, boss = signed_in("manager", name="Boss", team="East")
    rep_client, rep = signed_in("rep", name="Rep One", team="East", reports_to=boss)
    other_client, other = signed_in("rep", name="Rep Two", team="West")
    return dict(boss=boss, boss_client=boss_client, rep=rep, rep_client=rep_client, other=other,
                other_client=other_client)


def form(customer, **kw):
    # half an hour ago in the install's zone (Shanghai), day and time from the same moment (just after midnight,
    # half an hour ago was yesterday)
    at = utcnow() + datetime.timedelta(hours=8) - datetime.timedelta(minutes=30)
    return {"customer": str(customer.id), "occurred_on": at.date().isoformat(), "occurred_time": at.strftime("%H:%M"),
            "duration_minutes": "45", "kind": "on_site", "outcome": "positive", "purpose": "Review", "notes": "Went well", **kw}


def log(client, data, **kw):
    return post(client, "/visits/new", data, token_from="/visits/new", headers=EN, **kw)


def test_a_rep_logs_a_visit_and_returns_where_they_came_from(app, make, team):
    customer = make.customer(team["rep"], name="Acme 上海")
    page = team["rep_client"].get(f"/visits/new?customer={customer.id}&next=/customers/{customer.id}", headers=EN)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'value="Acme 上海"' in body and "Check in here" in body
    response = log(team["rep_client"], form(customer, next=f"/customers/{customer.id}", next_visit_on=(
        datetime.date.today() + datetime.timedelta(days=20)).isoformat()))
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/customers/{customer.id}")
    visit = Visit.get(Visit.status == "done")
    assert (visit.rep_id, visit.notes, visit.verified) == (team["rep"].id, "Went well", False)
    assert Customer.get_by_id(customer.id).last_visit_at == visit.occurred_at
    assert Task.select().where(Task.assignee == team["rep"].id).count() == 1
    detail = team["rep_client"].get(f"/customers/{customer.id}", headers=EN).get_data(as_text=True)
    assert "Visit to Acme 上海 logged." in detail and "No check-in" in detail


def test_the_people_met_are_the_customers_own_whatever_ids_are_posted(app, make, team):
    customer, elsewhere = make.customer(team["rep"], name="Met Co"), make.customer(team["rep"], name="Not Met Co")
    ours, theirs = Contact.create(customer=customer, name="Wang Li"), Contact.create(customer=elsewhere, name="Zhao Min")
    response = log(team["rep_client"], form(customer, contacts=[str(ours.id), str(theirs.id)]))
    assert response.status_code == 303
    visit = Visit.get(Visit.status == "done")
    assert [c.id for c in Contact.select().join(VisitContact).where(VisitContact.visit == visit.id)] == [ours.id]


def test_errors_come_back_inline_with_the_input_kept(app, make, team):
    customer = make.customer(team["rep"], name="Keep Me Co")
    response = log(team["rep_client"], form(customer, duration_minutes="2000", notes="Long notes kept"))
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Enter minutes from 1 to 600." in body
    assert "Long notes kept" in body and 'value="Keep Me Co"' in body
    future = log(team["rep_client"], form(customer, occurred_on=(datetime.date.today() + datetime.timedelta(days=2))
                                          .isoformat()))
    assert future.status_code == 422 and "cannot be in the future" in future.get_data(as_text=True)
    missing = log(team["rep_client"], {**form(customer), "customer": ""})
    assert missing.status_code == 422 and "Choose the customer you visited." in missing.get_data(as_text=True)
    bad_fix = log(team["rep_client"], form(customer, lat="95", lon="10", accuracy="5", fix_at="1"))
    assert bad_fix.status_code == 422 and "position could not be read" in bad_fix.get_data(as_text=True)
    not_image = log(team["rep_client"], form(customer, photo=(io.BytesIO(PDF), "photo.jpg")),
                    content_type="multipart/form-data")
    assert not_image.status_code == 422 and "not accepted" in not_image.get_data(as_text=True)
    assert not Visit.select().exists()


def test_a_photo_is_stored_and_shown_only_in_scope(app, make, team):
    customer = make.customer(team["rep"])
    response = log(team["rep_client"], form(customer, photo=(io.BytesIO(JPEG), "IMG_0001.JPG")),
                   content_type="multipart/form-data")
    assert response.status_code == 303
    visit = Visit.get()
    photo = team["boss_client"].get(f"/visits/{visit.id}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg" and photo.data == JPEG
    assert team["other_client"].get(f"/visits/{visit.id}/photo").status_code == 404


def test_a_customer_outside_scope_cannot_be_visited_or_seen(app, make, team):
    theirs = make.customer(team["other"], name="Theirs")
    assert log(team["rep_client"], form(theirs)).status_code == 404
    assert team["rep_client"].get(f"/visits/new?customer={theirs.id}").status_code == 404
    assert not Visit.select().exists()
    visit = visits.log({**_values(), "occurred_at": utcnow() - datetime.timedelta(hours=1)}, theirs, team["other"],
                       team["other"], _settings())
    assert team["rep_client"].get(f"/visits/{visit.id}").status_code == 404
    assert team["boss_client"].get(f"/visits/{visit.id}").status_code == 404  # not in the boss's subtree
    assert post(team["boss_client"], f"/visits/{visit.id}/comments", {"body": "x"}, token_from="/visits").status_code == 404
    assert post(team["rep_client"], "/visits/plan", {"customer": theirs.id, "day": "2030-01-01"},
                token_from="/visits").status_code == 404


def _settings():
    from salesweb.core import settings
    return settings.current()


def _values(**kw):
    return {"duration_minutes": 45, "kind": "on_site", "outcome": "", "contacts": [], **kw}


def test_a_manager_comments_and_the_rep_sees_it_on_today(app, make, team):
    customer = make.customer(team["rep"], name="Coached Co")
    visit = visits.log(_values(occurred_at=utcnow() - datetime.timedelta(hours=2)), customer, team["rep"],
                       team["rep"], _settings())
    assert post(team["rep_client"], f"/visits/{visit.id}/comments", {"body": "Self praise"},
                token_from="/visits").status_code == 422
    done = post(team["boss_client"], f"/visits/{visit.id}/comments", {"body": "Ask about the budget next time"},
                token_from="/visits")
    assert done.status_code == 303
    today = team["rep_client"].get("/rep/", headers=EN).get_data(as_text=True)
    assert "New comments from your manager" in today and "Ask about the budget" in today
    team["rep_client"].get(f"/visits/{visit.id}")
    assert VisitComment.get().read_at is not None
    assert "New comments from your manager" not in team["rep_client"].get("/rep/", headers=EN).get_data(as_text=True)


def test_state_changes_need_the_csrf_token(app, make, team):
    customer = make.customer(team["rep"])
    assert team["rep_client"].post("/visits/new", data=form(customer)).status_code == 400
    assert team["rep_client"].post("/visits/plan", data={"customer": customer.id, "day": "2030-01-01"}).status_code == 400
    assert not Visit.select().exists()


def test_only_reps_and_managers_log_visits(app, signed_in):
    support, _user = signed_in("support")
    assert support.get("/visits/new").status_code == 403
    assert support.get("/visits").status_code == 200


def test_plan_a_visit_and_find_it_on_the_week_plan_and_today(app, make, team):
    customer = make.customer(team["rep"], name="Planned Co")
    today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
    response = post(team["rep_client"], "/visits/plan", {"customer": customer.id, "day": today.isoformat(),
                                                         "next": f"/customers/{customer.id}"}, token_from="/visits")
    assert response.status_code == 303
    assert "Planned Co" in team["rep_client"].get("/visits/week", headers=EN).get_data(as_text=True)
    home = team["rep_client"].get("/rep/", headers=EN).get_data(as_text=True)
    assert "Planned Co" in home.split("Planned today", 1)[1].split("Overdue for a visit", 1)[0]
    refused = post(team["rep_client"], "/visits/plan", {"customer": customer.id, "day": "2000-01-01"},
                   token_from="/visits")
    assert refused.status_code == 303 and Visit.select().count() == 1


def test_tasks_done_and_snooze_from_today(app, make, team):
    customer = make.customer(team["rep"], name="Task Co")
    from salesweb.visits import tasks
    today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
    task = tasks.create("Send the brochure", team["rep"], today, team["rep"], today, customer=customer)
    page = team["rep_client"].get("/rep/", headers=EN).get_data(as_text=True)
    assert "Send the brochure" in page and 'name="days" value="1"' in page and 'name="days" value="7"' in page
    snoozed = post(team["rep_client"], f"/tasks/{task.id}/snooze", {"days": "1"}, token_from="/rep/", headers=HX)
    assert snoozed.status_code == 200 and Task.get_by_id(task.id).due_on == today + datetime.timedelta(days=1)
    later = post(team["rep_client"], f"/tasks/{task.id}/snooze", {"days": "7"}, token_from="/rep/", headers=HX)
    assert later.status_code == 200 and Task.get_by_id(task.id).due_on == today + datetime.timedelta(days=8)
    assert post(team["other_client"], f"/tasks/{task.id}/done", {}, token_from="/rep/").status_code == 404
    done = post(team["rep_client"], f"/tasks/{task.id}/done", {}, token_from="/rep/", headers=HX)
    assert done.status_code == 200 and "Send the brochure" not in done.get_data(as_text=True)
    assert Task.get_by_id(task.id).done_at is not None


def _bulk_visits(rep, customers, n):
    now = utcnow()
    rows = [{"customer": customers[i % len(customers)].id, "rep": rep.id, "status": "done",
             "occurred_at": now - datetime.timedelta(hours=i % 2000), "duration_minutes": 45, "kind": "on_site",
             "created_at": now, "updated_at": now} for i in range(n)]
    for start in range(0, n, 500):
        Visit.insert_many(rows[start:start + 500]).execute()


def test_today_and_the_visit_list_keep_their_query_count_from_10_to_10000_visits(app, make, team):
    people = [make.customer(team["rep"], name=f"Customer {i}") for i in range(5)]
    _bulk_visits(team["rep"], people, 10)
    counts = {}
    for size in ("small", "large"):
        if size == "large":
            _bulk_visits(team["rep"], people, 9990)
        with count_queries() as today:
            assert team["rep_client"].get("/rep/").status_code == 200
        with count_queries() as listing:
            assert team["boss_client"].get("/visits").status_code == 200
        counts[size] = (len(today), len(listing))
    assert counts["small"] == counts["large"]
    assert max(counts["large"]) <= 12


def test_a_customers_location_is_set_by_hand_and_checked(app, make, team):
    customer = make.customer(team["rep"])
    url = f"/customers/{customer.id}/location"
    assert post(team["rep_client"], url, {"lat": "31.2304", "lon": "121.4737"}, token_from="/visits").status_code == 303
    assert (Customer.get_by_id(customer.id).lat, Customer.get_by_id(customer.id).lon) == (31.2304, 121.4737)
    for bad in ({"lat": "91", "lon": "0"}, {"lat": "nan", "lon": "1"}, {"lat": "abc", "lon": "1"}, {"lat": "1", "lon": ""}):
        assert post(team["rep_client"], url, bad, token_from="/visits").status_code == 303
        assert Customer.get_by_id(customer.id).lat == 31.2304
    assert post(team["other_client"], url, {"lat": "1", "lon": "1"}, token_from="/visits").status_code == 404


def test_a_manager_hands_a_task_to_a_rep_in_the_team(app, make, team):
    from salesweb.visits import tasks
    today = datetime.date.today()
    task = tasks.create("Prepare the offer", team["boss"], today, team["boss"], today)
    page = team["boss_client"].get("/tasks", headers=EN).get_data(as_text=True)
    assert "Hand on" in page and "Rep One" in page
    refused = post(team["boss_client"], f"/tasks/{task.id}/reassign", {"assignee": team["other"].id},
                   token_from="/tasks")
    assert refused.status_code == 422 and "Not a valid choice" in refused.get_data(as_text=True)
    assert "Rep Two" not in refused.get_data(as_text=True)
    assert Task.get_by_id(task.id).assignee_id == team["boss"].id  # Rep Two is not in the team
    assert post(team["boss_client"], f"/tasks/{task.id}/reassign", {"assignee": team["rep"].id},
                token_from="/tasks").status_code == 303
    assert Task.get_by_id(task.id).assignee_id == team["rep"].id
    assert "Hand on" not in team["rep_client"].get("/tasks", headers=EN).get_data(as_text=True)


def test_a_manager_sees_the_teams_open_tasks_and_hands_them_on(app, make, team):
    from salesweb.visits import tasks
    today = datetime.date.today()
    mate = make.user("rep", name="Rep Three", team="East", reports_to=team["boss"])
    customer = make.customer(team["rep"], name="Task Co")
    theirs = tasks.create("Send the samples", team["rep"], today, team["rep"], today, customer=customer)
    outsiders = tasks.create("West's own", team["other"], today, team["other"], today)
    page = team["boss_client"].get("/tasks", headers=EN).get_data(as_text=True)
    team_part = page.split('id="team-tasks"')[1].split('id="add-task"')[0]
    assert "Send the samples" in team_part and "Rep One" in team_part and "Task Co" in team_part
    assert outsiders.title not in page
    assert "Tasks" in team["boss_client"].get("/manager/", headers=EN).get_data(as_text=True)
    assert post(team["boss_client"], f"/tasks/{theirs.id}/reassign", {"assignee": mate.id},
                token_from="/tasks").status_code == 303
    assert Task.get_by_id(theirs.id).assignee_id == mate.id
    assert post(team["boss_client"], f"/tasks/{outsiders.id}/reassign", {"assignee": mate.id},
                token_from="/tasks").status_code == 404
    assert 'id="team-tasks"' not in team["rep_client"].get("/tasks", headers=EN).get_data(as_text=True)


def test_a_task_added_from_a_customer_or_a_deal_is_linked_to_it(app, make, team):
    customer = make.customer(team["rep"], name="Linked Co")
    deal = make.deal(team["rep"], customer=customer, title="Linked deal")
    due = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()  # tomorrow here is not past in Shanghai
    client = team["rep_client"]
    from_customer = client.get(f"/tasks?customer={customer.id}", headers=EN).get_data(as_text=True)
    assert 'value="Linked Co"' in from_customer
    assert post(client, "/tasks", {"title": "Call about samples", "due_on": due, "assignee": team["rep"].id,
                                   "customer": customer.id}, token_from="/tasks").status_code == 303
    assert "About the deal Linked deal" in client.get(f"/tasks?deal={deal.id}", headers=EN).get_data(as_text=True)
    assert post(client, "/tasks", {"title": "Chase the offer", "due_on": due, "assignee": team["rep"].id,
                                   "deal": deal.id}, token_from="/tasks").status_code == 303
    made = {t.title: (t.customer_id, t.deal_id) for t in Task.select()}
    assert made == {"Call about samples": (customer.id, None), "Chase the offer": (customer.id, deal.id)}
    tasks_page = client.get("/tasks", headers=EN).get_data(as_text=True)
    assert "Linked deal" in tasks_page and "Linked Co" in tasks_page
    # another team's customer or deal is not found; a typed name that is no customer of theirs is refused
    other_customer = make.customer(team["other"])
    other_deal = make.deal(team["other"], customer=other_customer)
    assert client.get(f"/tasks?customer={other_customer.id}").status_code == 404
    assert client.get(f"/tasks?deal={other_deal.id}").status_code == 404
    assert post(client, "/tasks", {"title": "Theirs", "due_on": due, "assignee": team["rep"].id,
                                   "deal": other_deal.id}, token_from="/tasks").status_code == 404
    refused = post(client, "/tasks", {"title": "Nobody", "due_on": due, "assignee": team["rep"].id,
                                      "customer_name": "No Such Co"}, token_from="/tasks", headers=EN)
    assert refused.status_code == 422 and "Choose one of your customers from the list." in refused.get_data(as_text=True)
    assert Task.select().count() == 2


@pytest.mark.parametrize("role", ["support", "ops", "admin"])
def test_other_roles_cannot_touch_reps_tasks_or_plans(app, make, team, signed_in, role):
    from salesweb.visits import tasks
    client, _user = signed_in(role)
    customer = make.customer(team["rep"])
    today = datetime.date.today()
    task = tasks.create("Rep's own", team["rep"], today, team["rep"], today)
    planned = visits.plan(customer, team["rep"], today + datetime.timedelta(days=2), team["rep"], today)
    assert post(client, f"/tasks/{task.id}/done", {}, token_from="/customers").status_code == 404
    assert post(client, f"/tasks/{task.id}/snooze", {"days": "1"}, token_from="/customers").status_code == 404
    assert post(client, f"/visits/{planned.id}/cancel", {}, token_from="/customers").status_code == 403
    assert Task.get_by_id(task.id).done_at is None and Visit.get_by_id(planned.id).status == "planned"


@pytest.mark.parametrize("path", [
    "/visits/week?start=0001-01-03", "/visits/week?start=9999-12-31", "/rep/reports/9999-W52", "/rep/reports/1-W1",
    "/rep/reports/2026-W53",
])
def test_odd_weeks_are_not_errors(app, team, path):
    assert team["rep_client"].get(path).status_code in (200, 404)


@pytest.mark.parametrize("query", ["week=1-W1", "week=9999-W52", "week=x", "week=2026-W99"])
def test_odd_report_weeks_for_managers(app, team, query):
    assert team["boss_client"].get(f"/manager/reports?{query}").status_code == 200
    assert team["boss_client"].get(f"/manager/reports/{team['rep'].id}/9999-W52").status_code == 404


def test_a_huge_assignee_id_is_refused_cleanly(app, team):
    from salesweb.visits import tasks
    today = datetime.date.today()
    task = tasks.create("Mine", team["boss"], today, team["boss"], today)
    response = post(team["boss_client"], f"/tasks/{task.id}/reassign", {"assignee": "9" * 30}, token_from="/tasks")
    assert response.status_code == 422 and Task.get_by_id(task.id).assignee_id == team["boss"].id


def test_another_reps_planned_visit_cannot_be_logged(app, make, team):
    customer = make.customer(team["rep"])
    today = datetime.date.today()
    planned = visits.plan(customer, team["rep"], today, team["rep"], today)
    assert team["boss_client"].get(f"/visits/new?planned={planned.id}").status_code == 404


def test_the_visit_list_filters_by_rep_dates_tier_kind_and_check_in(app, make, team):
    values = settings.current()
    second = make.user("rep", name="Rep Three", team="East", reports_to=team["boss"])
    now = utcnow()
    day = datetime.timedelta(days=1)
    logged = {}
    for name, rep, tier, kind, ago, verified in [
            ("Alpha Co", team["rep"], "A", "on_site", 1, True), ("Beta Co", team["rep"], "B", "phone", 3, False),
            ("Gamma Co", second, "A", "phone", 10, False), ("Delta Co", second, "C", "on_site", 20, True)]:
        customer = make.customer(rep, name=name, tier=tier)
        visit = visits.log({"occurred_at": now - ago * day, "duration_minutes": 30, "kind": kind, "outcome": "",
                            "contacts": []}, customer, rep, rep, values, now=now)
        Visit.update(verified=verified).where(Visit.id == visit.id).execute()
        logged[name] = visit
    make.customer(team["other"], name="Outside Co")
    names = ("Alpha Co", "Beta Co", "Gamma Co", "Delta Co")

    def shown(**query):
        body = team["boss_client"].get("/visits", query_string=query, headers=EN).get_data(as_text=True)
        return {n for n in names if n in body}

    local = (now + datetime.timedelta(hours=8)).date()  # the install's zone
    assert shown() == set(names)
    assert shown(rep=str(second.id)) == {"Gamma Co", "Delta Co"}
    assert shown(since=(local - 5 * day).isoformat()) == {"Alpha Co", "Beta Co"}
    assert shown(since=(local - 15 * day).isoformat(), until=(local - 2 * day).isoformat()) == {"Beta Co", "Gamma Co"}
    assert shown(tier="A") == {"Alpha Co", "Gamma Co"}
    assert shown(kind="phone") == {"Beta Co", "Gamma Co"}
    assert shown(verified="yes") == {"Alpha Co", "Delta Co"}
    assert shown(verified="no", tier="A") == {"Gamma Co"}
    assert shown(rep="99999999999999999999", since="not a day") == set(names)  # nonsense filters are dropped
    # a rep's list is their own, whatever rep is asked for
    body = team["rep_client"].get("/visits", query_string={"rep": str(second.id)}, headers=EN).get_data(as_text=True)
    assert "Gamma Co" not in body and "Delta Co" not in body


def test_the_visit_list_counts_the_done_visits_in_scope_with_and_without_filters(app, make, team, signed_in):
    values = settings.current()
    now = utcnow()
    second = make.user("rep", name="Rep Three", team="East", reports_to=team["boss"])
    months = datetime.timedelta(days=40)
    for rep, n in ((team["rep"], 3), (second, 2), (team["other"], 4)):
        customer = make.customer(rep, name=f"{rep.name} Co")
        for k in range(n):  # over several months: the count adds up each month's
            visits.log({"occurred_at": now - k * months, "duration_minutes": 30, "kind": "phone" if k else "on_site",
                        "outcome": "", "contacts": []}, customer, rep, rep, values, now=now)
        visits.plan(customer, rep, datetime.date.today(), rep, datetime.date.today())  # planned: not listed
    visits.cancel(visits.plan(make.customer(second, name="Dropped Co"), second, datetime.date.today(), second,
                              datetime.date.today()), second)
    ops_client, _ops = signed_in("ops", name="Ops")

    def count(client, **query):
        body = client.get("/visits", query_string=query, headers=EN).get_data(as_text=True)
        return int(re.search(r'<p class="count">(\d+) visits?</p>', body).group(1))

    assert count(team["rep_client"]) == 3
    assert count(team["rep_client"], rep=str(second.id)) == 0  # a rep sees their own alone
    assert count(team["boss_client"]) == 5
    assert count(team["boss_client"], rep=str(second.id)) == 2
    assert count(team["boss_client"], rep=str(team["other"].id)) == 0  # outside the team
    assert count(team["boss_client"], kind="phone") == 3
    assert count(ops_client) == 9
    assert count(ops_client, rep=str(team["other"].id)) == 4
    assert count(ops_client, kind="on_site") == 3


def test_a_planned_visit_opens_the_form_filled_in(app, make, team):
    customer = make.customer(team["rep"], name="Planned Pumps")
    today = datetime.date.today()
    planned = visits.plan(customer, team["rep"], today, team["rep"], today)
    Visit.update(purpose="Demo of the X200", kind="video", duration_minutes=90).where(Visit.id == planned.id).execute()
    body = team["rep_client"].get(f"/visits/new?planned={planned.id}", headers=EN).get_data(as_text=True)
    assert 'value="Planned Pumps"' in body and 'value="Demo of the X200"' in body and 'value="90"' in body
    assert '<option selected value="video">' in body and f'name="planned" type="hidden" value="{planned.id}"' in body
    response = log(team["rep_client"], form(customer, planned=str(planned.id)))
    assert response.status_code == 303 and Visit.get_by_id(planned.id).status == "done"
    assert Visit.select().count() == 1  # the plan became the visit


def test_a_photo_over_the_size_cap_is_refused_in_the_form_with_the_input_kept(app, make, team):
    app.config["MAX_UPLOAD_MB"] = 1
    customer = make.customer(team["rep"], name="Big Photo Co")
    big = JPEG + b"\x00" * (1024 * 1024 + 10)
    response = log(team["rep_client"], form(customer, notes="Kept notes", photo=(io.BytesIO(big), "IMG_0002.JPG")),
                   content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "larger than 1 MB" in body and "Kept notes" in body
    assert not Visit.select().exists() and Customer.get_by_id(customer.id).last_visit_at is None


def test_a_visits_page_shows_the_people_met_the_deal_and_the_comments_to_everyone_in_scope(app, make, team, signed_in):
    customer = make.customer(team["rep"], name="Met Co")
    deal = make.deal(team["rep"], customer, title="Big Order")
    ann = Contact.create(customer=customer, name="Ann Buyer")
    bob = Contact.create(customer=customer, name="Bob Boss")
    visit = visits.log(_values(occurred_at=utcnow() - datetime.timedelta(hours=2), deal=deal, contacts=[bob, ann],
                               purpose="Talk terms"), customer, team["rep"], team["rep"], _settings())
    VisitComment.create(visit=visit, author=team["boss"], body="Push on price", created_at=utcnow())
    VisitComment.create(visit=visit, author=None, body="From a leaver", created_at=utcnow())
    ops_client, _ops = signed_in("ops", name="Ops")
    for client in (team["rep_client"], team["boss_client"], ops_client):  # own, the team's, everyone's
        page = client.get(f"/visits/{visit.id}", headers=EN).get_data(as_text=True)
        assert "<h1><a href=\"/customers/%d\">Met Co</a></h1>" % customer.id in page
        assert "<dd>Ann Buyer, Bob Boss</dd>" in page and "<dd>Rep One</dd>" in page
        assert f'<a href="/deals/{deal.id}">Big Order</a>' in page
        assert "Boss</div><p class=\"prewrap\">Push on price" in page and "—</div><p class=\"prewrap\">From a leaver" in page
    assert team["other_client"].get(f"/visits/{visit.id}").status_code == 404
    bare = visits.log(_values(occurred_at=utcnow() - datetime.timedelta(hours=1)), customer, team["rep"], team["rep"],
                      _settings())
    page = team["boss_client"].get(f"/visits/{bare.id}", headers=EN).get_data(as_text=True)
    assert "No comments yet." in page and "Big Order" not in page and "People met" not in page


def test_the_visit_list_pages_through_and_counts_each_visits_comments(app, make, team, signed_in):
    app.config["PAGE_SIZE"] = 3
    values = settings.current()
    now = utcnow()
    customer = make.customer(team["rep"], name="Paged Co")
    logged = [visits.log({"occurred_at": now - datetime.timedelta(hours=n + 1), "duration_minutes": 30,
                          "kind": "phone", "outcome": "", "contacts": []}, customer, team["rep"], team["rep"], values,
                         now=now) for n in range(4)]
    for visit, comments in ((logged[0], 2), (logged[1], 1), (logged[3], 1)):
        for n in range(comments):
            VisitComment.create(visit=visit, author=team["boss"], body=f"Note {n}", created_at=now)
    ops_client, _ops = signed_in("ops", name="Ops")
    for client in (team["rep_client"], team["boss_client"], ops_client):
        first = client.get("/visits", headers=EN).get_data(as_text=True)
        assert first.count('class="visit-row"') == 3 and "2 comments" in first and "1 comment<" in first
        last = client.get("/visits?page=2", headers=EN).get_data(as_text=True)
        assert last.count('class="visit-row"') == 1 and f"/visits/{logged[3].id}" in last and "1 comment<" in last


def test_the_visit_list_shows_each_check_in_as_the_visits_page_does(app, make, team):
    values = settings.current()
    now = utcnow()
    customer = make.customer(team["rep"], name="Badge Co")
    states = [dict(verified=True, lat=31.2, distance_m=40, check_problem=""),
              dict(verified=True, lat=31.2, distance_m=None, check_problem=""),
              dict(verified=False, lat=31.2, distance_m=900, check_problem="far"),
              dict(verified=False, lat=None, distance_m=None, check_problem="")]
    for n, state in enumerate(states):
        visit = visits.log({"occurred_at": now - datetime.timedelta(hours=n + 1), "duration_minutes": 30,
                            "kind": "phone", "outcome": "", "contacts": []}, customer, team["rep"], team["rep"], values,
                           now=now)
        Visit.update(**state).where(Visit.id == visit.id).execute()
        for headers in (EN, {"Accept-Language": "zh"}):
            listed = team["rep_client"].get("/visits", headers=headers).get_data(as_text=True)
            row = listed.split(f'href="/visits/{visit.id}"')[1].split("</li>")[0]
            page = team["rep_client"].get(f"/visits/{visit.id}", headers=headers).get_data(as_text=True)
            badge = re.compile(r'<span class="badge[^"]*">[^<]*</span>')
            assert badge.findall(row) == badge.findall(page.split("<h1>")[1].split("<dl")[0]) != []


def _fix(seconds_ago):
    """A check-in's fields: a fresh, accurate fix (its time in ms, as the browser sends it)."""
    at = utcnow().replace(tzinfo=datetime.timezone.utc).timestamp() - seconds_ago
    return {"lat": "31.2", "lon": "121.5", "accuracy": "20", "fix_at": str(int(at * 1000))}


def test_a_logged_visit_takes_at_most_12_statements_whatever_path_moves_its_due_day(app, make, team):
    """Exact counts (main before the customers by due day → now): a visit moving the due day and month 12 → 10, a
    second visit the same day (the due day stays) 12 → 9, a planned visit completed 13 → 11, a check-in telling the
    customer's place 14 → 11, a check-in at a known place 13 → 11, a plan completed with a check-in 14 → 12. The
    customer is read once, the people and deals to choose from not at all (nobody ticked, no deal); the rollups
    are right after each."""
    client, rep = team["rep_client"], team["rep"]
    long_ago = utcnow() - datetime.timedelta(days=400)  # due long ago: a visit moves its due day and month
    today = datetime.date.today()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/visits/new").get_data(as_text=True)).group(1)

    def statements(customer, **extra):
        with count_queries() as seen:
            response = client.post("/visits/new", data={**form(customer, **extra), "csrf_token": token}, headers=EN)
        assert response.status_code == 303
        assert rollups.differences() == []
        return len(seen)

    moved = make.customer(rep, made_at=long_ago)
    assert statements(moved) == 10
    assert statements(moved) == 9  # the same day again: its due day stays
    planned = make.customer(rep, made_at=long_ago)
    plan = visits.plan(planned, rep, today, rep, today)
    assert statements(planned, planned=str(plan.id)) == 11
    assert Visit.get_by_id(plan.id).status == "done" and Task.get(Task.visit == plan.id).done_at is not None
    nowhere = make.customer(rep, made_at=long_ago)
    assert statements(nowhere, **_fix(60)) == 11
    assert (float(Customer.get_by_id(nowhere.id).lat), Visit.select().order_by(Visit.id.desc()).get().check_problem) \
        == (31.2, "no_place")
    placed = make.customer(rep, made_at=long_ago)
    Customer.update(lat=31.2, lon=121.5).where(Customer.id == placed.id).execute()
    assert statements(placed, **_fix(50)) == 11
    assert Visit.select().order_by(Visit.id.desc()).get().verified
    checked = make.customer(rep, made_at=long_ago)
    plan = visits.plan(checked, rep, today, rep, today)
    assert statements(checked, planned=str(plan.id), **_fix(40)) == 12
    visited = cadence.local_date(Visit.get_by_id(plan.id).occurred_at, settings.current())
    assert Customer.get_by_id(checked.id).next_visit_due == visited + datetime.timedelta(days=180)  # tier C's


def test_a_refused_visit_shows_the_customer_s_people_and_deals_again(app, make, team):
    """A post reads only the people ticked; shown again, the form offers all of them and the open deals."""
    customer = make.customer(team["rep"], name="Choice Co")
    Contact.create(customer=customer, name="Wang Li")
    Contact.create(customer=customer, name="Zhao Min")
    make.deal(team["rep"], customer, title="Pumps for Choice Co")
    response = log(team["rep_client"], form(customer, duration_minutes="2000"))
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Wang Li" in body and "Zhao Min" in body and "Pumps for Choice Co" in body
