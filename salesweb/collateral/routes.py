from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from ..core.access import role_required
from ..customers import forms as customer_forms
from ..core.i18n import _
from ..models import COLLATERAL_KIND_LABELS, LANGUAGE_LABELS
from . import queries, rules as collateral
from ..web.forms import upload_limits
from ..web.rows import RowTemplate
from ..core.errors import Invalid
from ..web.pages import Page, is_fragment_request, page_number, render, safe_next, submit
from ..web.downloads import send_stored
from ..core.settings import current_settings
from ..core.db import utcnow
from .blueprint import bp
from .forms import FilterForm, ItemFields, ShareForm, UploadForm, VersionForm
from .public_routes import counts_as_download

EDITORS = collateral.EDITORS
# an item in the library, with its current file and its tags
LIST_ROW = RowTemplate("collateral/_row.html", "id kind archived title file_kind size version_count updated_at "
                       "download_count tags")


def _item_or_404(item_id):
    return queries.get_item(item_id, with_archived=collateral.may_edit(current_user)) or abort(404)


def _upload(form):
    return form.file.data.stream, form.file.data.filename


def _values(form):
    return {name: getattr(form, name).data for name in ("title", "kind", "language", "tags", "description", "note")
            if hasattr(form, name)}


@bp.get("/collateral")
def index():
    filters = FilterForm(request.args)
    filters.product.choices = [("", _("Any product"))] + queries.products()
    may_edit = collateral.may_edit(current_user)
    criteria = filters.criteria(may_edit)
    fetch, total = queries.listed(criteria)
    page = Page(fetch, page_number(), current_app.config["PAGE_SIZE"], total=total)
    tags = queries.tags_of([item[0] for item in page.items])
    rows = LIST_ROW.write(LIST_ROW.Row(*item, tuple(tags[item[0]])) for item in page.items)
    return render("collateral/index.html", block="list", filters=filters, criteria=criteria, page=page, rows=rows,
                  may_edit=may_edit)


@bp.route("/collateral/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def new():
    form = UploadForm()
    created = {}

    def create():
        created["item"] = collateral.create(_values(form), _upload(form), current_user, *upload_limits(),
                                            zone=current_settings()["timezone"])

    done, status = submit(form, create)
    if done:
        flash(_("Uploaded."), "success")
        return redirect(url_for("collateral.item", item_id=created["item"].id), 303)
    return render("collateral/upload.html", form=form, status=status)


def _item_page(item, block=None, status=200, version_form=None, share_form=None, link=None):
    """The item's page; `item`: an `ItemPage` (queries.item_page, or item_page_of a model read for a form)."""
    if share_form is None:
        share_form = ShareForm(formdata=None)
        customer_forms.offer(share_form, None)
    shares = queries.shares_on_page(item.id, current_user)
    now = utcnow()
    states = {s.id: queries.share_state(s.revoked_at, s.expires_at, item.archived, now) for s in shares}
    return render("collateral/item.html", block=block, status=status,
                  item=item, tags=queries.tags_of_item(item.id), versions=queries.version_history(item.id),
                  shares=shares, states=states,
                  revocable={s.id for s in shares if states[s.id] == "active" and collateral.may_revoke(s, current_user)},
                  version_form=version_form or VersionForm(formdata=None), share_form=share_form, link=link,
                  kind_labels=COLLATERAL_KIND_LABELS, language_labels=LANGUAGE_LABELS,
                  may_share=collateral.may_share(current_user) and not item.archived,
                  may_edit=collateral.may_edit(current_user))


@bp.get("/collateral/<int:item_id>")
def item(item_id):
    return _item_page(queries.item_page(item_id, with_archived=collateral.may_edit(current_user)) or abort(404))


@bp.route("/collateral/<int:item_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit(item_id):
    item = _item_or_404(item_id)
    form = ItemFields(obj=item if request.method == "GET" else None)
    if request.method == "GET":
        form.tags.data = ", ".join(queries.tags_of([item.id])[item.id])
    done, status = submit(form, lambda: collateral.update(item, _values(form), current_user))
    if done:
        flash(_("Saved."), "success")
        return redirect(url_for("collateral.item", item_id=item.id), 303)
    return render("collateral/edit.html", form=form, item=item, status=status)


@bp.post("/collateral/<int:item_id>/versions")
@role_required(*EDITORS)
def add_version(item_id):
    item = _item_or_404(item_id)
    form = VersionForm()
    done, status = submit(form, lambda: collateral.add_version(item, _upload(form), form.note.data, current_user,
                                                                *upload_limits(),
                                                                zone=current_settings()["timezone"]))
    if done:
        flash(_("Version %(n)d uploaded.", n=item.version_count), "success")
        return redirect(url_for("collateral.item", item_id=item.id), 303)
    return _item_page(queries.item_page_of(item), status=status, version_form=form)


@bp.post("/collateral/<int:item_id>/archive")
@role_required(*EDITORS)
def archive(item_id):
    item = _item_or_404(item_id)
    archived = request.form.get("archived") != "0"
    collateral.set_archived(item, archived, current_user)
    flash(_("Archived: it no longer appears in the library.") if archived else _("Restored to the library."),
          "success")
    return redirect(url_for("collateral.item", item_id=item.id), 303)


def _download(item, version):
    response = send_stored(version.file, version.filename, inline=request.args.get("inline") == "1")
    if counts_as_download(response):
        collateral.record_download(item, version, user=current_user)
    return response


@bp.get("/collateral/<int:item_id>/download")
def download(item_id):
    item = _item_or_404(item_id)
    return _download(item, item.current)


@bp.get("/collateral/<int:item_id>/versions/<int:version_id>/download")
def download_version(item_id, version_id):
    item = _item_or_404(item_id)
    return _download(item, queries.get_version(item, version_id) or abort(404))


@bp.post("/collateral/<int:item_id>/share")
@role_required(*collateral.SHARERS)
def share(item_id):
    item = _item_or_404(item_id)
    form = ShareForm()
    customer = customer_forms.chosen(form)
    customer_forms.offer(form, customer)
    made = {}

    def create():
        if customer is None:
            raise Invalid({"customer": _("Choose one of your customers.")})
        made["link"] = collateral.share(item, customer, current_user, current_settings()["share_link_days"])

    done, status = submit(form, create)
    if done and not is_fragment_request():  # without JavaScript: back to the page, where the link waits to be copied
        flash(_("Link for %(customer)s created.", customer=customer.name), "success")
        return redirect(url_for("collateral.item", item_id=item.id) + "#share-panel", 303)
    if done:
        return _item_page(queries.item_page_of(item), block="share",
                          link=queries.get_share(made["link"].id, current_user))
    return _item_page(queries.item_page_of(item), block="share", status=status, share_form=form)


@bp.post("/collateral/shares/<int:share_id>/revoke")
def revoke(share_id):
    link = queries.get_share(share_id, current_user) or abort(404)
    try:
        collateral.revoke(link, current_user)
        flash(_("The link no longer works."), "success")
    except Invalid as refused:
        flash(str(refused), "error")
    return redirect(safe_next(request.form.get("next")) or url_for("collateral.item", item_id=link.item_id), 303)

