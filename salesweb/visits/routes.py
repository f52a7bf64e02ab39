import datetime
import uuid

import pytz
from flask import abort, current_app, flash, jsonify, redirect, request, url_for
from flask_login import current_user

from ..core.access import get_visible_or_404
from ..customers import forms as customer_forms
from ..web.forms import as_id, options, upload_limits
from ..core.i18n import _
from ..models import CHECK_PROBLEM_LABELS, OUTCOME_LABELS, VISIT_KIND_LABELS, Customer, Deal, Visit
from ..infra import calendar_feed
from ..customers import queries as customers
from ..pipeline import queries as pipeline
from . import queries, rules as visits
from ..core.errors import Invalid
from ..web.pages import Page, errors_as_json, is_fragment_request, page_number, render, safe_next, submit, wants_json
from ..core.clock import local_today as today
from ..web.downloads import send_stored
from ..core.settings import current_settings
from ..web.rows import RowTemplate
from .blueprint import bp
from .forms import DATES, CommentForm, FilterForm, PlanForm, VisitForm

LABELS = dict(kind_labels=VISIT_KIND_LABELS, outcome_labels=OUTCOME_LABELS, problem_labels=CHECK_PROBLEM_LABELS)
# a done visit in the list (queries.listing), its comments counted
LIST_ROW = RowTemplate("visits/_row.html", "id customer_tier customer_name occurred_at kind rep_name outcome comments "
                       "verified checked_in distance_m check_problem purpose sent_after", look=("show_rep",))


def _float(value):
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def _customer_fields(form, customer):
    """The choices that depend on the customer: the people to tick and the open deals to link."""
    contacts = customers.contacts_of(customer.id) if customer else []
    form.contacts.choices = options([(c.id, customers.contact_label(c.name, c.title)) for c in contacts])
    deals = pipeline.open_deal_choices(customer.id) if customer else []
    form.deal.choices = options([("", _("No deal"))] + deals)


def _utc(day, time):
    zone = pytz.timezone(current_settings()["timezone"])
    return zone.localize(datetime.datetime.combine(day, time)).astimezone(pytz.utc).replace(tzinfo=None)


def _occurred(form):
    """When the form says the visit happened (UTC), or None when it does not say."""
    if form.occurred_on.data is None or form.occurred_time.data is None:
        return None
    return _utc(form.occurred_on.data, form.occurred_time.data)


def _values(form, customer):
    """What the form says, in the service's terms (ids become records of this customer only: the people ticked
    are read among the customer's, none when none is ticked)."""
    fix_ms = _float(form.fix_at.data)
    contact_ids = sorted({i for i in (form.contacts.data or []) if i})
    return {
        "occurred_at": _occurred(form),
        "duration_minutes": form.duration_minutes.data, "kind": form.kind.data, "purpose": form.purpose.data,
        "notes": form.notes.data, "outcome": form.outcome.data, "next_step": form.next_step.data,
        "next_visit_on": form.next_visit_on.data,
        "deal": Deal.get_or_none((Deal.id == form.deal.data) & (Deal.customer == customer.id)) if form.deal.data else None,
        "contacts": customers.contacts_of(customer.id, among=contact_ids) if contact_ids else [],
        "market_note": form.market_note.data, "market_tags": form.market_tags.data,
        "client_uuid": form.client_uuid.data, "captured_at": form.captured_at.data,
        "lat": _float(form.lat.data), "lon": _float(form.lon.data), "accuracy": _float(form.accuracy.data),
        "fix_at": datetime.datetime.fromtimestamp(fix_ms / 1000, datetime.UTC).replace(tzinfo=None)
        if fix_ms is not None and 0 < fix_ms < 4e12 else None,
    }


def _planned(planned_id):
    """The user's own planned visit that this log fulfils (someone else's plan is theirs to log), with its
    customer read in the same statement. A plan that is gone: 404 for the form; a visit sent for it (from a phone,
    where it waited while the plan was cancelled) is logged without it."""
    if not planned_id:
        return None
    planned = (Visit.select(Visit, Customer).join(Customer)
               .where((Visit.id == planned_id) & (Visit.rep == current_user.id)).first())
    if planned is None and request.method == "GET":
        abort(404)
    return planned if planned is not None and planned.status == "planned" else None


# The service names what it checks; the form shows it next to the field the user filled in.
FIELD_OF = {"occurred_at": "occurred_on", "file": "photo"}


def _back(default):
    return safe_next(request.values.get("next")) or default


# The hidden fields a phone fills in: shown on the page with the form's own messages.
HIDDEN = ("client_uuid", "captured_at")


def _sent_before(form):
    """This user's visit sent before under the form's client id (a repeat), or None."""
    try:
        return visits.sent_before(current_user, visits.client_uuid(form.client_uuid.data))
    except Invalid:
        return None


def _logged(visit, created, customer):
    """The answer to a logged visit: JSON for a program (201 made, 200 made before), else back where the form came
    from."""
    if wants_json():
        body = {"id": visit.id, "url": url_for("visits.detail", visit_id=visit.id), "created": created}
        return jsonify(body), 201 if created else 200
    if created:
        flash(_("Visit to %(name)s logged.", name=customer.name), "success")
    else:
        flash(_("Visit to %(name)s was already logged.", name=customer.name), "success")
    return redirect(_back(url_for("home.index")), 303)


@bp.route("/visits/new", methods=["GET", "POST"])
def new():
    if not visits.may_log(current_user):
        abort(403)
    settings = current_settings()
    form = VisitForm()
    planned = _planned(as_id(request.values.get("planned")))
    if request.method == "GET":
        now_local = datetime.datetime.now(pytz.timezone(settings["timezone"]))
        form.occurred_on.data, form.occurred_time.data = now_local.date(), now_local.time().replace(second=0,
                                                                                                    microsecond=0)
        form.duration_minutes.data = planned.duration_minutes if planned else settings["visit_duration_minutes"]
        form.customer.data = planned.customer_id if planned else as_id(request.args.get("customer"))
        if planned:
            form.purpose.data, form.kind.data, form.planned.data = planned.purpose, planned.kind, planned.id
        form.next.data = safe_next(request.args.get("next")) or ""
        form.client_uuid.data = str(uuid.uuid4())  # a double tap, or the form sent again, is one visit
    asked_for = form.customer.data
    if planned is not None and asked_for == planned.customer_id:
        customer = planned.customer  # the plan's, read with it (as `chosen` keeps it)
    else:
        customer = customer_forms.chosen(form, planned.customer_id if planned else None)
    if asked_for and customer is None:  # a customer outside the user's scope, by id (reassigned, deleted)
        earlier = _sent_before(form) if request.method == "POST" else None
        if earlier is not None and visits.same_visit(earlier, asked_for, _occurred(form)):
            return _logged(earlier, False, earlier.customer)  # sent before, and the customer went since: it stands
        if wants_json():
            return jsonify({"errors": {"customer": _("This customer is not yours to visit: it was reassigned or "
                                                     "deleted.")}}), 404
        abort(404)
    customer_forms.offer(form, customer)
    if request.method == "GET":
        _customer_fields(form, customer)
    made = {}

    def log():
        if customer is None:
            raise Invalid({"customer": _("Choose the customer you visited.")})
        photo = form.photo.data
        upload = (photo.stream, photo.filename) if photo and photo.filename else None
        upload_dir, max_bytes = upload_limits()
        try:
            made["visit"], made["created"] = visits.log_once(
                _values(form, customer), customer, current_user, current_user, settings, planned=planned,
                photo=upload, upload_dir=upload_dir, max_bytes=max_bytes)
        except Invalid as refused:
            raise Invalid({FIELD_OF.get(k, k): m for k, m in refused.errors.items()}) from refused

    done, status = submit(form, log)
    if done:
        return _logged(made["visit"], made["created"], customer)
    if request.method == "POST":
        if wants_json():
            return jsonify({"errors": errors_as_json(form)}), status
        form.form_errors.extend(m for name in HIDDEN for m in getattr(form, name).errors)
        # refused: the form again, with the people and deals to choose from (a visit logged shows neither: its
        # post reads only the people ticked, and the deal chosen)
        _customer_fields(form, customer)
    return render("visits/form.html", form=form, customer=customer, planned=planned, status=status,
                  settings_values=settings, **LABELS)


@bp.get("/visits/new/customer")
def customer_fields():
    """The people and deals of the customer just picked (the form swaps them in)."""
    form = VisitForm(formdata=None)
    form.customer.data = as_id(request.args.get("customer"))
    customer = customer_forms.chosen(form)
    if form.customer.data and customer is None:
        abort(404)  # a customer outside the user's scope, by id
    _customer_fields(form, customer)
    return render("visits/form.html", block="customer_fields", form=form, customer=customer)


@bp.get("/visits")
def index():
    settings = current_settings()
    filters = FilterForm(request.args)
    criteria = filters.criteria()
    people = {}  # the rep filter's people when few, else None: a picker (templates/_person_picker.html)
    if current_user.role != "rep" and not is_fragment_request():  # the filter sits outside the swapped list
        people["rep"], people["rep_chosen"] = customer_forms.owner_filter(filters.rep, criteria["rep"])
    fetch, count = queries.listing(current_user, criteria, settings)
    page = Page(fetch, page_number(), current_app.config["PAGE_SIZE"], total=count())
    comments = queries.comment_counts([row[0] for row in page.items])
    listed = LIST_ROW.write(
        (LIST_ROW.Row(i, tier, customer, at, kind, rep, outcome, comments.get(i, 0), verified, lat is not None,
                      distance, problem, purpose, queries.sent_after(captured, received, settings))
         for i, tier, customer, at, kind, outcome, verified, lat, distance, problem, purpose, captured, received, rep
         in page.items),
        show_rep=current_user.role != "rep")
    return render("visits/index.html", block="list", filters=filters, page=page, rows=listed, people=people)


def _sent_after(visit):
    return queries.sent_after(visit.captured_at, visit.created_at, current_settings())


def _page_or_404(visit_id):
    return queries.detail(visit_id, current_user) or abort(404)


@bp.get("/visits/<int:visit_id>")
def detail(visit_id):
    page = _page_or_404(visit_id)
    visits.mark_comments_read(page.visit, current_user)
    return render("visits/detail.html", page=page, visit=page.visit, form=CommentForm(formdata=None),
                  sent_after=_sent_after(page.visit),
                  queued=queries.sent_later(page.visit.captured_at, page.visit.created_at), **LABELS)


@bp.post("/visits/<int:visit_id>/comments")
def add_comment(visit_id):
    visit = get_visible_or_404(Visit.select(Visit, Customer).join(Customer), visit_id, current_user, Visit.rep)
    form = CommentForm()
    done, status = submit(form, lambda: visits.comment(visit, form.body.data, current_user))
    if done:
        flash(_("Comment added."), "success")
        return redirect(url_for("visits.detail", visit_id=visit.id) + "#comments", 303)
    page = _page_or_404(visit_id)
    return render("visits/detail.html", page=page, visit=page.visit, form=form, status=status,
                  sent_after=_sent_after(page.visit),
                  queued=queries.sent_later(page.visit.captured_at, page.visit.created_at), **LABELS)


@bp.get("/visits/<int:visit_id>/photo")
def photo(visit_id):
    visit = get_visible_or_404(Visit, visit_id, current_user, Visit.rep)
    if visit.photo_id is None:
        abort(404)
    return send_stored(visit.photo, f"visit-{visit.id}.{'png' if visit.photo.kind == 'png' else 'jpg'}", inline=True)


@bp.post("/visits/plan")
def plan():
    if not visits.may_log(current_user):
        abort(403)
    form = PlanForm()
    customer = customers.scope(current_user).where(Customer.id == as_id(form.customer.data)).first() or abort(404)
    back = _back(url_for("customers.detail", customer_id=customer.id))
    try:
        if not form.validate_on_submit():
            raise Invalid({"day": " ".join(str(e) for e in form.day.errors) or _("Choose a day.")})
        visits.plan(customer, current_user, form.day.data, current_user, today())
        flash(_("Visit to %(name)s planned for %(day)s.", name=customer.name, day=form.day.data.isoformat()), "success")
    except Invalid as refused:
        flash(" ".join(str(m) for m in refused.errors.values()), "error")
    return redirect(back, 303)


@bp.post("/visits/<int:visit_id>/cancel")
def cancel(visit_id):
    if not visits.may_log(current_user):
        abort(403)
    visit = get_visible_or_404(Visit, visit_id, current_user, Visit.rep)
    try:
        visits.cancel(visit, current_user)
        flash(_("Planned visit cancelled."), "success")
    except Invalid as refused:
        flash(str(refused), "error")
    return redirect(_back(url_for("visits.week")), 303)


@bp.get("/visits/week")
def week():
    """The rep's planned visits for a week, day by day."""
    try:
        start = datetime.date.fromisoformat(request.args.get("start", ""))
    except ValueError:
        start = today()
    if not DATES.earliest <= start <= DATES.latest:
        start = today()
    monday, next_monday = queries.week_bounds(start)
    planned = queries.planned_between(current_user, monday, next_monday)
    days = [(monday + datetime.timedelta(days=n), [v for v in planned if v.planned_for == monday + datetime.timedelta(days=n)])
            for n in range(7)]
    return render("visits/week.html", days=days, monday=monday, today=today(),
                  previous=monday - datetime.timedelta(days=7), following=next_monday)


@bp.route("/visits/calendar", methods=["GET", "POST"])
def calendar():
    """The secret address of the planned-visits feed, and a way to change it when it leaked."""
    if not visits.may_log(current_user):
        abort(403)
    if request.method == "POST":  # CSRF is checked for every POST before it gets here
        calendar_feed.regenerate(current_user)
        flash(_("A new address is ready; the old one no longer works."), "success")
        return redirect(url_for("visits.calendar"), 303)
    token = calendar_feed.token_for(current_user)
    return render("visits/calendar.html", url=url_for("feeds.planned_visits", token=token, _external=True))
