from flask import flash, redirect, request
from flask_login import current_user

from ..i18n import _
from ..models import PERIODS
from ..services import targets
from ..services.metrics import Period
from ..web import local_today, remembered, render, url_with
from . import bp


@bp.route("/targets", methods=["GET", "POST"])
def targets_sheet():
    period = Period.chosen(request.args.get("period"), request.args.get("kind"), local_today())
    if period.kind not in PERIODS:  # targets are monthly, quarterly or yearly; a week asks for its month
        period = Period.of("month", period.start)
    groups = remembered("targets-sheet", (current_user.id, period.key), lambda: targets.sheet(current_user, period))
    if request.method == "GET":
        return render("manager/targets.html", period=period, groups=groups,
                      **targets.shown(groups, request.args.get("growth", "10")))
    sheet, saved = targets.handle(current_user, period, groups, request.form)
    if sheet is None:
        flash(_("Targets saved: %(n)d changed.", n=saved), "success")
        return redirect(url_with(period=period.key, kind=None), 303)
    return render("manager/targets.html", status=422 if sheet["errors"] else 200, period=period, groups=groups,
                  **sheet)
