import datetime
from collections import namedtuple

from flask import current_app, request
from flask_babel import get_timezone
from markupsafe import Markup

from ..web.forms import as_id, options
from ..core.i18n import _, _l
from ..web.rows import RowTemplate
from . import queries
from ..web.pages import Page, page_number, render
from .blueprint import bp
from .forms import AuditFilterForm


def _utc_midnight(day, days=0):
    """Midnight of a day in the install's time zone, as the naive UTC time the log stores."""
    if day is None:
        return None
    local = get_timezone().localize(datetime.datetime.combine(day + datetime.timedelta(days=days), datetime.time()))
    return local.astimezone(datetime.UTC).replace(tzinfo=None)


# an event in the log, as queries.search gives it; `words`: the column names each cell repeats (a phone shows them),
# translated once for the page rather than in every row (Jinja's gettext: 0.4 ms a page of 30)
EVENT_ROW = RowTemplate("audit/_row.html", "id at actor_name action object_type object_id summary ip", look=("words",))
EventWords = namedtuple("EventWords", "when who action record details ip")


def _event_words():
    """The column names every row of the log shows, as the templates' `_` gives them (translations are markup)."""
    return EventWords(*map(Markup, (_("When"), _("Who"), _("Action"), _("Record"), _("Details"), _("IP address"))))


@bp.get("/")
def index():
    form = AuditFilterForm(request.args)
    form.actor.choices = options([("", _l("Anyone"))] + [(str(user_id), name) for user_id, name in queries.actors()])
    criteria = {}
    if form.validate():
        criteria = dict(
            action=form.action.data or None,
            actor_id=as_id(form.actor.data),
            text=(form.q.data or "").strip() or None,
            since=_utc_midnight(form.since.data),
            until=_utc_midnight(form.until.data, days=1),
        )
    fetch, total = queries.search(**criteria)
    page = Page(fetch, page_number(), current_app.config["PAGE_SIZE"], total=total)
    rows = EVENT_ROW.write(map(EVENT_ROW.Row._make, page.items), words=_event_words())
    return render("audit/index.html", block="results", form=form, page=page, rows=rows)
