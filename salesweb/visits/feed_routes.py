"""The planned-visits calendar feed: no sign-in (a phone's calendar cannot sign in), a secret in the URL."""
from flask import Response, abort, request

from ..core.db import utcnow
from ..core.i18n import _
from ..infra import calendar_feed
from ..core.clock import local_today
from .blueprint import feeds


@feeds.get("/calendar/<token>.ics")
def planned_visits(token):
    user = calendar_feed.owner_of(token) or abort(404)
    body = calendar_feed.feed(user, local_today(), utcnow(), request.host.split(":")[0],
                              _("Visits of %(name)s", name=user.name))
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": "inline; filename=visits.ics", "Cache-Control": "private, max-age=300",
        "X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer"})
