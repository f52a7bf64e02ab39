"""The bell: one partial for the top bar and for the poll, which costs only the session's user."""
from salesweb.core import notifications
from tests.conftest import count_queries

EN = {"Accept-Language": "en"}
HX = {"HX-Request": "true", **EN}


def test_the_bell_alone_answers_the_poll_with_the_unread_count_in_one_query(app, signed_in):
    client, rep = signed_in("rep")
    client.get("/notifications/bell", headers=HX)  # settings and templates warm, as on a running server
    notifications.notify([rep], "quote_approved", "/quotes/1", by="Boss", number="Q-2026-0001")
    with count_queries() as queries:
        response = client.get("/notifications/bell", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and len(queries) == 1  # the user, with the count
    assert body.startswith('<span id="bell"') and "<html" not in body and "<header" not in body
    assert 'aria-label="Notifications: 1 unread"' in body and '<span class="count">1</span>' in body


def test_the_page_and_the_poll_render_the_same_bell(app, signed_in):
    client, rep = signed_in("rep")
    notifications.notify([rep], "quote_approved", "/quotes/1", by="Boss", number="Q-2026-0001")
    bell = client.get("/notifications/bell", headers=HX).get_data(as_text=True).strip()
    page = client.get("/rep/", headers=EN).get_data(as_text=True)
    assert bell in page
    assert 'data-poll-url="/notifications/bell" data-poll-seconds="60"' in bell
    assert "/static/js/bell.js" in page


def test_the_poll_interval_comes_from_the_configuration(app, signed_in):
    app.config["NOTIFICATION_POLL_SECONDS"] = 5
    client, _rep = signed_in("rep")
    assert 'data-poll-seconds="5"' in client.get("/notifications/bell", headers=HX).get_data(as_text=True)


def test_a_poll_after_the_sign_in_ended_changes_nothing(app, client):
    response = client.get("/notifications/bell", headers=HX)
    assert response.status_code == 204 and response.data == b""
    with client.session_transaction() as session:
        assert "_flashes" not in session  # no "please sign in" piling up from a tab left open
    assert client.get("/notifications", headers=EN).status_code == 302  # the list itself still wants a sign-in
