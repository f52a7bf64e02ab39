"""Quotes: lines priced from the catalogue, totals to the minor unit, a number per year, and a status that only
this module changes, each step checked against the version the person saw and written in one transaction.

    draft → pending (a discount beyond the preparer's authority) → approved → sent → accepted / rejected
    draft → sent (within authority: approved on the way), pending → draft (returned by the approver),
    any unsent edit → draft again; pending, approved and sent quotes past their validity are expired.

The authority rule judges the effective discount: how far the total is below the same lines at catalogue
prices, so a lowered unit price counts as much as a discount typed as one. The quote records who last set that
discount; a discount needs approval beyond the authority of its preparer or of whoever set it, and neither of them
approves it: the next approver up, or ops, does."""
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from peewee import Value

from ..core.access import team_ids
from ..core.db import db, in_query, utcnow
from ..infra import rollups, stale
from ..web.forms import as_id
from ..core.i18n import _l
from ..models import Deal, Product, Quote, QuoteCounter, QuoteEvent, QuoteLine, Stage, Task, User
from ..core import audit, notifications
from ..customers import cadence
from ..core.errors import Invalid, Stale
from ..core.money import LARGEST, parse_amount, parse_percent, parse_quantity, percent_text, rounded
from .queries import lines_of, state

PREPARERS = ("rep", "manager", "support")
EDITABLE = ("draft", "pending", "approved")
MAX_LINES = 50
FOLLOW_UP = "Follow up quote %s"


def _changed(quote):
    """The version conflict for a quote that moved on since the person opened it; carries it as it is now."""
    return Stale(f"quote {quote.id} is at version {quote.version}", quote)


@dataclass
class Line:
    product: Product
    quantity: Decimal
    unit_price: int
    discount_bp: int
    list_price: int = 0
    net: int = 0

    def __post_init__(self):
        self.list_price = self.product.unit_price
        self.net = line_net(self.quantity, self.unit_price, self.discount_bp)


@dataclass
class Totals:
    lines: list = field(default_factory=list)
    discount_bp: int = 0
    list_total: int = 0
    subtotal: int = 0
    discount_amount: int = 0
    total: int = 0

    @property
    def effective_bp(self):
        """The discount off catalogue prices, in basis points, to the nearest (0 when the lines sell above list)."""
        if self.list_total <= 0 or self.total >= self.list_total:
            return 0
        return rounded(Decimal(self.list_total - self.total) * 10000 / self.list_total)


def line_net(quantity, unit_price, discount_bp):
    return rounded(Decimal(quantity) * unit_price * (10000 - discount_bp) / 10000)


def totals(lines, discount_bp):
    """Each line rounded to the minor unit, then the overall discount on their sum, rounded once."""
    subtotal = sum(line.net for line in lines)
    discount_amount = rounded(Decimal(subtotal) * discount_bp / 10000)
    list_total = sum(rounded(Decimal(line.quantity) * line.list_price) for line in lines)
    return Totals(lines=list(lines), discount_bp=discount_bp, list_total=list_total, subtotal=subtotal,
                  discount_amount=discount_amount, total=subtotal - discount_amount)


def limit_bp(role, settings):
    """How deep a discount a role may give on its own, in basis points."""
    if role == "ops":
        return 10000
    if role == "manager":
        return settings["discount_limit_manager"] * 100
    if role in ("rep", "support"):
        return settings["discount_limit_rep"] * 100
    return 0


def _beyond(figures, limit):
    """Is the total's discount off list beyond `limit` basis points? Exact: no rounding decides it."""
    return (figures.list_total - figures.total) * 10000 > limit * figures.list_total


def needs(figures, preparer, settings, setter=None):
    """Whose approval the quote needs: nobody, a manager, or ops (beyond a manager's authority too). A discount
    set by someone other than the preparer is judged against the lesser of their two authorities."""
    limit = min(limit_bp(person.role, settings) for person in (preparer, setter) if person is not None)
    if not _beyond(figures, limit):
        return ""
    return "manager" if not _beyond(figures, limit_bp("manager", settings)) else "ops"


# --- who may do what -------------------------------------------------------------------------------------------

def may_prepare(user):
    return user.role in PREPARERS


def may_decide(user, quote, today):
    """An approver who neither prepared the quote nor set its discount, with the authority it needs and (a manager)
    the deal in scope."""
    if (state(quote, today) != "pending" or user.id in (quote.prepared_by_id, quote.discount_set_by_id)
            or not user.active):
        return False
    if user.role == "ops":
        return True
    return user.role == "manager" and quote.needs == "manager" and (
        Deal.select(Deal.id).where((Deal.id == quote.deal_id) & in_query(Deal.owner, team_ids(user.id))).exists())


def _approvers(quote, owner_id):
    """Who is told a quote waits: the nearest manager above (or being) the deal's owner who neither prepared it nor
    set its discount, for a manager's approval; every active ops user for more, or when no such manager is found."""
    barred = {quote.prepared_by_id, quote.discount_set_by_id}
    if quote.needs == "manager":
        seen, current = set(), owner_id
        while current is not None and current not in seen:
            seen.add(current)
            person = User.get_or_none(User.id == current)
            if person is None:
                break
            if person.role == "manager" and person.active and person.id not in barred:
                return [person.id]
            current = person.reports_to_id
    return [u.id for u in User.select(User.id).where((User.role == "ops") & (User.active == True)  # noqa: E712
                                                     & User.id.not_in([i for i in barred if i is not None]))]


# --- reading what was typed ------------------------------------------------------------------------------------

def _product_id(row):
    """The id of the product a row names through the picker, or None."""
    return as_id(str(row.get("product") or "").strip())


def _products(rows):
    """{row index: Product} for rows naming a product by its id (the picker), or else by a typed SKU or exact name
    (without script); unknown ones are left out. Two queries at most, whatever the number of lines."""
    ids = {_product_id(r) for r in rows} - {None}
    by_id = {p.id: p for p in Product.select().where(Product.id.in_(list(ids)))} if ids else {}
    typed = {str(r.get("product_name") or "").strip() for r in rows if _product_id(r) is None} - {""}
    by_text = {}
    if typed:
        active = Product.active == True  # noqa: E712
        for item in Product.select().where(active & (Product.sku.in_(list(typed)) | Product.name.in_(list(typed)))):
            by_text.setdefault(item.sku, item)
            by_text.setdefault(item.name, item)
    found = {}
    for index, row in enumerate(rows):
        item = by_id.get(_product_id(row)) or by_text.get(str(row.get("product_name") or "").strip())
        if item is not None:
            found[index] = item
    return found


def _blank(row):
    return not any(str(row.get(k) or "").strip() for k in ("product", "product_name", "quantity", "unit_price"))


def read(rows, discount_text, valid_until, notes, today):
    """The quote as typed: rows of {product, product_name, quantity, unit_price, discount} texts (blank rows
    skipped; a blank price is the catalogue's). Returns (Totals, clean values); Invalid with keys like
    "lines-2-quantity" for what cannot be read."""
    errors, lines = {}, []
    wanted = [(i, r) for i, r in enumerate(rows) if not _blank(r)]
    products = _products(rows)
    for index, row in wanted:
        key = f"lines-{index}-"
        product = products.get(index)
        if product is None:
            errors[key + "product_name"] = _l("Choose a product from the catalogue.")
            continue
        try:
            quantity = parse_quantity(row.get("quantity"))
        except ValueError as bad:
            errors[key + "quantity"] = bad.args[0]
            quantity = None
        try:
            price = parse_amount(row.get("unit_price"))
            if price is None:
                price = product.unit_price
        except ValueError as bad:
            errors[key + "unit_price"] = bad.args[0]
            price = None
        try:
            discount = parse_percent(row.get("discount"))
        except ValueError as bad:
            errors[key + "discount"] = bad.args[0]
            discount = None
        if None not in (quantity, price, discount):
            line = Line(product, quantity, price, discount)
            if line.net > LARGEST or rounded(quantity * product.unit_price) > LARGEST:
                errors[key + "quantity"] = _l("This line comes to more than 100,000,000,000.")
            lines.append(line)
    if not wanted:
        errors["lines"] = _l("Add at least one line.")
    elif len(wanted) > MAX_LINES:
        errors["lines"] = _l("At most %(n)d lines.", n=MAX_LINES)
    try:
        discount_bp = parse_percent(discount_text)
    except ValueError as bad:
        errors["discount"] = bad.args[0]
        discount_bp = 0
    if valid_until is None or not today <= valid_until <= today + datetime.timedelta(days=366):
        errors["valid_until"] = _l("Choose a day from today to a year ahead.")
    notes = (notes or "").strip()
    if len(notes) > 5000:
        errors["notes"] = _l("At most %(n)d characters.", n=5000)
    figures = totals(lines, discount_bp)
    if figures.list_total > LARGEST or figures.subtotal > LARGEST:
        errors["lines"] = _l("The quote comes to more than 100,000,000,000.")
    if errors:
        raise Invalid(errors)
    return figures, {"valid_until": valid_until, "notes": notes}


def preview(rows, discount_text):
    """Totals of whatever can be read so far, for the live figures while lines are typed (never refuses):
    (Totals, [Line or None per row], {row index: Product})."""
    readable = []
    products = _products(rows)
    for index, row in enumerate(rows):
        product = products.get(index)
        try:
            price = parse_amount(row.get("unit_price"))
            line = Line(product, parse_quantity(row.get("quantity")),
                        product.unit_price if price is None else price, parse_percent(row.get("discount")))
        except (ValueError, AttributeError):
            line = None
        readable.append(line)
    try:
        discount_bp = parse_percent(discount_text)
    except ValueError:
        discount_bp = 0
    return totals([line for line in readable if line is not None], discount_bp), readable, products


# --- writing ---------------------------------------------------------------------------------------------------

def next_number(year):
    """Q-YYYY-NNNN: the year's counter is bumped first, so the row stays locked (PostgreSQL) or the database
    stays write-locked (SQLite) until the quote that takes the number is written in the same transaction. One
    upsert makes the year's row or bumps it and gives back the number (RETURNING, both engines)."""
    found = (QuoteCounter.insert(year=year, last=1)
             .on_conflict(conflict_target=[QuoteCounter.year], update={QuoteCounter.last: QuoteCounter.last + 1})
             .returning(QuoteCounter.last).tuples().execute())
    last = list(found)[0][0]
    return f"Q-{year}-{last:04d}"


def _line_rows(quote_id, figures):
    return [{"quote": quote_id, "position": i, "product": line.product.id, "name": line.product.name,
             "unit": line.product.unit, "quantity": line.quantity, "list_price": line.list_price,
             "unit_price": line.unit_price, "discount_bp": line.discount_bp, "net": line.net}
            for i, line in enumerate(figures.lines)]


def _figures(figures, preparer, setter, settings):
    return {"discount_bp": figures.discount_bp, "list_total": figures.list_total, "subtotal": figures.subtotal,
            "total": figures.total, "effective_bp": figures.effective_bp, "discount_set_by": setter.id,
            "needs": needs(figures, preparer, settings, setter)}


def _event(quote, action, from_status, to_status, by, note="", now=None):
    QuoteEvent.create(quote=quote.id, action=action, from_status=from_status, to_status=to_status, by=by,
                      note=note, at=now or utcnow())


def create(deal, rows, discount_text, valid_until, notes, by, settings, today, now=None, stage_kind=None):
    """A draft quote on an open deal the preparer may see (the caller has checked scope). `stage_kind`: the kind of
    the deal's stage, when the caller read it with the deal (`queries.quoted_deal`), else it is read."""
    if not may_prepare(by):
        raise Invalid({None: _l("Your role cannot prepare quotes.")})
    if (stage_kind or Stage.get_by_id(deal.stage_id).kind) != "open":
        raise Invalid({None: _l("The deal is closed; reopen it to quote.")})
    figures, clean = read(rows, discount_text, valid_until, notes, today)
    now = now or utcnow()
    with db.atomic():
        quote = Quote.create(number=next_number(today.year), deal=deal.id, customer=deal.customer_id, prepared_by=by,
                             status="draft", created_at=now, updated_at=now, **clean,
                             **_figures(figures, by, by, settings))
        QuoteLine.insert_many(_line_rows(quote.id, figures)).execute()
        rollups.quote_changed(deal.id, None, ("draft", quote.needs, quote.valid_until))
        _event(quote, "created", "", "draft", by, now=now)
        audit.record("create", by, quote, f"Quote {quote.number} on “{deal.title}”: {quote.total}, "
                                          f"{percent_text(quote.effective_bp)} % off catalogue set by {by.name}")
        cadence.record_activity(deal.customer_id, now)
    return quote


def _claim(quote, version, allowed, changes, now):
    """Move the quote on if it is still at `version`, the version `quote` was read at, and in one of `allowed`
    statuses; else Stale. The quote list's counts (`rollups.quote_changed`) move from where `quote` counts, as
    stored at that version, to where the quote now counts."""
    if quote.version != version:
        raise _changed(quote)
    # the quote as written comes back from the update (RETURNING, both engines): no second read
    found = list(Quote.update(version=Quote.version + 1, updated_at=now, **changes)
                 .where((Quote.id == quote.id) & (Quote.version == version) & Quote.status.in_(allowed))
                 .returning(Quote).execute())
    if len(found) != 1:
        raise _changed(Quote.get_by_id(quote.id))
    current = found[0]
    rollups.quote_changed(quote.deal_id, (quote.status, quote.needs, quote.valid_until),
                          (current.status, current.needs, current.valid_until))
    return current


def discount_changed(quote, old_lines, figures):
    """Do the new figures set a different discount than the quote's: its overall discount, a line's price or
    discount, or the discount off catalogue (the same ratio, compared exactly)?"""
    old_terms = {(line.product_id, line.unit_price, line.discount_bp) for line in old_lines}
    new_terms = {(line.product.id, line.unit_price, line.discount_bp) for line in figures.lines}
    return (quote.discount_bp != figures.discount_bp or old_terms != new_terms
            or (quote.list_total - quote.total) * figures.list_total
            != (figures.list_total - figures.total) * quote.list_total)


def edit(quote, version, rows, discount_text, valid_until, notes, by, settings, today, now=None):
    """New lines and terms. An unsent quote goes back to draft: whatever was approved must be approved again.
    Whoever changes the discount becomes the one who set it."""
    if not may_prepare(by):
        raise Invalid({None: _l("Your role cannot prepare quotes.")})
    if quote.status not in EDITABLE:
        raise Invalid({None: _l("A sent quote cannot change; make a new one.")})
    figures, clean = read(rows, discount_text, valid_until, notes, today)
    now = now or utcnow()
    with db.atomic():
        changed = discount_changed(quote, lines_of(quote), figures)
        preparer = by if by.id == quote.prepared_by_id else User.get_by_id(quote.prepared_by_id)
        setter = by if changed or quote.discount_set_by_id in (None, by.id) else \
            preparer if quote.discount_set_by_id == preparer.id else User.get_by_id(quote.discount_set_by_id)
        updated = _claim(quote, version, EDITABLE,
                         dict(status="draft", decided_by=None, decided_at=None, decision_note="", **clean,
                              **_figures(figures, preparer, setter, settings)), now)
        QuoteLine.delete().where(QuoteLine.quote == quote.id).execute()
        QuoteLine.insert_many(_line_rows(quote.id, figures)).execute()
        _event(quote, "edited", quote.status, "draft", by, now=now)
        audit.record("edit", by, quote, f"Quote {quote.number}: {updated.total}"
                     + (f", {percent_text(quote.effective_bp)} % → {percent_text(updated.effective_bp)} % off "
                        f"catalogue set by {by.name}" if changed else "")
                     + (" (approval withdrawn)" if quote.status in ("pending", "approved") else ""))
    return updated


def _live(quote, today):
    if quote.valid_until < today:
        raise Invalid({None: _l("This quote expired on %(day)s; edit its validity first.",
                                day=quote.valid_until.isoformat())})


def submit(quote, version, by, today, now=None):
    """Ask for approval; a quote within the preparer's authority needs none and is approved at once."""
    _live(quote, today)
    if quote.status != "draft":
        raise Invalid({None: _l("Only a draft can be submitted.")})
    now = now or utcnow()
    with db.atomic():
        if quote.needs:
            updated = _claim(quote, version, ("draft",), {"status": "pending"}, now)
            _event(quote, "submitted", "draft", "pending", by, now=now)
            audit.record("approval", by, quote, f"Quote {quote.number} submitted for approval "
                                                f"({percent_text(quote.effective_bp)} %)")
            owner_id = Deal.select(Deal.owner).where(Deal.id == quote.deal_id).scalar()
            notifications.notify(_approvers(quote, owner_id), "quote_pending", f"/quotes/{quote.id}",
                                 by=by.name, number=quote.number, discount=f"{percent_text(quote.effective_bp)} %")
        else:
            updated = _claim(quote, version, ("draft",), {"status": "approved", "decided_by": by.id,
                                                          "decided_at": now, "decision_note": ""}, now)
            _event(quote, "approved", "draft", "approved", by, note="within authority", now=now)
            audit.record("approval", by, quote, f"Quote {quote.number} approved within the preparer's authority")
    return updated


def _name_of(user_id):
    return User.select(User.name).where(User.id == user_id).scalar() or "—"


def _tell_preparer(quote, by, kind, **params):
    owner_id = Deal.select(Deal.owner).where(Deal.id == quote.deal_id).scalar()
    people = [p for p in (quote.prepared_by_id, owner_id) if p != by.id]
    notifications.notify(people, kind, f"/quotes/{quote.id}", by=by.name, number=quote.number, **params)


def decide(quote, version, by, approve, note, today, now=None):
    """An approver approves, or returns the quote to its preparer as a draft; a returned one needs a reason."""
    note = " ".join((note or "").split())
    if len(note) > 500:
        raise Invalid({"note": _l("At most %(n)d characters.", n=500)})
    if not approve and not note:
        raise Invalid({"note": _l("Say why, so the preparer knows what to change.")})
    if by.id == quote.prepared_by_id:
        raise Invalid({None: _l("You cannot approve a quote you prepared.")})
    if by.id == quote.discount_set_by_id:
        raise Invalid({None: _l("You set this discount, so someone else approves it.")})
    if quote.version != version:
        raise _changed(quote)
    if not may_decide(by, quote, today):
        raise Invalid({None: _l("This quote does not wait for your approval.")})
    now = now or utcnow()
    target = "approved" if approve else "draft"
    with db.atomic():
        updated = _claim(quote, version, ("pending",), {"status": target, "decided_by": by.id, "decided_at": now,
                                                        "decision_note": note}, now)
        _event(quote, "approved" if approve else "returned", "pending", target, by, note=note, now=now)
        audit.record("approval", by, quote, f"Quote {quote.number} {'approved' if approve else 'returned'}"
                                            f" ({percent_text(quote.effective_bp)} % off catalogue set by "
                                            f"{_name_of(quote.discount_set_by_id)})" + (f": {note}" if note else ""))
        if approve:
            _tell_preparer(quote, by, "quote_approved")
        else:
            _tell_preparer(quote, by, "quote_returned", note=note)
    return updated


def send(quote, version, by, settings, today, now=None):
    """Mark the quote sent: the follow-up clock starts. A task for the deal's owner falls due after the follow-up
    days, and the deal's next step becomes that follow-up, so a quote left unanswered makes the deal stale."""
    _live(quote, today)
    if quote.status == "pending":
        raise Invalid({None: _l("This quote waits for approval.")})
    if quote.status not in ("draft", "approved") or (quote.status == "draft" and quote.needs):
        raise Invalid({None: _l("Only an approved quote can be sent.")})
    now = now or utcnow()
    due = today + datetime.timedelta(days=settings["quote_follow_up_days"])
    deal = Deal.get_by_id(quote.deal_id)
    title = FOLLOW_UP % quote.number
    with db.atomic():
        task = Task.create(title=title, assignee=deal.owner_id, due_on=due, customer=quote.customer_id, deal=deal.id,
                           source="quote", created_by=by, created_at=now)
        changes = {"status": "sent", "sent_on": today, "follow_up": task.id}
        if quote.status == "draft":
            changes.update(decided_by=by.id, decided_at=now, decision_note="")
        updated = _claim(quote, version, ("draft", "approved"), changes, now)
        _event(quote, "sent", quote.status, "sent", by, now=now)
        due_at = Deal.step_due_at.to_value(stale.due_moment(due, stale.zone_of(settings)))
        Deal.update(next_step=title, next_step_due=due, last_activity_at=now, version=Deal.version + 1,
                    step_due_at=due_at, stale_at=stale.stale_sql(Deal.stage, Value(title), due_at,
                                                                 Deal.last_activity_at.to_value(now)),
                    updated_at=now, updated_by=by.id).where(Deal.id == deal.id).execute()
        audit.record("edit", by, quote, f"Quote {quote.number} sent; follow up by {due.isoformat()}")
    return updated


def answer(quote, version, by, accepted, today, now=None):
    """The customer's answer to a sent quote: the follow-up is done, and the deal no longer waits on it."""
    if quote.status != "sent":
        raise Invalid({None: _l("Only a sent quote can be accepted or rejected.")})
    if accepted and quote.valid_until < today:
        raise Invalid({None: _l("This quote expired on %(day)s; make a new one.", day=quote.valid_until.isoformat())})
    now = now or utcnow()
    target = "accepted" if accepted else "rejected"
    with db.atomic():
        updated = _claim(quote, version, ("sent",), {"status": target, "answered_on": today}, now)
        _event(quote, target, "sent", target, by, now=now)
        if quote.follow_up_id:
            Task.update(done_at=now).where((Task.id == quote.follow_up_id) & Task.done_at.is_null()).execute()
        (Deal.update(next_step="", next_step_due=None, last_activity_at=now, version=Deal.version + 1, updated_at=now,
                     updated_by=by.id, step_due_at=None,  # no next step: stale at once, unless closed
                     stale_at=stale.stale_sql(Deal.stage, Value(""), stale.NO_DAY,
                                              Deal.last_activity_at.to_value(now)))
         .where((Deal.id == quote.deal_id) & (Deal.next_step == FOLLOW_UP % quote.number)).execute())
        audit.record("edit", by, quote, f"Quote {quote.number} {target}")
        _tell_preparer(quote, by, f"quote_{target}")
    return updated
