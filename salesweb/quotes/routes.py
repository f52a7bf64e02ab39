import datetime
from collections import namedtuple
from decimal import Decimal

from flask import abort, current_app, flash, redirect, request, url_for

from flask_login import current_user

from ..core.i18n import _, locale_name, ngettext
from ..models import Customer, Deal, Quote
from ..web.rows import RowTemplate
from . import queries, rules as quotes
from ..customers.forms import owner_filter
from ..core.errors import Invalid, Stale
from ..core.money import percent_text
from ..web.pages import Page, all_or_nothing, apply_row_errors, is_fragment_request, page_number, render
from ..core.clock import local_today as today
from ..core.settings import current_settings
from .blueprint import bp
from .forms import ActionForm, QuoteFilterForm, QuoteForm

ACTIONS = ("submit", "send", "approve", "return", "accept", "reject")


def _quote_or_404(quote_id):
    return queries.visible_quote(quote_id, current_user) or abort(404)


def _rows(form):
    return [entry.form.data for entry in form.lines]


def _rearranged(form):
    """Add line / Remove line without script: the form comes back with the lines changed and nothing saved."""
    action = request.form.get("action", "")
    if action == "add" and len(form.lines) < quotes.MAX_LINES:
        form.lines.append_entry()
        return True
    if action.startswith("remove-") and action[7:].isdecimal():
        index = int(action[7:])
        if index < len(form.lines) and len(form.lines) > 1:
            kept = [entry.form.data for i, entry in enumerate(form.lines) if i != index]
            while len(form.lines):
                form.lines.pop_entry()
            for data in kept:
                form.lines.append_entry(data)
        return True
    return action == "recalculate"


def _quantity_text(quantity):
    """2.500 → "2.5", 3.000 → "3"."""
    return format(Decimal(quantity).normalize(), "f")


def _figures(form):
    figures, readable, products = quotes.preview(_rows(form), form.discount.data)
    return figures, readable, products


def _form_page(form, deal, quote=None, status=200, customer=None):
    figures, readable, products = _figures(form)
    customer = customer or Customer.get_by_id(deal.customer_id)
    return render("quotes/form.html", form=form, deal=deal, customer=customer, quote=quote, figures=figures,
                  readable=readable, products=products, limit=_limit_text(), status=status)


def _limit_text():
    return percent_text(quotes.limit_bp(current_user.role, current_settings()))


def _save(form, deal, quote):
    if request.method != "POST" or _rearranged(form):
        return None, 200
    if not form.validate_on_submit():
        return None, 422
    try:
        if quote is None:
            saved = quotes.create(deal, _rows(form), form.discount.data, form.valid_until.data, form.notes.data,
                                  current_user, current_settings(), today(), stage_kind=deal.stage_kind)
        else:
            version = int(form.version.data) if str(form.version.data or "").isdecimal() else -1
            saved = quotes.edit(quote, version, _rows(form), form.discount.data, form.valid_until.data,
                                form.notes.data, current_user, current_settings(), today())
    except Invalid as invalid:
        apply_row_errors(form, "lines", invalid)
        return None, 422
    except Stale:
        form.form_errors.append(_("Someone changed this quote since you opened it. Reload it to see their changes."))
        return None, 409
    return saved, 200


@bp.route("/deals/<int:deal_id>/quotes/new", methods=["GET", "POST"])
@all_or_nothing
def new(deal_id):
    # the empty form shows only the deal's title and customer; a posted one saves on the whole deal
    deal = (queries.quoted_deal(deal_id, current_user) if request.method == "POST" else
            queries.form_deal(deal_id, current_user)) or abort(404)
    if not quotes.may_prepare(current_user):
        abort(403)
    form = QuoteForm()
    if request.method == "GET":
        form.valid_until.data = today() + datetime.timedelta(days=current_settings()["quote_valid_days"])
    saved, status = _save(form, deal, None)
    if saved is not None:
        flash(_("Quote %(number)s saved as a draft.", number=saved.number), "success")
        return redirect(url_for("quotes.detail", quote_id=saved.id), 303)
    customer = ShownCustomer(None, deal.customer_name, None, None) if request.method == "GET" else None
    return _form_page(form, deal, status=status, customer=customer)


@bp.route("/quotes/<int:quote_id>/edit", methods=["GET", "POST"])
@all_or_nothing
def edit(quote_id):
    quote = _quote_or_404(quote_id)
    if not quotes.may_prepare(current_user):
        abort(403)
    if quote.status not in quotes.EDITABLE:
        flash(_("A sent quote cannot change; make a new one."), "error")
        return redirect(url_for("quotes.detail", quote_id=quote.id))
    form = QuoteForm()
    if request.method == "GET":
        form = QuoteForm(formdata=None, data={
            "lines": [{"product": line.product_id, "product_name": line.name,
                       "quantity": _quantity_text(line.quantity), "unit_price": f"{line.unit_price / 100:.2f}",
                       "discount": percent_text(line.discount_bp) if line.discount_bp else ""}
                      for line in queries.lines_of(quote)],
            "discount": percent_text(quote.discount_bp) if quote.discount_bp else "",
            "valid_until": quote.valid_until, "notes": quote.notes, "version": quote.version})
    saved, status = _save(form, None, quote)  # an edit writes the quote alone: its deal is read for the form
    if saved is not None:
        flash(_("Saved.") if saved.status == quote.status else
              _("Saved. The quote is a draft again: what was approved must be approved again."), "success")
        return redirect(url_for("quotes.detail", quote_id=saved.id), 303)
    return _form_page(form, Deal.get_by_id(quote.deal_id), quote, status=status)


@bp.post("/quotes/preview")
def preview():
    """The live totals (and each line's net, out of band) while the form is typed in; saves nothing."""
    form = QuoteForm()
    figures, readable, products = _figures(form)
    return render("quotes/_totals.html", figures=figures, readable=readable, products=products, oob=True,
                  limit=_limit_text())


# a quote in the quote list (queries.listing)
LIST_ROW = RowTemplate("quotes/_list_row.html", "id number state customer_id customer_name deal_title owner_name total "
                       "valid_until", look=("show_owner",))


@bp.get("/quotes")
def index():
    """Every quote the user may see, newest first: support's list, and anyone's in their scope."""
    filters = QuoteFilterForm(request.args)
    criteria = filters.criteria()
    people = {}  # the owner filter's people when few, else None: a picker (templates/_person_picker.html)
    if not is_fragment_request() and current_user.role != "rep":  # the filter choices sit outside the list
        people["owner"], people["owner_chosen"] = owner_filter(filters.owner, criteria.get("owner"))
    day = today()
    fetch, count = queries.listing(current_user, criteria, day)
    page = Page(fetch, page_number(), current_app.config["PAGE_SIZE"], total=count)
    listed = LIST_ROW.write(
        (LIST_ROW.Row(q.id, q.number, queries.state(q, day), q.customer_id, q.customer_name, q.deal_title,
                      q.owner_name, q.total, q.valid_until) for q in page.items),
        show_owner=current_user.role != "rep")
    return render("quotes/index.html", block="list", filters=filters, page=page, rows=listed, people=people)


def _page_context(quote_id):
    quote = queries.page_quote(quote_id, current_user) or abort(404)
    people = {person_id: Person(person_id, name) for person_id, name in (
        (quote.prepared_by_id, quote.preparer_name), (quote.discount_set_by_id, quote.setter_name),
        (quote.decided_by_id, quote.decider_name)) if person_id}
    return dict(quote=quote, deal=ShownDeal(quote.deal_id, quote.deal_title),
                customer=ShownCustomer(quote.customer_id, quote.customer_name, quote.customer_address, quote.customer_phone),
                lines=queries.page_lines(quote.id), events=queries.page_events(quote.id),
                people=people, state=queries.state(quote, today()), today=today(),
                may_prepare=quotes.may_prepare(current_user),
                may_decide=quotes.may_decide(current_user, quote, today()),
                form=ActionForm(formdata=None, version=quote.version), locale=locale_name())


# what the quote page and printout show of the quote's deal, customer and people (queries.page_quote)
ShownDeal = namedtuple("ShownDeal", "id title")
ShownCustomer = namedtuple("ShownCustomer", "id name address phone")
Person = namedtuple("Person", "id name")


@bp.get("/quotes/<int:quote_id>")
def detail(quote_id):
    return render("quotes/detail.html", **_page_context(quote_id))


@bp.get("/quotes/<int:quote_id>/print")
def printable(quote_id):
    return render("quotes/print.html", **_page_context(quote_id))


# where a decision taken in an approver's queue lands without script: that role's queue
APPROVALS = {"manager": "quotes.manager_approvals", "ops": "quotes.ops_approvals"}


@bp.post("/quotes/<int:quote_id>/<action>")
@all_or_nothing
def act(quote_id, action):
    quote = _quote_or_404(quote_id)
    if action not in ACTIONS:
        abort(404)
    form = ActionForm()
    version = int(form.version.data) if str(form.version.data or "").isdecimal() else -1
    deciding = action in ("approve", "return")
    if not deciding and not quotes.may_prepare(current_user):
        abort(403)
    from_queue = request.form.get("from") == "queue"
    # the answer's address is worked out before anything is written
    target = (url_for(APPROVALS[current_user.role]) if from_queue and current_user.role in APPROVALS
              else url_for("quotes.detail", quote_id=quote.id))
    try:
        if not form.validate_on_submit():
            raise Invalid({None: " ".join(str(e) for errors in form.errors.values() for e in errors)})
        if quote.version != version:
            raise Stale(f"quote {quote.id} is at version {quote.version}", quote)
        if action == "submit":
            done = quotes.submit(quote, version, current_user, today())
            message = (_("Sent for approval.") if done.status == "pending" else
                       _("Approved: the discount is within your authority."))
        elif action == "send":
            quotes.send(quote, version, current_user, current_settings(), today())
            message = ngettext("Marked sent. A follow-up is due in %(num)d day.",
                               "Marked sent. A follow-up is due in %(num)d days.",
                               current_settings()["quote_follow_up_days"])
        elif deciding:
            quotes.decide(quote, version, current_user, action == "approve", form.note.data, today())
            message = _("Approved.") if action == "approve" else _("Returned to the preparer.")
        else:
            quotes.answer(quote, version, current_user, action == "accept", today())
            message = _("Marked accepted.") if action == "accept" else _("Marked rejected.")
    except Stale:
        return _refused(quote, _("This quote changed since you opened it; it is shown as it is now."), 409)
    except Invalid as invalid:
        return _refused(quote, " ".join(str(m) for m in invalid.errors.values()), 422)
    if is_fragment_request() and from_queue:
        return _queue_items([quote], done=message, listed=False), 200, {"Vary": "HX-Request"}
    flash(message, "success")
    return redirect(target, 303)


def _refused(quote, message, status):
    if is_fragment_request() and request.form.get("from") == "queue":
        current = next((q for q in queries.queue(current_user, today()) if q.id == quote.id), None)
        return (_queue_items([current or Quote.get_by_id(quote.id)], error=message, listed=current is not None),
                status, {"Vary": "HX-Request"})
    flash(message, "error")
    return redirect(url_for("quotes.detail", quote_id=quote.id), 303)


# a quote in an approver's queue (queries.queue), or what came of an action on it
QUEUE_ITEM = RowTemplate("quotes/_queue_item.html", "id number customer_name deal_title preparer_name setter_name "
                         "updated_at total effective_bp needs version",
                         look=("currency", "done", "error", "listed", "in_list"))


def _queue_items(items, done=None, error=None, listed=True, in_list=False):
    """Queue items; `listed` ones come with their deal, customer and preparer."""
    return QUEUE_ITEM.write(
        (QUEUE_ITEM.Row(q.id, q.number, q.customer_name, q.deal_title, q.preparer_name,
                        q.setter_name if q.discount_set_by_id not in (None, q.prepared_by_id) else None,
                        q.updated_at, q.total, q.effective_bp, q.needs, q.version) if listed else
         QUEUE_ITEM.Row(q.id, q.number, None, None, None, None, None, None, None, None, q.version) for q in items),
        currency=current_settings()["currency"], done=str(done) if done else None, error=str(error) if error else None,
        listed=listed, in_list=in_list)


def _approvals():
    items = queries.queue(current_user, today())
    return render("quotes/approvals.html", items=_queue_items(items, in_list=True) if items else None)


@bp.get("/manager/approvals")
def manager_approvals():
    if current_user.role != "manager":
        abort(403)
    return _approvals()


@bp.get("/ops/approvals")
def ops_approvals():
    if current_user.role != "ops":
        abort(403)
    return _approvals()
