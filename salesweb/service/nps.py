"""NPS (净推荐值): a customer answers 0-10 through a survey link. Promoters answer 9-10, detractors 0-6;
NPS is the promoters' share minus the detractors' share, in points from -100 to 100."""
from peewee import JOIN, Case, IntegrityError, fn

from ..core.db import db, utcnow
from ..core.i18n import _l
from ..models import SurveyAnswer, Team, User
from . import links as customer_links
from ..core import notifications
from ..core.errors import Invalid
from ..visits.queries import utc_range

PROMOTER_FROM, DETRACTOR_UNTIL = 9, 6
MAX_COMMENT = 2000


def read_score(text):
    text = (text or "").strip()
    if not text.isdigit() or not 0 <= int(text) <= 10:
        raise Invalid({"score": _l("Choose a number from 0 to 10.")})
    return int(text)


def answer(link, score_text, comment, now=None):
    """Record the customer's answer to an active survey link; the rep who sent it is told."""
    errors = {}
    try:
        score = read_score(score_text)
    except Invalid as refused:
        errors.update(refused.errors)
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = _l("At most %(n)d characters.", n=MAX_COMMENT)
    if errors:
        raise Invalid(errors)
    now = now or utcnow()
    if customer_links.state(link, now) != "active":
        raise Invalid({None: _l("This survey link is no longer open.")})
    try:
        with db.atomic():
            saved = SurveyAnswer.create(link=link.id, customer=link.customer_id, rep=link.created_by_id, score=score,
                                        comment=comment, answered_at=now)
            customer_links.used(link)
            notifications.notify([link.created_by_id], "nps_answered", f"/customers/{link.customer_id}",
                                 customer=link.customer.name, score=score)
    except IntegrityError:  # answered twice at once: the first one counts
        raise Invalid({None: _l("This survey link is no longer open.")}) from None
    return saved


def score(promoters, detractors, total):
    """NPS in whole points, or None with no answers."""
    if not total:
        return None
    return round(100 * (promoters - detractors) / total)


def _counts():
    promoter = fn.SUM(Case(None, [(SurveyAnswer.score >= PROMOTER_FROM, 1)], 0))
    detractor = fn.SUM(Case(None, [(SurveyAnswer.score <= DETRACTOR_UNTIL, 1)], 0))
    return promoter, detractor, fn.COUNT(SurveyAnswer.id)


def _figures(promoters, detractors, total):
    promoters, detractors, total = int(promoters or 0), int(detractors or 0), int(total or 0)
    return {"promoters": promoters, "passives": total - promoters - detractors, "detractors": detractors,
            "total": total, "nps": score(promoters, detractors, total)}


def _in_period(query, scope, period, settings):
    since, until = utc_range(period.start, period.end, settings)
    query = query.where((SurveyAnswer.answered_at >= since) & (SurveyAnswer.answered_at < until))
    return scope.narrow(query, SurveyAnswer.rep, SurveyAnswer.customer)


def columns(scope, period, settings):
    """Three scalar subqueries (promoters, detractors, answers), for a page that gathers its figures in one query."""
    return [_in_period(SurveyAnswer.select(column), scope, period, settings) for column in _counts()]


def from_columns(values):
    return _figures(*values)


def figures(scope, period, settings):
    """{promoters, passives, detractors, total, nps} in the period, in one query."""
    row = _in_period(SurveyAnswer.select(*_counts()), scope, period, settings).tuples().first()
    return _figures(*(row or (0, 0, 0)))


def by_team(scope, period, settings):
    """[(team name or None, figures)] for the teams of the reps who sent the surveys, in one grouped query."""
    query = _in_period(SurveyAnswer.select(Team.name, *_counts()).join(User, on=(SurveyAnswer.rep == User.id))
                       .join(Team, JOIN.LEFT_OUTER, on=(User.team == Team.id)), scope, period, settings)
    return [(team, _figures(p, d, n)) for team, p, d, n in query.group_by(Team.id, Team.name)
            .order_by(Team.name).tuples()]
