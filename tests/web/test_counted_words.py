"""A count shown with a noun agrees with it: 1 visit, 2 visits; 1 day, 60 days."""
import re

from salesweb.core.db import utcnow
from salesweb.service import links as customer_links
from salesweb.core import settings
from salesweb.visits import rules as visits
from tests.conftest import login

EN = {"Accept-Language": "en"}


def _client(app, user):
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def _text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _visit(customer, rep):
    visits.log({"occurred_at": utcnow(), "duration_minutes": 30, "kind": "phone", "outcome": "", "contacts": []},
               customer, rep, rep, settings.current())


def test_today_counts_one_visit_in_the_singular(app, make):
    rep = make.user("rep", team="East")
    customer = make.customer(rep)
    client = _client(app, rep)
    assert "0 visits of 10–15" in _text(client.get("/rep/", headers=EN).get_data(as_text=True))
    _visit(customer, rep)
    page = _text(client.get("/rep/", headers=EN).get_data(as_text=True))
    assert "1 visit of 10–15" in page and "1 visits" not in page
    _visit(customer, rep)
    assert "2 visits of 10–15" in _text(client.get("/rep/", headers=EN).get_data(as_text=True))


def test_the_pool_names_one_day_and_one_customer_in_the_singular(app, make):
    settings.update({"pool_recycle_days": 1, "pool_claim_limit": 1}, by=make.user("admin"))
    page = _text(_client(app, make.user("rep", team="East")).get("/customers/pool", headers=EN)
                 .get_data(as_text=True))
    assert "with no visit or deal for 1 day return here" in page
    assert "You hold 0 of at most 1 customer claimed from the pool." in page


def test_the_feedback_form_promises_an_answer_within_one_hour_in_the_singular(app, make):
    settings.update({"feedback_response_hours": 1}, by=make.user("admin"))
    rep = make.user("rep", team="East")
    link = customer_links.create(make.customer(rep, name="Harbour Foods"), "feedback", rep, settings.current())
    page = _text(app.test_client().get(f"/f/{link.token}", headers=EN).get_data(as_text=True))
    assert "We answer within 1 hour." in page
    settings.update({"feedback_response_hours": 24}, by=make.user("admin"))
    page = _text(app.test_client().get(f"/f/{link.token}", headers=EN).get_data(as_text=True))
    assert "We answer within 24 hours." in page
