"""Customer feedback and complaints (客户反馈/投诉): logged by staff or sent by the customer through a feedback
link. Each one gets a first response within the configured hours (24 by default); one left unanswered past that
is escalated to the owner's manager. Then a resolution, then the customer's satisfaction (1-5) closes it.

The owner (or whoever sent the link, for a customer in the pool) gets a task for each step still to do, so the
work shows on Today; the step's task is done when the step is."""
import datetime

from ..core.db import db, utcnow
from ..core.i18n import _l
from ..models import FEEDBACK_CHANNELS, FEEDBACK_KINDS, SEVERITIES, Customer, CustomerLink, Feedback, Task, User
from ..core import audit, notifications
from . import links as customer_links, help
from ..customers.cadence import local_date
from ..core.errors import Invalid, Stale
from .queries import link_state, overdue_condition

MAX_TEXT = 2000
MAX_NAME = 100
FOLLOW_UP_DAYS = 2
KEEPERS = ("rep", "manager", "support", "ops")  # who logs and works feedback on the customers they see
# A step's task names the step, the case's kind, the customer and the case's first words: two cases of one customer
# read apart. Pages show it in the reader's language from the case (templates/visits/_task.html); this stored title
# is what a notification or the audit log quotes.
TASK_TITLES = {"respond": "First response: {kind} from {customer}, “{words}”",
               "follow_up": "Satisfaction follow-up: {kind} from {customer}, “{words}”"}
FIRST_WORDS = 60  # characters of the case's description in its tasks' titles


def may_keep(user):
    return user.role in KEEPERS


def response_due(created_at, settings):
    """When the first response falls due: the configured hours after it arrived, by the clock, night or not."""
    return created_at + datetime.timedelta(hours=settings["feedback_response_hours"])


def _text(value, field, errors, required=True, limit=MAX_TEXT):
    value = (value or "").strip()
    if required and not value:
        errors[field] = _l("This field is required.")
    elif len(value) > limit:
        errors[field] = _l("At most %(n)d characters.", n=limit)
    return value


def _choice(value, choices, field, errors):
    if value not in choices:
        errors[field] = _l("Choose one of the options.")
    return value


def _keeper_of(customer, link=None, by=None):
    """Whose task a step is: the customer's owner; for a customer in the pool, whoever sent the link or logged it."""
    return customer.owner_id or (link.created_by_id if link else None) or (by.id if by else None)


def first_words(text, limit=FIRST_WORDS):
    """The start of a text on one line, cut at a word where it has spaces, with … when cut."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    return (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2:] else cut) + "…"


def _task(step, feedback, customer, assignee, due_on, by, now):
    if assignee is None:
        return None
    title = TASK_TITLES[step].format(kind=feedback.kind, customer=customer.name,
                                     words=first_words(feedback.description))
    return Task.create(title=title[:200], assignee=assignee, due_on=due_on,
                       customer=customer.id, source="feedback", created_by=by, created_at=now)


def _finish_task(feedback, now):
    if feedback.task_id:
        Task.update(done_at=now).where((Task.id == feedback.task_id) & Task.done_at.is_null()).execute()


def _create(customer, values, by, settings, now, link=None):
    due = response_due(now, settings)
    answered = bool(values.get("response"))
    with db.atomic():
        feedback = Feedback.create(
            customer=customer.id, created_at=now, response_due_at=due, logged_by=by, link=link,
            responded_at=now if answered else None, responded_by=by if answered else None, **values)
        if not answered:
            # on the owner's Today at once: the day it arrived, on the install's calendar (the deadline is on the case)
            task = _task("respond", feedback, customer, _keeper_of(customer, link, by), local_date(now, settings),
                         by, now)
            if task:
                Feedback.update(task=task.id).where(Feedback.id == feedback.id).execute()
                feedback.task = task.id
        told = {customer.owner_id, link.created_by_id if link else None} - {by.id if by else None}
        notifications.notify(told, "feedback_new", f"/feedback/{feedback.id}", customer=customer.name)
        audit.record("create", by, feedback, f"{feedback.kind.capitalize()} from {customer.name}"
                     + (" (feedback form)" if link else ""))
    return feedback


def log(customer, kind, channel, severity, description, response, by, settings, now=None):
    """Staff log feedback heard from a customer they see; a response given on the spot counts as the first."""
    if not may_keep(by):
        raise Invalid({None: _l("Your role cannot log customer feedback.")})
    errors = {}
    values = {"kind": _choice(kind, FEEDBACK_KINDS, "kind", errors),
              "channel": _choice(channel, FEEDBACK_CHANNELS, "channel", errors),
              "severity": _choice(severity, SEVERITIES, "severity", errors),
              "description": _text(description, "description", errors),
              "response": _text(response, "response", errors, required=False)}
    if errors:
        raise Invalid(errors)
    return _create(customer, values, by, settings, now or utcnow())


def submit(link, kind, description, contact_name, settings, now=None):
    """The customer's own report through an active feedback link (the caller checked rate limits and the trap)."""
    now = now or utcnow()
    if link.purpose != "feedback" or link_state(link, now) != "active":
        raise Invalid({None: _l("This feedback link is no longer open.")})
    errors = {}
    values = {"kind": _choice(kind, FEEDBACK_KINDS, "kind", errors), "channel": "web",
              "severity": "high" if kind == "complaint" else "medium", "source": "customer",
              "description": _text(description, "description", errors),
              "contact_name": _text(contact_name, "contact_name", errors, required=False, limit=MAX_NAME)}
    if errors:
        raise Invalid(errors)
    with db.atomic():
        customer_links.used(link)
        return _create(link.customer, values, None, settings, now, link=link)


def _claim(feedback, version, condition, changes, now):
    count = (Feedback.update(version=Feedback.version + 1, **changes)
             .where((Feedback.id == feedback.id) & (Feedback.version == version) & condition).execute())
    if count != 1:
        raise Stale("someone else moved the case on since the page was loaded")
    return Feedback.get_by_id(feedback.id)


def respond(feedback, version, response, severity, by, now=None):
    """The first response (and, while at it, the severity as support or the rep now judges it)."""
    errors = {}
    response = _text(response, "response", errors)
    _choice(severity, SEVERITIES, "severity", errors)
    if errors:
        raise Invalid(errors)
    if feedback.responded_at:
        raise Invalid({None: _l("This feedback has a response already.")})
    now = now or utcnow()
    with db.atomic():
        updated = _claim(feedback, version, Feedback.responded_at.is_null(),
                         {"responded_at": now, "responded_by": by.id, "response": response, "severity": severity},
                         now)
        _finish_task(feedback, now)
        audit.record("edit", by, feedback, "First response"
                     + (" after escalation" if feedback.escalated_at else ""))
    return updated


def resolve(feedback, version, resolution, by, settings, today, now=None):
    """The resolution; the owner is then to ask the customer how satisfied they are, within a couple of days."""
    errors = {}
    resolution = _text(resolution, "resolution", errors)
    if errors:
        raise Invalid(errors)
    if feedback.resolved_at:
        raise Invalid({None: _l("This feedback is resolved already.")})
    now = now or utcnow()
    customer = Customer.get_by_id(feedback.customer_id)
    changes = {"resolved_at": now, "resolved_by": by.id, "resolution": resolution}
    if not feedback.responded_at:  # resolving it answers it too
        changes.update(responded_at=now, responded_by=by.id, response=resolution)
    with db.atomic():
        _finish_task(feedback, now)
        link = CustomerLink.get_or_none(CustomerLink.id == feedback.link_id) if feedback.link_id else None
        task = _task("follow_up", feedback, customer, _keeper_of(customer, link, by),
                     today + datetime.timedelta(days=FOLLOW_UP_DAYS), by, now)
        changes["task"] = task.id if task else None
        updated = _claim(feedback, version, Feedback.resolved_at.is_null(), changes, now)
        audit.record("edit", by, feedback, "Resolved")
    return updated


def close(feedback, version, satisfaction, by, now=None):
    """The customer's satisfaction with the resolution, 1-5, closes the case."""
    text = (satisfaction or "").strip() if isinstance(satisfaction, str) else satisfaction
    try:
        value = int(text)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise Invalid({"satisfaction": _l("Choose from 1 (unhappy) to 5 (very satisfied).")})
    if not feedback.resolved_at:
        raise Invalid({None: _l("Resolve it first; then ask the customer how satisfied they are.")})
    if feedback.closed_at:
        raise Invalid({None: _l("This feedback is closed already.")})
    now = now or utcnow()
    with db.atomic():
        updated = _claim(feedback, version, Feedback.closed_at.is_null(), {"satisfaction": value, "closed_at": now},
                         now)
        _finish_task(feedback, now)
        audit.record("edit", by, feedback, f"Closed; satisfaction {value} of 5")
    return updated


def _escalation_targets(owner_id):
    """The owner's manager if active; for a customer without one (or a manager-less owner), the support desk."""
    if owner_id:
        manager = User.select(User.reports_to).where(User.id == owner_id).scalar()
        if manager and User.select().where((User.id == manager) & (User.active == True)).exists():  # noqa: E712
            return [manager]
    return help.desk_ids()


def escalate_due(settings, now=None):
    """Escalate every feedback whose first response is overdue and not yet escalated; returns how many.

    Run by `salesweb escalate` (from cron) and by the server's own sweep: each case is claimed with a
    conditional update, so two workers sweeping at once escalate it once."""
    now = now or utcnow()
    due = list(Feedback.select(Feedback, Customer).join(Customer)
               .where(overdue_condition(now) & Feedback.escalated_at.is_null()).order_by(Feedback.response_due_at))
    done = 0
    for feedback in due:
        targets = _escalation_targets(feedback.customer.owner_id)
        with db.atomic():
            claimed = (Feedback.update(escalated_at=now, escalated_to=targets[0] if targets else None)
                       .where((Feedback.id == feedback.id) & Feedback.escalated_at.is_null()
                              & Feedback.responded_at.is_null()).execute())
            if not claimed:
                continue
            notifications.notify(targets, "feedback_escalated", f"/feedback/{feedback.id}",
                                 customer=feedback.customer.name, hours=settings["feedback_response_hours"])
            audit.record("edit", None, feedback, f"Escalated: no response within "
                         f"{settings['feedback_response_hours']} hours")
            done += 1
    return done
