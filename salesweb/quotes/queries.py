"""What the quotes package reads for its pages and for others: quotes as people see them (a live quote past its
validity has expired), the approvers' queue, the quote list; a deal's contract, its standing against its plan and
the overdue receivables; the product catalogue."""
from peewee import JOIN, Select, fn

from ..core.access import SEES_ALL, scope_shape, team_ids, visible, visible_kept
from ..core.db import contains, kept_rows, param
from ..models import Contract, Customer, Deal, Instalment, Payment, Product, Quote, QuoteEvent, QuoteLine, User

LIVE = ("pending", "approved", "sent")  # the statuses a quote expires from


def state(quote, today):
    """The status as people see it: a live quote past its validity has expired."""
    if quote.status in LIVE and quote.valid_until < today:
        return "expired"
    return quote.status


def visible_quote(quote_id, user):
    """The quote if it is on a deal the user may see, else None."""
    query = Quote.select().join(Deal, on=(Quote.deal == Deal.id)).where(Quote.id == quote_id)
    return visible(query, user, Deal.owner).first()


def queue(user, today):
    """Pending quotes the user may decide, the oldest first, with deal, customer, preparer and who set the
    discount."""
    if user.role not in ("manager", "ops"):
        return []
    preparer, setter = User.alias(), User.alias()
    query = (Quote.select(Quote, Deal.id, Deal.title, Deal.owner, Customer.id, Customer.name, preparer.id,
                          preparer.name, setter.id, setter.name)
             .join(Deal, on=(Quote.deal == Deal.id), attr="deal")
             .switch(Quote).join(Customer, on=(Quote.customer == Customer.id), attr="customer")
             .switch(Quote).join(preparer, on=(Quote.prepared_by == preparer.id), attr="preparer")
             .switch(Quote).join(setter, JOIN.LEFT_OUTER, on=(Quote.discount_set_by == setter.id), attr="setter")
             .where((Quote.status == "pending") & (Quote.valid_until >= today)
                    & (Quote.prepared_by != user.id) & _not_set_by(user.id)))
    if user.role == "manager":
        query = query.where((Quote.needs == "manager") & Deal.owner.in_(team_ids(user.id)))
    return list(query.order_by(Quote.needs.desc() if user.role == "ops" else Quote.updated_at, Quote.updated_at,
                               Quote.id))


def _not_set_by(user_id):
    return Quote.discount_set_by.is_null(True) | (Quote.discount_set_by != user_id)


def pending_query(user, today):
    """A query counting the quotes that wait for this manager's or ops user's decision."""
    query = Quote.select(fn.COUNT(Quote.id)).where((Quote.status == "pending") & (Quote.valid_until >= today)
                                 & (Quote.prepared_by != user.id) & _not_set_by(user.id))
    if user.role == "manager":
        query = query.join(Deal, on=(Quote.deal == Deal.id)).where(
            (Quote.needs == "manager") & Deal.owner.in_(team_ids(user.id)))
    return query


def pending_count(user, today):
    return pending_query(user, today).scalar() if user.role in ("manager", "ops") else 0


def people_of(quote, deal):
    """{id: user (id and name)} for who prepared the quote, set its discount and decided it, and who owns its
    deal."""
    ids = [i for i in (quote.prepared_by_id, quote.decided_by_id, deal.owner_id, quote.discount_set_by_id) if i]
    return {u.id: u for u in User.select(User.id, User.name).where(User.id.in_(ids))}


def lines_of(quote):
    return list(QuoteLine.select().where(QuoteLine.quote == quote.id).order_by(QuoteLine.position))


def events_of(quote):
    by = User.alias()
    return list(QuoteEvent.select(QuoteEvent, by.id, by.name)
                .join(by, JOIN.LEFT_OUTER, on=(QuoteEvent.by == by.id), attr="actor")
                .where(QuoteEvent.quote == quote.id).order_by(QuoteEvent.at, QuoteEvent.id))


def of_deal(deal):
    return list(Quote.select().where(Quote.deal == deal.id).order_by(Quote.created_at.desc(), Quote.id.desc()))


def of_customer(user, customer, limit=20):
    """The customer's latest quotes on deals the user may see: id, number, status, valid_until, total and
    deal_title."""
    # kept, in rows of what the customer's page shows: writing it and building quotes as models cost the page
    # 0.2 ms
    return kept_rows(("customer-quotes", scope_shape(user.role)), lambda: visible_kept(
        Quote.select(Quote.id, Quote.number, Quote.status, Quote.valid_until, Quote.total,
                     Deal.title.alias("deal_title")).join(Deal, on=(Quote.deal == Deal.id))
        .where(Quote.customer == param("customer")).order_by(Quote.created_at.desc(), Quote.id.desc())
        .limit(param("limit")), user.role, Deal.owner), customer=customer.id, limit=limit, user=user.id)


LIST_STATUSES = ("draft", "pending", "approved", "sent", "accepted", "rejected", "expired")


def listing(user, criteria, today):
    """The quotes on deals the user may see, newest first, with customer, deal and the deal's owner, filtered by
    `criteria`: status (as shown: a live quote past its validity is "expired" and no longer its stored status),
    owner (the deal's), q (part of the customer's name) and validity ("valid": valid until today or later, or
    "expired"). Returns (query, count query)."""
    owner = User.alias()
    rows = (Quote.select(Quote.id, Quote.number, Quote.status, Quote.valid_until, Quote.total, Quote.created_at,
                         Deal.id, Deal.title, Customer.id, Customer.name, owner.id, owner.name)
            .join(Deal, on=(Quote.deal == Deal.id), attr="deal")
            .switch(Quote).join(Customer, on=(Quote.customer == Customer.id), attr="customer")
            .switch(Deal).join(owner, on=(Deal.owner == owner.id), attr="owner")
            .order_by(Quote.created_at.desc(), Quote.id.desc()))
    count = Quote.select(Quote.id)  # joining only what its filters read: all of support's quotes count from an index
    if user.role not in SEES_ALL or criteria.get("owner"):
        count = count.join(Deal, on=(Quote.deal == Deal.id))
    if criteria.get("q"):
        count = count.switch(Quote).join(Customer, on=(Quote.customer == Customer.id))
    return _listed(rows, user, criteria, today), _listed(count, user, criteria, today)


def _listed(query, user, criteria, today):
    query = visible(query, user, Deal.owner)
    status = criteria.get("status")
    if status == "expired":
        query = query.where(Quote.status.in_(LIVE) & (Quote.valid_until < today))
    elif status in LIVE:
        query = query.where((Quote.status == status) & (Quote.valid_until >= today))
    elif status in LIST_STATUSES:
        query = query.where(Quote.status == status)
    if criteria.get("owner"):
        query = query.where(Deal.owner == criteria["owner"])
    if criteria.get("q"):
        query = query.where(contains(Customer.name, criteria["q"]))
    if criteria.get("validity") == "valid":
        query = query.where(Quote.valid_until >= today)
    elif criteria.get("validity") == "expired":
        query = query.where(Quote.valid_until < today)
    return query


# --- contracts and what they receive ----------------------------------------------------------------------------

def contract_of_deal(deal):
    return Contract.select().where(Contract.deal == deal.id).first()


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


def _contracts_in_scope(user):
    """The ids of the contracts on deals the user may see: the running sums are taken over these only."""
    return visible(Contract.select(Contract.id).join(Deal, on=(Contract.deal == Deal.id)), user, Deal.owner)


def _late(today, contracts=None):
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


def overdue_contracts(user, today, limit=None):
    """Contracts the user may see with instalments overdue, the oldest first: the overdue amount and the oldest
    unpaid due day, with deal, customer and owner."""
    gone = _late(today, None if user.role in SEES_ALL else _contracts_in_scope(user))
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


def overdue_contracts_query(today, contracts=None):
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


def overdue_contracts_total(user, today):
    """(contracts with something overdue, the overdue sum) in the user's scope, in one query."""
    query, gap = overdue_contracts_query(today, None if user.role in SEES_ALL else _contracts_in_scope(user))
    count, total = query.select(fn.COUNT(Contract.id), fn.COALESCE(fn.SUM(gap), 0)).tuples().first() or (0, 0)
    return int(count or 0), int(total or 0)


def contracts_of_customer(user, customer):
    """The customer's contracts on deals the user may see, with what was received on each (one query; the sums
    are looked up per contract by index): deal (its id), number, signed_on, value, received."""
    # kept, in rows of what the customer's page shows: writing it took the page 0.2 ms
    return kept_rows(("customer-contracts", scope_shape(user.role)), lambda: visible_kept(
        Contract.select(Contract.deal, Contract.number, Contract.signed_on, Contract.value, fn.COALESCE(
            Payment.select(fn.SUM(Payment.amount)).where(Payment.contract == Contract.id), 0).alias("received"))
        .join(Deal, on=(Contract.deal == Deal.id))
        .where(Deal.customer == param("customer")).order_by(Contract.signed_on.desc(), Contract.id.desc()),
        user.role, Deal.owner), customer=customer.id, user=user.id)


# --- the product catalogue ------------------------------------------------------------------------------------

def catalogue(text, active_only=True, limit=None):
    """The catalogue's products whose SKU or name holds `text` (all of them without one), by name; active ones only
    unless `active_only` is false."""
    query = Product.select()
    if active_only:
        query = query.where(Product.active == True)  # noqa: E712
    text = (text or "").strip()[:100]
    if text:
        query = query.where(contains(Product.sku, text) | contains(Product.name, text))
    query = query.order_by(Product.name, Product.id)
    return query.limit(limit) if limit else query
