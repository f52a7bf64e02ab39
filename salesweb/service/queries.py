"""What the service package reads: feedback cases as people see them (their state against the response deadline),
the lists and the desk's figures, a customer's timeline entries; help requests and the desk's queue; NPS figures;
the links a customer opens and their state."""
import datetime
from collections import namedtuple

from peewee import JOIN, SQL, Alias, Case, Select, Value, fn

from ..core.access import scope_shape, visible, visible_kept, within_team
from ..core.db import as_subquery, db, in_query, kept_row, kept_rows, kept_statement, param, utcnow
from ..models import (FEEDBACK_KINDS, HELP_QUEUE_LABELS, Customer, CustomerLink, Deal, Feedback, HelpReply,
                      HelpRequest, SurveyAnswer, Team, User)
from ..models.rollups import TEAM
from ..customers import queries as customers
from ..visits.queries import utc_range


# --- feedback ------------------------------------------------------------------------------------------------------

def scope(user):
    """Feedback on the customers a user may see."""
    return visible(Feedback.select(Feedback, Customer).join(Customer), user, Customer.owner)


def state(feedback, now=None):
    if feedback.closed_at:
        return "closed"
    if feedback.resolved_at:
        return "resolved"
    if feedback.responded_at:
        return "responded"
    return "overdue" if (now or utcnow()) >= feedback.response_due_at else "open"


def overdue_condition(now):
    return Feedback.responded_at.is_null() & (Feedback.response_due_at <= now)


LISTED = (Feedback.id, Feedback.kind, Customer.name.alias("customer_name"), Feedback.severity, Feedback.channel,
          Feedback.created_at, Feedback.response_due_at, Feedback.responded_at, Feedback.resolved_at,
          Feedback.closed_at, Feedback.escalated_at, Feedback.description)


def waiting(user, limit=10):
    """Open feedback without a first response that the user sees, the soonest due first (`LISTED`)."""
    def build():
        return (visible_kept(Feedback.select(*LISTED).join(Customer), user.role, Customer.owner)
                .where(Feedback.responded_at.is_null()).order_by(Feedback.response_due_at).limit(param("limit")))

    # kept: its SQL written once (the support desk's reads spent most of its time in peewee)
    return kept_rows(("feedback-waiting", scope_shape(user.role)), build, user=user.id, limit=limit)


def desk_counts(user, now):
    """(open help requests, feedback the user sees whose first response is overdue): the desk's two figures."""
    def build():
        overdue = visible_kept(Feedback.select(fn.COUNT(Feedback.id)).join(Customer)
                               .where(overdue_condition(param("now"))), user.role, Customer.owner)
        return Select(columns=[Alias(help_open_count_query(), "open_requests"), Alias(overdue, "overdue")]).bind(db)

    # kept: its SQL written once (the support desk's reads spent most of its time in peewee)
    row = kept_row(("desk-counts", scope_shape(user.role)), build, user=user.id, now=now)
    return row.open_requests or 0, row.overdue or 0


def overdue_count_query(user, now):
    """A scalar subquery: the feedback the user sees whose first response is overdue. A manager's: the overdue
    feedback whose customer's owner is in their subtree, found by walking up from those owners (`within_team`), not
    by listing the subtree."""
    query = Feedback.select(fn.COUNT(Feedback.id)).join(Customer).where(overdue_condition(now))
    if user.role != "manager":
        return visible(query, user, Customer.owner)
    # kept: the manager's home asks it on every view
    return as_subquery(kept_statement("feedback overdue for a manager", _overdue_for_managers, user=user.id,
                                      now=Feedback.response_due_at.db_value(now)))


def _overdue_for_managers():
    owners = Feedback.select(Customer.owner.alias("id")).join(Customer).where(overdue_condition(param("now")))
    return (Feedback.select(fn.COUNT(Feedback.id)).join(Customer).where(overdue_condition(param("now")))
            .where(in_query(Customer.owner, within_team(owners, param("user")))))


LIST_FILTERS = ("waiting", "overdue", "open", "closed", "all")


def listing(user, show, kind, now=None):
    """The /feedback list (`LISTED`): what to show, newest first except where a deadline sorts it; as
    (fetch(offset, limit), count()) for a `Page`."""
    kind = kind if kind in FEEDBACK_KINDS else None
    show = show if show in LIST_FILTERS else "all"
    key = ("feedback-listing", scope_shape(user.role), show, kind is not None)
    values = {"user": user.id, "kind": kind, "now": now or utcnow()}

    def rows():
        return _listing(user.role, show, kind is not None)

    # kept: the list's two reads' SQL written once (writing it was most of the list's time)
    return (lambda offset, limit: kept_rows(key, lambda: rows().limit(param("limit")).offset(param("offset")),
                                            limit=limit, offset=offset, **values),
            lambda: kept_row(key + ("count",), lambda: rows().select(fn.COUNT(Feedback.id).alias("n")).order_by(),
                             **values).n)


def _listing(role, show, by_kind):
    """The list's select, its user id, kind and time of day `param`s."""
    query = visible_kept(Feedback.select(*LISTED).join(Customer), role, Customer.owner)
    if by_kind:
        query = query.where(Feedback.kind == param("kind"))
    if show == "waiting":
        return query.where(Feedback.responded_at.is_null()).order_by(Feedback.response_due_at, Feedback.id)
    if show == "overdue":
        return query.where(overdue_condition(param("now"))).order_by(Feedback.response_due_at, Feedback.id)
    if show == "open":
        query = query.where(Feedback.closed_at.is_null())
    elif show == "closed":
        query = query.where(Feedback.closed_at.is_null(False))
    return query.order_by(Feedback.created_at.desc(), Feedback.id.desc())


def people_of(feedback):
    """{user id: user} for the names the case page shows."""
    ids = {feedback.logged_by_id, feedback.responded_by_id, feedback.resolved_by_id, feedback.escalated_to_id,
           feedback.customer.owner_id} - {None}
    return {u.id: u for u in User.select(User.id, User.name).where(User.id.in_(list(ids)))} if ids else {}


# a row of timeline_of's union: a feedback case, or an NPS answer (its score; no case times)
TimelineRow = namedtuple("TimelineRow", "entry id at kind source text score responded_at resolved_at closed_at "
                                        "response_due_at who")
_TIMES = ("at", "responded_at", "resolved_at", "closed_at", "response_due_at")  # text on SQLite: read as times
# the users timeline_of names, made once (each field of an alias made per call is a new class)
LOGGER, SENDER = User.alias("logger"), User.alias("sender")


def _timeline_union():
    cases = (Feedback.select(Value("feedback").alias("entry"), Feedback.id, Feedback.created_at.alias("at"),
                             Feedback.kind, Feedback.source, Feedback.description.alias("text"),
                             Value(None).alias("score"), Feedback.responded_at, Feedback.resolved_at,
                             Feedback.closed_at, Feedback.response_due_at, LOGGER.name.alias("who"))
             .join(LOGGER, JOIN.LEFT_OUTER, on=(Feedback.logged_by == LOGGER.id))
             .where(Feedback.customer == param("customer")).order_by(Feedback.created_at.desc())
             .limit(param("limit")))
    answers = (SurveyAnswer.select(Value("nps"), SurveyAnswer.id, SurveyAnswer.answered_at, Value(""), Value("customer"),
                                   SurveyAnswer.comment, SurveyAnswer.score, Value(None), Value(None), Value(None),
                                   Value(None), SENDER.name)
               .join(SENDER, JOIN.LEFT_OUTER, on=(SurveyAnswer.rep == SENDER.id))
               .where(SurveyAnswer.customer == param("customer")).order_by(SurveyAnswer.answered_at.desc())
               .limit(param("limit")))
    return cases.union_all(answers).order_by(SQL("at").desc()).limit(param("limit"))


def timeline_of(customer_id, limit, now=None):
    """The customer's feedback and NPS answers for its timeline (customers.timeline), newest first, in one query:
    customers.Events of kind "feedback" or "nps", who being the staff member (logger or survey sender)."""
    now = now or utcnow()
    # kept: writing this union took the customer's page 0.6 ms
    sql, params = kept_statement("customer-feedback-timeline", _timeline_union, customer=customer_id, limit=limit + 1)
    out = []
    for values in db.execute_sql(sql, params).fetchall():
        row = TimelineRow._make(values)
        row = row._replace(**{key: _as_time(getattr(row, key)) for key in _TIMES
                              if getattr(row, key) is not None and not isinstance(getattr(row, key), datetime.datetime)})
        out.append(customers.Event(kind=row.entry, at=row.at, who=row.who, id=row.id, text=row.text, score=row.score,
                                   feedback_kind=row.kind, source=row.source,
                                   state=state(row, now) if row.entry == "feedback" else None))
    return out


def _as_time(text):
    return datetime.datetime.fromisoformat(str(text))


# --- help requests -------------------------------------------------------------------------------------------------

def help_scope(user):
    """Requests a user may see: their own (and a manager's subtree's); the desk and ops see all."""
    return visible(HelpRequest.select(), user, HelpRequest.asked_by)


def help_with_people(query):
    """The request with its asker, claimer, customer and deal (names only), in the same query."""
    asker, claimer = User.alias(), User.alias()
    return (query.select_extend(asker.id, asker.name, claimer.id, claimer.name, Customer.id, Customer.name, Deal.id,
                                Deal.title)
            .join(asker, on=(HelpRequest.asked_by == asker.id), attr="asker").switch(HelpRequest)
            .join(claimer, JOIN.LEFT_OUTER, on=(HelpRequest.claimed_by == claimer.id), attr="claimer")
            .switch(HelpRequest)
            .join(Customer, JOIN.LEFT_OUTER, on=(HelpRequest.customer == Customer.id), attr="customer_row")
            .switch(HelpRequest)
            .join(Deal, JOIN.LEFT_OUTER, on=(HelpRequest.deal == Deal.id), attr="deal_row"))


HELP_QUEUE_FILTERS = tuple(HELP_QUEUE_LABELS)

ASKER, CLAIMER = User.alias("asker"), User.alias("claimer")
# a help request as the lists show it (service/_request_row.html)
HELP_LISTED = (HelpRequest.id, HelpRequest.status, HelpRequest.question, HelpRequest.urgency, HelpRequest.created_at,
               ASKER.name.alias("asker_name"), Customer.id.alias("customer_id"), Customer.name.alias("customer_name"),
               CLAIMER.id.alias("claimer_id"), CLAIMER.name.alias("claimer_name"))
HelpListed = namedtuple("HelpListed", [column.name for column in HELP_LISTED])


def _help_listed(query):
    """The request's columns and its people's and customer's names as HELP_LISTED names them."""
    return (query.join(ASKER, on=(HelpRequest.asked_by == ASKER.id)).switch(HelpRequest)
            .join(CLAIMER, JOIN.LEFT_OUTER, on=(HelpRequest.claimed_by == CLAIMER.id)).switch(HelpRequest)
            .join(Customer, JOIN.LEFT_OUTER, on=(HelpRequest.customer == Customer.id)))


def help_queue(user, show="open"):
    """Requests by urgency then age (open ones), or the latest first (answered, closed), as HelpListed."""
    query = _help_listed(visible(HelpRequest.select(*HELP_LISTED), user, HelpRequest.asked_by)).objects(HelpListed)
    if show == "mine":
        query = query.where((HelpRequest.claimed_by == user.id) & (HelpRequest.status == "open"))
    elif show in ("answered", "closed"):
        return query.where(HelpRequest.status == show).order_by(HelpRequest.updated_at.desc(), HelpRequest.id.desc())
    else:
        query = query.where(HelpRequest.status == "open")
    return query.order_by(HelpRequest.urgency_rank, HelpRequest.created_at, HelpRequest.id)


def help_queue_head(user, limit):
    """The first `limit` open requests of `help_queue` (the desk's home), as HELP_LISTED names them."""
    def build():
        query = _help_listed(visible_kept(HelpRequest.select(*HELP_LISTED), user.role, HelpRequest.asked_by))
        return (query.where(HelpRequest.status == "open")
                .order_by(HelpRequest.urgency_rank, HelpRequest.created_at, HelpRequest.id).limit(param("limit")))

    # kept: its SQL written once (the support desk's reads spent most of its time in peewee)
    return kept_rows(("help-queue-head", scope_shape(user.role)), build, user=user.id, limit=limit)


def help_asked_by(user, limit=50):
    """The user's own requests, the latest activity first, as HelpListed."""
    return list(_help_listed(HelpRequest.select(*HELP_LISTED).where(HelpRequest.asked_by == user.id))
                .objects(HelpListed)
                .order_by(HelpRequest.status == "closed", HelpRequest.updated_at.desc()).limit(limit))


def help_open_count_query():
    return HelpRequest.select(fn.COUNT(HelpRequest.id)).where(HelpRequest.status == "open")


def help_thread(request):
    author = User.alias()
    return list(HelpReply.select(HelpReply, author).join(author, JOIN.LEFT_OUTER, on=(HelpReply.author == author.id),
                                                          attr="writer")
                .where(HelpReply.request == request.id).order_by(HelpReply.created_at, HelpReply.id))


# --- NPS -----------------------------------------------------------------------------------------------------------

# NPS (净推荐值): a customer answers 0-10 through a survey link. Promoters answer 9-10, detractors 0-6; NPS is the
# promoters' share minus the detractors' share, in points from -100 to 100.
PROMOTER_FROM, DETRACTOR_UNTIL = 9, 6


def nps_score(promoters, detractors, total):
    """NPS in whole points, or None with no answers."""
    if not total:
        return None
    return round(100 * (promoters - detractors) / total)


def _nps_counts():
    promoter = fn.SUM(Case(None, [(SurveyAnswer.score >= PROMOTER_FROM, 1)], 0))
    detractor = fn.SUM(Case(None, [(SurveyAnswer.score <= DETRACTOR_UNTIL, 1)], 0))
    return promoter, detractor, fn.COUNT(SurveyAnswer.id)


def _nps_figures(promoters, detractors, total):
    promoters, detractors, total = int(promoters or 0), int(detractors or 0), int(total or 0)
    return {"promoters": promoters, "passives": total - promoters - detractors, "detractors": detractors,
            "total": total, "nps": nps_score(promoters, detractors, total)}


def _nps_in_period(query, scope, period, settings):
    since, until = utc_range(period.start, period.end, settings)
    query = query.where((SurveyAnswer.answered_at >= since) & (SurveyAnswer.answered_at < until))
    return scope.narrow(query, SurveyAnswer.rep, SurveyAnswer.customer)


def nps_columns(scope, period, settings):
    """Three scalar subqueries (promoters, detractors, answers), for a page that gathers its figures in one query.
    A scope of exactly a manager's subtree keeps the answers whose rep is in it by walking up from the reps answered
    in the period (`within_team`), not by listing the subtree: its SQL kept, as the manager's home asks it on every
    view."""
    if not (scope.group and scope.group[0] == TEAM and not scope.by_customer):
        return [_nps_in_period(SurveyAnswer.select(column), scope, period, settings) for column in _nps_counts()]
    since, until = utc_range(period.start, period.end, settings)
    values = {"user": scope.group[1], "since": SurveyAnswer.answered_at.db_value(since),
              "until": SurveyAnswer.answered_at.db_value(until)}
    return [SQL("({})".format(sql), params) for sql, params in (
        kept_statement(("nps of a manager's subtree", n), lambda n=n: _nps_of_subtree(n), **values) for n in range(3))]


def _nps_of_subtree(n):
    """The `n`th of the NPS counts over the answers in the period (params since, until) of the subtree of `user`."""
    in_period = (SurveyAnswer.answered_at >= param("since")) & (SurveyAnswer.answered_at < param("until"))
    reps = SurveyAnswer.select(SurveyAnswer.rep.alias("id")).where(in_period)
    return SurveyAnswer.select(_nps_counts()[n]).where(in_period & in_query(SurveyAnswer.rep,
                                                                            within_team(reps, param("user"))))


def nps_from_columns(values):
    return _nps_figures(*values)


def nps_figures(scope, period, settings):
    """{promoters, passives, detractors, total, nps} in the period, in one query."""
    row = _nps_in_period(SurveyAnswer.select(*_nps_counts()), scope, period, settings).tuples().first()
    return _nps_figures(*(row or (0, 0, 0)))


def nps_by_team(scope, period, settings):
    """[(team name or None, figures)] for the teams of the reps who sent the surveys, in one grouped query."""
    query = _nps_in_period(SurveyAnswer.select(Team.name, *_nps_counts()).join(User, on=(SurveyAnswer.rep == User.id))
                           .join(Team, JOIN.LEFT_OUTER, on=(User.team == Team.id)), scope, period, settings)
    return [(team, _nps_figures(p, d, n)) for team, p, d, n in query.group_by(Team.id, Team.name)
            .order_by(Team.name).tuples()]


# --- links sent to customers ---------------------------------------------------------------------------------------

def find_link(token):
    """The link and its customer (what the form and its rules read of it: id, name, owner) for a token, or None (a
    malformed token is simply not found)."""
    if not token or len(token) > 64:
        return None
    return (CustomerLink.select(CustomerLink, Customer.id, Customer.name, Customer.owner).join(Customer)
            .where(CustomerLink.token == token).first())


def link_state(link, now=None):
    """active, expired, revoked or answered (a survey takes one answer)."""
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at <= (now or utcnow()):
        return "expired"
    if link.purpose == "survey" and SurveyAnswer.select().where(SurveyAnswer.link == link.id).exists():
        return "answered"
    return "active"
