"""A won deal's contract, its payment plan (instalments summing to the contract's value) and the payments
received (回款), each checked and written in one transaction. How the payments stand against the plan, and what
is overdue, are read in `queries`."""
import datetime

from peewee import fn

from ..core.db import db, utcnow
from ..core.i18n import _l
from ..models import Contract, Instalment, Payment, Stage
from ..core import audit
from ..infra import rollups, storage
from ..core.errors import Invalid
from ..core.money import parse_amount, split

EDITORS = ("rep", "manager", "support", "ops")
MAX_INSTALMENTS = 60
EARLIEST = datetime.date(2000, 1, 1)


def may_edit(user):
    return user.role in EDITORS


def _amount(text, key, errors, allow_zero=False):
    try:
        amount = parse_amount(text)
    except ValueError as bad:
        errors[key] = bad.args[0]
        return None
    if amount is None or amount < 0 or (amount == 0 and not allow_zero):
        errors[key] = _l("Enter an amount above 0.")
        return None
    return amount


def _day(value, key, errors, today, future_days=0):
    if value is None:
        errors[key] = _l("This field is required.")
    elif not EARLIEST <= value <= today + datetime.timedelta(days=future_days):
        errors[key] = (_l("Choose a day up to today.") if not future_days else
                       _l("Choose a date between %(a)s and %(b)s.", a=EARLIEST.isoformat(),
                          b=(today + datetime.timedelta(days=future_days)).isoformat()))
    return value


def save(deal, number, signed_on, value_text, by, today, upload=None, contract=None, zone="UTC"):
    """Create or change the contract of a won deal; `upload` is (stream, filename, upload dir, max bytes) for the
    signed copy, stored with the rows in one transaction. The value cannot drop below what was received, and
    an existing plan must still sum to it. `zone`: the install's time zone (for a photo's capture time)."""
    if not may_edit(by):
        raise Invalid({None: _l("Your role cannot record contracts.")})
    if Stage.get_by_id(deal.stage_id).kind != "won":
        raise Invalid({None: _l("Only a won deal has a contract.")})
    errors = {}
    number = " ".join((number or "").split())
    if not number:
        errors["number"] = _l("This field is required.")
    elif len(number) > 60:
        errors["number"] = _l("At most %(n)d characters.", n=60)
    elif Contract.select().where((Contract.number == number)
                                 & (Contract.id != (contract.id if contract else 0))).exists():
        errors["number"] = _l("Another contract has this number.")
    _day(signed_on, "signed_on", errors, today)
    value = _amount(value_text, "value", errors)
    if contract is not None and value is not None:
        received = _received(contract.id)
        planned = _planned(contract.id)
        if value < received:
            errors["value"] = _l("Payments of %(amount)s are already recorded; the value cannot be less.",
                                 amount=f"{received / 100:,.2f}")
        elif planned and planned != value:
            errors["value"] = _l("The payment plan sums to %(amount)s; change the plan with the value.",
                                 amount=f"{planned / 100:,.2f}")
    if errors:
        raise Invalid(errors)

    def write(stored=None, name=""):
        fields = {"number": number, "signed_on": signed_on, "value": value, "updated_at": utcnow()}
        if stored is not None:
            fields.update(file=stored.id, file_name=name)
        if contract is None:
            made = Contract.create(deal=deal.id, created_by=by, **fields)
            audit.record("create", by, made, f"Contract {number} for “{deal.title}”: {value}")
            return made
        Contract.update(**fields).where(Contract.id == contract.id).execute()
        audit.record("edit", by, contract, f"Contract {number}: {value}" + (" (signed copy attached)" if stored else ""))
        return Contract.get_by_id(contract.id)

    if upload is not None:
        stream, filename, upload_dir, max_bytes = upload
        return storage.save(stream, filename, upload_dir, max_bytes, allowed=("pdf", "png", "jpeg", "docx"),
                            then=lambda stored, name: write(stored, name), zone=zone)
    with db.atomic():
        return write()


def _received(contract_id):
    return int(Payment.select(fn.COALESCE(fn.SUM(Payment.amount), 0)).where(Payment.contract == contract_id).scalar())


def _planned(contract_id):
    return int(Instalment.select(fn.COALESCE(fn.SUM(Instalment.amount), 0))
               .where(Instalment.contract == contract_id).scalar())


def even_plan(value, count, first_due, months_apart=1):
    """`count` instalments a month (or `months_apart`) apart, in whole minor units that sum to `value`."""
    amounts = split(value, [1] * count)
    days = []
    for i in range(count):
        month = first_due.month - 1 + i * months_apart
        year, month = first_due.year + month // 12, month % 12 + 1
        last_day = (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)).day
        days.append(datetime.date(year, month, min(first_due.day, last_day)))
    return list(zip(days, amounts))


def read_plan(rows, value, today):
    """Instalments as typed: rows of {due_on: date or None, amount: text}; blank rows skipped. They must sum to the
    contract's value exactly. Returns [(due_on, amount)] in due order; Invalid keyed "plan-N-field" otherwise."""
    errors, plan = {}, []
    wanted = [(i, r) for i, r in enumerate(rows) if r.get("due_on") or str(r.get("amount") or "").strip()]
    for index, row in wanted:
        key = f"plan-{index}-"
        due = _day(row.get("due_on"), key + "due_on", errors, today, future_days=3660)
        amount = _amount(row.get("amount"), key + "amount", errors)
        if due is not None and amount is not None and key + "due_on" not in errors:
            plan.append((due, amount))
    if not wanted:
        errors["plan"] = _l("Add at least one instalment.")
    elif len(wanted) > MAX_INSTALMENTS:
        errors["plan"] = _l("At most %(n)d instalments.", n=MAX_INSTALMENTS)
    elif not errors and sum(a for _d, a in plan) != value:
        errors["plan"] = _l("The instalments sum to %(sum)s but the contract is worth %(value)s.",
                            sum=f"{sum(a for _d, a in plan) / 100:,.2f}", value=f"{value / 100:,.2f}")
    if errors:
        raise Invalid(errors)
    return sorted(plan)


def save_plan(contract, rows, by, today):
    plan = read_plan(rows, contract.value, today)
    with db.atomic():
        before = list(Instalment.select(Instalment.due_on, Instalment.amount)
                      .where(Instalment.contract == contract.id).tuples())
        Instalment.delete().where(Instalment.contract == contract.id).execute()
        Instalment.insert_many([{"contract": contract.id, "due_on": due, "amount": amount}
                                for due, amount in plan]).execute()
        rollups.plan_changed(contract.id, before, plan)
        audit.record("edit", by, contract, f"Contract {contract.number}: payment plan of {len(plan)} instalments")
    return plan


def record_payment(contract, received_on, amount_text, note, by, today):
    """A payment received; together they cannot exceed the contract's value. Locked first, so two payments
    recorded at once cannot both slip under the value."""
    if not may_edit(by):
        raise Invalid({None: _l("Your role cannot record payments.")})
    errors = {}
    _day(received_on, "received_on", errors, today)
    amount = _amount(amount_text, "amount", errors)
    note = " ".join((note or "").split())
    if len(note) > 200:
        errors["note"] = _l("At most %(n)d characters.", n=200)
    if errors:
        raise Invalid(errors)
    with db.atomic():
        # Touching the contract row takes its lock (PostgreSQL) before the sum is read; SQLite's write lock is held.
        Contract.update(updated_at=utcnow()).where(Contract.id == contract.id).execute()
        received = _received(contract.id)
        if received + amount > contract.value:
            raise Invalid({"amount": _l("That would bring payments to %(total)s, more than the contract's %(value)s.",
                                        total=f"{(received + amount) / 100:,.2f}",
                                        value=f"{contract.value / 100:,.2f}")})
        payment = Payment.create(contract=contract.id, received_on=received_on, amount=amount, note=note,
                                 recorded_by=by, created_at=utcnow())
        rollups.payment_changed(contract.id, received_on, amount)
        audit.record("create", by, payment, f"Payment of {amount} on contract {contract.number}")
    return payment


def delete_payment(payment, by):
    if not may_edit(by):
        raise Invalid({None: _l("Your role cannot record payments.")})
    with db.atomic():
        Payment.delete().where(Payment.id == payment.id).execute()
        rollups.payment_changed(payment.contract_id, payment.received_on, -payment.amount)
        audit.record("delete", by, payment, f"Payment of {payment.amount} received {payment.received_on} removed")

