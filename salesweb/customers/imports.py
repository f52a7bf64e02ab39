"""CSV import of customers (support, ops): upload, map columns, preview, commit."""
import hashlib
import json

from flask import abort, current_app, flash, redirect, url_for
from flask_login import current_user

from ..core.access import role_required
from ..core.i18n import _
from . import importer as imports
from ..infra import storage
from ..core.errors import Invalid
from ..web.pages import apply_errors, render, submit
from ..core.settings import current_settings
from .blueprint import bp
from .forms import CommitForm, UploadForm, mapping_form

IMPORTERS = ("support", "ops")


def _posted_mapping(form):
    return {t: int(form[t].data) if form[t].data else None for t in imports.TARGETS}


def _plan_key(mapping, on_duplicate):
    """Names what the preview showed, so a commit from a stale page is caught."""
    text = json.dumps([mapping, on_duplicate], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _upload_dir():
    return current_app.config["UPLOAD_DIR"]


def _upload_or_404(token):
    """The upload if the signed-in user made it; anyone else's token simply does not exist."""
    upload = imports.load(_upload_dir(), token, current_user.id)
    if upload is None:
        abort(404)
    return upload


@bp.route("/customers/import", methods=["GET", "POST"])
@role_required(*IMPORTERS)
def import_upload():
    form = UploadForm()
    stored = {}

    def keep():
        storage.checked_filename(form.file.data.filename)  # a path or control characters: refused, as for any upload
        data = form.file.data.stream.read(imports.MAX_BYTES + 1)
        imports.read(data)
        imports.sweep(_upload_dir())
        stored["token"] = imports.store(_upload_dir(), data, current_user.id, form.file.data.filename,
                                        form.on_duplicate.data)

    done, status = submit(form, keep)
    if done:
        return redirect(url_for("customers.import_preview", token=stored["token"]), 303)
    return render("customers/import.html", form=form, report=None, status=status)


def _preview(upload, table, form, status=200, general=()):
    """The mapping form, the counts and the first rows, or why there is no preview yet."""
    mapping, plan = upload.mapping or imports.guess_mapping(table.header), None
    general = list(general)
    try:
        plan = imports.plan(table, mapping, current_user, upload.on_duplicate)
    except Invalid as invalid:
        if not form.errors:  # a refused POST already shows its own messages
            general.extend(apply_errors(form, invalid))
    commit_form = CommitForm(formdata=None, data={"plan_key": _plan_key(mapping, upload.on_duplicate)})
    return render("customers/import_preview.html", upload=upload, table=table, form=form, plan=plan,
                  commit_form=commit_form, general=general, labels=imports.LABELS,
                  max_shown=imports.PREVIEW_ROWS, status=status)


@bp.route("/customers/import/<token>", methods=["GET", "POST"])
@role_required(*IMPORTERS)
def import_preview(token):
    upload = _upload_or_404(token)
    table = imports.read(upload.data)
    form = mapping_form(table.header, upload.mapping or imports.guess_mapping(table.header), upload.on_duplicate)

    def save():
        mapping = _posted_mapping(form)
        imports.check_mapping(mapping, table.header)
        imports.remember(_upload_dir(), upload, mapping, form.on_duplicate.data)

    done, status = submit(form, save)
    if done:
        return redirect(url_for("customers.import_preview", token=upload.token), 303)
    return _preview(upload, table, form, status=status)


@bp.post("/customers/import/<token>/commit")
@role_required(*IMPORTERS)
def import_commit(token):
    upload = _upload_or_404(token)
    table = imports.read(upload.data)
    mapping = upload.mapping or imports.guess_mapping(table.header)
    form = CommitForm()
    back = redirect(url_for("customers.import_preview", token=upload.token), 303)
    if not form.validate_on_submit() or form.plan_key.data != _plan_key(mapping, upload.on_duplicate):
        flash(_("The mapping changed in another window; check the preview again."), "error")
        return back
    try:
        plan = imports.plan(table, mapping, current_user, upload.on_duplicate)
    except Invalid:
        return back  # no name column yet: the preview says so
    if not imports.take(_upload_dir(), upload):
        abort(404)  # committed already, by an earlier click
    try:
        report = imports.commit(plan, current_user, current_settings(), upload)
    except Invalid as invalid:
        imports.put_back(_upload_dir(), upload)
        form = mapping_form(table.header, mapping, upload.on_duplicate)
        return _preview(upload, table, form, status=422, general=invalid.errors.values())
    except Exception:
        imports.put_back(_upload_dir(), upload)
        raise
    imports.finish(_upload_dir(), upload, report)
    return redirect(url_for("customers.import_report", token=upload.token), 303)


@bp.get("/customers/import/<token>/report")
@role_required(*IMPORTERS)
def import_report(token):
    report = imports.load_report(_upload_dir(), token, current_user.id)
    if report is None:
        abort(404)
    return render("customers/import.html", form=UploadForm(formdata=None), report=report)
