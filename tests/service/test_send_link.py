"""Sending a customer a link from their page: the answer is the page's feedback and service section with the new
link at its top, saying which kind of link it is; without JavaScript, the page again at that section."""
import re

from salesweb.models import CustomerLink
from tests.conftest import login, post

EN = {"Accept-Language": "en"}
HTMX = {"HX-Request": "true", **EN}


def _client(app, user):
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def test_a_link_sent_from_the_customer_page_comes_back_in_its_section_saying_which_link(app, make):
    rep = make.user("rep", team="East")
    customer = make.customer(rep, name="Acme Pumps")
    client = _client(app, rep)
    url = f"/customers/{customer.id}/links"
    survey = post(client, url, {"purpose": "survey"}, token_from=f"/customers/{customer.id}", headers=HTMX)
    body = survey.get_data(as_text=True)
    assert survey.status_code == 200 and "HX-Request" in survey.headers["Vary"]
    assert body.lstrip().startswith('<section class="card" id="service">') and "<html" not in body
    assert "NPS survey link for Acme Pumps" in body and "Feedback form link" not in body
    link = CustomerLink.get(CustomerLink.purpose == "survey")
    assert f'value="http://localhost/nps/{link.token}"' in body
    assert body.index("NPS survey link for Acme Pumps") < body.index("Send feedback form")  # the link first

    form = post(client, url, {"purpose": "feedback"}, token_from=f"/customers/{customer.id}", headers=HTMX)
    body = form.get_data(as_text=True)
    link = CustomerLink.get(CustomerLink.purpose == "feedback")
    assert "Feedback form link for Acme Pumps" in body and f"/f/{link.token}" in body and "NPS survey link" not in body


def test_without_javascript_the_page_opens_at_the_section_with_the_link(app, make):
    rep = make.user("rep", team="East")
    customer = make.customer(rep, name="Acme Pumps")
    client = _client(app, rep)
    sent = post(client, f"/customers/{customer.id}/links", {"purpose": "feedback"}, headers=EN)
    assert sent.status_code == 303 and sent.headers["Location"].endswith("#service")
    page = client.get(sent.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Feedback form link for Acme Pumps" in page and re.search(r'value="http://[^"]+/f/[\w-]+"', page)


def test_a_refused_link_is_said_in_the_section_and_nothing_is_made(app, make):
    rep = make.user("rep", team="East")
    customer = make.customer(rep, name="Acme Pumps")
    client = _client(app, make.user("ops"))  # ops logs feedback but sends no links
    refused = post(client, f"/customers/{customer.id}/links", {"purpose": "survey"}, headers=HTMX)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="service"' in body
    assert "Your role cannot send links to customers." in body
    assert CustomerLink.select().count() == 0


def test_a_link_whose_answer_fails_is_not_kept(app, make, monkeypatch):
    from salesweb.models import AuditEvent
    from salesweb.service import routes
    rep = make.user("rep", team="East")
    customer = make.customer(rep, name="Acme Pumps")
    client = _client(app, rep)
    audits = AuditEvent.select().count()

    def broken(*args, **kwargs):
        raise RuntimeError("the answer could not be built")
    monkeypatch.setattr(routes, "_service_section", broken)
    failed = post(client, f"/customers/{customer.id}/links", {"purpose": "survey"},
                  token_from=f"/customers/{customer.id}", headers=HTMX)
    assert failed.status_code == 500
    assert CustomerLink.select().count() == 0 and AuditEvent.select().count() == audits
