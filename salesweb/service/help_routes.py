"""Help requests: ask from the field, the thread, claim, answer, close; the desk's queue is at /support/requests."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from ..customers import forms as customer_forms
from ..web.forms import as_id, uploaded
from ..core.i18n import _
from ..models import Deal, HelpRequest, StoredFile
from . import help, queries
from ..pipeline import queries as pipeline
from ..core.errors import Invalid, Stale
from ..core.settings import current_settings
from ..web.pages import render, submit
from ..web.downloads import send_stored
from .blueprint import bp
from .forms import AskForm, ReplyForm, VersionForm


def _request_or_404(request_id):
    """The request with its people, customer and deal, if the user may see it."""
    found = queries.help_with_people(queries.help_scope(current_user)).where(HelpRequest.id == request_id).first()
    return found or abort(404)


def _version(form):
    return as_id(form.version.data) or 0


@bp.get("/requests")
def my_requests():
    if help.is_desk(current_user):
        return redirect(url_for("support.requests"))
    return render("service/requests.html", requests=queries.help_asked_by(current_user), desk=False,
                  may_ask=help.may_ask(current_user))


@bp.route("/requests/new", methods=["GET", "POST"])
def ask():
    if not help.may_ask(current_user):
        abort(403)
    form = AskForm()
    deal = None
    deal_id = as_id(form.deal.data or request.args.get("deal"))
    if deal_id:
        deal = pipeline.scope(current_user).where(Deal.id == deal_id).first() or abort(404)
    asked = customer_forms.asked_for(form) if request.method == "GET" and deal is None else None
    customer = asked or customer_forms.chosen(form, keep_id=deal.customer_id if deal else None)
    unknown = customer is None and form.customer.data is not None  # an id of none of the user's customers
    customer_forms.offer(form, customer)
    made = {}

    def save():
        stored = uploaded(form.file)
        typed = (request.form.get("customer_name") or "").strip()
        if customer is None and (typed or unknown):  # typed and not picked from the list, or not theirs
            raise Invalid({"customer": _("Choose one of your customers from the list.")})
        made["request"] = help.ask(current_user, form.question.data, form.urgency.data,
                                   customer.id if customer else None, deal.id if deal else None, upload=stored,
                                   zone=current_settings()["timezone"])

    done, status = submit(form, save)
    if done:
        flash(_("Your question is with sales support. You will be notified of replies."), "success")
        return redirect(url_for("service.detail", request_id=made["request"].id), 303)
    form.deal.data = deal.id if deal else ""
    return render("service/ask.html", form=form, deal=deal, status=status)


def _page(found, status=200, reply_form=None):
    return render("service/request.html", item=found, thread=queries.help_thread(found),
                  reply_form=reply_form or ReplyForm(formdata=None, version=found.version),
                  action_form=VersionForm(formdata=None, version=found.version), desk=help.is_desk(current_user),
                  status=status)


@bp.get("/requests/<int:request_id>")
def detail(request_id):
    return _page(_request_or_404(request_id))


def _moved(request_id, action):
    """Run a state change; a refusal or someone else's change is flashed, and the page shows what is now."""
    try:
        action()
    except Invalid as refused:
        flash(" ".join(str(m) for m in refused.errors.values()), "error")
    except Stale:
        flash(_("Someone else changed this request meanwhile; here it is as it is now."), "error")
    return redirect(url_for("service.detail", request_id=request_id), 303)


def _versioned(request_id, action):
    """A button that moves the request on: its form carries only the version the person saw."""
    found = _request_or_404(request_id)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    return _moved(found.id, lambda: action(found, _version(form), current_user))


@bp.post("/requests/<int:request_id>/claim")
def claim(request_id):
    return _versioned(request_id, help.claim)


@bp.post("/requests/<int:request_id>/close")
def close(request_id):
    return _versioned(request_id, help.close)


@bp.post("/requests/<int:request_id>/reply")
def reply(request_id):
    found = _request_or_404(request_id)
    form = ReplyForm()
    answered = request.form.get("action") == "answer"

    def save():
        try:
            help.reply(found, _version(form), form.body.data, current_user, answered=answered)
        except Stale:
            raise Invalid({None: _("Someone else changed this request meanwhile; reload to see it.")}) from None

    done, status = submit(form, save)
    if done:
        return redirect(url_for("service.detail", request_id=found.id) + "#thread", 303)
    return _page(found, status=status, reply_form=form)


@bp.get("/requests/<int:request_id>/file")
def attachment(request_id):
    found = _request_or_404(request_id)
    if found.file_id is None:
        abort(404)
    return send_stored(StoredFile.get_by_id(found.file_id), found.file_name or "attachment", inline=True)
