from flask import flash, redirect, request
from flask_login import current_user

from ...core.i18n import _
from ...models import PERIODS
from ...web.rows import RowTemplate
from ...figures import metrics
from ...targets import forms, rules as targets
from ...figures.metrics import Period
from ...core.clock import local_today
from ...web.pages import render, url_with
from .blueprint import bp


# one line of the sheet: what it shows, its typed text and its error
LINE = RowTemplate("targets/_line.html", "field name last_year suggested text error parts",
                   look=("team", "growth_label"))


def _lines(state):
    """A function writing lines of the sheet in this state (the template calls it per group)."""
    def write(lines, team=False):
        return LINE.write((LINE.Row(line.field, line.name, line.last_year, state["suggested"].get(line.field),
                                    state["texts"].get(line.field, ""),
                                    str(state["errors"][line.field]) if state["errors"].get(line.field) else None,
                                    line.parts)
                           for line in lines), team=team, growth_label=state["growth_label"])
    return write


@bp.route("/targets", methods=["GET", "POST"])
def sheet():
    period = Period.chosen(request.args.get("period"), request.args.get("kind"), local_today())
    if period.kind not in PERIODS:  # targets are monthly, quarterly or yearly; a week asks for its month
        period = Period.of("month", period.start)
    asked = request.args.get("period")
    if request.method == "POST" and asked and Period.parse(asked) is None:  # never saved into another period
        flash(_("Nothing saved: choose a period such as 2026-11, 2026-Q4 or 2026."), "error")
        return redirect(url_with(period=period.key, kind=None), 303)
    groups = metrics.target_sheet(current_user, period)
    if request.method == "GET":
        state = targets.shown(groups, request.args.get("growth", "10"))
        return render("targets/sheet.html", period=period, groups=groups, target_lines=_lines(state), **state)
    again, saved = targets.handle(current_user, period, groups, forms.posted(groups, request.form))
    if again is None:
        flash(_("Targets saved: %(n)d changed.", n=saved), "success")
        return redirect(url_with(period=period.key, kind=None), 303)
    return render("targets/sheet.html", status=422 if again["errors"] else 200, period=period, groups=groups,
                  target_lines=_lines(again), **again)
