"""Expense claims: a rep (or manager) files one with its receipt; the claimant's manager approves or rejects it,
warned when it would take the team over budget; sales support marks it paid. Each step notifies and is audited.

Who decides: a manager whose subtree holds the claimant (never their own claim); ops for claimants who report
to no one."""
import datetime

from ..core.access import team_ids
from ..core.db import db, in_query, utcnow
from ..core.i18n import _l, lazy_ngettext
from ..models import EXPENSE_CATEGORIES, Customer, Expense, User, Visit
from ..core import audit, notifications
from ..customers import queries as customers
from ..infra import storage
from ..core.errors import Invalid, Stale
from .queries import budget_effect

CLAIMANTS = ("rep", "manager")
PAYERS = ("support",)
RECEIPTS = ("pdf", "png", "jpeg")
MAX_DESCRIPTION = 1000


def may_claim(user):
    return user.role in CLAIMANTS


def _amount(value, settings_values, errors):
    if not isinstance(value, int) or isinstance(value, bool):
        errors["amount"] = _l("Enter an amount.")
    elif value <= 0:
        errors["amount"] = _l("Enter an amount above zero.")
    elif value > settings_values["expense_max_amount"]:
        errors["amount"] = _l("A single claim is at most %(max)s; split it or ask sales operations.",
                              max=f"{settings_values['expense_max_amount'] / 100:,.2f}")


def _check(by, values, settings_values, today):
    errors = {}
    spent_on = values.get("spent_on")
    if not isinstance(spent_on, datetime.date):
        errors["spent_on"] = _l("Enter the day the money was spent.")
    elif spent_on > today:
        errors["spent_on"] = _l("The day cannot be in the future.")
    elif spent_on < today - datetime.timedelta(days=settings_values["expense_claim_days"]):
        errors["spent_on"] = lazy_ngettext("Claims are accepted up to %(num)d day after spending.",
                                           "Claims are accepted up to %(num)d days after spending.",
                                           settings_values["expense_claim_days"])
    if values.get("category") not in EXPENSE_CATEGORIES:
        errors["category"] = _l("Choose one of the listed values.")
    _amount(values.get("amount"), settings_values, errors)
    description = " ".join((values.get("description") or "").split())
    if not description:
        errors["description"] = _l("Say what it was for.")
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = _l("At most %(n)d characters.", n=MAX_DESCRIPTION)
    visit = customer = None
    if values.get("visit"):
        visit = Visit.get_or_none((Visit.id == values["visit"]) & (Visit.rep == by.id))
        if visit is None:
            errors["visit"] = _l("Choose one of your own visits.")
    if values.get("customer"):
        customer = customers.scope(by).where(Customer.id == values["customer"]).first()
        if customer is None:
            errors["customer"] = _l("Choose one of your customers.")
    if visit is not None and customer is not None and visit.customer_id != customer.id:
        errors["visit"] = _l("This visit was to another customer.")
    if errors:
        raise Invalid(errors)
    return description, visit, customer


def file(by, values, upload, settings_values, today, now=None):
    """A new claim. values: spent_on (date), category, amount (minor units), description, visit and customer ids
    (optional); upload: (stream, filename, upload dir, max bytes) of the receipt, required. The approver is told."""
    if not may_claim(by):
        raise Invalid({None: _l("Only reps and managers file expense claims.")})
    try:
        description, visit, customer = _check(by, values, settings_values, today)
    except Invalid as invalid:
        errors = invalid.errors
    else:
        errors = {}
    if upload is None:
        errors["receipt"] = _l("Attach the receipt: a photo or a PDF.")
    if errors:
        raise Invalid(errors)
    now = now or utcnow()

    def write(stored, name):
        expense = Expense.create(
            claimant=by.id, team=by.team_id, spent_on=values["spent_on"], category=values["category"],
            amount=values["amount"], description=description, visit=visit.id if visit else None,
            customer=customer.id if customer else (visit.customer_id if visit else None), receipt=stored,
            receipt_name=name, created_at=now, updated_at=now)
        notifications.notify(approvers(by), "expense_filed", f"/expenses/{expense.id}", by=by.name,
                             amount=_money(expense.amount))
        audit.record("create", by, expense, f"Expense claim {expense.category} {expense.amount}")
        return expense

    stream, filename, upload_dir, max_bytes = upload
    try:
        return storage.save(stream, filename, upload_dir, max_bytes, allowed=RECEIPTS, then=write,
                            zone=settings_values["timezone"])
    except Invalid as invalid:
        raise Invalid({("receipt" if key == "file" else key): message for key, message in invalid.errors.items()})


def _money(minor):
    return f"{minor / 100:,.2f}"


def approvers(claimant):
    """Who decides a claim: the claimant's manager (reports-to), else the active ops staff."""
    if claimant.reports_to_id:
        manager = User.get_or_none((User.id == claimant.reports_to_id) & (User.active == True))  # noqa: E712
        if manager is not None:
            return [manager.id]
    return [u for (u,) in User.select(User.id).where((User.role == "ops") & (User.active == True)).tuples()]  # noqa: E712


def may_decide(user, expense, claimant):
    """A manager above the claimant, or ops where the claimant reports to no one; never one's own claim."""
    if user.id == expense.claimant_id:
        return False
    if user.role == "manager":
        return User.select().where((User.id == expense.claimant_id) & in_query(User.id, team_ids(user.id))).exists()
    if user.role == "ops":
        return claimant.reports_to_id is None or user.id in approvers(claimant)
    return False


def _move(expense, version, from_status, changes, now):
    count = (Expense.update(version=Expense.version + 1, updated_at=now, **changes)
             .where((Expense.id == expense.id) & (Expense.version == version) & (Expense.status == from_status))
             .execute())
    if count != 1:
        raise Stale("someone else decided on the claim first")
    return Expense.get_by_id(expense.id)


def approve(expense, version, by, note="", now=None):
    """Approve; an approval over the team's budget is allowed (the approver saw the warning) and recorded so."""
    claimant = User.get_by_id(expense.claimant_id)
    if not may_decide(by, expense, claimant):
        raise Invalid({None: _l("Only the claimant's manager approves this claim.")})
    if expense.status != "submitted":
        raise Invalid({None: _l("This claim has already been decided.")})
    note = " ".join((note or "").split())[:500]
    now = now or utcnow()
    with db.atomic():
        effect = budget_effect(expense)
        over = bool(effect and effect["over"])
        updated = _move(expense, version, "submitted", {"status": "approved", "decided_by": by.id, "decided_at": now,
                                                        "decision_note": note, "over_budget": int(over)}, now)
        notifications.notify([expense.claimant_id], "expense_approved", f"/expenses/{expense.id}", by=by.name,
                             amount=_money(expense.amount))
        notifications.notify(payers(), "expense_to_pay", f"/expenses/{expense.id}", by=claimant.name,
                             amount=_money(expense.amount))
        audit.record("approval", by, expense, "Expense approved" + (" over budget" if over else ""))
    return updated


def reject(expense, version, by, note, now=None):
    claimant = User.get_by_id(expense.claimant_id)
    if not may_decide(by, expense, claimant):
        raise Invalid({None: _l("Only the claimant's manager rejects this claim.")})
    note = " ".join((note or "").split())
    if not note:
        raise Invalid({"note": _l("Say why, so the claimant can put it right.")})
    if len(note) > 500:
        raise Invalid({"note": _l("At most %(n)d characters.", n=500)})
    if expense.status != "submitted":
        raise Invalid({None: _l("This claim has already been decided.")})
    now = now or utcnow()
    with db.atomic():
        updated = _move(expense, version, "submitted", {"status": "rejected", "decided_by": by.id, "decided_at": now,
                                                        "decision_note": note}, now)
        notifications.notify([expense.claimant_id], "expense_rejected", f"/expenses/{expense.id}", by=by.name,
                             note=note)
        audit.record("approval", by, expense, f"Expense rejected: {note}")
    return updated


def payers():
    return [u for (u,) in User.select(User.id).where(User.role.in_(PAYERS) & (User.active == True)).tuples()]  # noqa: E712


def mark_paid(expense, version, by, reference="", now=None):
    if by.role not in PAYERS:
        raise Invalid({None: _l("Sales support marks claims paid.")})
    if expense.status != "approved":
        raise Invalid({None: _l("Only an approved claim can be paid.")})
    reference = " ".join((reference or "").split())
    if len(reference) > 100:
        raise Invalid({"reference": _l("At most %(n)d characters.", n=100)})
    now = now or utcnow()
    with db.atomic():
        updated = _move(expense, version, "approved", {"status": "paid", "paid_by": by.id, "paid_at": now,
                                                       "payment_reference": reference}, now)
        notifications.notify([expense.claimant_id], "expense_paid", f"/expenses/{expense.id}",
                             amount=_money(expense.amount))
        audit.record("edit", by, expense, "Expense paid" + (f" ({reference})" if reference else ""))
    return updated


def withdraw(expense, version, by, now=None):
    if by.id != expense.claimant_id:
        raise Invalid({None: _l("Only the claimant withdraws a claim.")})
    if expense.status != "submitted":
        raise Invalid({None: _l("Only a claim waiting for approval can be withdrawn.")})
    now = now or utcnow()
    with db.atomic():
        updated = _move(expense, version, "submitted", {"status": "withdrawn"}, now)
        audit.record("edit", by, expense, "Expense withdrawn")
    return updated
