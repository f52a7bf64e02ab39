from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from peewee import JOIN

from ..core.access import role_required
from ..core.db import utcnow
from ..web.forms import as_id, options
from ..core.i18n import _
from ..models import (CHECK_PROBLEM_LABELS, POOL_MOVE_LABELS, SOURCE_LABELS, STATUS_LABELS, TIER_REASON_LABELS, Contact,
                      Customer, CustomerLink, PoolMove, User)
from ..web.rows import RowTemplate
from ..allocation import rules as allocation
from ..core import audit
from ..quotes import queries as quotes
from ..service import links as customer_links, help
from . import pool, queries, rules, tiers
from ..infra import exports
from ..pipeline import queries as pipeline
from ..service import queries as service, rules as feedback_service
from ..core.errors import Invalid
from ..web.pages import Page, is_fragment_request, page_number, render, submit
from ..web.downloads import csv_download
from ..core.clock import local_today as today
from ..core.settings import current_settings
from .blueprint import bp
from .forms import (BY_REGION, EXPORT_HEADERS, ContactForm, CustomerForm, FilterForm, NoteForm, ReassignForm,
                    TierLockForm, owner_filter, person_field)

REASSIGNERS = ("manager", "ops", "admin")
# a customer in the tier view, as queries.search_page gives it
LIST_ROW = RowTemplate("customers/_row.html", "id tier name owner_name region last_visit_at next_visit_due",
                       look=("show_owner", "reassign", "today"), macros={"due": "customers/_due.html"})
# a customer in the pool
POOL_ROW = RowTemplate("customers/_pool_row.html", "id name region industry tier", look=("may_claim",))
# an entry of a customer's timeline (queries.timeline)
EVENT_ROW = RowTemplate("customers/_event.html", queries.Event._fields, macros={"checkin": "visits/_checkin.html"})
CREATORS = ("rep", "manager", "support", "ops", "admin")


def _with_scope(matches):
    """Mark which duplicate matches the user may open (the others are named, not linked)."""
    if matches:
        mine = {c.id for c in queries.scope(current_user).where(Customer.id.in_([m.id for m in matches]))
                .select(Customer.id)}
        for match in matches:
            match.in_scope = match.id in mine
    return matches


def _customer_or_404(customer_id):
    return queries.visible_customer(customer_id, current_user) or abort(404)


def _owner_choices(form, customer=None, new=False):
    """The owner field's choices, set once its value is (a GET's default, or what was posted): {"people": the
    people in reach when few, else None (a picker), "chosen": the picker's choice, "empty": what an empty picker
    means}, for templates/_person_picker.html."""
    leading = []
    if rules.may_use_pool_owner(current_user):
        leading.append(("", _("Nobody (customer pool)")))
    if new and current_user.role != "rep":
        leading.append((BY_REGION, _("The region's rep")))
    # in a picker, nothing typed is the region's rep on a new customer, the pool (or the owner kept) on an edit
    empty = BY_REGION if new and current_user.role != "rep" else ("" if leading else None)
    keep = customer.owner_id if customer is not None else None
    people, chosen = person_field(form.owner, leading, keep, lambda: customer.owner.name, empty)
    labels = dict(leading)
    return {"people": people, "chosen": chosen, "empty": labels.get(empty) if empty is not None else None}


@bp.get("/customers")
def index():
    filters = FilterForm(request.args)
    tier = request.args.get("tier") if request.args.get("tier") in ("A", "B", "C") else "all"
    criteria = filters.criteria(None if tier == "all" else tier)
    reassign = ReassignForm(prefix="reassign") if current_user.role in REASSIGNERS else None
    people = {}  # each person field's people when few, else None: a picker (templates/_person_picker.html)
    if not is_fragment_request():  # the filter choices sit outside the swapped list
        if current_user.role != "rep":
            people["owner"], people["owner_chosen"] = owner_filter(filters.owner, criteria["owner"])
        if reassign:
            people["reassign"] = queries.people_listed(current_user)
            if people["reassign"] is not None:
                reassign.owner.choices = options([("", _("Choose…"))] + [
                    (i, name) for i, name, _a in people["reassign"]])
        filters.region.choices = options([("", _("Any region"))] + [(r, r) for r in queries.regions(current_user)])
    counts = queries.tier_counts(current_user, criteria, today())
    page = Page(lambda offset, limit: queries.search_page(current_user, criteria, today(), offset, limit),
                page_number(), current_app.config["PAGE_SIZE"], total=counts[tier])
    rows = LIST_ROW.write(map(LIST_ROW.Row._make, page.items), show_owner=current_user.role != "rep",
                          reassign=reassign is not None, today=today())
    return render("customers/index.html", block="list", filters=filters, tier=tier, page=page, counts=counts,
                  rows=rows, reassign=reassign, people=people)


@bp.get("/customers/export.<any(csv, xlsx):kind>")
def export(kind):
    """The current filtered list (same scope and filters as the page) as CSV or XLSX."""
    filters = FilterForm(request.args)
    tier = request.args.get("tier") if request.args.get("tier") in ("A", "B", "C") else None
    rows = queries.export_rows(current_user, filters.criteria(tier), today(), current_settings())
    header = [str(EXPORT_HEADERS[c]) for c in queries.EXPORT_COLUMNS]
    audit.record("export", actor=current_user, object_type="customer",
                 summary=f"customers {kind}: {request.query_string.decode('utf-8', 'replace')[:200]}")
    name = f"customers-{today():%Y%m%d}.{kind}"
    if kind == "csv":
        return csv_download(header, rows, name)
    response = Response(exports.xlsx_bytes(header, rows, str(_("Customers"))),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/customers/new", methods=["GET", "POST"])
@role_required(*CREATORS)
def new():
    form = CustomerForm()
    if request.method == "GET":
        form.owner.data = current_user.id if current_user.role == "rep" else BY_REGION
    owner_field = _owner_choices(form, new=True)
    matches = _with_scope(queries.duplicates(form.name.data)) if request.method == "POST" and form.name.data else []
    created = {}

    def create():
        if matches and not form.save_anyway.data:
            raise Invalid({"name": _("A customer with this name already exists.")})
        if form.owner.data == BY_REGION:
            owner = queries.default_owner(form.region.data, current_user)
        else:
            owner = User.get_or_none(User.id == form.owner.data) if form.owner.data else None
        created["customer"] = rules.create(form.data, owner, current_user, current_settings())

    done, status = submit(form, create)
    if done:
        flash(_("Customer created."), "success")
        return redirect(url_for("customers.detail", customer_id=created["customer"].id))
    return render("customers/form.html", form=form, customer=None, matches=matches, status=status,
                  owner_field=owner_field)


@bp.route("/customers/<int:customer_id>/edit", methods=["GET", "POST"])
def edit(customer_id):
    customer = _customer_or_404(customer_id)
    form = CustomerForm(obj=customer if request.method == "GET" else None)
    if request.method == "GET":
        form.owner.data = customer.owner_id
    owner_field = _owner_choices(form, customer)
    renamed = request.method == "POST" and queries.normalise_name(form.name.data or "") != customer.name_key
    matches = _with_scope(queries.duplicates(form.name.data, exclude=customer)) if renamed else []

    def save():
        if matches and not form.save_anyway.data:
            raise Invalid({"name": _("A customer with this name already exists.")})
        owner = User.get_or_none(User.id == form.owner.data) if form.owner.data else None
        rules.update(customer, form.data, owner, current_user)

    done, status = submit(form, save)
    if done:
        flash(_("Saved."), "success")
        return redirect(url_for("customers.detail", customer_id=customer.id))
    return render("customers/form.html", form=form, customer=customer, matches=matches, status=status,
                  owner_field=owner_field)


def _detail_context(customer, contact_form=None, editing=None, note_form=None):
    """What customers/detail.html shows; `customer`: as queries.customer_page reads it (a block of the page that
    shows only its id may be given the model)."""
    contacts, history = queries.page_contacts(customer.id), queries.tier_history(customer.id)
    deals = pipeline.of_customer(current_user, customer.id, 50)
    now = utcnow()
    timeline, timeline_more = queries.timeline(
        customer.id, TIMELINE_ENTRIES, now, more=service.timeline_of(customer.id, TIMELINE_ENTRIES, now))
    link_id = as_id(request.args.get("link"))
    new_link = CustomerLink.get_or_none((CustomerLink.id == link_id) & (CustomerLink.customer == customer.id)
                                        & (CustomerLink.created_by == current_user.id)) if link_id else None
    return dict(customer=customer, new_link=new_link, may_send_links=customer_links.may_send(current_user),
                may_log_feedback=feedback_service.may_keep(current_user), may_ask=help.may_ask(current_user), contacts=contacts, history=history, today=today(), deals=deals,
                quotes=quotes.of_customer(current_user, customer),
                contracts=quotes.contracts_of_customer(current_user, customer),
                contact_form=contact_form or ContactForm(formdata=None), editing=editing,
                note_form=note_form or NoteForm(formdata=None), timeline=timeline, timeline_more=timeline_more,
                events=EVENT_ROW.write((EVENT_ROW.Row(*event) for event in timeline)),
                lock_form=TierLockForm(formdata=None, tier=customer.tier),
                source_labels=SOURCE_LABELS, status_labels=STATUS_LABELS, tier_reasons=TIER_REASON_LABELS,
                move_labels=POOL_MOVE_LABELS, problem_labels=CHECK_PROBLEM_LABELS)


TIMELINE_ENTRIES = 30  # the newest; a customer of years has hundreds, and the page is opened between meetings


@bp.post("/customers/<int:customer_id>/location")
def set_location(customer_id):
    customer = _customer_or_404(customer_id)

    def number(name):
        try:
            return float(request.form.get(name, "").strip()) if request.form.get(name, "").strip() else None
        except ValueError:
            return float("nan")
    try:
        rules.set_location(customer, number("lat"), number("lon"), current_user)
        flash(_("Location saved."), "success")
    except Invalid as refused:
        flash(" ".join(str(m) for m in refused.errors.values()), "error")
    return redirect(url_for("customers.detail", customer_id=customer.id), 303)


@bp.get("/customers/<int:customer_id>")
def detail(customer_id):
    customer = queries.customer_page(customer_id, current_user) or abort(404)
    return render("customers/detail.html", **_detail_context(customer))


@bp.post("/customers/<int:customer_id>/notes")
def add_note(customer_id):
    customer = _customer_or_404(customer_id)
    form = NoteForm()
    done, status = submit(form, lambda: rules.add_note(customer, form.body.data, current_user))
    if done:
        return redirect(url_for("customers.detail", customer_id=customer.id) + "#timeline")
    return render("customers/detail.html", block="timeline", status=status,
                  **_detail_context(customer, note_form=form))


# Contacts are edited in place: each endpoint answers with the contacts block.
def _contacts_block(customer, status=200, form=None, editing=None):
    return render("customers/detail.html", block="contacts", status=status,
                  **_detail_context(customer, contact_form=form, editing=editing))


def _contact_or_404(customer, contact_id):
    contact = Contact.get_or_none((Contact.id == contact_id) & (Contact.customer == customer))
    return contact or abort(404)


@bp.get("/customers/<int:customer_id>/contacts")
def contacts(customer_id):
    return _contacts_block(_customer_or_404(customer_id))


@bp.post("/customers/<int:customer_id>/contacts")
def add_contact(customer_id):
    customer = _customer_or_404(customer_id)
    form = ContactForm()
    done, status = submit(form, lambda: rules.save_contact(customer, None, form.data, current_user))
    return _contacts_block(customer) if done else _contacts_block(customer, status, form=form)


@bp.route("/customers/<int:customer_id>/contacts/<int:contact_id>", methods=["GET", "POST"])
def edit_contact(customer_id, contact_id):
    customer = _customer_or_404(customer_id)
    contact = _contact_or_404(customer, contact_id)
    form = ContactForm(obj=contact if request.method == "GET" else None)
    done, status = submit(form, lambda: rules.save_contact(customer, contact, form.data, current_user))
    if done:
        return _contacts_block(customer)
    return _contacts_block(customer, status, form=form, editing=contact.id)


@bp.post("/customers/<int:customer_id>/contacts/<int:contact_id>/delete")
def delete_contact(customer_id, contact_id):
    customer = _customer_or_404(customer_id)
    rules.delete_contact(_contact_or_404(customer, contact_id), current_user)
    return _contacts_block(customer)


@bp.post("/customers/<int:customer_id>/tier")
@role_required(*tiers.LOCKERS)
def lock_tier(customer_id):
    customer = _customer_or_404(customer_id)
    form = TierLockForm()
    done, status = submit(form, lambda: tiers.lock(customer, form.tier.data, form.reason.data, current_user,
                                                   current_settings()))
    if done:
        flash(_("Tier locked."), "success")
        return redirect(url_for("customers.detail", customer_id=customer.id))
    context = _detail_context(queries.customer_page(customer.id, current_user) or abort(404))
    context["lock_form"] = form
    return render("customers/detail.html", status=status, **context)


@bp.post("/customers/<int:customer_id>/tier/unlock")
@role_required(*tiers.LOCKERS)
def unlock_tier(customer_id):
    customer = _customer_or_404(customer_id)
    tiers.unlock(customer, current_user, current_settings(), today())
    flash(_("The tier follows the revenue rule again."), "success")
    return redirect(url_for("customers.detail", customer_id=customer.id))


@bp.post("/customers/reassign")
@role_required(*REASSIGNERS)
def reassign():
    form = ReassignForm(prefix="reassign")
    form.owner.choices = options([(u.id, u.name) for u in queries.assignable_owners(current_user)])
    ids = [i for i in map(as_id, request.form.getlist("customer")) if i is not None]
    back = form.next.data if (form.next.data or "").startswith("/customers") else url_for("customers.index")
    if not form.validate_on_submit() or not ids:
        flash(_("Choose customers and a new owner."), "error")
        return redirect(back)
    chosen = list(queries.scope(current_user).where(Customer.id.in_(ids)))
    if len(chosen) != len(set(ids)):
        abort(404)  # one of them is outside the user's scope
    try:
        moved = allocation.reassign(current_user, [c.id for c in chosen], User.get_by_id(form.owner.data),
                                    move_deals=False).customers  # their deals stay with whoever holds them
    except Invalid as invalid:
        for message in invalid.errors.values():
            flash(message, "error")
    else:
        flash(_("%(n)d customer(s) reassigned.", n=moved), "success")
    return redirect(back)


@bp.get("/customers/pool")
def pool_index():
    page = Page(pool.listed, page_number(), current_app.config["PAGE_SIZE"], total=pool.size())
    held = pool.held_from_pool(current_user) if current_user.role in pool.CLAIMERS else None
    rows = POOL_ROW.write(map(POOL_ROW.Row._make, page.items), may_claim=held is not None)
    return render("customers/pool.html", block="list", page=page, held=held, rows=rows,
                  limit=current_settings()["pool_claim_limit"])


@bp.post("/customers/<int:customer_id>/claim")
def claim(customer_id):
    customer = pool.pool().where(Customer.id == customer_id).first() or abort(404)
    try:
        pool.claim(customer, current_user, current_settings())
    except Invalid as invalid:
        for message in invalid.errors.values():
            flash(message, "error")
        return redirect(url_for("customers.pool_index"))
    flash(_("%(name)s is now yours.", name=customer.name), "success")
    return redirect(url_for("customers.detail", customer_id=customer.id))


@bp.post("/customers/<int:customer_id>/release")
def release(customer_id):
    customer = _customer_or_404(customer_id)
    try:
        pool.release(customer, current_user)
    except Invalid as invalid:
        for message in invalid.errors.values():
            flash(message, "error")
        return redirect(url_for("customers.detail", customer_id=customer.id))
    flash(_("%(name)s is back in the customer pool.", name=customer.name), "success")
    return redirect(url_for("customers.index"))


@bp.get("/customers/pool/log")
@role_required("ops", "admin")
def pool_log():
    customer, was = Customer.alias(), User.alias()
    moves = (PoolMove.select(PoolMove, customer, was)
             .join(customer, on=(PoolMove.customer == customer.id)).switch(PoolMove)
             .join(was, JOIN.LEFT_OUTER, on=(PoolMove.from_owner == was.id))
             .where(PoolMove.kind == "recycle").order_by(PoolMove.at.desc(), PoolMove.id.desc()))
    return render("customers/pool_log.html", page=Page(moves, page_number(), current_app.config["PAGE_SIZE"]))


@bp.post("/customers/pool/moves/<int:move_id>/revert")
@role_required("ops", "admin")
def revert_recycle(move_id):
    move = PoolMove.get_or_none(PoolMove.id == move_id) or abort(404)
    try:
        pool.revert(move, current_user)
    except Invalid as invalid:
        for message in invalid.errors.values():
            flash(message, "error")
    else:
        flash(_("Undone: the customer is back with its owner."), "success")
    return redirect(url_for("customers.pool_log"))
