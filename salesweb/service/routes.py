"""Customer feedback and complaints: the list with its deadlines, logging one on a customer, the case page
(first response, resolution, satisfaction), and the links a rep sends a customer."""
from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from ..core.access import get_visible_or_404
from ..web.forms import as_id
from ..core.i18n import _
from ..models import Customer, CustomerLink, Feedback
from ..web.rows import RowTemplate
from . import help, links as customer_links, queries, rules as feedback
from ..core.errors import Invalid, Stale
from ..core.db import utcnow
from ..web.pages import Page, all_or_nothing, is_fragment_request, page_number, render, submit
from ..core.clock import local_today as today
from ..core.settings import current_settings
from .blueprint import bp
from .forms import CloseForm, FeedbackFilterForm, FeedbackForm, LinkForm, ResolveForm, RespondForm


def _keeper():
    if not feedback.may_keep(current_user):
        abort(403)


def _customer_or_404(customer_id):
    return get_visible_or_404(Customer, customer_id, current_user, Customer.owner)


def _feedback_or_404(feedback_id):
    return queries.scope(current_user).where(Feedback.id == feedback_id).first() or abort(404)


# a feedback case in a list (the feedback list, support's desk), its state as of now
CASE_ROW = RowTemplate("service/_feedback_row.html", "id kind customer_name state severity channel created_at "
                       "response_due_at escalated description")


def feedback_rows(cases, now):
    """The cases (as queries.listing gives them) as a list shows them."""
    return CASE_ROW.write(CASE_ROW.Row(c.id, c.kind, c.customer_name, queries.state(c, now), c.severity, c.channel,
                                       c.created_at, c.response_due_at, c.escalated_at is not None, c.description)
                          for c in cases)


@bp.get("/feedback")
def feedback_list():
    _keeper()
    form = FeedbackFilterForm(request.args)
    show = form.show.data if form.show.data in queries.LIST_FILTERS else "waiting"
    now = utcnow()
    fetch, count = queries.listing(current_user, show, form.kind.data, now)
    page = Page(fetch, page_number(), current_app.config["PAGE_SIZE"], total=count())
    return render("service/feedback_list.html", form=form, page=page, show=show, now=now)


@bp.route("/customers/<int:customer_id>/feedback/new", methods=["GET", "POST"])
def log(customer_id):
    _keeper()
    customer = _customer_or_404(customer_id)
    form = FeedbackForm()
    made = {}

    def save():
        made["feedback"] = feedback.log(customer, form.kind.data, form.channel.data, form.severity.data,
                                        form.description.data, form.response.data, current_user, current_settings())

    done, status = submit(form, save)
    if done:
        flash(_("Feedback logged."), "success")
        return redirect(url_for("service.case", feedback_id=made["feedback"].id), 303)
    return render("service/feedback_form.html", form=form, customer=customer, status=status)


def _case_page(case, status=200, **forms):
    version = case.version
    blank = {"respond": RespondForm(formdata=None, version=version, severity=case.severity),
             "resolve": ResolveForm(formdata=None, version=version),
             "close": CloseForm(formdata=None, version=version)}
    blank.update(forms)
    return render("service/feedback.html", case=case, people=queries.people_of(case), now=utcnow(),
                  respond_form=blank["respond"], resolve_form=blank["resolve"], close_form=blank["close"],
                  status=status)


@bp.get("/feedback/<int:feedback_id>")
def case(feedback_id):
    return _case_page(_feedback_or_404(feedback_id))


def _step(feedback_id, form, name, action):
    """One step of a case from its form; refusals land on that form, a lost race says so."""
    _keeper()
    found = _feedback_or_404(feedback_id)

    def run():
        try:
            action(found, as_id(form.version.data) or 0)
        except Stale:
            raise Invalid({None: _("Someone else updated this case meanwhile; reload to see it.")}) from None

    done, status = submit(form, run)
    if done:
        return redirect(url_for("service.case", feedback_id=found.id), 303)
    return _case_page(found, status=status, **{name: form})


@bp.post("/feedback/<int:feedback_id>/respond")
def respond(feedback_id):
    form = RespondForm()
    return _step(feedback_id, form, "respond", lambda case, version: feedback.respond(
        case, version, form.response.data, form.severity.data, current_user))


@bp.post("/feedback/<int:feedback_id>/resolve")
def resolve(feedback_id):
    form = ResolveForm()
    return _step(feedback_id, form, "resolve", lambda case, version: feedback.resolve(
        case, version, form.resolution.data, current_user, current_settings(), today()))


@bp.post("/feedback/<int:feedback_id>/close")
def close_case(feedback_id):
    form = CloseForm()
    return _step(feedback_id, form, "close", lambda case, version: feedback.close(
        case, version, form.satisfaction.data, current_user))


@bp.post("/customers/<int:customer_id>/links")
@all_or_nothing
def send_link(customer_id):
    customer = _customer_or_404(customer_id)
    form = LinkForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        link = customer_links.create(customer, form.purpose.data, current_user, current_settings())
    except Invalid as refused:
        if is_fragment_request():
            return _service_section(customer, error=" ".join(str(m) for m in refused.errors.values()), status=422)
        flash(" ".join(str(m) for m in refused.errors.values()), "error")
        return redirect(url_for("customers.detail", customer_id=customer.id) + "#service", 303)
    if is_fragment_request():  # the section comes back in place, the new link at its top, where the button was tapped
        return _service_section(customer, new_link=link)
    flash(_("Link created: copy it and send it to the customer."), "success")
    return redirect(url_for("customers.detail", customer_id=customer.id, link=link.id) + "#service", 303)


def _service_section(customer, new_link=None, error=None, status=200):
    """The customer page's feedback and service section, as that page shows it."""
    return render("service/_customer_section.html", status=status, customer=customer, new_link=new_link,
                  link_error=error, may_send_links=customer_links.may_send(current_user),
                  may_log_feedback=feedback.may_keep(current_user), may_ask=help.may_ask(current_user))


@bp.post("/links/<int:link_id>/revoke")
@all_or_nothing
def revoke_link(link_id):
    link = CustomerLink.get_or_none(CustomerLink.id == link_id) or abort(404)
    customer = _customer_or_404(link.customer_id)
    form = LinkForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        customer_links.revoke(link, current_user)
        flash(_("Link revoked."), "success")
    except Invalid as refused:
        flash(" ".join(str(m) for m in refused.errors.values()), "error")
    return redirect(url_for("customers.detail", customer_id=customer.id) + "#service", 303)
