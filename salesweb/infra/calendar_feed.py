"""A rep's planned visits as an iCalendar feed behind a secret URL that a phone calendar subscribes to."""
import datetime
import secrets

from icalendar import Calendar, Event

from ..models import Customer, User, Visit

PAST_DAYS, AHEAD_DAYS = 30, 366


def token_for(user):
    """The user's feed secret, made on first use."""
    if not user.calendar_token:
        return regenerate(user)
    return user.calendar_token


def regenerate(user):
    """A new secret: the old feed URL stops working at once."""
    user.calendar_token = secrets.token_urlsafe(32)
    User.update(calendar_token=user.calendar_token).where(User.id == user.id).execute()
    return user.calendar_token


def owner_of(token):
    if not token or len(token) > 64:
        return None
    return User.get_or_none((User.calendar_token == token) & (User.active == True))  # noqa: E712


def feed(user, today, now, host, name):
    """The iCalendar text: planned visits from a month back to a year ahead; cancelled ones say so,
    so a subscribed calendar removes them."""
    calendar = Calendar()
    calendar.add("prodid", "-//salesweb//planned visits//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    rows = (Visit.select(Visit, Customer).join(Customer)
            .where((Visit.rep == user.id) & Visit.status.in_(("planned", "cancelled"))
                   & (Visit.planned_for >= today - datetime.timedelta(days=PAST_DAYS))
                   & (Visit.planned_for <= today + datetime.timedelta(days=AHEAD_DAYS)))
            .order_by(Visit.planned_for, Visit.id))
    for visit in rows:
        event = Event()
        event.add("uid", f"visit-{visit.id}@{host}")
        event.add("dtstamp", now.replace(tzinfo=datetime.UTC))
        event.add("dtstart", visit.planned_for)
        event.add("dtend", visit.planned_for + datetime.timedelta(days=1))
        event.add("summary", visit.customer.name)
        if visit.customer.address:
            event.add("location", visit.customer.address)
        if visit.purpose:
            event.add("description", visit.purpose)
        event.add("status", "CANCELLED" if visit.status == "cancelled" else "CONFIRMED")
        event.add("transp", "TRANSPARENT")  # a day's plan, not a meeting that blocks the day
        calendar.add_component(event)
    return calendar.to_ical()
