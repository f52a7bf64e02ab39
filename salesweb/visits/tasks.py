"""Tasks: things to do by a day, for one person, often about a customer or a deal; made by hand or by rules
(a visit's "next visit date"). Shown on Today; done, snoozed, or handed on by a manager. The writes and their
checks; what the pages read of tasks is in `queries`."""
import datetime

from ..core.access import team_ids
from ..core.db import db, in_query, utcnow
from ..core.i18n import _l
from ..models import Task, User
from ..core import audit, notifications
from ..core.errors import Invalid

SNOOZE_DAYS = (1, 3, 7)


def create(title, assignee, due_on, by, today, customer=None, deal=None, now=None):
    """A task by hand or by a rule. A deal brings its customer; a customer and a deal must belong together."""
    title = " ".join((title or "").split())
    errors = {}
    if deal is not None and customer is not None and deal.customer_id != customer.id:
        errors[None] = _l("That deal is not with this customer.")
    if deal is not None and customer is None:
        customer = deal.customer_id
    if not title:
        errors["title"] = _l("This field is required.")
    elif len(title) > 200:
        errors["title"] = _l("At most %(n)d characters.", n=200)
    if due_on is None or due_on < today or due_on > today + datetime.timedelta(days=366):
        errors["due_on"] = _l("Choose a day from today to a year ahead.")
    if assignee is None or not assignee.active or (assignee.id != by.id and not _may_assign(by, assignee)):
        errors["assignee"] = _l("Choose yourself or someone in your team.")
    if errors:
        raise Invalid(errors)
    with db.atomic():
        task = Task.create(title=title, assignee=assignee.id, due_on=due_on, customer=customer, deal=deal,
                           created_by=by, created_at=now or utcnow())
        audit.record("create", by, task, f"Task “{title}”")
        _tell_assignee(task, assignee, by)
    return task


def _tell_assignee(task, assignee, by):
    if assignee.id != by.id:
        notifications.notify([assignee], "task_assigned", "/tasks", by=by.name, task=task.title)


def _may_assign(by, assignee):
    return by.role == "manager" and User.select().where((User.id == assignee.id)
                                                        & in_query(User.id, team_ids(by.id))).exists()


def done(task, by, now=None):
    if task.done_at is None:
        Task.update(done_at=now or utcnow()).where(Task.id == task.id).execute()
        task.done_at = now or utcnow()
    return task


def snooze(task, days, today):
    """Move an open task's due day `days` days past today (or past its own due day if that is later)."""
    if days not in SNOOZE_DAYS:
        raise Invalid({None: _l("Snooze for 1, 3 or 7 days.")})
    task.due_on = max(task.due_on, today) + datetime.timedelta(days=days)
    Task.update(due_on=task.due_on).where(Task.id == task.id).execute()
    return task


def reassign(task, assignee, by):
    """A manager hands a task to someone in their subtree."""
    if by.role != "manager" or assignee is None or not assignee.active or not _may_assign(by, assignee):
        raise Invalid({"assignee": _l("Choose someone in your team.")})
    with db.atomic():
        Task.update(assignee=assignee.id).where(Task.id == task.id).execute()
        audit.record("edit", by, task, f"Task “{task.title}” reassigned to {assignee.name}")
        _tell_assignee(task, assignee, by)
    task.assignee = assignee
    return task
