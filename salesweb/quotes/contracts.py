"""A won deal's contract, its payment plan (instalments summing to the contract's value) and the payments
received (回款). Payments settle instalments in due order, so what is overdue is what fell due before today
beyond everything received; the collection rate compares what came in with what fell due."""
import datetime

from peewee import JOIN, Select, fn

from ..core.access import SEES_ALL, visible
from ..core.db import db, utcnow
from ..core.i18n import _l
from ..models import Contract, Customer, Deal, Instalment, Payment, Stage, User
from ..core import audit
from ..infra import storage
from ..core.errors import Invalid
from ..core.money import parse_amount, split

EDITORS = ("rep", "manager", "support", "ops")
MAX_INSTALMENTS = 60
EARLIEST = datetime.date(2000, 1, 1)


def may_edit(user):
    return user.role in EDITORS


def of_deal(deal):
    return Contract.select().where(Contract.deal == deal.id).first()


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
        Instalment.delete().where(Instalment.contract == contract.id).execute()
        Instalment.insert_many([{"contract": contract.id, "due_on": due, "amount": amount}
                                for due, amount in plan]).execute()
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
        audit.record("create", by, payment, f"Payment of {amount} on contract {contract.number}")
    return payment


def delete_payment(payment, by):
    if not may_edit(by):
        raise Invalid({None: _l("Your role cannot record payments.")})
    with db.atomic():
        Payment.delete().where(Payment.id == payment.id).execute()
        audit.record("delete", by, payment, f"Payment of {payment.amount} received {payment.received_on} removed")


class Standing:
    """A contract's plan against its payments, as of a day: each instalment paid, partly paid or overdue."""

    def __init__(self, contract, instalments, payments, today):
        self.contract, self.payments, self.today = contract, payments, today
        self.received = sum(p.amount for p in payments)
        self.planned = sum(i.amount for i in instalments)
        left, self.rows = self.received, []
        for instalment in instalments:
            paid = min(instalment.amount, left)
            left -= paid
            self.rows.append((instalment, paid, paid < instalment.amount and instalment.due_on < today))
        self.due = sum(i.amount for i in instalments if i.due_on < today)
        self.overdue = max(0, self.due - self.received)
        self.outstanding = contract.value - self.received


def standing(contract, today):
    instalments = list(Instalment.select().where(Instalment.contract == contract.id)
                       .order_by(Instalment.due_on, Instalment.id))
    recorder = User.alias()
    payments = list(Payment.select(Payment, recorder.id, recorder.name)
                    .join(recorder, JOIN.LEFT_OUTER, on=(Payment.recorded_by == recorder.id), attr="recorder")
                    .where(Payment.contract == contract.id).order_by(Payment.received_on, Payment.id))
    return Standing(contract, instalments, payments, today)


def _in_scope(user):
    """The ids of the contracts on deals the user may see: the running sums are taken over these only."""
    return visible(Contract.select(Contract.id).join(Deal, on=(Contract.deal == Deal.id)), user, Deal.owner)


def late(today, contracts=None):
    """A subquery, one row per contract with something overdue: (contract_id, since, overdue).

    Payments settle instalments in due order, so an instalment is unpaid while the running sum of what fell
    due up to it exceeds what was paid; `since` is the oldest such due day. `contracts` (a query of ids)
    narrows the sums before they are taken, so a rep's figure costs a rep's rows."""
    due = Instalment.select(Instalment.contract.alias("contract_id"), Instalment.due_on.alias("due_on"),
                            fn.SUM(Instalment.amount).over(partition_by=[Instalment.contract],
                                                           order_by=[Instalment.due_on, Instalment.id])
                            .alias("running")).where(Instalment.due_on < today)
    if contracts is not None:
        due = due.where(Instalment.contract.in_(contracts))
    running = due.alias("running")
    # what was paid on the row's contract, looked up by index (a join to a derived table of sums is not indexed)
    payments = Payment.alias()
    received = fn.COALESCE(payments.select(fn.SUM(payments.amount))
                           .where(payments.contract == running.c.contract_id), 0)
    return (Select(from_list=[running], columns=[
        running.c.contract_id.alias("contract_id"), fn.MIN(running.c.due_on).alias("since"),
        (fn.MAX(running.c.running) - received).alias("overdue")])
        .where(running.c.running > received).group_by(running.c.contract_id)).alias("late")


def overdue(user, today, limit=None):
    """Contracts the user may see with instalments overdue, the oldest first: the overdue amount and the oldest
    unpaid due day, with deal, customer and owner."""
    gone = late(today, None if user.role in SEES_ALL else _in_scope(user))
    owner = User.alias()
    query = (Contract.select(Contract.id, Contract.number, Contract.value, Deal.id, Deal.title, Customer.id,
                             Customer.name, owner.id, owner.name,
                             fn.COALESCE(gone.c.since, gone.c.since).python_value(Instalment.due_on.python_value).alias("since"),
                             fn.COALESCE(gone.c.overdue, 0).alias("overdue"))
             .join(gone, on=(gone.c.contract_id == Contract.id))
             .join(Deal, on=(Contract.deal == Deal.id), attr="deal", src=Contract)
             .join(Customer, on=(Deal.customer == Customer.id), attr="customer")
             .switch(Deal).join(owner, on=(Deal.owner == owner.id), attr="owner")
             .order_by(gone.c.since, Contract.id))
    return list(query.limit(limit)) if limit else list(query)


def overdue_query(today, contracts=None):
    """Contracts with something overdue, joined to their deal for the caller to narrow: (query, overdue gap).

    For totals the order of settling does not matter: what fell due before today less what was paid, per
    contract, with no running sum; payments are looked up per contract by index."""
    payments = Payment.alias()
    paid = fn.COALESCE(payments.select(fn.SUM(payments.amount)).where(payments.contract == Instalment.contract), 0)
    gap = fn.SUM(Instalment.amount) - paid
    owed = Instalment.select(Instalment.contract.alias("contract_id"), gap.alias("overdue")).where(
        Instalment.due_on < today)
    if contracts is not None:
        owed = owed.where(Instalment.contract.in_(contracts))
    owed = owed.group_by(Instalment.contract).having(gap > 0).alias("owed")
    return (Contract.select(Contract.id).join(owed, on=(owed.c.contract_id == Contract.id))
            .join(Deal, on=(Contract.deal == Deal.id), src=Contract)), owed.c.overdue


def overdue_total(user, today):
    """(contracts with something overdue, the overdue sum) in the user's scope, in one query."""
    query, gap = overdue_query(today, None if user.role in SEES_ALL else _in_scope(user))
    count, total = query.select(fn.COUNT(Contract.id), fn.COALESCE(fn.SUM(gap), 0)).tuples().first() or (0, 0)
    return int(count or 0), int(total or 0)


def of_customer(user, customer):
    """The customer's contracts on deals the user may see, with what was received on each (one query; the sums
    are looked up per contract by index)."""
    received = fn.COALESCE(Payment.select(fn.SUM(Payment.amount)).where(Payment.contract == Contract.id), 0)
    query = (Contract.select(Contract, Deal.id, Deal.title, received.alias("received"))
             .join(Deal, on=(Contract.deal == Deal.id), attr="deal")
             .where(Deal.customer == customer.id).order_by(Contract.signed_on.desc(), Contract.id.desc()))
    return list(visible(query, user, Deal.owner))
