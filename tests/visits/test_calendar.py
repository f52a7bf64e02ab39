"""The planned-visits feed: valid iCalendar a phone can subscribe to, behind a secret that can be changed."""
import datetime

import icalendar

from salesweb.models import User
from salesweb.visits import rules as visits
from tests.conftest import post

EN = {"Accept-Language": "en"}


def feed_url(client):
    page = client.get("/visits/calendar", headers=EN).get_data(as_text=True)
    start = page.index("http://localhost/calendar/")
    return page[start:page.index('"', start)]


def test_the_feed_lists_planned_visits_and_parses_as_icalendar(app, make, signed_in):
    client, rep = signed_in("rep")
    customer = make.customer(rep, name="Acme, Shanghai; \"East\"", address="上海市浦东新区")
    today = datetime.date.today()
    planned = visits.plan(customer, rep, today + datetime.timedelta(days=3), rep, today)
    cancelled = visits.plan(customer, rep, today + datetime.timedelta(days=5), rep, today)
    visits.cancel(cancelled, rep)
    make_other = make.customer(make.user("rep"), name="Someone else's")
    visits.plan(make_other, User.get(User.name != rep.name, User.role == "rep"), today, rep, today)
    url = feed_url(client)
    anonymous = app.test_client()
    response = anonymous.get(url.removeprefix("http://localhost"))
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"visit-{planned.id}@localhost", f"visit-{cancelled.id}@localhost"}
    event = events[f"visit-{planned.id}@localhost"]
    assert str(event["summary"]) == "Acme, Shanghai; \"East\"" and str(event["location"]) == "上海市浦东新区"
    assert event.decoded("dtstart") == today + datetime.timedelta(days=3) and str(event["status"]) == "CONFIRMED"
    assert str(events[f"visit-{cancelled.id}@localhost"]["status"]) == "CANCELLED"


def test_a_new_address_stops_the_old_one(app, signed_in):
    client, rep = signed_in("rep")
    old = feed_url(client).removeprefix("http://localhost")
    assert app.test_client().get(old).status_code == 200
    assert client.post("/visits/calendar").status_code == 400  # no CSRF token
    assert post(client, "/visits/calendar", {}, token_from="/visits/calendar").status_code == 303
    assert app.test_client().get(old).status_code == 404
    assert app.test_client().get("/calendar/guessed.ics").status_code == 404
    assert app.test_client().get(feed_url(client).removeprefix("http://localhost")).status_code == 200


def test_a_deactivated_users_feed_stops(app, signed_in):
    client, rep = signed_in("rep")
    url = feed_url(client).removeprefix("http://localhost")
    User.update(active=False).where(User.id == rep.id).execute()
    assert app.test_client().get(url).status_code == 404
