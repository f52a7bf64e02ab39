"""Help-request, feedback and public-form pages: scope, roles, the public forms' defences, query counts."""
import datetime
import re

import pytest

from salesweb.models import CustomerLink, Feedback, HelpRequest, PublicHit, SurveyAnswer
from salesweb.service import links as customer_links, rules as feedback, help
from salesweb.core import settings
from tests.conftest import count_queries, login, post


@pytest.fixture
def east(app, make):
    manager = make.user("manager", team="East")
    rep = make.user("rep", team="East", reports_to=manager)
    return manager, rep, make.customer(rep, name="Acme Pumps")


def client_for(app, user):
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def public_post(client, url, data):
    """Post a public form the way its page would: the token comes from the page."""
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    return client.post(url, data={"csrf_token": token, **data})


# --- help requests --------------------------------------------------------------------------------------------

def test_help_requests_are_seen_by_the_asker_their_manager_and_support_only(app, make, east):
    manager, rep, customer = east
    asked = help.ask(rep, "Spec sheet?", "high", customer.id, None)
    stranger = make.user("rep", team="West")
    support = make.user("support")
    assert client_for(app, stranger).get(f"/requests/{asked.id}").status_code == 404
    assert post(client_for(app, stranger), f"/requests/{asked.id}/reply", {"body": "x", "version": "1"}).status_code == 404
    assert client_for(app, manager).get(f"/requests/{asked.id}").status_code == 200
    assert client_for(app, rep).get("/support/requests").status_code == 403
    desk = client_for(app, support)
    assert "Spec sheet?" in desk.get("/support/requests").get_data(as_text=True)
    assert desk.get("/requests").headers["Location"].endswith("/support/requests")


def test_a_rep_asks_with_an_attachment_and_support_answers(app, make, east):
    _manager, rep, customer = east
    support = make.user("support")
    client = client_for(app, rep)
    import io

    from tests.infra.test_storage import PNG as png
    response = post(client, "/requests/new", {"question": "Is this the right valve?", "urgency": "normal",
                                              "customer": str(customer.id), "file": (io.BytesIO(png), "valve.png")},
                    content_type="multipart/form-data")
    assert response.status_code == 303
    asked = HelpRequest.get()
    assert asked.file_id and asked.file_name == "valve.png" and asked.customer_id == customer.id
    assert client.get(f"/requests/{asked.id}/file").status_code == 200
    desk = client_for(app, support)
    assert post(desk, f"/requests/{asked.id}/reply", {"body": "Yes, DN50", "version": str(asked.version),
                                                      "action": "answer"}).status_code == 303
    assert HelpRequest.get_by_id(asked.id).status == "answered"
    page = client.get(f"/requests/{asked.id}").get_data(as_text=True)
    assert "Yes, DN50" in page


def test_a_bad_question_changes_nothing(app, east):
    _manager, rep, _customer = east
    client = client_for(app, rep)
    response = post(client, "/requests/new", {"question": "x" * 2001, "urgency": "whenever"})
    assert response.status_code == 422 and "2000" in response.get_data(as_text=True)
    response = post(client, "/requests/new", {"question": "<script>alert(1)</script>", "urgency": "low",
                                              "customer_name": "No such customer"})
    assert response.status_code == 422 and HelpRequest.select().count() == 0


# --- feedback -------------------------------------------------------------------------------------------------

def test_feedback_is_scoped_to_the_customers_one_sees(app, make, east):
    manager, rep, customer = east
    case = feedback.log(customer, "complaint", "phone", "high", "<b>Late</b> <script>alert(1)</script>", "", rep,
                        settings.current())
    stranger = make.user("rep", team="West")
    other = client_for(app, stranger)
    assert other.get(f"/feedback/{case.id}").status_code == 404
    assert post(other, f"/feedback/{case.id}/respond", {"response": "x", "severity": "low",
                                                       "version": "1"}).status_code == 404
    assert other.get(f"/customers/{customer.id}/feedback/new").status_code == 404
    assert "Acme Pumps" not in other.get("/feedback?show=all").get_data(as_text=True)
    page = client_for(app, manager).get(f"/feedback/{case.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert client_for(app, make.user("admin")).get("/feedback").status_code == 403


@pytest.mark.parametrize("role", ["rep", "manager", "support", "ops"])
def test_each_feedback_list_shows_what_the_role_sees(app, make, east, role):
    """Every shape of the list's kept reads: each scope, each filter (an unknown one is "waiting"), with and without
    a kind."""
    manager, rep, customer = east
    feedback.log(customer, "complaint", "phone", "high", "Late delivery", "", rep, settings.current())
    stranger = make.user("rep", team="West")
    feedback.log(make.customer(stranger, name="West Works"), "praise", "email", "low", "Quick reply", "Thanks",
                 stranger, settings.current())
    viewer = {"rep": rep, "manager": manager}.get(role) or make.user(role)
    client = client_for(app, viewer)
    for show in ("waiting", "overdue", "open", "closed", "all", "odd"):
        for kind in ("", "complaint", "praise"):
            page = client.get(f"/feedback?show={show}&kind={kind}", headers={"Accept-Language": "en"})
            assert page.status_code == 200
            text = page.get_data(as_text=True)
            assert ("West Works" in text) == (role in ("support", "ops") and show in ("all", "open")
                                              and kind in ("", "praise"))
            assert ("Acme Pumps" in text) == (show in ("waiting", "all", "odd", "open") and kind in ("", "complaint"))


def test_feedback_steps_through_the_pages(app, east):
    _manager, rep, customer = east
    client = client_for(app, rep)
    response = post(client, f"/customers/{customer.id}/feedback/new",
                    {"kind": "complaint", "channel": "visit", "severity": "high", "description": "Seal leaks"})
    case = Feedback.get()
    assert response.status_code == 303 and response.headers["Location"] == f"/feedback/{case.id}"
    bad = post(client, f"/feedback/{case.id}/respond", {"response": "", "severity": "high", "version": "1"})
    assert bad.status_code == 422 and Feedback.get_by_id(case.id).responded_at is None
    assert post(client, f"/feedback/{case.id}/respond", {"response": "Technician tomorrow", "severity": "high",
                                                         "version": "1"}).status_code == 303
    stale = post(client, f"/feedback/{case.id}/resolve", {"resolution": "Replaced", "version": "1"})
    assert stale.status_code == 422 and "Someone else updated this case" in stale.get_data(as_text=True)
    assert post(client, f"/feedback/{case.id}/resolve", {"resolution": "Replaced", "version": "2"}).status_code == 303
    assert post(client, f"/feedback/{case.id}/close", {"satisfaction": "5", "version": "3"}).status_code == 303
    assert Feedback.get_by_id(case.id).satisfaction == 5
    timeline = client.get(f"/customers/{customer.id}").get_data(as_text=True)
    assert "Seal leaks" in timeline and "Closed" in timeline


# --- the customer's own forms ---------------------------------------------------------------------------------

def test_a_rep_sends_a_link_and_the_customer_answers_without_signing_in(app, east):
    _manager, rep, customer = east
    client = client_for(app, rep)
    response = post(client, f"/customers/{customer.id}/links", {"purpose": "feedback"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    url = re.search(r'value="(http://[^"]+/f/[^"]+)"', page).group(1)
    anonymous = app.test_client()
    done = public_post(anonymous, url, {"kind": "complaint", "description": "The pump is loud", "contact_name": "Li"})
    assert done.status_code == 200 and "Thank you" in done.get_data(as_text=True)
    case = Feedback.get()
    assert (case.source, case.customer_id, case.description) == ("customer", customer.id, "The pump is loud")
    assert done.headers["Cache-Control"] == "no-store" and done.headers["X-Robots-Tag"] == "noindex"


def test_public_forms_refuse_unknown_wrong_expired_and_revoked_links(app, east):
    _manager, rep, customer = east
    values = settings.current()
    survey = customer_links.create(customer, "survey", rep, values)
    anonymous = app.test_client()
    assert anonymous.get("/f/not-a-token").status_code == 404
    assert anonymous.get("/f/" + "x" * 300).status_code == 404
    assert anonymous.get(f"/f/{survey.token}").status_code == 404  # a survey link is not a feedback form
    old = customer_links.create(customer, "feedback", rep, values,
                                now=datetime.datetime.utcnow() - datetime.timedelta(days=30))
    expired = anonymous.get(f"/f/{old.token}")
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    revoked = customer_links.create(customer, "feedback", rep, values)
    customer_links.revoke(revoked, rep)
    assert anonymous.get(f"/f/{revoked.token}").status_code == 410
    assert anonymous.post(f"/f/{revoked.token}", data={"kind": "complaint", "description": "x"}).status_code == 400
    assert Feedback.select().count() == 0


def test_public_forms_refuse_long_text_drop_robots_and_need_the_csrf_token(app, east):
    _manager, rep, customer = east
    link = customer_links.create(customer, "feedback", rep, settings.current())
    anonymous = app.test_client()
    url = f"/f/{link.token}"
    long = public_post(anonymous, url, {"kind": "complaint", "description": "x" * 2001})
    assert long.status_code == 422 and "2000" in long.get_data(as_text=True)
    robot = public_post(anonymous, url, {"kind": "complaint", "description": "Buy pills", "website": "http://spam"})
    assert robot.status_code == 200 and "Thank you" in robot.get_data(as_text=True)
    assert anonymous.post(url, data={"kind": "complaint", "description": "no token"}).status_code == 400
    bound = public_post(anonymous, url, {"kind": "praise", "description": "Great", "customer": "999"})
    assert bound.status_code == 200
    assert [(f.customer_id, f.description) for f in Feedback.select()] == [(customer.id, "Great")]


def test_a_flood_gets_429_and_stores_nothing_more(app, east):
    _manager, rep, customer = east
    link = customer_links.create(customer, "feedback", rep, settings.current())
    anonymous = app.test_client()
    url = f"/f/{link.token}"
    statuses = [public_post(anonymous, url, {"kind": "suggestion", "description": f"Idea {n}"}).status_code
                for n in range(7)]
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429, 429]  # five posts per link an hour
    assert Feedback.select().count() == 5
    assert PublicHit.select().count() > 0


def test_the_survey_takes_one_answer(app, east):
    _manager, rep, customer = east
    link = customer_links.create(customer, "survey", rep, settings.current())
    anonymous = app.test_client()
    bad = public_post(anonymous, f"/nps/{link.token}", {"score": "11"})
    assert bad.status_code == 422 and "from 0 to 10" in bad.get_data(as_text=True)
    assert public_post(anonymous, f"/nps/{link.token}", {"score": "9", "comment": "<i>ok</i>"}).status_code == 200
    again = anonymous.get(f"/nps/{link.token}")
    assert again.status_code == 410 and "answered" in again.get_data(as_text=True)
    assert [(a.score, a.comment) for a in SurveyAnswer.select()] == [(9, "<i>ok</i>")]


def test_only_people_who_see_the_customer_send_links(app, make, east):
    _manager, _rep, customer = east
    stranger = client_for(app, make.user("rep", team="West"))
    assert post(stranger, f"/customers/{customer.id}/links", {"purpose": "survey"}).status_code == 404
    ops = client_for(app, make.user("ops"))
    refused = post(ops, f"/customers/{customer.id}/links", {"purpose": "survey"})
    assert refused.status_code == 303 and CustomerLink.select().count() == 0


# --- query counts ---------------------------------------------------------------------------------------------

def test_support_desk_and_lists_cost_the_same_with_more_data(app, make, east):
    _manager, rep, customer = east
    support = client_for(app, make.user("support"))

    def pages():
        counts = []
        for url in ("/support/", "/support/requests", "/feedback?show=all"):
            with count_queries() as queries:
                assert support.get(url).status_code == 200
            counts.append(len(queries))
        return counts

    help.ask(rep, "One", "high", customer.id, None)
    feedback.log(customer, "complaint", "phone", "high", "One", "", rep, settings.current())
    few = pages()
    for n in range(8):
        help.ask(rep, f"More {n}", "low", customer.id, None)
        feedback.log(make.customer(rep), "suggestion", "email", "low", f"More {n}", "", rep, settings.current())
    assert pages() == few == [5, 3, 3]
