import datetime
from collections import namedtuple

from flask import current_app, request
from flask_babel import get_timezone
from markupsafe import Markup

from ..web.forms import as_id, options
from ..core.i18n import _, _l
from ..web.rows import RowTemplate
from . import queries
from ..web.pages import is_fragment_request, render
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
# a page of the log: its events, how many match (up to `counted`), and the ids its Newer and Older links start from
EventPage = namedtuple("EventPage", "items total counted newer older")


def _event_words():
    """The column names every row of the log shows, as the templates' `_` gives them (translations are markup)."""
    return EventWords(*map(Markup, (_("When"), _("Who"), _("Action"), _("Record"), _("Details"), _("IP address"))))


@bp.get("/")
def index():
    form = AuditFilterForm(request.args)
    # the "who" filter: everyone when few, else a picker whose one choice is the person asked for (validation
    # refuses any other id)
    people = queries.actors_listed() if not is_fragment_request() else None
    chosen = None
    if people is None:
        found = queries.actor(as_id(form.actor.data))
        chosen = {"id": found.id, "name": found.name} if found else None
        people_choices = [(str(found.id), found.name)] if found else []
    else:
        people_choices = [(str(user_id), name) for user_id, name, _active in people]
    form.actor.choices = options([("", _l("Anyone"))] + people_choices)
    criteria = {}
    if form.validate():
        criteria = dict(
            action=form.action.data or None,
            actor_id=as_id(form.actor.data),
            text=(form.q.data or "").strip() or None,
            since=_utc_midnight(form.since.data),
            until=_utc_midnight(form.until.data, days=1),
        )
    fetch, counted = queries.search(**criteria)
    older, newer = as_id(request.args.get("older")), as_id(request.args.get("newer"))
    items, more = fetch(current_app.config["PAGE_SIZE"], older=older, newer=None if older else newer)
    if not items and (older or newer):  # a key past either end (or gone): the newest page
        items, more = fetch(current_app.config["PAGE_SIZE"])
        older = newer = None
    # the pager: newer and older events by the key of this page's first and last (no count of all the history)
    page = EventPage(items, counted, queries.COUNTED,
                     newer=items[0].id if items and (older or (newer and more)) else None,
                     older=items[-1].id if items and ((newer and not older) or more) else None)
    rows = EVENT_ROW.write(map(EVENT_ROW.Row._make, page.items), words=_event_words())
    return render("audit/index.html", block="results", form=form, page=page, rows=rows, people=people, chosen=chosen)


@bp.get("/people")
def pick_actor():
    """The "who" filter's picker: everyone whose name holds what was typed, at most ACTORS_LISTED."""
    text = (request.args.get("person_name") or "").strip()[:100]
    matches = queries.actors(text=text, limit=queries.ACTORS_LISTED) if text else []
    return render("_person_pick.html", matches=matches, text=text)
