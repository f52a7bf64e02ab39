"""Expense claims: file one with its receipt from a phone, the manager's decision, support's payment."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from ..customers import forms as customer_forms
from ..web.forms import as_id, options, uploaded
from ..core.i18n import _
from ..models import EXPENSE_STATUS_LABELS, Expense, StoredFile, Visit
from . import queries, rules as expenses
from ..core.errors import Invalid, Stale
from ..core.money import parse_amount
from ..web.pages import Page, all_or_nothing, page_number, render, submit
from ..core.clock import local_today
from ..web.downloads import send_stored
from ..core.settings import current_settings
from .blueprint import bp
from .forms import DecisionForm, ExpenseForm, PaidForm

PAGE_SIZE = 30


def _expense_or_404(expense_id):
    return queries.with_people(queries.scope(current_user)).where(Expense.id == expense_id).first() or abort(404)


def _default_filter():
    return {"support": "approved", "manager": "submitted"}.get(current_user.role, "open")


@bp.get("/expenses")
def index():
    show = request.args.get("status") or _default_filter()
    if show not in queries.LIST_FILTERS:
        show = "open"
    fetch, total = queries.listing(current_user, show)
    page = Page(fetch, page_number(), PAGE_SIZE, total=total)
    waiting = queries.waiting_for(current_user)
    return render("expenses/index.html", block="list", page=page, show=show, waiting=waiting,
                  filters=queries.FILTER_LABELS, may_claim=expenses.may_claim(current_user))


def _visit_choices(form, visit):
    visits = queries.own_visits(current_user)
    if visit is not None and visit.id not in {v[0] for v in visits}:
        visits.insert(0, (visit.id, visit.occurred_at, visit.customer.name))
    form.visit.choices = options([("", _("No visit"))] + [
        (vid, f"{(at or '') and at.strftime('%Y-%m-%d')} · {name}") for vid, at, name in visits])


@bp.route("/expenses/new", methods=["GET", "POST"])
def new():
    if not expenses.may_claim(current_user):
        abort(403)
    form = ExpenseForm()
    visit = None
    visit_id = as_id(form.visit.data if request.method == "POST" else request.args.get("visit"))
    if visit_id:
        visit = Visit.get_or_none((Visit.id == visit_id) & (Visit.rep == current_user.id))
        if visit is None and request.method == "GET":
            abort(404)
    customer = customer_forms.chosen(form, keep_id=visit.customer_id if visit else None)
    customer_forms.offer(form, customer)
    _visit_choices(form, visit)
    if request.method == "GET":
        form.visit.data = visit.id if visit else None
        form.spent_on.data = (visit.occurred_at.date() if visit and visit.occurred_at else local_today())
    made = {}

    def save():
        amount_error = None
        try:
            amount = parse_amount(form.amount.data)
        except ValueError as refused:
            amount, amount_error = None, refused.args[0]
        typed = (request.form.get("customer_name") or "").strip()
        stored = uploaded(form.receipt)
        values = {"spent_on": form.spent_on.data, "category": form.category.data, "amount": amount,
                  "description": form.description.data, "visit": visit_id,  # the service refuses another's
                  # a name typed but not picked from the list is no customer of theirs: the service says so
                  "customer": customer.id if customer else (-1 if typed else None)}
        try:
            made["expense"] = expenses.file(current_user, values, stored, current_settings(), local_today())
        except Invalid as invalid:
            raise Invalid({**invalid.errors, **({"amount": amount_error} if amount_error else {})}) from None

    done, status = submit(form, save)
    if done:
        flash(_("Claim filed; your manager has been told."), "success")
        return redirect(url_for("expenses.detail", expense_id=made["expense"].id), 303)
    return render("expenses/form.html", form=form, status=status)


def _page(found, status=200, decision_form=None):
    claimant_decides = expenses.may_decide(current_user, found, found.claimant_row) if found.status == "submitted" \
        else False
    kind = StoredFile.select(StoredFile.kind).where(StoredFile.id == found.receipt_id).scalar()
    return render("expenses/detail.html", item=found, status=status, receipt_is_image=kind in ("png", "jpeg"),
                  effect=queries.budget_effect(found) if claimant_decides else None,
                  may_decide=claimant_decides, may_pay=found.status == "approved" and current_user.role in expenses.PAYERS,
                  may_withdraw=found.status == "submitted" and found.claimant_id == current_user.id,
                  decision_form=decision_form or DecisionForm(formdata=None, version=found.version),
                  paid_form=PaidForm(formdata=None, version=found.version), status_labels=EXPENSE_STATUS_LABELS)


@bp.get("/expenses/<int:expense_id>")
def detail(expense_id):
    return _page(_expense_or_404(expense_id))


def _act(expense_id, form_class, action):
    """A decision or payment: a refusal comes back on the page (422); a race is told and shows the claim as now."""
    found = _expense_or_404(expense_id)
    form = form_class()
    if not form.validate_on_submit():
        return _page(found, 422, decision_form=form if form_class is DecisionForm else None)
    try:
        action(found, as_id(form.version.data) or 0, form)
    except Invalid as refused:
        flash(" ".join(str(m) for m in refused.errors.values()), "error")
        return _page(found, 422, decision_form=form if form_class is DecisionForm else None)
    except Stale:
        flash(_("Someone else changed this claim meanwhile; here it is as it is now."), "error")
    back = request.form.get("from") == "queue" and url_for("expenses.index")
    return redirect(back or url_for("expenses.detail", expense_id=found.id), 303)


@bp.post("/expenses/<int:expense_id>/approve")
@all_or_nothing
def approve(expense_id):
    def run(found, version, form):
        expenses.approve(found, version, current_user, form.note.data)
        flash(_("Claim approved; sales support will pay it."), "success")
    return _act(expense_id, DecisionForm, run)


@bp.post("/expenses/<int:expense_id>/reject")
@all_or_nothing
def reject(expense_id):
    def run(found, version, form):
        expenses.reject(found, version, current_user, form.note.data)
        flash(_("Claim rejected; the claimant has been told why."), "success")
    return _act(expense_id, DecisionForm, run)


@bp.post("/expenses/<int:expense_id>/paid")
@all_or_nothing
def paid(expense_id):
    def run(found, version, form):
        expenses.mark_paid(found, version, current_user, form.reference.data)
        flash(_("Marked paid."), "success")
    return _act(expense_id, PaidForm, run)


@bp.post("/expenses/<int:expense_id>/withdraw")
@all_or_nothing
def withdraw(expense_id):
    def run(found, version, form):
        expenses.withdraw(found, version, current_user)
        flash(_("Claim withdrawn."), "success")
    return _act(expense_id, DecisionForm, run)


@bp.get("/expenses/<int:expense_id>/receipt")
def receipt(expense_id):
    found = _expense_or_404(expense_id)
    return send_stored(StoredFile.get_by_id(found.receipt_id), found.receipt_name, inline=True)
