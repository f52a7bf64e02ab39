"""What the quotes package reads for its pages and for others: quotes as people see them (a live quote past its
validity has expired), the approvers' queue, the quote list; a deal's contract, its standing against its plan and
the overdue receivables; the product catalogue."""
import operator
from functools import reduce

from peewee import JOIN, SQL, Alias, Select, fn

from ..core.access import SEES_ALL, scope_shape, team_ids, visible, visible_kept
from ..core.db import (as_subquery, contains, db, in_few, in_query, kept_models, kept_row, kept_rows, kept_statement,
                       like, like_pattern, param, without_index)
from ..models import (Contract, Customer, Deal, Instalment, Payment, Product, Quote, QuoteCount, QuoteEvent, QuoteLine,
                      Stage, User)

LIVE = ("pending", "approved", "sent")  # the statuses a quote expires from
STORED = ("draft",) + LIVE + ("accepted", "rejected")  # every status a quote is stored in (rules.py writes them)


def state(quote, today):
    """The status as people see it: a live quote past its validity has expired."""
    if quote.status in LIVE and quote.valid_until < today:
        return "expired"
    return quote.status


def visible_quote(quote_id, user):
    """The quote if it is on a deal the user may see, else None."""
    query = Quote.select().join(Deal, on=(Quote.deal == Deal.id)).where(Quote.id == quote_id)
    return visible(query, user, Deal.owner).first()


# who prepared, set the discount of and decided the quote on its page
PREPARER, SETTER, DECIDER, ACTOR = User.alias("preparer"), User.alias("setter"), User.alias("decider"), User.alias("actor")


def _page_quote(role):
    # The three people's names are read by their ids, each a subquery of its own, not joined: PostgreSQL planned
    # the six-table join longer than it ran it, and with statistics hashed every user for each person (the more
    # people, the slower the page).
    return visible_kept(
        Quote.select(Quote.id, Quote.number, Quote.status, Quote.valid_until, Quote.deal.alias("deal_id"),
                     Quote.customer.alias("customer_id"), Quote.prepared_by.alias("prepared_by_id"),
                     Quote.discount_set_by.alias("discount_set_by_id"), Quote.decided_by.alias("decided_by_id"),
                     Quote.effective_bp, Quote.needs, Quote.sent_on, Quote.decision_note, Quote.notes,
                     Quote.discount_bp, Quote.subtotal, Quote.total, Quote.version, Quote.created_at,
                     Quote.updated_at, Deal.title.alias("deal_title"), Customer.name.alias("customer_name"),
                     Customer.address.alias("customer_address"), Customer.phone.alias("customer_phone"),
                     Alias(_name_of(PREPARER, Quote.prepared_by), "preparer_name"),
                     Alias(_name_of(SETTER, Quote.discount_set_by), "setter_name"),
                     Alias(_name_of(DECIDER, Quote.decided_by), "decider_name"))
        .join(Deal, on=(Quote.deal == Deal.id))
        .switch(Quote).join(Customer, on=(Quote.customer == Customer.id))
        .where(Quote.id == param("id")), role, Deal.owner).limit(1)


def _name_of(person, column):
    """The name of the user whose id is `column` (NULL for none), read by the primary key."""
    return person.select(person.name).where(person.id == column)


def page_quote(quote_id, user):
    """The quote as its page and printout show it, if it is on a deal the user may see, else None: with its deal's
    title, its customer and the names of who prepared it, set its discount and decided it."""
    # the page's reads took peewee 2 ms to write and build (five queries, wide models): one kept select
    return kept_row(("quote-page", scope_shape(user.role)), lambda: _page_quote(user.role), id=quote_id,
                    user=user.id)


def _page_lines():
    return (QuoteLine.select(QuoteLine.name, QuoteLine.quantity, QuoteLine.unit, QuoteLine.unit_price,
                             QuoteLine.discount_bp, QuoteLine.net)
            .where(QuoteLine.quote == param("quote")).order_by(QuoteLine.position))


def page_lines(quote_id):
    """The quote's lines as its page and printout show them."""
    # writing this select and building whole lines took peewee 0.3 ms a page: its SQL is kept
    return kept_rows("quote-page-lines", _page_lines, quote=quote_id)


def _page_events():
    return (QuoteEvent.select(QuoteEvent.to_status, QuoteEvent.at, QuoteEvent.by.alias("by_id"), QuoteEvent.note,
                              ACTOR.name.alias("actor_name"))
            .join(ACTOR, JOIN.LEFT_OUTER, on=(QuoteEvent.by == ACTOR.id))
            .where(QuoteEvent.quote == param("quote")).order_by(QuoteEvent.at, QuoteEvent.id))


def page_events(quote_id):
    """The quote's history, the oldest first, with who acted (`actor_name`)."""
    # writing this select and building events with their actor took peewee 0.3 ms a page: its SQL is kept
    return kept_rows("quote-page-events", _page_events, quote=quote_id)


def _form_deal(role):
    return visible_kept(Deal.select(Deal.id, Deal.title, Customer.name.alias("customer_name"))
                        .join(Customer, on=(Deal.customer == Customer.id)).where(Deal.id == param("id")),
                        role, Deal.owner).limit(1)


def quoted_deal(deal_id, user):
    """The deal a new quote is saved on, if the user may see it, else None: the whole deal, with its stage's kind
    (`stage_kind`), which the quote's rule checks, in one read."""
    # kept: writing it took peewee longer than the database running it
    found = kept_models(Deal, ("quoted deal", scope_shape(user.role)), lambda: visible_kept(
        Deal.select(Deal, Stage.kind.alias("stage_kind")).join(Stage, on=(Deal.stage == Stage.id))
        .where(Deal.id == param("id")), user.role, Deal.owner).limit(1), id=deal_id, user=user.id)
    return found[0] if found else None


def form_deal(deal_id, user):
    """The deal a new quote is for (id, title, customer_name), if the user may see it, else None."""
    # writing the deal's and its customer's selects and building both whole took peewee 0.7 ms: one kept select
    return kept_row(("quote-form-deal", scope_shape(user.role)), lambda: _form_deal(user.role), id=deal_id,
                    user=user.id)


def queue(user, today):
    """Pending quotes the user may decide, the oldest first, with deal title, customer name, preparer name and who
    set the discount (`setter_name`)."""
    if user.role not in ("manager", "ops"):
        return []
    # writing this select and building wide quotes with three joined models took peewee 1.5 ms: its SQL is kept
    return kept_rows(("quote-queue", user.role), lambda: _queue(user.role), today=today, user=user.id)


def _queue(role):
    query = (Quote.select(Quote.id, Quote.number, Quote.updated_at, Quote.total, Quote.effective_bp, Quote.needs,
                          Quote.version, Quote.prepared_by.alias("prepared_by_id"),
                          Quote.discount_set_by.alias("discount_set_by_id"), Deal.title.alias("deal_title"),
                          Customer.name.alias("customer_name"), PREPARER.name.alias("preparer_name"),
                          SETTER.name.alias("setter_name"))
             .join(Deal, on=(Quote.deal == Deal.id))
             .switch(Quote).join(Customer, on=(Quote.customer == Customer.id))
             .switch(Quote).join(PREPARER, on=(Quote.prepared_by == PREPARER.id))
             .switch(Quote).join(SETTER, JOIN.LEFT_OUTER, on=(Quote.discount_set_by == SETTER.id))
             .where((Quote.status == "pending") & (Quote.valid_until >= param("today"))
                    & (Quote.prepared_by != param("user")) & _not_set_by(param("user"))))
    if role == "manager":
        # the team a short list (`in_few`): PostgreSQL tests each waiting quote's deal as it reads it, where it
        # joined every waiting quote's customer and people first and dropped the other teams' at the end (5.6 ms
        # on the xl data, 1 ms so)
        query = query.where((Quote.needs == "manager") & in_few(Deal.owner, team_ids(param("user"))))
    return query.order_by(Quote.needs.desc() if role == "ops" else Quote.updated_at, Quote.updated_at, Quote.id)


def _not_set_by(user_id):
    return Quote.discount_set_by.is_null(True) | (Quote.discount_set_by != user_id)


def pending_query(user, today):
    """A scalar query counting the quotes that wait for this manager's or ops user's decision. A manager's: the
    pending quotes needing a manager and valid today or later, from their subtree's rows of the quotes' rollup (this
    month's days from today on and the months after it), less those of them they prepared or set the discount of,
    read from the quotes: a count that does not read every waiting quote of a large team, each joined to its deal."""
    if user.role != "manager":
        return Quote.select(fn.COUNT(Quote.id)).where(_waiting(today) & (Quote.prepared_by != user.id)
                                                      & _not_set_by(user.id))
    return as_subquery(_waiting_for_manager(user, today))


def _waiting_for_manager(user, today):
    """(SQL, params) of the manager's count: kept, as the manager's home asks it on every view and writing it took
    longer than running it."""
    return kept_statement("quotes waiting for a manager", _waiting_for_managers, user=user.id,
                          today=Quote.valid_until.db_value(today), month=today.strftime("%Y-%m"), day=today.day)


def _waiting_for_managers():
    def part(condition):
        return fn.COALESCE(visible_kept(
            QuoteCount.select(fn.SUM(QuoteCount.quotes)).where((QuoteCount.status == "pending")
                                                               & (QuoteCount.needs == "manager") & condition),
            "manager", QuoteCount.owner, totals=True), 0)
    month, user = param("month"), param("user")
    theirs = (Quote.select(fn.COUNT(Quote.id)).join(Deal, on=(Quote.deal == Deal.id))
              .where(_waiting(param("today")) & (Quote.needs == "manager")
                     & ((Quote.prepared_by == user) | (Quote.discount_set_by == user))
                     & in_few(Deal.owner, team_ids(user))))
    counted = (part((QuoteCount.day == 0) & (QuoteCount.month > month))
               + part((QuoteCount.month == month) & (QuoteCount.day >= param("day"))) - fn.COALESCE(theirs, 0))
    return Select(columns=[counted]).bind(db)  # bound: a select of no model is written for its engine only so


def _waiting(today):
    return (Quote.status == "pending") & (Quote.valid_until >= today)


def pending_count(user, today):
    if user.role == "manager":
        return db.execute_sql(*_waiting_for_manager(user, today)).fetchone()[0]
    return pending_query(user, today).scalar() if user.role == "ops" else 0


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
    # kept: a deal's page lists them, and writing this select's SQL took 0.2 ms
    return kept_models(Quote, "quotes of deal", lambda: Quote.select().where(
        Quote.deal == param("deal")).order_by(Quote.created_at.desc(), Quote.id.desc()), deal=deal.id)


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


OWNER = User.alias("owner")  # a listed quote's deal's owner


def listing(user, criteria, today):
    """The quotes on deals the user may see, newest first, with customer, deal and the deal's owner, filtered by
    `criteria`: status (as shown: a live quote past its validity is "expired" and no longer its stored status),
    owner (the deal's), q (part of the customer's name) and validity ("valid": valid until today or later, or
    "expired"). Returns (fetch(offset, limit) of a page's rows, their count)."""
    status = criteria.get("status")
    shape = (scope_shape(user.role), "expired" if status == "expired" else "live" if status in LIVE else
             "stored" if status in LIST_STATUSES else None, bool(criteria.get("owner")), bool(criteria.get("q")),
             criteria.get("validity") if criteria.get("validity") in ("valid", "expired") else None)
    values = dict(user=user.id, today=today, status=status, owner=criteria.get("owner"),
                  q=like_pattern(criteria["q"]) if criteria.get("q") else None)
    if shape[3]:  # the customer's name: the rows are counted, the rollup is not kept per customer
        # writing these two selects and building the rows' four models took peewee 2 ms a list: their SQL is kept
        count = kept_row(("quote-count",) + shape, lambda: _listed(_list_count(user.role, criteria), user.role, shape),
                         **values).n
    else:
        count = _counted(user.role, shape, values, today)

    def fetch(offset, limit):
        return kept_rows(("quote-list",) + shape, lambda: _list_rows(_listed(_list_ids(user.role, criteria), user.role,
                                                                               shape)),
                         offset=offset, limit=limit, **values)

    return fetch, count


# Which days of validity a list's filters keep (`_window`): all of them, today on ("valid"), before today
# ("expired"), or none (both asked for).
WINDOWS = {(None, None): "all", (None, "valid"): "valid", (None, "expired"): "expired", ("valid", None): "valid",
           ("valid", "valid"): "valid", ("expired", None): "expired", ("expired", "expired"): "expired"}


def _counted(role, shape, values, today):
    """The list's count from the quotes' rollup (models.rollups.QuoteCount): by status, as the list shows it, and the
    days of validity that status and the validity filter keep, in the scope's group row (a manager's subtree,
    everyone) or, with an owner, that owner's own rows in scope."""
    scope, status, owner, _text, validity = shape
    window = WINDOWS.get(({"live": "valid", "expired": "expired"}.get(status), validity))
    if window is None:
        return 0
    statuses = "one" if status in ("live", "stored") else "live" if status == "expired" else "all"
    # kept: the list reads it on every view, and peewee writing it took longer than the database running it
    return kept_row(("quote-rollup-count", scope, statuses, owner, window),
                    lambda: _rollup_count(role, statuses, owner, window),
                    user=values["user"], owner=values["owner"], status=values["status"],
                    month=today.strftime("%Y-%m"), day=today.day).n


def _rollup_count(role, statuses, owner, window):
    """SELECT the count (`n`) as the sum of a month's rows (day 0) and of this month's days: a live status's quotes
    are this month's days from today on and the months after it, the expired ones the months before it and this
    month's days before today; each part read by its own index, so that the day rows of other months, which pile
    up with the years, are not read."""
    def part(condition):
        query = QuoteCount.select(fn.COALESCE(fn.SUM(QuoteCount.quotes), 0)).where(condition)
        query = visible_kept(query, role, QuoteCount.owner, totals=not owner)
        if owner:
            query = query.where(QuoteCount.owner == param("owner"))
        if statuses == "one":
            return query.where(QuoteCount.status == param("status"))
        return query.where(QuoteCount.status.in_(LIVE if statuses == "live" else STORED))
    months, days, month = QuoteCount.month, QuoteCount.day, param("month")
    if window == "all":
        parts = [part(days == 0)]
    elif window == "valid":
        parts = [part((days == 0) & (months > month)), part((months == month) & (days >= param("day")))]
    else:
        parts = [part((days == 0) & (months < month)),
                 part((months == month) & (days >= 1) & (days < param("day")))]
    # each part a scalar subquery (two selects added would be their UNION)
    # bound to the database: a select of no model is written for its engine only so
    return Select(columns=[reduce(operator.add, [fn.COALESCE(found, 0) for found in parts]).alias("n")]).bind(db)


def _list_rows(page):
    """What the list shows of the quotes whose ids `page` selects, in the list's order."""
    return (Quote.select(Quote.id, Quote.number, Quote.status, Quote.valid_until, Quote.total,
                         Deal.title.alias("deal_title"), Customer.id.alias("customer_id"),
                         Customer.name.alias("customer_name"), OWNER.name.alias("owner_name"))
            .join(Deal, on=(Quote.deal == Deal.id))
            .switch(Quote).join(Customer, on=(Quote.customer == Customer.id))
            .switch(Deal).join(OWNER, on=(Deal.owner == OWNER.id))
            .where(in_few(Quote.id, page)).order_by(Quote.created_at.desc(), Quote.id.desc()))


def _list_ids(role, criteria):
    """The ids of a page of the list, newest first: read in the order of the quotes' (status, created_at, id)
    index, joining only what the filters read, so that the customer and the people are read for the page's
    quotes alone (PostgreSQL, counting on a few quotes of a status, joined them for every sent one and sorted:
    10 ms on the xl data)."""
    return (_list_count(role, criteria, Quote.select(Quote.id))
            .order_by(Quote.created_at.desc(), Quote.id.desc()).limit(param("limit")).offset(param("offset")))


def _list_count(role, criteria, count=None):
    if count is None:  # joining only what its filters read: all of support's quotes count from an index
        count = Quote.select(fn.COUNT(SQL("1")).alias("n"))
    if role not in SEES_ALL or criteria.get("owner"):
        count = count.join(Deal, on=(Quote.deal == Deal.id))
    if criteria.get("q"):
        count = count.switch(Quote).join(Customer, on=(Quote.customer == Customer.id))
    return count


def _listed(query, role, shape):
    """The list's filters, by the `shape` of `listing`: status kind, owner, q, validity."""
    # A team's quotes are told by their deal's owner as each quote is read (the owner kept off its index): on the
    # xl data with ANALYZE statistics PostgreSQL took a director's 40,000 deals by their owner first and hashed
    # them to count 1,900 sent quotes (14 ms, 2.7 ms so). A rep's own deals are few: from the owner's index.
    query = visible_kept(query, role, Deal.owner if role == "rep" else without_index(Deal.owner))
    _, status, owner, text, validity = shape
    if status == "expired":
        query = query.where(Quote.status.in_(LIVE) & (Quote.valid_until < param("today")))
    elif status == "live":
        query = query.where((Quote.status == param("status")) & (Quote.valid_until >= param("today")))
    elif status == "stored":
        query = query.where(Quote.status == param("status"))
    if owner:
        query = query.where(Deal.owner == param("owner"))
    if text:
        query = query.where(like(Customer.name, param("q")))
    if validity == "valid":
        query = query.where(Quote.valid_until >= param("today"))
    elif validity == "expired":
        query = query.where(Quote.valid_until < param("today"))
    return query


# --- contracts and what they receive ----------------------------------------------------------------------------

RECORDER = User.alias("recorder")  # made once: an alias made per call is a new class for each of its fields


def contract_of_deal(deal):
    # kept: a deal's page reads it, and writing this select's SQL took 0.1 ms
    found = kept_models(Contract, "contract of deal", lambda: Contract.select().where(
        Contract.deal == param("deal")).limit(1), deal=deal.id)
    return found[0] if found else None


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
    # kept: a deal's page with a contract reads both, and writing their SQL took 0.2 ms
    instalments = kept_models(Instalment, "contract instalments", lambda: Instalment.select().where(
        Instalment.contract == param("contract")).order_by(Instalment.due_on, Instalment.id), contract=contract.id)
    payments = kept_models(Payment, "contract payments", lambda: (
        Payment.select(Payment, RECORDER.name.alias("recorder_name"))
        .join(RECORDER, JOIN.LEFT_OUTER, on=(Payment.recorded_by == RECORDER.id))
        .where(Payment.contract == param("contract")).order_by(Payment.received_on, Payment.id)),
        contract=contract.id)
    for payment in payments:
        if payment.recorded_by_id is not None:
            payment.recorder = User(id=payment.recorded_by_id, name=payment.recorder_name)
    return Standing(contract, instalments, payments, today)


CONTRACT_OWNER, PAID = User.alias("contract_owner"), Payment.alias("paid")


# Contracts still owed something (Contract.outstanding, kept by the plan and payment writes): what is overdue is
# looked for among these, not in every instalment of the history.
OWING = Contract.select(Contract.id).where(Contract.outstanding > 0)


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
    # a contract paid in full has nothing overdue; a scope's own contracts are walked, not everyone's still owed
    owing = OWING if contracts is None else contracts.where(without_index(Contract.outstanding) > 0)
    due = due.where(in_query(Instalment.contract, owing))
    running = due.alias("running")
    # what was paid on the row's contract, looked up by index (a join to a derived table of sums is not indexed)
    payments = PAID
    received = fn.COALESCE(payments.select(fn.SUM(payments.amount))
                           .where(payments.contract == running.c.contract_id), 0)
    return (Select(from_list=[running], columns=[
        running.c.contract_id.alias("contract_id"), fn.MIN(running.c.due_on).alias("since"),
        (fn.MAX(running.c.running) - received).alias("overdue")])
        .where(running.c.running > received).group_by(running.c.contract_id)).alias("late")


def overdue_contracts(user, today, limit):
    """Contracts the user may see with instalments overdue, the oldest first (at most `limit`): named tuples of the
    contract (contract_id, number, value), its deal (deal_id, deal_title), customer (customer_id, customer_name)
    and owner (owner_id, owner_name), the oldest unpaid due day (since) and the overdue amount."""
    # kept: the rep's Today reads it on every view, and writing its SQL took 0.6 ms, more than running it
    return kept_rows(("overdue contracts", scope_shape(user.role)), lambda: _overdue_contracts(user.role),
                     convert={"since": Instalment.due_on.python_value}, user=user.id,
                     today=Instalment.due_on.db_value(today), limit=limit)


def _overdue_contracts(role):
    scope = None if role in SEES_ALL else visible_kept(
        Contract.select(Contract.id).join(Deal, on=(Contract.deal == Deal.id)), role, Deal.owner)
    gone = _late(param("today"), scope)
    return (Contract.select(Contract.id.alias("contract_id"), Contract.number, Contract.value,
                            Deal.id.alias("deal_id"), Deal.title.alias("deal_title"), Customer.id.alias("customer_id"),
                            Customer.name.alias("customer_name"), CONTRACT_OWNER.id.alias("owner_id"),
                            CONTRACT_OWNER.name.alias("owner_name"), fn.COALESCE(gone.c.since, gone.c.since).alias("since"),
                            fn.COALESCE(gone.c.overdue, 0).alias("overdue"))
            .join(gone, on=(gone.c.contract_id == Contract.id))
            .join(Deal, on=(Contract.deal == Deal.id))
            .join(Customer, on=(Deal.customer == Customer.id))
            .switch(Deal).join(CONTRACT_OWNER, on=(Deal.owner == CONTRACT_OWNER.id))
            .order_by(gone.c.since, Contract.id).limit(param("limit")))


def overdue_contracts_query(today, contracts=None):
    """Contracts with something overdue, joined to their deal for the caller to narrow: (query, overdue gap).

    For totals the order of settling does not matter: what fell due before today less what was paid, per
    contract, with no running sum; payments are looked up per contract by index."""
    payments = Payment.alias()
    paid = fn.COALESCE(payments.select(fn.SUM(payments.amount)).where(payments.contract == Instalment.contract), 0)
    gap = fn.SUM(Instalment.amount) - paid
    # only contracts still owed are read: a scope's own, else everyone's
    owing = OWING if contracts is None else contracts.where(without_index(Contract.outstanding) > 0)
    owed = Instalment.select(Instalment.contract.alias("contract_id"), gap.alias("overdue")).where(
        (Instalment.due_on < today) & in_query(Instalment.contract, owing))
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
