from flask import flash, redirect, request
from flask_login import current_user

from ...core.i18n import _
from ...models import PERIODS
from ...web.rows import RowTemplate
from ...figures import metrics
from ...targets import forms, rules as targets
from ...figures.metrics import Period
from ...core.clock import local_today
from ...web.pages import Page, page_number, render, url_with
from .blueprint import bp

# A sheet shows whole teams, as many as fit in this many lines (a larger team has a page of its own): a director's
# three hundred reps are not one form.
LINES_PER_PAGE = 25


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


def _pages(teams):
    """The sheet's teams, page by page: [[(team, how many reps), ...], ...], each page whole teams (a team's line
    and its reps')."""
    found, lines = [[]], 0
    for team, reps in teams:
        size = reps + (1 if team is not None else 0)
        if found[-1] and lines + size > LINES_PER_PAGE:
            found.append([])
            lines = 0
        found[-1].append((team, reps))
        lines += size
    return found


@bp.route("/targets", methods=["GET", "POST"])
def sheet():
    period = Period.chosen(request.args.get("period"), request.args.get("kind"), local_today())
    if period.kind not in PERIODS:  # targets are monthly, quarterly or yearly; a week asks for its month
        period = Period.of("month", period.start)
    asked = request.args.get("period")
    if request.method == "POST" and asked and Period.parse(asked) is None:  # never saved into another period
        flash(_("Nothing saved: choose a period such as 2026-11, 2026-Q4 or 2026."), "error")
        return redirect(url_with(period=period.key, kind=None), 303)
    pages = _pages(metrics.sheet_teams(current_user, period))
    page = Page(lambda offset, _limit: pages[offset], page_number(), 1, total=len(pages))
    # the teams of this page, their reps and figures read for them alone: its form saves their lines only
    groups = metrics.target_sheet(current_user, period, metrics.sheet_reps(current_user, page.items))
    if request.method == "GET":
        state = targets.shown(groups, request.args.get("growth", "10"))
        return render("targets/sheet.html", period=period, groups=groups, page=page, target_lines=_lines(state),
                      **state)
    again, saved = targets.handle(current_user, period, groups, forms.posted(groups, request.form))
    if again is None:
        flash(_("Targets saved: %(n)d changed.", n=saved), "success")
        return redirect(url_with(period=period.key, kind=None), 303)
    return render("targets/sheet.html", status=422 if again["errors"] else 200, period=period, groups=groups,
                  page=page, target_lines=_lines(again), **again)
