import datetime

from flask import abort, flash, make_response, redirect, request, url_for
from flask_babel import format_datetime
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ..core.access import get_visible_or_404
from ..customers import forms as customer_forms
from ..core.db import utcnow
from ..web.forms import as_id, options
from ..core.i18n import _, locale_name
from ..models import Deal, LossReason, Stage, User
from ..quotes.forms import PaymentForm
from ..quotes import contracts, queries as quotes, rules as quote_rules
from ..customers import queries as customers
from . import cards, queries, rules as pipeline
from ..core.errors import Invalid, Stale
from ..web.pages import all_or_nothing, is_fragment_request, render, safe_next, submit
from ..core.clock import local_today as today
from .blueprint import bp
from .forms import BoardFilterForm, CloseForm, DealForm, MoveForm, NextStepForm, QuickAddForm, minor_units

CARDS_PER_COLUMN = 10  # a column's first cards; the rest come with Show more (a screenful on a phone or a laptop)


def _locale():
    return locale_name()


def _deal_or_404(deal_id):
    return get_visible_or_404(Deal, deal_id, current_user, Deal.owner)


def _criteria(values):
    """The board's filters ({name: text}, as `_filter_values` or the filter form's data) as the service takes them;
    anything invalid is simply not applied."""
    owner, tier = values.get("owner") or "", values.get("tier")
    criteria = {"owner": "mine" if owner == "mine" else as_id(owner),
                "tier": tier if tier in ("A", "B", "C") else None,
                "stale": values.get("stale") in (True, "1", "y", "on")}
    start = today()
    quarter = datetime.date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
    periods = {
        "month": (start.replace(day=1), _add_months(start.replace(day=1), 1) - datetime.timedelta(days=1)),
        "quarter": (quarter, _add_months(quarter, 3) - datetime.timedelta(days=1)),
        "next_quarter": (_add_months(quarter, 3), _add_months(quarter, 6) - datetime.timedelta(days=1)),
        "overdue": (None, start - datetime.timedelta(days=1)),
    }
    criteria["close_from"], criteria["close_to"] = periods.get(values.get("close"), (None, None))
    return criteria


def _add_months(day, months):
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


def _filters():
    form = BoardFilterForm(request.args)
    form.close.choices = options([("", _("Any time")), ("month", _("This month")), ("quarter", _("This quarter")),
                                  ("next_quarter", _("Next quarter")), ("overdue", _("Past expected close"))])
    form.tier.choices = options([("", _("Any tier")), ("A", "A"), ("B", "B"), ("C", "C")])
    return form


def _owner_filter(form):
    """The owner filter, or None on a rep's board (theirs alone): {"options"} of a select when few people are in
    reach, else a picker (templates/_person_picker.html) showing {"chosen"}, the person the filter names."""
    if current_user.role == "rep":
        return None
    people = customers.people_listed(current_user, leavers=True)
    if people is not None:
        return {"options": cards.owner_options([(i, name) for i, name, _active in people], form.owner.data)}
    return {"options": None, "chosen": customers.person_in_reach(current_user, as_id(form.owner.data), leavers=True)}


FILTER_KEYS = ("owner", "close", "tier", "stale")


def _filter_values():
    """The board's filters from the query string or, for a move or quick add, from the posted form."""
    return {k: request.values.get(k, "") for k in FILTER_KEYS if request.values.get(k)}


def _board_context(only=None, notice=None, all_stages=None):
    page = only is None and not is_fragment_request()
    form = _filters() if page else BoardFilterForm(MultiDict(_filter_values()))
    all_stages = all_stages if all_stages is not None else queries.stages()
    columns = queries.board(current_user, _criteria(form.data), today(), CARDS_PER_COLUMN, only=only,
                             all_stages=all_stages)
    return dict(filters=form, owner_filter=_owner_filter(form) if page else None, columns=columns,
                stages=all_stages, can_move=pipeline.may_move(current_user),
                quick_form=None, filter_values=_filter_values(),
                locale=_locale(), notice=notice, per_column=CARDS_PER_COLUMN)


@bp.get("/pipeline")
def board():
    return render("pipeline/board.html", block="board", **_board_context())


@bp.get("/pipeline/stages/<int:stage_id>/cards")
def more_cards(stage_id):
    stage = Stage.get_or_none(Stage.id == stage_id) or abort(404)
    offset = request.args.get("offset", "0")
    offset = int(offset) if offset.isdecimal() and len(offset) < 9 else 0
    form = BoardFilterForm(request.args)
    cards = queries.column_cards(current_user, _criteria(form.data), today(), stage.id, offset, CARDS_PER_COLUMN + 1)
    return render("pipeline/_more.html", stage=stage, cards=cards[:CARDS_PER_COLUMN], filter_values=_filter_values(),
                  more=len(cards) > CARDS_PER_COLUMN, offset=offset + CARDS_PER_COLUMN,
                  can_move=pipeline.may_move(current_user), locale=_locale())


def _columns_response(stage_ids, status=200, notice=None, all_stages=None, quick=None):
    """The changed columns, swapped in place (out of band), and the notice if any."""
    context = _board_context(only=set(stage_ids), notice=notice, all_stages=all_stages)
    context["quick_form"], context["quick_stage"] = quick or (None, None)
    context["moved"] = None
    response = make_response(render("pipeline/_moved.html", **context)[0], status)
    response.headers["Vary"] = "HX-Request"
    return response


@bp.get("/pipeline/stages/<int:stage_id>/deals/new")
def quick_add_form(stage_id):
    if not pipeline.may_move(current_user):
        abort(403)
    stage = Stage.get_or_none(Stage.id == stage_id)
    if stage is None or stage.kind != "open":
        abort(404)
    form = QuickAddForm(formdata=None)
    customer_forms.offer(form, None)
    return render("pipeline/_quick_add.html", stage=stage, form=form)


@bp.post("/pipeline/stages/<int:stage_id>/deals")
def quick_add(stage_id):
    """A deal added at the bottom of a column; the answer is that column, or the form with its errors."""
    all_stages = queries.stages()
    stage = next((s for s in all_stages if s.id == stage_id), None) or abort(404)
    form = QuickAddForm()
    customer = _chosen_customer(form)
    customer_forms.offer(form, customer)

    def create():
        if not pipeline.may_move(current_user):
            raise Invalid({None: _("Your role cannot add deals.")})
        owner = current_user if current_user.role in ("rep", "manager") else (
            User.get_or_none(User.id == customer.owner_id) if customer and customer.owner_id else None)
        pipeline.create({"title": form.title.data, "amount": minor_units(form.amount.data)}, customer, owner, stage,
                        current_user)

    done, status = submit(form, create)
    if not is_fragment_request():
        if done:
            flash(_("Deal created."), "success")
        else:
            flash(" ".join(str(e) for errors in form.errors.values() for e in errors) or _("Check the form."), "error")
        return redirect(url_for("pipeline.board"))
    response = _columns_response({stage.id}, status, all_stages=all_stages,
                                 quick=None if done else (form, stage))
    return response


@bp.post("/deals/<int:deal_id>/move")
def move(deal_id):
    deal = queries.deal_to_move(deal_id, current_user) or abort(404)
    all_stages = queries.stages()
    stage = next((s for s in all_stages if s.id == as_id(request.form.get("stage"))), None)
    if stage is None:
        return _refused(deal, _("Unknown stage."), all_stages)
    form = MoveForm() if stage.kind == "open" else CloseForm()
    if not form.validate_on_submit():
        messages = [f"{form[name].label.text}: {' '.join(map(str, errors))}" for name, errors in form.errors.items()
                    if name in form]
        return _refused(deal, " ".join(messages) or _("The move could not be read."), all_stages)
    closing = {} if stage.kind == "open" else dict(lost_reason=form.lost_reason.data, lost_note=form.lost_note.data or "")
    if stage.kind == "won":
        closing.update(won_on=form.won_on.data, amount=minor_units(form.amount.data))
    step = dict(next_step=form.next_step.data, next_step_due=form.next_step_due.data) if stage.kind == "open" else {}
    try:
        moved = pipeline.move(deal, stage, form.version.data, current_user, before_id=as_id(form.before.data),
                              after_id=as_id(form.after.data), today=today(), all_stages=all_stages, **closing, **step)
    except Stale as stale:
        return _conflict(stale, all_stages)
    except Invalid as invalid:
        return _refused(deal, " ".join(str(m) for m in invalid.errors.values()), all_stages)
    if not is_fragment_request():
        flash(_("Moved to %(stage)s.", stage=stage.name(_locale())), "success")
        return redirect(safe_next(request.form.get("next")) or url_for("pipeline.board"))
    # the deal as read, now moved (an older copy would have been read afresh, and this one was read just now); a
    # move to or from Won recomputed the customer's tier, which the card shows: read it again
    won = any(s.kind == "won" for s in all_stages if s.id in moved.stages)
    card = queries.card_of(deal, all_stages, today()) if moved.deal is deal and not won else queries.card(
        moved.deal.id, all_stages, today())
    # a move into another open stage that came without a next step offers to set one
    offered = stage.kind == "open" and len(moved.stages) > 1 and not (form.next_step.data or "").strip()
    return _moved_response(moved.stages, card, all_stages, offer=card if offered else None)


def _conflict(stale, all_stages):
    """Someone changed the deal first: the board as it is, and who changed it when."""
    who, when = queries.last_change(stale.current)
    message = _("%(who)s changed “%(title)s” at %(when)s; the board shows it as it is now.",
                who=who.name if who else _("Someone"), title=stale.current.title,
                when=_short_time(when))
    if not is_fragment_request():
        flash(message, "error")
        return redirect(url_for("pipeline.board"))
    # every column: the stale page may show the card in a column neither move touched
    return _columns_response({s.id for s in all_stages}, 409, notice=message, all_stages=all_stages)


def _moved_response(stage_ids, card, all_stages, notice=None, offer=None):
    """A change that happened: the card as it is now and its columns' new totals (and, after a move without a
    next step, the offer to set one)."""
    criteria = _criteria(_filter_values())
    heads = queries.column_heads(current_user, criteria, today(), [s for s in all_stages if s.id in stage_ids],
                                  all_stages)
    response = make_response(render("pipeline/_moved.html", moved=card,
                                    columns=heads, can_move=True, locale=_locale(),
                                    notice=notice, offer=offer, offer_form=None)[0])
    response.headers["Vary"] = "HX-Request"
    return response


@bp.post("/deals/<int:deal_id>/next-step")
@all_or_nothing
def set_next_step(deal_id):
    """The next step offered on the board after a move: the card answers with it, or the offer with what is
    wrong."""
    if not pipeline.may_move(current_user):
        abort(403)
    deal = queries.deal_to_move(deal_id, current_user) or abort(404)
    all_stages = queries.stages()
    form = NextStepForm()
    if form.validate_on_submit():
        try:
            pipeline.set_next_step(deal, form.version.data, current_user, form.next_step.data,
                                   form.next_step_due.data, today(), all_stages=all_stages)
        except Stale as stale:
            return _conflict(stale, all_stages)
        except Invalid as invalid:
            form.form_errors.extend(str(m) for m in invalid.errors.values())
        else:
            if not is_fragment_request():
                flash(_("Next step saved."), "success")
                return redirect(url_for("pipeline.deal", deal_id=deal.id))
            return _moved_response({deal.stage_id}, queries.card_of(deal, all_stages, today()), all_stages,
                                   notice=_("Next step saved."))
    problem = " ".join([f"{form[name].label.text}: {' '.join(map(str, errors))}" for name, errors in form.errors.items()
                        if name in form] + list(form.form_errors)) or _("Check the form.")
    if not is_fragment_request():
        flash(problem, "error")
        return redirect(url_for("pipeline.deal", deal_id=deal.id))
    response = make_response(render("pipeline/_moved.html", moved=None, columns=[], can_move=True, locale=_locale(),
                                    notice=problem, offer=deal, offer_form=form, per_column=CARDS_PER_COLUMN,
                                    filter_values={})[0], 422)
    response.headers["Vary"] = "HX-Request"
    return response


def _refused(deal, message, all_stages):
    """A move that cannot happen: the columns as they are (the card goes back) and why, 422."""
    if not is_fragment_request():
        flash(message, "error")
        return redirect(url_for("pipeline.deal", deal_id=deal.id))
    wanted = as_id(request.form.get("stage"))
    shown = {deal.stage_id} | ({wanted} if any(s.id == wanted for s in all_stages) else set())
    return _columns_response(shown, 422, notice=message, all_stages=all_stages)


def _short_time(when):
    return format_datetime(when, "short") if when else "—"


@bp.get("/deals/<int:deal_id>/close")
def close(deal_id):
    """The reason (Lost) or confirmation (Won) a closing move needs: a dialog on the board, a page without script."""
    if not pipeline.may_move(current_user):
        abort(403)
    deal = _deal_or_404(deal_id)
    stage = Stage.get_or_none(Stage.id == as_id(request.args.get("stage")))
    if stage is None or stage.kind == "open":
        abort(404)
    seen = as_id(request.args.get("version"))  # the version the board showed; a stale one ends in 409
    form = CloseForm(formdata=None, stage=stage.id, version=seen if seen is not None else deal.version,
                    before=request.args.get("before", ""),
                    after=request.args.get("after", ""), amount=deal.amount / 100, won_on=today())
    reasons = list(LossReason.select().where(LossReason.active == True).order_by(LossReason.position))  # noqa: E712
    form.lost_reason.choices = options([("", _("Choose…"))] + [(r.id, r.name(_locale())) for r in reasons])
    return render("pipeline/close.html", block="dialog", deal=deal, stage=stage, form=form, locale=_locale())


def _chosen_customer(form, deal=None):
    return customer_forms.chosen(form, deal.customer_id if deal is not None else None)


def _deal_form(form, deal=None):
    customer_forms.offer(form, _chosen_customer(form, deal))
    open_stages = [s for s in queries.stages() if s.kind == "open"]
    form.stage.choices = options([(s.id, s.name(_locale())) for s in open_stages])
    return form


def _owner_field(form, deal=None):
    """The owner's choices, set once its value is: a select of the people in reach when few, else a picker; the
    deal's owner stays a choice even out of reach. {"people", "chosen"} for templates/_person_picker.html."""
    people, chosen = customer_forms.person_field(
        form.owner, keep=deal.owner_id if deal is not None else None,
        keep_name=lambda: User.select(User.name).where(User.id == deal.owner_id).scalar())
    return {"people": people, "chosen": chosen}


def _values(form):
    return {"title": form.title.data, "amount": minor_units(form.amount.data), "probability": form.probability.data,
            "expected_close": form.expected_close.data, "next_step": form.next_step.data,
            "next_step_due": form.next_step_due.data, "notes": form.notes.data}


@bp.route("/deals/new", methods=["GET", "POST"])
def new_deal():
    form = _deal_form(DealForm())
    if request.method == "GET":
        form.owner.data = current_user.id
        stage = as_id(request.args.get("stage"))
        if any(stage == choice.value for choice in form.stage.choices):
            form.stage.data = stage
        if customer_forms.asked_for(form):  # from a customer's page
            _deal_form(form)
    owner_field = _owner_field(form)
    created = {}

    def create():
        customer = _chosen_customer(form)
        created["deal"] = pipeline.create(_values(form), customer, User.get_or_none(User.id == form.owner.data),
                                          Stage.get_or_none(Stage.id == form.stage.data), current_user)

    done, status = submit(form, create)
    if done:
        flash(_("Deal created."), "success")
        return redirect(url_for("pipeline.deal", deal_id=created["deal"].id))
    return render("pipeline/deal_form.html", form=form, deal=None, status=status, owner_field=owner_field)


@bp.route("/deals/<int:deal_id>/edit", methods=["GET", "POST"])
def edit_deal(deal_id):
    deal = _deal_or_404(deal_id)
    form = DealForm(obj=deal if request.method == "GET" else None)
    if request.method == "GET":
        form.amount.data = deal.amount / 100
        form.customer.data, form.owner.data, form.version.data = deal.customer_id, deal.owner_id, deal.version
        form.probability.data = deal.probability if deal.probability_overridden else None
    _deal_form(form, deal)
    owner_field = _owner_field(form, deal)
    del form.stage  # the stage changes by moving, not by editing

    def save():
        customer = _chosen_customer(form, deal)
        version = as_id(form.version.data)
        if version is None:
            raise Invalid({None: _("The form could not be read; reload the page.")})
        pipeline.edit(deal, _values(form), customer, User.get_or_none(User.id == form.owner.data), version,
                      current_user, today=today())

    try:
        done, status = submit(form, save)
    except Stale as stale:
        who, when = queries.last_change(stale.current)
        form.form_errors.append(_("%(who)s changed this deal at %(when)s. Reload it to see their changes.",
                                  who=who.name if who else _("Someone"), when=_short_time(when)))
        done, status = False, 409
    if done:
        flash(_("Saved."), "success")
        return redirect(url_for("pipeline.deal", deal_id=deal.id))
    return render("pipeline/deal_form.html", form=form, deal=deal, status=status, owner_field=owner_field)


@bp.get("/deals/<int:deal_id>")
def deal(deal_id):
    deal = _deal_or_404(deal_id)
    stage_by_id = {s.id: s for s in queries.stages()}
    history, history_more = queries.history(deal)
    customer, owner = queries.deal_people(deal)
    reason = LossReason.get_or_none(LossReason.id == deal.lost_reason_id) if deal.lost_reason_id else None
    notes = customers.latest_notes(deal.customer_id, 20)
    contract = quotes.contract_of_deal(deal)
    return render("pipeline/deal.html", quotes=quotes.of_deal(deal), may_quote=quote_rules.may_prepare(current_user),
                  move_form=MoveForm(formdata=None),
                  contract=contract, standing=quotes.standing(contract, today()) if contract else None,
                  may_contract=contracts.may_edit(current_user), payment_form=PaymentForm(formdata=None,
                                                                                          received_on=today()), deal=deal, customer=customer, owner=owner, stage=stage_by_id[deal.stage_id],
                  stage_by_id=stage_by_id, history=history, history_more=history_more,
                  reason=reason, locale=_locale(), notes=notes,
                  can_move=pipeline.may_move(current_user), today=today(), now=utcnow(),
                  stale=queries.is_stale(deal, utcnow()))
