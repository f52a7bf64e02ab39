"""NPS (净推荐值): a customer answers 0-10 through a survey link, once. The figures (promoters, detractors, the
score) are read in `queries`."""
from peewee import IntegrityError

from ..core.db import db, utcnow
from ..core.i18n import _l
from ..models import SurveyAnswer
from . import links as customer_links
from ..core import notifications
from ..core.errors import Invalid
from .queries import link_state

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
    if link_state(link, now) != "active":
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
