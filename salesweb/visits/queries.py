"""What the pages and other features read of visits and tasks: the visit list and a visit's detail, a rep's
plans, done visits and overdue customers, unread and counted comments, the local week's bounds in UTC; the tasks a
user may see, their open ones, their team's, and whom they may give one. The writes are in `rules` and `tasks`."""
import datetime
from collections import namedtuple

import pytz
from peewee import JOIN, fn

from ..core.access import scope_shape, team_ids, visible, visible_kept
from ..core.db import in_query, kept_row, kept_rows, param, without_index
from ..customers import queries as customers
from ..models import (VISIT_KINDS, Contact, Customer, Deal, Feedback, Task, User, Visit, VisitComment, VisitContact,
                      VisitMonth)


def scope(user):
    """Visits a user may see: their own (rep), their subtree's (manager), all (others)."""
    return visible(Visit.select(), user, Visit.rep)


# a visit's rep and a comment's author, beside the signed-in user (made once: an alias made per call builds its
# fields' classes again)
REP = User.alias("rep")
AUTHOR = User.alias("author")


def unread_comments(rep, limit=10):
    # unread comments are few: walk them (a partial index) rather than the rep's thousands of visits
    return list(VisitComment.select(VisitComment.id, VisitComment.body, VisitComment.author, VisitComment.created_at,
                                    Visit.id, Customer.id, Customer.name, AUTHOR.id, AUTHOR.name)
                .join(Visit).join(Customer).switch(VisitComment)
                .join(AUTHOR, JOIN.LEFT_OUTER, on=(VisitComment.author == AUTHOR.id), attr="author")
                .where((without_index(Visit.rep) == rep.id) & VisitComment.read_at.is_null())
                .order_by(VisitComment.created_at.desc()).limit(limit))


def week_bounds(day):
    """Monday and the next Monday of the ISO week holding `day`."""
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=7)


def utc_range(first_day, end_day, settings):
    """The UTC times between two local midnights (visits are stored in UTC, weeks are local)."""
    zone = pytz.timezone(settings["timezone"])

    def utc(day):
        return zone.localize(datetime.datetime.combine(day, datetime.time())).astimezone(pytz.utc).replace(tzinfo=None)
    return utc(first_day), utc(end_day)


def done_by(rep, first_day, end_day, settings):
    """One rep's done visits between two local days (end exclusive): (count, verified)."""
    since, until = utc_range(first_day, end_day, settings)
    count, verified = (Visit.select(fn.COUNT(Visit.id), fn.SUM(Visit.verified.cast("integer")))
                       .where((Visit.rep == rep.id) & (Visit.status == "done") & (Visit.occurred_at >= since)
                              & (Visit.occurred_at < until)).tuples().first())
    return count, int(verified or 0)


def done_between(rep_ids, first_day, end_day, settings):
    """Done visits of these reps between two local days (end exclusive): {rep id: (count, verified)}."""
    since, until = utc_range(first_day, end_day, settings)
    rows = (Visit.select(Visit.rep, fn.COUNT(Visit.id), fn.SUM(Visit.verified.cast("integer")))
            .where(Visit.rep.in_(list(rep_ids)) & (Visit.status == "done") & (Visit.occurred_at >= since)
                   & (Visit.occurred_at < until)).group_by(Visit.rep).tuples())
    return {rep: (count, int(verified or 0)) for rep, count, verified in rows}


def planned_on(rep, day):
    return list(Visit.select(Visit.id, Visit.purpose, Customer.id, Customer.name, Customer.tier).join(Customer)
                .where((Visit.rep == rep.id) & (Visit.status == "planned") & (Visit.planned_for == day))
                .order_by(Customer.tier, Customer.name_key))


def planned_between(rep, first_day, end_day):
    return list(Visit.select(Visit, Customer).join(Customer)
                .where((Visit.rep == rep.id) & (Visit.status == "planned") & (Visit.planned_for >= first_day)
                       & (Visit.planned_for < end_day))
                .order_by(Visit.planned_for, Customer.tier, Customer.name_key))


def overdue_customers(rep, today, limit=10):
    """The rep's customers past their visit due date: A first, then B, then C; most overdue first."""
    return list(Customer.select(Customer.id, Customer.name, Customer.tier, Customer.next_visit_due,
                                Customer.last_visit_at)
                .where((Customer.owner == rep.id) & (Customer.next_visit_due < today))
                .order_by(Customer.tier, Customer.next_visit_due, Customer.id).limit(limit))


def overdue_count(rep, today):
    return (Customer.select(fn.COUNT(Customer.id))
            .where((Customer.owner == rep.id) & (Customer.next_visit_due < today)).scalar())


def listing(user, criteria, settings):
    """Done visits in the user's scope, newest first, as named tuples of LISTED and the rep's name (`rep_name`);
    criteria: rep, since, until, tier, kind, verified. Returns (fetch, count): fetch(offset, limit) gives a page's
    rows, count() the number of them all (joining only what the filters need)."""
    values = {"user": user.id}
    if isinstance(criteria.get("rep"), int):
        values["rep"] = criteria["rep"]
    since, until = criteria.get("since"), criteria.get("until")
    if since or until:
        values["start"], values["end"] = utc_range(
            since or datetime.date(1970, 1, 1), (until or datetime.date(9998, 12, 31)) + datetime.timedelta(days=1),
            settings)
    if criteria.get("kind") in VISIT_KINDS:
        values["kind"] = criteria["kind"]
    if criteria.get("verified") in ("yes", "no"):
        values["verified"] = criteria["verified"] == "yes"
    if criteria.get("tier") in ("A", "B", "C"):
        values["tier"] = criteria["tier"]
    # A manager's team logs a good share of all visits: newest first along the occurred_at index, skipping
    # others', finds a page at once, where the rep index would fetch the team's visits and sort them all.
    walk = user.role == "manager" and "rep" not in values
    # the SQL depends on the scope, the walk and which filters are given (their values are params)
    shape = (scope_shape(user.role), walk, tuple(sorted(set(values) - {"user"})))

    def conditions(query):
        query = query.where(Visit.status == "done")
        if "rep" in values:
            query = query.where(Visit.rep == param("rep"))
        if "start" in values:
            query = query.where(Visit.occurred_at >= param("start"), Visit.occurred_at < param("end"))
        if "kind" in values:
            query = query.where(Visit.kind == param("kind"))
        if "verified" in values:
            query = query.where(Visit.verified == param("verified"))
        return query

    def rows():
        # LEFT JOINs (every visit has its customer and rep) keep PostgreSQL starting from the visits: joined
        # inner, it took the team's users first and fetched each one's visits by the rep index (104 ms on the large
        # data, never analysed), the very read the walk is there to avoid
        query = (conditions(visible_kept(Visit.select(*LISTED, REP.name.alias("rep_name")), user.role,
                                         without_index(Visit.rep) if walk else Visit.rep))
                 .join(Customer, JOIN.LEFT_OUTER, on=(Visit.customer == Customer.id)).switch(Visit)
                 .join(REP, JOIN.LEFT_OUTER, on=(Visit.rep == REP.id)))
        if "tier" in values:
            query = query.where(Customer.tier == param("tier"))
        return (query.order_by(Visit.occurred_at.desc(), Visit.id.desc())
                .limit(param("limit")).offset(param("offset")))

    # Without a filter but the rep, the count is the done visits the rollups keep per rep and month: a row a
    # month per rep, where counting a manager's team read its tens of thousands of visits
    rolled = not set(values) - {"user", "rep"}

    def count_query():
        if rolled:
            query = visible_kept(VisitMonth.select(fn.COALESCE(fn.SUM(VisitMonth.done), 0).alias("n")), user.role,
                                 VisitMonth.rep)
            return query.where(VisitMonth.rep == param("rep")) if "rep" in values else query
        query = conditions(visible_kept(Visit.select(fn.COUNT(Visit.id).alias("n")), user.role, Visit.rep))
        if "tier" in values:
            query = query.join(Customer, on=(Visit.customer == Customer.id)).where(Customer.tier == param("tier"))
        return query

    # kept statements: writing these selects (a filter's, a scope's) was a fifth of the list's time
    def fetch(offset, limit):
        return kept_rows(("visit list",) + shape, rows, offset=offset, limit=limit, **values)

    def count():
        return kept_row(("visit count",) + shape, count_query, **values).n
    return fetch, count


# what the visit list shows of a visit, in the order `listing` gives it (its rep's name last)
LISTED = (Visit.id, Customer.tier.alias("customer_tier"), Customer.name.alias("customer_name"), Visit.occurred_at,
          Visit.kind, Visit.outcome, Visit.verified, Visit.lat, Visit.distance_m, Visit.check_problem, Visit.purpose,
          Visit.captured_at, Visit.created_at)


SENT_AT_ONCE = datetime.timedelta(minutes=1)  # a visit that took longer to arrive was kept on the phone


def sent_later(captured_at, received_at):
    """Whether a visit arrived a minute or more after it was captured: kept on the phone, then sent."""
    return captured_at is not None and received_at is not None and received_at - captured_at >= SENT_AT_ONCE


def sent_after(captured_at, received_at, settings):
    """How many whole hours after its capture on the phone a visit arrived, when later than the install allows
    (`offline_late_hours`): the manager is shown it. None when in time, or not captured on a phone (before 0044)."""
    if captured_at is None or received_at is None:
        return None
    late = received_at - captured_at
    if late <= datetime.timedelta(hours=settings["offline_late_hours"]):
        return None
    return int(late.total_seconds() // 3600)


def comment_counts(visit_ids):
    """{visit id: number of comments} of these visits (a page of the list)."""
    if not visit_ids:
        return {}
    ids = {f"visit{n}": visit_id for n, visit_id in enumerate(visit_ids)}
    # a kept statement per number of visits (a page's size, or the last page's): its SQL written once
    rows = kept_rows(("visit comment counts", len(ids)), lambda: (
        VisitComment.select(VisitComment.visit, fn.COUNT(VisitComment.id).alias("n"))
        .where(VisitComment.visit.in_([param(name) for name in ids])).group_by(VisitComment.visit)), **ids)
    return dict(rows)


# what a visit's page shows: the visit (with its customer's and rep's names and its linked deal), the names of the
# people met, and the comments with their authors' names
VisitPage = namedtuple("VisitPage", "visit met thread")


def _visit_page_row(role):
    return (visible_kept(Visit.select(Visit.id, Visit.customer.alias("customer_id"), Customer.name.alias("customer_name"),
                                      Visit.rep.alias("rep_id"), REP.name.alias("rep_name"), Visit.status,
                                      Visit.verified, Visit.lat, Visit.distance_m, Visit.check_problem,
                                      Visit.occurred_at, Visit.planned_for, Visit.duration_minutes, Visit.kind,
                                      Visit.outcome, Visit.purpose, Visit.next_step, Visit.next_visit_on,
                                      Deal.id.alias("linked_deal_id"), Deal.title.alias("deal_title"), Visit.notes,
                                      Visit.market_note, Visit.market_tags, Visit.photo.alias("photo_id"),
                                      Visit.captured_at, Visit.created_at),
                         role, Visit.rep)
            .join(Customer, on=(Visit.customer == Customer.id))
            .switch(Visit).join(REP, on=(Visit.rep == REP.id))
            .switch(Visit).join(Deal, JOIN.LEFT_OUTER, on=(Visit.deal == Deal.id))
            .where(Visit.id == param("visit")))


def detail(visit_id, user):
    """One visit in the user's scope with customer, rep, deal, contacts met and comments (a `VisitPage`); None if
    out of scope."""
    # kept statements: writing these three selects and building model rows was 0.8 of the page's 2.5 ms
    visit = kept_row(("visit page", scope_shape(user.role)), lambda: _visit_page_row(user.role),
                     visit=visit_id, user=user.id)
    if visit is None:
        return None
    met = kept_rows(("visit page", "met"), lambda: (
        Contact.select(Contact.name).join(VisitContact).where(VisitContact.visit == param("visit"))
        .order_by(Contact.name)), visit=visit.id)
    thread = kept_rows(("visit page", "thread"), lambda: (
        VisitComment.select(VisitComment.created_at, VisitComment.author.alias("author_id"),
                            AUTHOR.name.alias("author_name"), VisitComment.body)
        .join(AUTHOR, JOIN.LEFT_OUTER, on=(VisitComment.author == AUTHOR.id))
        .where(VisitComment.visit == param("visit")).order_by(VisitComment.created_at)), visit=visit.id)
    return VisitPage(visit, met, thread)


# Tasks

def task_scope(user):
    """Tasks a user may see and act on: their own, and (a manager) their subtree's; nobody else's."""
    if user.role == "manager":
        return Task.select().where(in_query(Task.assignee, team_ids(user.id)))
    return Task.select().where(Task.assignee == user.id)


# A feedback case's step (first response, satisfaction follow-up) is shown with the case it is for: its kind and
# first words tell two cases of one customer apart. The case whose open step a task is: `task.case`.
CASE_COLUMNS = (Feedback.id, Feedback.kind, Feedback.description, Feedback.resolved_at)


def _case_of(query):
    return query.join(Feedback, JOIN.LEFT_OUTER, on=(Feedback.task == Task.id), attr="case")


def with_case(query):
    """Tasks of a `Task.select()` query, each with the feedback case it is a step of (task.case), in the same
    query."""
    return _case_of(query.select_extend(*CASE_COLUMNS))


# an open task as the task lists show it (visits/_task.html reads a `Task` with its joins the same way): its customer,
# deal, feedback case and (in the team's list) assignee as small named tuples
TaskItem = namedtuple("TaskItem", "id title source due_on done_at assignee_id visit_id customer_id deal_id customer deal "
                                  "case assignee")
TaskCustomer = namedtuple("TaskCustomer", "id name")
TaskDeal = namedtuple("TaskDeal", "id title")
TaskCase = namedtuple("TaskCase", "id kind description resolved_at")
TaskAssignee = namedtuple("TaskAssignee", "id name")
ASSIGNEE = User.alias("assignee")


def _task_items(build, assignee=False):
    """The select of an open-task list: a task's columns and what it is about (and its assignee's name)."""
    query = (Task.select(Task.id, Task.title, Task.source, Task.due_on, Task.done_at,
                         Task.assignee.alias("assignee_id"), Task.visit.alias("visit_id"),
                         Task.customer.alias("customer_id"), Task.deal.alias("deal_id"),
                         Customer.name.alias("customer_name"), Deal.title.alias("deal_title"),
                         Feedback.id.alias("case_id"), Feedback.kind.alias("case_kind"),
                         Feedback.description.alias("case_description"),
                         Feedback.resolved_at.alias("case_resolved_at"))
             .join(Customer, JOIN.LEFT_OUTER, on=(Task.customer == Customer.id)).switch(Task)
             .join(Deal, JOIN.LEFT_OUTER, on=(Task.deal == Deal.id)).switch(Task))
    if assignee:
        query = (query.select_extend(ASSIGNEE.name.alias("assignee_name"))
                 .join(ASSIGNEE, on=(Task.assignee == ASSIGNEE.id)).switch(Task))
    return build(_case_of(query))


def _items(rows, assignee=False):
    return [TaskItem(r.id, r.title, r.source, r.due_on, r.done_at, r.assignee_id, r.visit_id, r.customer_id, r.deal_id,
                     TaskCustomer(r.customer_id, r.customer_name), TaskDeal(r.deal_id, r.deal_title),
                     TaskCase(r.case_id, r.case_kind, r.case_description, r.case_resolved_at),
                     TaskAssignee(r.assignee_id, r.assignee_name) if assignee else None) for r in rows]


def open_tasks_for(user, until, limit=15):
    """The user's open tasks due on or before `until`, earliest first, with customer and deal (`TaskItem`s)."""
    # a kept statement: writing this select and building a Task, Customer, Deal and Feedback per row was most of
    # the tasks page's reading (about 1 ms of its 2.6)
    return _items(kept_rows(("open tasks",), lambda: _task_items(lambda q: q.where(
        (Task.assignee == param("user")) & Task.done_at.is_null() & (Task.due_on <= param("until")))
        .order_by(Task.due_on, Task.id).limit(param("limit"))), user=user.id, until=until, limit=limit))


def team_open_tasks(user, limit=100):
    """A manager's view of the open tasks of everyone else in their subtree, earliest due first, with the
    assignee, customer and deal (one query; `TaskItem`s)."""
    if user.role != "manager":
        return []
    return _items(kept_rows(("team open tasks",), lambda: _task_items(lambda q: q.where(
        in_query(Task.assignee, team_ids(param("user"))) & (Task.assignee != param("user")) & Task.done_at.is_null())
        .order_by(Task.due_on, Task.id).limit(param("limit")), assignee=True), user=user.id, limit=limit), assignee=True)


def task_assignees(user):
    """Whom the user may give a task, for a plain select: themselves alone (a rep), or the active reps and managers
    in reach (a manager's subtree, themself included) while they are few; None beyond: then a picker."""
    if user.role != "manager":
        return [user]
    return customers.people_listed(user)