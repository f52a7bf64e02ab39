"""The allocation console: each owner's load, choosing customers and a new owner, a preview of the effect,
the reassignment and its undo; regions and their reps (ops). Ops reach it at /ops/allocation, a manager at
/manager/allocation for their subtree: the same views, registered on each role's blueprint."""
from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from ..web.forms import Form, as_id, options
from ..core.i18n import _, ngettext
from ..models import Customer, User
from ..customers.queries import PEOPLE_LISTED
from ..web.rows import RowTemplate
from . import queries, rules
from ..core.errors import Invalid
from ..web.pages import Page, apply_errors, page_number, render
from ..core.clock import local_today
from ..core.settings import current_settings
from .blueprint import manager_bp, ops_bp
from .forms import FilterForm, MoveForm

SHOWN = 100  # customers listed for ticking; "all matching" reaches beyond
# an owner's load, and a customer to tick
LOAD_ROW = RowTemplate("allocation/_load_row.html", "owner_id name team tier_a tier_b tier_c customers due overdue "
                       "open_deals pipeline weekly_rate marks", look=("console", "widest"))
PICK_ROW = RowTemplate("allocation/_pick_row.html",
                       "id name tier region owner_name owned next_visit_due overdue ticked")
# the regions card (ops): every region with its customers and rep, and the reps to choose from
REGIONS = RowTemplate("allocation/_regions.html", "regions owners")


def _endpoint(name):
    """The endpoint `name` of the role whose URLs the page is under (ops_allocation or manager_allocation)."""
    return f"{request.blueprint}.{name}"


def _filters(everyone=()):
    """The customer filters as posted or in the URL; `everyone` (the owners in view, when few) gives the owner
    choices."""
    form = FilterForm(request.args if request.method == "GET" else request.form)
    people = sorted(everyone, key=lambda x: not x.active)  # leavers last, each group by name
    form.owner.choices = options([("", _("Anyone"))] + [
        (x.owner_id, x.name if x.active else _("%(name)s (left)", name=x.name)) for x in people])
    return form


def _filtered():
    return any(request.values.get(k) for k in ("owner", "region", "tier", "overdue", "q"))


def _owners(today, also=()):
    """The page of owners the load table shows (read for that page alone: queries.owners_page, with the owner ids
    `also`), and {owner id: load} of those owners and of the ids `also` found in view, their figures read at
    once."""
    size = current_app.config["PAGE_SIZE"]
    number = page_number()
    found = queries.owners_page(current_user, (number - 1) * size, size, PEOPLE_LISTED, also)
    last = max(1, -(-found.total // size))
    if number > last:  # past the last page: the last one, as any list shows it
        number = last
        found = queries.owners_page(current_user, (number - 1) * size, size, PEOPLE_LISTED, also)
    page = Page(lambda offset, limit: found.items, number, size, total=found.total)
    wanted = {x.owner_id: x for x in found.items} | found.also
    return page, found, {x.owner_id: x for x in queries.fill(list(wanted.values()), today)}


def _page(status=200, move_form=None, preview=None, shown=None):
    """The console; with a preview it shows the loads and the preview only, to confirm or go back. `shown`: _owners,
    when the caller already has them."""
    today = local_today()
    settings_values = current_settings()
    chosen_id = as_id(request.values.get("owner"))
    page, found, filled = shown or _owners(today, also=(chosen_id,))
    loads = [filled[x.owner_id] for x in page.items]
    # each person field: a select of the few in view, else a picker (templates/_person_picker.html)
    active = [(x.owner_id, x.name) for x in found.assignable] if found.assignable is not None else None
    chosen = found.also.get(chosen_id)
    people = {"owner": found.everyone, "to_owner": active,
              "owner_chosen": {"id": chosen.owner_id, "name": chosen.name} if chosen else None}
    filters = _filters(found.everyone or ())
    move_form = move_form or MoveForm(formdata=None)
    if active is not None:
        move_form.to_owner.choices = options([("", _("Choose…"))] + active)
    regions, region_names = [], []
    if preview is None and current_user.role == "ops":
        regions = queries.regions()  # the regions card counts each region's customers
        region_names = [name for name, *_rest in regions]
    elif preview is None:
        region_names = queries.region_names()  # the filter needs only the names
    filters.region.choices = options([("", _("Any region"))] + [(name, name) for name in region_names])
    selection = total = None
    if preview is None and _filtered() and filters.validate():
        criteria = filters.criteria()
        selection, count = queries.selection_page(current_user, criteria, today, SHOWN)
        total = count()
    ticked = {as_id(i) for i in request.form.getlist("customer")} if request.method == "POST" else set()
    flags = queries.flags(loads, settings_values, found.mean)
    load_rows = LOAD_ROW.write(
        (LOAD_ROW.Row(x.owner_id, x.name, x.team, x.tiers["A"], x.tiers["B"], x.tiers["C"], x.customers, x.due,
                      x.overdue, x.open_deals, x.pipeline, x.weekly_rate, tuple(flags[x.owner_id])) for x in loads),
        console=_endpoint("console"), widest=max([x.customers for x in loads] or [1]) or 1)
    selection_rows = PICK_ROW.write(
        PICK_ROW.Row(i, name, tier, region, owner_name, owner is not None, due, due < today, i in ticked)
        for i, name, tier, region, due, owner, owner_name in selection or ())
    return render("allocation/console.html", status=status, loads=loads, page=page, load_rows=load_rows,
                  norm=settings_values["weekly_visit_norm_min"], selection_rows=selection_rows,
                  filters=filters, selection=selection, total=total, shown=SHOWN,
                  move_form=move_form, preview=preview, today=today, people=people,
                  recent=queries.recent(current_user) if preview is None else None,
                  undo_hours=settings_values["reallocation_undo_hours"],
                  may_undo=lambda b: rules.may_undo(current_user, b, settings_values),
                  regions_card=REGIONS.write([REGIONS.Row(tuple(tuple(r) for r in regions), tuple(
                      [("", str(_("Nobody: they go to the pool")))] + active) if active is not None else None)])
                  if current_user.role == "ops" and preview is None else "",
                  endpoint=_endpoint)


def _chosen_ids(form):
    """The customers the form means: every one matching the filters, or only those ticked."""
    if form.pick.data == "ticked":
        return [i for i in (as_id(v) for v in request.form.getlist("customer")) if i]
    filters = _filters()
    if not filters.validate() or not _filtered():
        return []
    query = queries.selection(current_user, filters.criteria(), local_today())
    return [cid for (cid,) in query.select(Customer.id).limit(rules.MAX_MOVE + 1).tuples()]


def console():
    return _page()


def move():
    """Preview (step "preview") or carry out the reassignment of the chosen customers."""
    form = MoveForm()
    if not form.validate_on_submit():
        return _page(422, form)
    to_owner = User.get_or_none(User.id == form.to_owner.data) if form.to_owner.data else None
    ids = _chosen_ids(form)
    try:
        if form.step.data != "confirm":
            today = local_today()
            moving, deals = rules.changes(current_user, ids, to_owner, form.move_deals.data, today)
            shown = _owners(today, also=rules.affected(moving, deals, to_owner))
            rows, count = rules.effect(moving, deals, to_owner, shown[2])
            criteria = {k: v for k, v in _filters().criteria().items() if v}
            return _page(200, form, shown=shown, preview={
                "rows": rows, "count": count, "to": to_owner, "ids": ids, "criteria": criteria,
                "change_url": url_for(_endpoint("console"), **criteria)})
        batch = rules.reassign(current_user, ids, to_owner, form.move_deals.data)
    except Invalid as invalid:
        form.form_errors.extend(apply_errors(form, invalid, {"owner": "to_owner"}))
        return _page(422, form)
    flash(ngettext("%(num)d customer given to %(name)s.", "%(num)d customers given to %(name)s.", batch.customers,
                   name=to_owner.name) + (" " + ngettext("%(num)d open deal went along.", "%(num)d open deals went along.",
                                                          batch.deals) if batch.deals else ""), "success")
    return redirect(url_for(_endpoint("console"), _anchor="recent"), 303)


def undo(batch_id):
    batch = queries.batch_or_none(current_user, batch_id) or abort(404)
    form = Form()
    if not form.validate_on_submit():
        abort(400)
    try:
        restored, kept = rules.undo(current_user, batch, current_settings())
    except Invalid as invalid:
        flash(" ".join(str(m) for m in invalid.errors.values()), "error")
    else:
        message = ngettext("Undone: %(num)d customer is back with its former owner.",
                           "Undone: %(num)d customers are back with their former owners.", restored)
        if kept:
            message += " " + ngettext("%(num)d stays: it has moved on since or its former owner has left.",
                                      "%(num)d stay: they have moved on since or their former owner has left.", kept)
        flash(message, "success")
    return redirect(url_for(_endpoint("console"), _anchor="recent"), 303)


for blueprint in (ops_bp, manager_bp):
    blueprint.add_url_rule("/allocation", "console", console)
    blueprint.add_url_rule("/allocation", "move", move, methods=["POST"])
    blueprint.add_url_rule("/allocation/<int:batch_id>/undo", "undo", undo, methods=["POST"])


@ops_bp.post("/regions")
def assign_region():
    """Ops: the rep new customers in a region go to."""
    form = Form()
    if not form.validate_on_submit():
        abort(400)
    rep_id = as_id(request.form.get("rep"))
    rep = User.get_or_none(User.id == rep_id) if rep_id else None
    name = request.form.get("region", "")
    try:
        if request.form.get("rep") and rep is None:  # something was chosen, but it is no one
            raise Invalid({"rep": _("Choose an active rep.")})
        rules.assign_region(current_user, name, rep)
    except Invalid as invalid:
        flash(" ".join(str(m) for m in invalid.errors.values()), "error")
    else:
        flash(_("New customers in %(region)s go to %(name)s.", region=name.strip(), name=rep.name) if rep else
              _("New customers in %(region)s go to the pool.", region=name.strip()), "success")
    return redirect(url_for("ops_allocation.console", _anchor="regions"), 303)
