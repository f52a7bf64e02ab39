"""A won deal's contract, payment plan and payments; the overdue receivables list."""
import datetime

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from ..core.access import get_visible_or_404
from ..core.i18n import _
from ..models import Contract, Deal, Payment, Stage, StoredFile
from ..web.forms import uploaded
from ..web.rows import RowTemplate
from . import contracts, queries
from ..core.errors import Invalid
from ..web.pages import all_or_nothing, apply_row_errors, render, submit
from ..core.clock import local_today as today
from ..web.downloads import send_stored
from ..core.settings import current_settings
from .blueprint import bp
from .forms import ContractForm, PaymentForm, PlanForm


def _deal_or_404(deal_id):
    return get_visible_or_404(Deal, deal_id, current_user, Deal.owner)


def _editor():
    if not contracts.may_edit(current_user):
        abort(403)


@bp.route("/deals/<int:deal_id>/contract", methods=["GET", "POST"])
def contract(deal_id):  # not all_or_nothing: the signed copy is checked and stored before the write lock is taken
    deal = _deal_or_404(deal_id)
    _editor()
    existing = queries.contract_of_deal(deal)
    if existing is None and Stage.get_by_id(deal.stage_id).kind != "won":
        abort(404)
    form = ContractForm(obj=existing if request.method == "GET" else None)
    if request.method == "GET":
        form.value.data = f"{(existing.value if existing else deal.amount) / 100:.2f}"
        form.signed_on.data = existing.signed_on if existing else deal.won_on

    def save():
        stored = uploaded(form.file)
        contracts.save(deal, form.number.data, form.signed_on.data, form.value.data, current_user, today(),
                       upload=stored, contract=existing, zone=current_settings()["timezone"])

    saved_to = url_for("pipeline.deal", deal_id=deal.id) + "#contract"  # the answer is ready before anything is written
    done, status = submit(form, save)
    if done:
        flash(_("Contract saved."), "success")
        return redirect(saved_to, 303)
    return render("quotes/contract_form.html", form=form, deal=deal, contract=existing, status=status)


def _editable_contract(deal_id):
    """(deal, contract) for someone who may record contracts and payments; 404 out of scope or without one."""
    deal = _deal_or_404(deal_id)
    _editor()
    return deal, queries.contract_of_deal(deal) or abort(404)


@bp.route("/deals/<int:deal_id>/contract/plan", methods=["GET", "POST"])
@all_or_nothing
def plan(deal_id):
    deal, existing = _editable_contract(deal_id)
    form = PlanForm()
    if request.method == "GET":
        rows = [{"due_on": instalment.due_on, "amount": f"{instalment.amount / 100:.2f}"}
                for instalment, _paid, _late in queries.standing(existing, today()).rows]
        form = PlanForm(formdata=None, data={"plan": rows or [{}], "count": 3,
                                             "first_due": existing.signed_on + datetime.timedelta(days=30)})
    action = request.form.get("action", "") if request.method == "POST" else ""
    status = 200
    if action == "add":
        form.plan.append_entry()
    elif action == "even":
        count = form.count.data if form.count.data and 1 <= form.count.data <= contracts.MAX_INSTALMENTS else None
        if count is None or form.first_due.data is None:
            form.form_errors.append(_("Give the number of instalments (1 to %(n)d) and the first due day.",
                                      n=contracts.MAX_INSTALMENTS))
            status = 422
        else:
            while len(form.plan):
                form.plan.pop_entry()
            for due, amount in contracts.even_plan(existing.value, count, form.first_due.data):
                form.plan.append_entry({"due_on": due, "amount": f"{amount / 100:.2f}"})
    elif request.method == "POST":
        if form.validate_on_submit():
            try:
                contracts.save_plan(existing, [{"due_on": e.form.due_on.data, "amount": e.form.amount.data}
                                               for e in form.plan], current_user, today())
                flash(_("Payment plan saved."), "success")
                return redirect(url_for("pipeline.deal", deal_id=deal.id) + "#contract", 303)
            except Invalid as invalid:
                apply_row_errors(form, "plan", invalid)
        status = 422
    return render("quotes/plan_form.html", form=form, deal=deal, contract=existing, status=status)


@bp.route("/deals/<int:deal_id>/payments/new", methods=["GET", "POST"])
@all_or_nothing
def payment(deal_id):
    deal, existing = _editable_contract(deal_id)
    form = PaymentForm()
    if request.method == "GET":
        form.received_on.data = today()

    def save():
        contracts.record_payment(existing, form.received_on.data, form.amount.data, form.note.data, current_user,
                                 today())

    done, status = submit(form, save)
    if done:
        flash(_("Payment recorded."), "success")
        return redirect(url_for("pipeline.deal", deal_id=deal.id) + "#contract", 303)
    return render("quotes/payment_form.html", form=form, deal=deal, contract=existing,
                  standing=queries.standing(existing, today()), status=status)


@bp.post("/payments/<int:payment_id>/delete")
@all_or_nothing
def delete_payment(payment_id):
    _editor()
    found = (Payment.select(Payment, Contract.id, Contract.deal).join(Contract).where(Payment.id == payment_id).first()
             or abort(404))
    deal = _deal_or_404(found.contract.deal_id)
    contracts.delete_payment(found, current_user)
    flash(_("Payment removed."), "success")
    return redirect(url_for("pipeline.deal", deal_id=deal.id) + "#contract", 303)


@bp.get("/contracts/<int:contract_id>/file")
def contract_file(contract_id):
    found = Contract.get_or_none(Contract.id == contract_id) or abort(404)
    _deal_or_404(found.deal_id)
    if found.file_id is None:
        abort(404)
    return send_stored(StoredFile.get_by_id(found.file_id), found.file_name or f"{found.number}.pdf", inline=True)


# a contract behind its payment plan, as queries.overdue_contracts gives it
RECEIVABLE = RowTemplate("quotes/_receivable_row.html",
                         "customer_id customer_name deal_id deal_title owner_name overdue since")


@bp.get("/receivables")
def receivables():
    """Overdue instalments of the contracts the user may see, the oldest first."""
    rows = [RECEIVABLE.Row(r.customer_id, r.customer_name, r.deal_id, r.deal_title, r.owner_name, r.overdue, r.since)
            for r in queries.overdue_contracts(current_user, today(), limit=500)]
    return render("quotes/receivables.html", rows=rows, total=sum(r.overdue for r in rows),
                  receivable_rows=RECEIVABLE.write(rows))
