"""Forms filled in from the query string (`?customer=`, `?deal=`, `?visit=`, `?planned=`) go through the one
visibility rule: a record outside the user's scope fills in nothing and answers 404, like the record's own page,
so counting ids reads no one's names."""
import pytest

from salesweb.models import HelpRequest
from tests.hardening.test_url_policy import MARKERS, SHARED
from tests.hardening.walk import client_as, rules, url_for_rule
from tests.hardening.world import build

# Each place a form is filled in from the query string, and a name East's own people find filled in there.
PLACES = [
    ("/requests/new", "customer", "customer_id", "Acme Pumps"),
    ("/requests/new", "deal", "deal_id", "Boiler room"),
    ("/deals/new", "customer", "customer_id", "Acme Pumps"),
    ("/visits/new", "customer", "customer_id", "Acme Pumps"),
    ("/visits/new", "planned", "planned_visit_id", "Acme Pumps"),
    ("/visits/new/customer", "customer", "customer_id", "Li Wei"),
    ("/tasks", "customer", "customer_id", "Acme Pumps"),
    ("/tasks", "deal", "deal_id", "Boiler room"),
    ("/expenses/new", "visit", "visit_id", "Acme Pumps"),
]


@pytest.mark.parametrize("path,name,key,shown", PLACES, ids=[f"{p}?{n}" for p, n, _k, _s in PLACES])
def test_a_form_is_filled_in_only_with_records_in_scope(app, make, path, name, key, shown):
    world = build(app, make)
    query = {name: world.ids[key]}
    own, _token = client_as(app, world, "rep")
    page = own.get(path, query_string=query)
    assert page.status_code == 200 and shown in page.get_data(as_text=True)  # filled in for the record's owner
    for outsider in ("other_rep", "other_manager"):
        client, _token = client_as(app, world, outsider)
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(path, query_string=query, headers=headers)
            body = response.get_data(as_text=True)
            assert response.status_code == 404, (outsider, headers)
            assert not [m for m in MARKERS if m in body], (outsider, headers)


def test_a_help_request_posted_with_another_teams_customer_is_refused(app, make):
    world = build(app, make)
    client, token = client_as(app, world, "other_rep")
    customer = world.ids["customer_id"]
    before = HelpRequest.select().count()
    response = client.post(f"/requests/new?customer={customer}", data={
        "csrf_token": token, "question": "Who is this?", "urgency": "normal", "customer": str(customer)})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose one of your customers from the list." in body
    assert "Acme Pumps" not in body and HelpRequest.select().count() == before


def test_no_page_fills_in_another_teams_names_from_the_query_string(app, make):
    """Every page, asked by an outsider with one of East's ids under each name a form could fill in from (one at
    a time: an id refused first would hide what another fills in)."""
    world = build(app, make)
    names = {"customer": "customer_id", "deal": "deal_id", "visit": "visit_id", "planned": "planned_visit_id",
             "contact": "contact_id", "quote": "quote_id", "request": "request_id", "task": "task_id"}
    for outsider in ("other_rep", "other_manager"):
        client, _token = client_as(app, world, outsider)
        leaks = []
        for endpoint, method, rule in rules(app):
            if method != "GET" or endpoint.startswith(SHARED):
                continue
            url = url_for_rule(rule, endpoint, world.ids)
            for name, key in names.items():
                body = client.get(url, query_string={name: world.ids[key]}).get_data().decode("utf-8", "replace")
                leaks += [(endpoint, name, m) for m in MARKERS if m in body]
        assert leaks == [], outsider
