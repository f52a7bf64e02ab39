"""A visit sent from a phone's outbox: its client id records it once per rep however often it arrives (a retry after
a lost answer, a double tap, two at once), its capture time is what a check-in's fix is measured against, a visit
that arrives days after its capture is flagged for the manager, and a program asking for JSON is answered in JSON."""
import datetime
import io
import pathlib
import re
import uuid

import pytest

from salesweb.core import settings
from salesweb.core.db import utcnow
from salesweb.core.errors import Invalid
from salesweb.customers import cadence
from salesweb.infra import rollups
from salesweb.models import AuditEvent, Customer, StoredFile, Task, Visit
from salesweb.reports import queries as reports
from salesweb.visits import queries, rules as visits
from tests.conftest import count_queries, csrf_token, in_parallel, login
from tests.infra.test_storage import JPEG, PDF

EN = {"Accept-Language": "en"}
JSON = {"Accept": "application/json", **EN}
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def team(app, make):
    boss = make.user("manager", name="Boss", team="East")
    rep = make.user("rep", name="Rep One", team="East", reports_to=boss)
    other = make.user("rep", name="Rep Two", team="West")
    return dict(boss=boss, rep=rep, other=other)


def phone(app, user):
    """A client signed in as `user`, and the CSRF token its pages carry (what a phone's outbox holds)."""
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    page = client.get("/visits/new").get_data(as_text=True)
    return client, re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def sent(client, token, data, headers=JSON, photo=None):
    data = {**data, "csrf_token": token}
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), "IMG_0001.JPG")
    return client.post("/visits/new", data=data, headers=headers,
                       content_type="multipart/form-data" if photo is not None else None)


def captured(at):
    """A time as the phone sends it: ISO 8601 with its offset (the phone's zone, Shanghai)."""
    return at.replace(tzinfo=datetime.UTC).astimezone(SHANGHAI).isoformat()


def visit_form(customer, occurred, **kw):
    """The form as a phone fills it in: the visit at `occurred` (UTC), in the install's zone (Shanghai)."""
    local = occurred + datetime.timedelta(hours=8)
    return {"customer": str(customer.id), "occurred_on": local.date().isoformat(),
            "occurred_time": local.strftime("%H:%M"), "duration_minutes": "45", "kind": "on_site",
            "outcome": "positive", "notes": "Went well", **kw}


def stored_files(app):
    """The files in the upload directory."""
    return sorted(p.name for p in pathlib.Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file())


def _effects(customer):
    """What logging a visit to the customer leaves behind, counted."""
    return {"done": Visit.select().where((Visit.customer == customer.id) & (Visit.status == "done")).count(),
            "planned": Visit.select().where((Visit.customer == customer.id) & (Visit.status == "planned")).count(),
            "open tasks": Task.select().where((Task.customer == customer.id) & Task.done_at.is_null()).count(),
            "audited": AuditEvent.select().where(AuditEvent.summary == f"Visit to {customer.name}").count(),
            "photos": StoredFile.select().count()}


def test_the_same_visit_sent_three_times_two_at_once_is_recorded_once(app, make, team):
    customer = make.customer(team["rep"], name="Resent Co", made_at=utcnow() - datetime.timedelta(days=400))
    phones = [phone(app, team["rep"]) for _ in range(3)]
    occurred = utcnow() - datetime.timedelta(hours=3)
    data = visit_form(customer, occurred, client_uuid=str(uuid.uuid4()), captured_at=captured(occurred),
                      next_visit_on=(datetime.date.today() + datetime.timedelta(days=30)).isoformat())
    first = sent(*phones[0], data, photo=JPEG)  # its answer lost on the way: the phone sends it again, twice
    assert first.status_code == 201 and first.json["created"] is True
    visit = Visit.get_by_id(first.json["id"])
    assert first.json["url"] == f"/visits/{visit.id}"
    after_first = (_effects(customer), Customer.get_by_id(customer.id).next_visit_due, stored_files(app))
    again = in_parallel(2, lambda n: sent(*phones[n + 1], data, photo=JPEG))
    assert [(r.status_code, r.json) for r in again] == [(200, {"id": visit.id, "url": f"/visits/{visit.id}",
                                                               "created": False})] * 2
    assert (_effects(customer), Customer.get_by_id(customer.id).next_visit_due, stored_files(app)) == after_first
    assert after_first[0] == {"done": 1, "planned": 1, "open tasks": 1, "audited": 1, "photos": 1}
    assert len(after_first[2]) == 1
    assert Customer.get_by_id(customer.id).last_visit_at == visit.occurred_at  # one cadence move
    assert rollups.differences() == []  # the visits counted per day and month, the due days: once


def test_all_three_at_once_are_one_visit(app, make, team):
    customer = make.customer(team["rep"], name="Triple Co")
    phones = [phone(app, team["rep"]) for _ in range(3)]
    occurred = utcnow() - datetime.timedelta(hours=1)
    data = visit_form(customer, occurred, client_uuid=str(uuid.uuid4()),
                      next_visit_on=(datetime.date.today() + datetime.timedelta(days=30)).isoformat())
    answers = in_parallel(3, lambda n: sent(*phones[n], data))
    assert sorted(r.status_code for r in answers) == [200, 200, 201]
    assert len({r.json["id"] for r in answers}) == 1
    assert _effects(customer) == {"done": 1, "planned": 1, "open tasks": 1, "audited": 1, "photos": 0}
    assert rollups.differences() == []


def test_a_planned_visit_sent_three_times_two_at_once_is_fulfilled_once(app, make, team):
    customer = make.customer(team["rep"], name="Planned Resent Co")
    today = datetime.date.today()
    plan = visits.plan(customer, team["rep"], today, team["rep"], today)
    phones = [phone(app, team["rep"]) for _ in range(3)]
    occurred = utcnow() - datetime.timedelta(hours=1)
    data = visit_form(customer, occurred, planned=str(plan.id), client_uuid=str(uuid.uuid4()),
                      next_visit_on=(today + datetime.timedelta(days=30)).isoformat())
    first = sent(*phones[0], data)
    assert (first.status_code, first.json["id"], first.json["created"]) == (201, plan.id, True)
    after_first = _effects(customer)
    again = in_parallel(2, lambda n: sent(*phones[n + 1], data))
    assert [(r.status_code, r.json["id"], r.json["created"]) for r in again] == [(200, plan.id, False)] * 2
    assert _effects(customer) == after_first == {"done": 1, "planned": 1, "open tasks": 1, "audited": 1, "photos": 0}
    assert Task.get(Task.visit == plan.id).done_at is not None
    assert rollups.differences() == []


@pytest.mark.parametrize("gone", ["cancelled", "deleted"])
def test_a_visit_sent_for_a_plan_gone_while_it_waited_is_logged_without_it(app, make, team, gone):
    """The visit happened; the plan it was logged against was cancelled or went while it waited on the phone."""
    customer = make.customer(team["rep"], name="Plan Gone Co")
    today = datetime.date.today()
    plan = visits.plan(customer, team["rep"], today, team["rep"], today)
    if gone == "cancelled":
        visits.cancel(plan, team["rep"])
    else:
        Visit.delete().where(Visit.id == plan.id).execute()
    client, token = phone(app, team["rep"])
    data = visit_form(customer, utcnow() - datetime.timedelta(hours=1), planned=str(plan.id),
                      client_uuid=str(uuid.uuid4()))
    answer = sent(client, token, data)
    assert answer.status_code == 201
    made = Visit.get_by_id(answer.json["id"])
    assert (made.status, made.notes, made.customer_id) == ("done", "Went well", customer.id)
    left = {v.status for v in Visit.select().where(Visit.id != made.id)}
    assert left == ({"cancelled"} if gone == "cancelled" else set())  # the plan as it was: not brought back
    assert rollups.differences() == []


def test_a_plan_fulfilled_meanwhile_by_another_delivery_is_not_fulfilled_again(app, make, team):
    """Two deliveries (two forms, each its own id) both read the plan as planned: the fulfilment is conditional,
    so the later one is refused and changes nothing."""
    customer = make.customer(team["rep"], name="Raced Plan Co")
    today = datetime.date.today()
    plan = visits.plan(customer, team["rep"], today, team["rep"], today)
    stale = Visit.get_by_id(plan.id)  # as the second delivery read it, before the first wrote
    values = settings.current()
    common = {"occurred_at": utcnow() - datetime.timedelta(hours=1), "duration_minutes": 30, "kind": "phone",
              "outcome": "", "contacts": [], "next_visit_on": today + datetime.timedelta(days=10)}
    visits.log({**common, "client_uuid": str(uuid.uuid4())}, customer, team["rep"], team["rep"], values,
               planned=Visit.get_by_id(plan.id))
    before = (_effects(customer), Customer.get_by_id(customer.id).last_visit_at)
    with pytest.raises(Invalid) as refused:
        visits.log({**common, "client_uuid": str(uuid.uuid4())}, customer, team["rep"], team["rep"], values,
                   planned=stale)
    assert "already logged" in str(refused.value.errors[None])
    assert (_effects(customer), Customer.get_by_id(customer.id).last_visit_at) == before
    assert rollups.differences() == []


def test_another_reps_same_id_is_another_visit(app, make, team):
    shared = str(uuid.uuid4())
    mine, theirs = make.customer(team["rep"], name="Mine Co"), make.customer(team["other"], name="Theirs Co")
    occurred = utcnow() - datetime.timedelta(hours=1)
    first = sent(*phone(app, team["rep"]), visit_form(mine, occurred, client_uuid=shared))
    second = sent(*phone(app, team["other"]), visit_form(theirs, occurred, client_uuid=shared.upper()))
    assert (first.status_code, second.status_code) == (201, 201) and first.json["id"] != second.json["id"]
    assert Visit.select().where(Visit.client_uuid == shared).count() == 2  # one spelling, whoever sent it


@pytest.mark.parametrize("change", ["customer", "time"])
def test_another_visit_under_an_id_already_used_is_refused_not_taken_for_the_first(app, make, team, change):
    """A phone that sends a second, different visit under an id it used: not a repeat (that visit would be lost,
    answered as made), nor written over the first. Refused, so the outbox keeps it to send under a new id."""
    shared = str(uuid.uuid4())
    first_co, second_co = make.customer(team["rep"], name="First Co"), make.customer(team["rep"], name="Second Co")
    occurred = utcnow() - datetime.timedelta(hours=2)
    client, token = phone(app, team["rep"])
    first = sent(client, token, visit_form(first_co, occurred, client_uuid=shared))
    other = visit_form(second_co if change == "customer" else first_co,
                       occurred + datetime.timedelta(minutes=0 if change == "customer" else 30),
                       client_uuid=shared, notes="Another visit")
    second = sent(client, token, other)
    assert first.status_code == 201 and second.status_code == 422
    assert second.json["errors"]["client_uuid"].startswith("Another visit was already sent under this visit's id.")
    made = Visit.get()
    assert Visit.select().count() == 1 and (made.customer_id, made.notes) == (first_co.id, "Went well")
    page = client.post("/visits/new", data={**other, "csrf_token": token}, headers=EN)  # the browser's form says so
    assert page.status_code == 422 and "Another visit was already sent under this visit" in page.get_data(as_text=True)
    fresh = sent(client, token, {**other, "client_uuid": str(uuid.uuid4())})
    assert fresh.status_code == 201 and Visit.select().count() == 2


def test_the_browsers_form_carries_a_fresh_id_and_a_double_tap_is_one_visit(app, make, team):
    customer = make.customer(team["rep"], name="Double Tap Co")
    client = app.test_client()
    assert login(client, team["rep"].email).status_code == 302
    ids = [re.search(r'name="client_uuid" type="hidden" value="([^"]+)"',
                     client.get(f"/visits/new?customer={customer.id}").get_data(as_text=True)).group(1)
           for _ in range(2)]
    assert ids[0] != ids[1] and str(uuid.UUID(ids[0])) == ids[0]
    page = client.get("/visits/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = visit_form(customer, utcnow() - datetime.timedelta(minutes=30), client_uuid=ids[0],
                      next=f"/customers/{customer.id}")
    answers = [sent(client, token, data, headers=EN) for _ in range(2)]
    assert [a.status_code for a in answers] == [303, 303]
    assert all(a.headers["Location"].endswith(f"/customers/{customer.id}") for a in answers)
    assert Visit.select().count() == 1
    shown = client.get(f"/customers/{customer.id}", headers=EN).get_data(as_text=True)
    assert "Visit to Double Tap Co was already logged." in shown


def test_refusals_answer_json_with_the_reason_and_change_nothing(app, make, team, signed_in):
    customer = make.customer(team["rep"], name="Refused Co")
    client, token = phone(app, team["rep"])
    occurred = utcnow() - datetime.timedelta(hours=1)

    def refused(status, field, text, photo=None, **kw):
        response = sent(client, token, visit_form(customer, occurred, **{"client_uuid": str(uuid.uuid4()), **kw}),
                        photo=photo)
        assert response.status_code == status, response.get_data(as_text=True)
        assert text in response.json["errors"][field], response.json
        assert not Visit.select().exists() and not AuditEvent.select().where(AuditEvent.object_type == "visit").exists()

    refused(422, "duration_minutes", "Enter minutes from 1 to 600.", duration_minutes="2000")
    refused(422, "photo", "not accepted", photo=PDF)
    refused(422, "client_uuid", "not valid", client_uuid="not-a-uuid")
    refused(422, "captured_at", "not valid", captured_at="yesterday at ten")
    refused(422, "captured_at", "not valid", captured_at="2026-01-05T10:00:00")  # no offset: no telling when
    for odd in ("0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2001-01-01T00:00:00+00:00", "x" * 5000):
        refused(422, "captured_at", "not valid", captured_at=odd)
    refused(422, "captured_at", "clock is wrong", captured_at=captured(utcnow() + datetime.timedelta(minutes=30)))
    fix_after = str(int((utcnow() - datetime.timedelta(minutes=20)).replace(tzinfo=datetime.UTC).timestamp() * 1000))
    refused(422, "form", "taken after the visit was saved", lat="31.2", lon="121.5", accuracy="20",
            fix_at=fix_after, captured_at=captured(utcnow() - datetime.timedelta(minutes=30)))
    refused(422, "occurred_on", "cannot be in the future", captured_at=captured(occurred - datetime.timedelta(hours=1)))
    # the customer reassigned meanwhile, then deleted
    Customer.update(owner=team["other"].id).where(Customer.id == customer.id).execute()
    refused(404, "customer", "reassigned or deleted")
    Customer.delete().where(Customer.id == customer.id).execute()
    refused(404, "customer", "reassigned or deleted")
    # a role that logs no visits, and a stale token: clear 4xx in JSON
    support, _user = signed_in("support")
    answer = support.post("/visits/new", data={"csrf_token": csrf_token(support, "/visits")}, headers=JSON)
    assert answer.status_code == 403 and "Your role does not give access" in answer.json["errors"]["form"]
    stale = client.post("/visits/new", data=visit_form(make.customer(team["rep"]), occurred,
                                                       csrf_token="expired-token"), headers=JSON)
    assert stale.status_code == 400 and "expired" in stale.json["errors"]["csrf_token"]
    assert not Visit.select().exists()


def test_a_malformed_id_is_shown_on_the_browsers_form(app, make, team):
    customer = make.customer(team["rep"], name="Bad Id Co")
    client, token = phone(app, team["rep"])
    response = sent(client, token, visit_form(customer, utcnow() - datetime.timedelta(hours=1), client_uuid="x"),
                    headers=EN)
    assert response.status_code == 422 and "The visit&#39;s id is not valid." in response.get_data(as_text=True)
    assert not Visit.select().exists()


def test_a_repeat_answers_with_the_visit_even_after_its_customer_went(app, make, team):
    """The answer to the first delivery was lost, and the customer was reassigned before the retry: the visit
    stands, and the retry is told so rather than refused."""
    customer = make.customer(team["rep"], name="Moved On Co")
    client, token = phone(app, team["rep"])
    data = visit_form(customer, utcnow() - datetime.timedelta(hours=1), client_uuid=str(uuid.uuid4()))
    first = sent(client, token, data)
    Customer.update(owner=team["other"].id).where(Customer.id == customer.id).execute()
    again = sent(client, token, data)
    assert (again.status_code, again.json) == (200, {**first.json, "created": False})
    assert Visit.select().count() == 1


def _fix(at):
    return {"lat": "31.2", "lon": "121.5", "accuracy": "20",
            "fix_at": str(int(at.replace(tzinfo=datetime.UTC).timestamp() * 1000))}


def test_a_check_ins_fix_is_as_old_as_it_was_when_the_visit_was_captured(app, make, team):
    """A fix at 09:40 on a visit captured at 09:42 and sent at 15:00 is 2 minutes old: verified. The same fix on a
    visit with no capture time was taken hours before it arrived: stale."""
    now = utcnow()
    saved = now - datetime.timedelta(hours=5, minutes=18)
    occurred = saved - datetime.timedelta(minutes=40)
    client, token = phone(app, team["rep"])
    for capture, verified, problem, fixed in ((captured(saved), True, "", saved - datetime.timedelta(minutes=2)),
                                              ("", False, "stale", saved - datetime.timedelta(minutes=2, seconds=1))):
        customer = make.customer(team["rep"])
        Customer.update(lat=31.2, lon=121.5).where(Customer.id == customer.id).execute()
        response = sent(client, token, visit_form(customer, occurred, client_uuid=str(uuid.uuid4()),
                                                  captured_at=capture, **_fix(fixed)))
        assert response.status_code == 201, response.json
        visit = Visit.get_by_id(response.json["id"])
        assert (visit.verified, visit.check_problem) == (verified, problem)
    kept = Visit.get(Visit.verified == True)  # noqa: E712 (SQL)
    assert abs(kept.captured_at - saved) < datetime.timedelta(seconds=1) and kept.created_at >= now


def test_the_rule_measures_the_fix_against_the_capture(app, make, team):
    customer = make.customer(team["rep"])
    Customer.update(lat=31.2, lon=121.5).where(Customer.id == customer.id).execute()
    customer = Customer.get_by_id(customer.id)
    sent_at = datetime.datetime(2026, 11, 30, 7, 0)  # 15:00 in Shanghai
    visit = visits.log({"occurred_at": datetime.datetime(2026, 11, 30, 1, 0), "duration_minutes": 45,
                        "kind": "on_site", "outcome": "", "contacts": [], "lat": 31.2, "lon": 121.5, "accuracy": 20.0,
                        "fix_at": datetime.datetime(2026, 11, 30, 1, 40), "captured_at": "2026-11-30T09:42:00+08:00"},
                       customer, team["rep"], team["rep"], settings.current(), now=sent_at)
    assert (visit.verified, visit.captured_at, visit.created_at) == (True, datetime.datetime(2026, 11, 30, 1, 42),
                                                                     sent_at)


def test_a_visit_captured_yesterday_and_received_today_counts_yesterday(app, make, team):
    """Today, the cadence, the weekly report and the visit counts read when the visit happened, not when it
    arrived."""
    values = settings.current()
    today = datetime.datetime.now(SHANGHAI).date()
    yesterday = today - datetime.timedelta(days=1)
    customer = make.customer(team["rep"], name="Late Sync Co", made_at=utcnow() - datetime.timedelta(days=400))
    occurred = datetime.datetime.combine(yesterday, datetime.time(10, 0)) - datetime.timedelta(hours=8)  # UTC
    response = sent(*phone(app, team["rep"]), visit_form(customer, occurred, client_uuid=str(uuid.uuid4()),
                                                         captured_at=captured(occurred + datetime.timedelta(hours=1))))
    assert response.status_code == 201
    assert queries.done_by(team["rep"], yesterday, today, values) == (1, 0)
    assert queries.done_by(team["rep"], today, today + datetime.timedelta(days=1), values) == (0, 0)
    stored = Customer.get_by_id(customer.id)
    assert stored.last_visit_at == occurred
    assert stored.next_visit_due == yesterday + datetime.timedelta(days=values["cadence_c_days"])
    assert cadence.local_date(Visit.get().occurred_at, values) == yesterday
    y_year, y_week, _ = yesterday.isocalendar()
    t_year, t_week, _ = today.isocalendar()
    assert reports.summary(team["rep"], y_year, y_week, values)["visits"] == 1
    if (y_year, y_week) != (t_year, t_week):  # a Monday: this week's report has none of it
        assert reports.summary(team["rep"], t_year, t_week, values)["visits"] == 0
    assert rollups.differences() == []


@pytest.mark.parametrize("late, flagged", [(datetime.timedelta(hours=72, minutes=1), True),
                                           (datetime.timedelta(hours=71, minutes=59), False)])
def test_a_visit_captured_more_than_72_hours_before_it_arrived_is_flagged_for_the_manager(app, make, team, late,
                                                                                          flagged):
    customer = make.customer(team["rep"], name="Basement Co")
    saved = utcnow() - late
    response = sent(*phone(app, team["rep"]), visit_form(customer, saved - datetime.timedelta(minutes=30),
                                                         client_uuid=str(uuid.uuid4()), captured_at=captured(saved)))
    assert response.status_code == 201
    visit_id = response.json["id"]
    boss = app.test_client()
    assert login(boss, team["boss"].email).status_code == 302
    rep, _token = phone(app, team["rep"])
    for client in (boss, rep):
        for language, marker in (("en", "sent 3 days after it was captured"), ("zh", "在手机上记录 3 天后才发送")):
            headers = {"Accept-Language": language}
            listed = client.get("/visits", headers=headers).get_data(as_text=True)
            row = listed.split(f'href="/visits/{visit_id}"')[1].split("</li>")[0]
            page = client.get(f"/visits/{visit_id}", headers=headers).get_data(as_text=True)
            assert (marker in row, marker in page) == (flagged, flagged)
    page = boss.get(f"/visits/{visit_id}", headers=EN).get_data(as_text=True)
    assert "Saved on the phone" in page and "Received" in page


def test_the_marker_speaks_of_hours_and_days_as_the_setting_allows(app):
    values = {"offline_late_hours": 12}
    at = datetime.datetime(2026, 12, 1, 9, 0)
    assert queries.sent_after(at, at + datetime.timedelta(hours=12), values) is None
    assert queries.sent_after(at, at + datetime.timedelta(hours=13, minutes=59), values) == 13
    assert queries.sent_after(None, at, values) is None  # logged before capture times were kept
    assert queries.sent_later(at, at + datetime.timedelta(seconds=20)) is False
    assert queries.sent_later(at, at + datetime.timedelta(minutes=5)) is True


def test_a_repeat_costs_the_refused_insert_and_one_read(app, make, team):
    """The first delivery keeps its statement count (tests/visits/test_pages.py pins them); a repeat runs the same
    statements up to the insert the unique index refuses, and then reads the visit made before."""
    customer = make.customer(team["rep"], made_at=utcnow() - datetime.timedelta(days=400))
    client, token = phone(app, team["rep"])
    data = visit_form(customer, utcnow() - datetime.timedelta(minutes=30), client_uuid=str(uuid.uuid4()))
    with count_queries() as first:
        assert sent(client, token, data).status_code == 201
    with count_queries() as again:
        assert sent(client, token, data).status_code == 200
    assert len(first) == 10
    assert len(again) == 4  # the user, the customer, the refused insert, the visit made before


def test_a_token_from_an_ended_sign_in_is_a_clear_refusal(app, make, team):
    """The CSRF token lives as long as the sign-in (WTF_CSRF_TIME_LIMIT is None; a sign-in ends SESSION_HOURS after
    it began, or on signing out). A visit queued with the token of a sign-in that has ended is answered, signed out
    and signed in again alike, with a 400 the outbox can show: it must take the new sign-in's token. Nothing is
    stored until it does."""
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None
    customer = make.customer(team["rep"], name="Queued Co")
    client, token = phone(app, team["rep"])
    data = visit_form(customer, utcnow() - datetime.timedelta(hours=1), client_uuid=str(uuid.uuid4()))
    assert client.post("/logout", data={"csrf_token": token}).status_code in (302, 303)
    signed_out = sent(client, token, data)
    assert signed_out.status_code == 400 and "The form expired" in signed_out.json["errors"]["csrf_token"]
    assert login(client, team["rep"].email).status_code == 302
    stale = sent(client, token, data)
    assert stale.status_code == 400 and "The form expired" in stale.json["errors"]["csrf_token"]
    assert not Visit.select().exists()
    fresh = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/visits/new").get_data(as_text=True)).group(1)
    assert sent(client, fresh, data).status_code == 201


def test_a_sign_in_past_its_hours_is_sent_to_sign_in_again(app, make, team):
    """A sign-in older than SESSION_HOURS ends at the next request, before its token is checked: the answer is the
    way to the sign-in page (as every page's), and nothing is stored."""
    customer = make.customer(team["rep"], name="Expired Co")
    client, token = phone(app, team["rep"])
    with client.session_transaction() as session:
        session["signed_in_at"] -= int(app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()) + 60
    answer = sent(client, token, visit_form(customer, utcnow() - datetime.timedelta(hours=1)))
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert not Visit.select().exists()
