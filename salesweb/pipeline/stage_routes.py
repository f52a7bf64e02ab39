"""The stage editor, for ops: the pipeline's stages and the reasons a deal can be lost, at /ops/stages."""
from flask import abort, flash, redirect, request, url_for

from flask_login import current_user

from ..web.forms import as_id
from ..core.i18n import _, locale_name, ngettext
from ..models import STAGE_KIND_LABELS, LossReason, Stage
from . import stages
from ..core.errors import Invalid
from ..web.pages import render, submit
from .blueprint import stage_editor as bp
from .forms import ReasonForm, StageForm


def _stage_or_404(stage_id):
    return Stage.get_or_none(Stage.id == stage_id) or abort(404)


def _reason_or_404(reason_id):
    return LossReason.get_or_none(LossReason.id == reason_id) or abort(404)


def _page(status=200, stage_form=None, reason_form=None, renamed=None, refusal=None, reason_refusal=None):
    """The stages and loss reasons page; a refused form keeps what was typed and its messages."""
    reasons = stages.reasons()
    rename_forms = {r.id: ReasonForm(formdata=None, obj=r) for r in reasons}
    if renamed is not None:
        rename_forms[renamed[0]] = renamed[1]
    return render("pipeline/stages.html", status=status, rows=stages.overview(), reasons=reasons,
                  rename_forms=rename_forms, stage_form=stage_form or StageForm(formdata=None),
                  reason_form=reason_form or ReasonForm(formdata=None), refusal=refusal,
                  reason_refusal=reason_refusal, kind_labels=STAGE_KIND_LABELS, locale=_locale())


def _locale():
    return locale_name()


def _refusal(invalid):
    return " ".join(str(message) for message in invalid.errors.values())


def _attempt(action, refusal="refusal"):
    """Run a service call; a refusal is the page again with its message (422), success is None."""
    try:
        action()
    except Invalid as invalid:
        return _page(422, **{refusal: _refusal(invalid)})
    return None


@bp.get("/stages")
def index():
    return _page()


@bp.post("/stages")
def new_stage():
    form = StageForm()
    created = []
    done, status = submit(form, lambda: created.append(stages.create(form.values(), by=current_user)))
    if done:
        flash(_("Stage “%(name)s” added.", name=created[0].name(_locale())), "success")
        return redirect(url_for("stages.index"))
    return _page(status, stage_form=form)


@bp.route("/stages/<int:stage_id>", methods=["GET", "POST"])
def edit_stage(stage_id):
    stage = _stage_or_404(stage_id)
    form = StageForm(formdata=None, obj=stage) if request.method == "GET" else StageForm()
    done, status = submit(form, lambda: stages.edit(stage, form.values(), by=current_user))
    if done:
        flash(_("Saved."), "success")
        return redirect(url_for("stages.index"))
    return render("pipeline/stage_form.html", status=status, form=form, stage=stage, locale=_locale())


@bp.post("/stages/<int:stage_id>/move")
def move_stage(stage_id):
    stage = _stage_or_404(stage_id)
    refused = _attempt(lambda: stages.reorder(stage, request.form.get("direction"), by=current_user))
    return refused or redirect(url_for("stages.index"))


@bp.post("/stages/<int:stage_id>/delete")
def delete_stage(stage_id):
    stage = _stage_or_404(stage_id)
    refused = _attempt(lambda: stages.delete(stage, by=current_user))
    if refused:
        return refused
    flash(_("Stage “%(name)s” deleted.", name=stage.name(_locale())), "success")
    return redirect(url_for("stages.index"))


@bp.post("/stages/<int:stage_id>/merge")
def merge_stage(stage_id):
    stage = _stage_or_404(stage_id)
    into = as_id(request.form.get("into", ""))
    target = Stage.get_or_none(Stage.id == into) if into is not None else None
    if target is None:
        return _page(422, refusal=str(_("Choose a stage to merge into.")))
    merged = []
    refused = _attempt(lambda: merged.append(stages.merge(stage, target, by=current_user)))
    if refused:
        return refused
    moved = merged[0]
    flash(ngettext("“%(stage)s” merged into “%(into)s”: %(num)d deal moved.",
                   "“%(stage)s” merged into “%(into)s”: %(num)d deals moved.", moved,
                   stage=stage.name(_locale()), into=target.name(_locale())), "success")
    return redirect(url_for("stages.index"))


@bp.post("/loss-reasons")
def new_reason():
    form = ReasonForm()
    added = []
    done, status = submit(form, lambda: added.append(stages.add_reason(form.values(), by=current_user)))
    if done:
        flash(_("Loss reason “%(name)s” added.", name=added[0].name(_locale())), "success")
        return redirect(url_for("stages.index", _anchor="loss-reasons"))
    return _page(status, reason_form=form)


@bp.post("/loss-reasons/<int:reason_id>")
def rename_reason(reason_id):
    reason = _reason_or_404(reason_id)
    form = ReasonForm()
    done, status = submit(form, lambda: stages.rename_reason(reason, form.values(), by=current_user))
    if done:
        flash(_("Saved."), "success")
        return redirect(url_for("stages.index", _anchor="loss-reasons"))
    return _page(status, renamed=(reason.id, form))


@bp.post("/loss-reasons/<int:reason_id>/active")
def set_reason_active(reason_id):
    reason = _reason_or_404(reason_id)
    active = request.form.get("active") == "1"
    refused = _attempt(lambda: stages.set_reason_active(reason, active, by=current_user), "reason_refusal")
    if refused:
        return refused
    flash(_("“%(name)s” is offered again when a deal is lost.", name=reason.name(_locale())) if active else
          _("“%(name)s” is no longer offered; deals lost for it keep it.", name=reason.name(_locale())), "success")
    return redirect(url_for("stages.index", _anchor="loss-reasons"))


@bp.post("/loss-reasons/<int:reason_id>/move")
def move_reason(reason_id):
    reason = _reason_or_404(reason_id)
    refused = _attempt(lambda: stages.reorder_reason(reason, request.form.get("direction"), by=current_user),
                       "reason_refusal")
    return refused or redirect(url_for("stages.index", _anchor="loss-reasons"))
