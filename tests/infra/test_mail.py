"""Notification e-mail through a local SMTP sink (aiosmtpd on 127.0.0.1): sent after a successful request, in the
reader's language with the absolute link; never when mail is off, the request failed or its transaction rolled
back; a mail server that cannot be reached breaks nothing."""
import datetime
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from flask import abort

from salesweb.app import create_app
from salesweb.infra import outbox
from salesweb.core.db import db
from salesweb.models import Product, Quote, User
from salesweb.core import notifications, settings
from salesweb.visits import rules as visits
from tests.conftest import ON_POSTGRES, _config, _empty_postgres, csrf_token, login, post
from tests.quotes.test_pages import quote_form

BASE = "https://sales.example.com"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sink:
    """Keeps what it receives: (envelope sender, recipients, parsed message)."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos),
                              email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 OK"


@pytest.fixture
def sink():
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def app(request, tmp_path, database_url, sink):
    """The app with mail through the sink; a test changes settings with @pytest.mark.parametrize("app", [...])."""
    mail = {"MAIL_HOST": "127.0.0.1", "MAIL_PORT": str(sink.port), "MAIL_STARTTLS": "0",
            "MAIL_FROM": "sales@example.com", "BASE_URL": BASE}
    app = create_app({**_config(tmp_path, database_url), **mail, **getattr(request, "param", {})})
    if ON_POSTGRES:
        _empty_postgres()
    yield app
    assert outbox.worker.wait(10), "the mail queue did not drain"
    db.close()


def delivered(sink):
    assert outbox.worker.wait(10)
    return sink.received


def signed_in_as(app, user):
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def a_visit(rep, customer):
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    return visits.log({"occurred_at": now - datetime.timedelta(hours=1), "duration_minutes": 30, "kind": "phone",
                       "outcome": "", "contacts": []}, customer, rep, rep, settings.current(), now=now)


def test_a_comment_on_a_visit_mails_the_rep_with_the_link(app, make, sink):
    boss = make.user("manager", name="Boss", team="East")
    rep = make.user("rep", name="Rep One", reports_to=boss, email="rep.one@example.com")
    visit = a_visit(rep, make.customer(rep, name="Acme"))
    response = post(signed_in_as(app, boss), f"/visits/{visit.id}/comments", {"body": "Ask about the budget"},
                    token_from="/visits")
    assert response.status_code == 303
    [(sender, recipients, message)] = delivered(sink)
    assert sender == "sales@example.com" and recipients == ["rep.one@example.com"]
    assert message["To"] == "Rep One <rep.one@example.com>"
    assert message["Subject"] == "Boss commented on your visit to Acme."
    assert message["Auto-Submitted"] == "auto-generated"
    lines = message.get_content().splitlines()
    assert lines[:3] == ["Boss commented on your visit to Acme.", "", f"{BASE}/visits/{visit.id}"]
    assert f"All your notifications: {BASE}/notifications" in lines


def test_an_approval_reaches_a_reader_who_chose_chinese_in_chinese(app, make, sink):
    boss = make.user("manager", name="Boss", team="East", email="boss@example.com")
    rep = make.user("rep", name="王芳", team="East", email="wang@example.com")
    User.update(locale="zh").where(User.id == rep.id).execute()
    deal = make.deal(rep, title="Boiler room")
    product = Product.create(sku="PX-100", name="Pump PX-100", unit="pcs", unit_price=1000_00)
    rep_client, boss_client = signed_in_as(app, rep), signed_in_as(app, boss)
    assert post(rep_client, f"/deals/{deal.id}/quotes/new", quote_form(product, discount="15")).status_code == 303
    quote = Quote.get()
    assert post(rep_client, f"/quotes/{quote.id}/submit", {"version": quote.version}).status_code == 303
    assert post(boss_client, f"/quotes/{quote.id}/approve", {"version": Quote.get().version}).status_code == 303
    mails = {recipients[0]: message for _sender, recipients, message in delivered(sink)}
    assert set(mails) == {"boss@example.com", "wang@example.com"}  # asked to approve; told of the approval
    assert mails["boss@example.com"]["Subject"].startswith(f"王芳 asks you to approve quote {quote.number}")
    told = mails["wang@example.com"]
    assert told["Subject"] == f"Boss 批准了报价 {quote.number}。"
    assert f"{BASE}/quotes/{quote.id}" in told.get_content()


@pytest.mark.parametrize("app", [{"MAIL_HOST": ""}], indirect=True)
def test_nothing_is_sent_when_no_mail_server_is_set(app, make, sink):
    boss = make.user("manager", team="East")
    rep = make.user("rep", reports_to=boss)
    visit = a_visit(rep, make.customer(rep))
    assert post(signed_in_as(app, boss), f"/visits/{visit.id}/comments", {"body": "Hm"},
                token_from="/visits").status_code == 303
    assert delivered(sink) == [] and rep.notifications.count() == 1  # the bell still has it


def test_a_forged_host_header_never_reaches_a_mail_link(app, make, sink):
    boss = make.user("manager", team="East")
    rep = make.user("rep", reports_to=boss)
    visit = a_visit(rep, make.customer(rep))
    client = signed_in_as(app, boss)
    token = csrf_token(client, "/visits")
    # the test client keeps cookies per host: the session goes to the forged one too
    client.set_cookie("salesweb_session", client.get_cookie("salesweb_session").value, domain="evil.example")
    response = client.post(f"/visits/{visit.id}/comments", data={"csrf_token": token, "body": "Hm"},
                           headers={"Host": "evil.example"})
    assert response.status_code == 303
    [(_sender, _recipients, message)] = delivered(sink)
    body = message.get_content()
    assert f"{BASE}/visits/{visit.id}" in body and "evil.example" not in body


def test_a_failed_request_or_a_rolled_back_transaction_mails_nothing(app, make, sink):
    rep = make.user("rep", email="rep@example.com")

    def tell(outcome):
        with db.atomic() as transaction:
            notifications.notify([rep], "quote_approved", "/quotes/1", by="Boss", number=outcome)
            if outcome == "rolled-back":
                transaction.rollback()
        if outcome == "refused":
            abort(422)
        if outcome == "crashed":
            raise RuntimeError("after the write")
        return "done"

    app.add_url_rule("/test/tell/<outcome>", view_func=tell)
    client = app.test_client()
    assert client.get("/test/tell/refused").status_code == 422
    assert client.get("/test/tell/crashed").status_code == 500
    assert client.get("/test/tell/rolled-back").status_code == 200
    assert client.get("/test/tell/sent").status_code == 200
    assert [message["Subject"] for _s, _r, message in delivered(sink)] == ["Boss approved quote sent."]


def test_notifications_written_by_a_command_are_mailed_when_it_ends(app, make, sink):
    rep = make.user("rep", email="rep@example.com")
    with app.app_context():
        notifications.notify([rep], "quote_approved", "/quotes/9", by="Boss", number="Q-1")
        assert outbox.worker.wait(1) and sink.received == []  # not before the work is done
    [(_sender, recipients, message)] = delivered(sink)
    assert recipients == ["rep@example.com"] and f"{BASE}/quotes/9" in message.get_content()


@pytest.mark.parametrize("app", [{"MAIL_PORT": str(free_port())}], indirect=True)
def test_an_unreachable_mail_server_breaks_nothing(app, make, sink, caplog):
    boss = make.user("manager", team="East")
    rep = make.user("rep", reports_to=boss)
    visit = a_visit(rep, make.customer(rep))
    response = post(signed_in_as(app, boss), f"/visits/{visit.id}/comments", {"body": "Hm"}, token_from="/visits")
    assert response.status_code == 303 and rep.notifications.count() == 1
    assert delivered(sink) == []
    assert "1 of 1 message(s) not sent" in caplog.text


def test_mail_settings_that_cannot_work_stop_the_start(tmp_path, database_url):
    with pytest.raises(RuntimeError, match="MAIL_FROM"):
        create_app({**_config(tmp_path, database_url), "MAIL_HOST": "smtp.example.com", "MAIL_FROM": ""})
    with pytest.raises(RuntimeError, match="MAIL_PORT"):
        create_app({**_config(tmp_path, database_url), "MAIL_PORT": "smtp"})


@pytest.mark.parametrize("base_url", ["", "   ", "sales.example.com", "ftp://sales.example.com", "https://"])
def test_mail_without_a_usable_base_url_stops_the_start(tmp_path, database_url, base_url):
    mail = {"MAIL_HOST": "smtp.example.com", "MAIL_FROM": "sales@example.com", "BASE_URL": base_url}
    with pytest.raises(RuntimeError, match="BASE_URL"):
        create_app({**_config(tmp_path, database_url), **mail})


def test_without_mail_no_base_url_is_needed(tmp_path, database_url):
    assert create_app({**_config(tmp_path, database_url), "MAIL_HOST": "", "BASE_URL": ""})
