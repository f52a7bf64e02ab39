"""Team budgets per quarter: ops sets them, a team's manager sees theirs, everyone in view sees used vs planned."""
import re

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from ..core.i18n import _
from ..models import EXPENSE_CATEGORIES, EXPENSE_CATEGORY_LABELS, Team
from ..web.rows import RowTemplate
from ..core import audit
from . import budgets, queries
from ..core.errors import Invalid
from ..core.money import parse_amount
from ..web.downloads import csv_download
from ..core.clock import local_today
from ..web.pages import Page, page_number, render
from .blueprint import bp

VIEWERS = ("manager", "support", "ops", "admin")
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def _quarter(strict=False):
    """The quarter asked for ("2026-Q4"), else this one; strict: None when what was asked is not a quarter."""
    found = QUARTER.match(request.args.get("quarter") or request.form.get("quarter") or "")
    if found:
        year, quarter = int(found.group(1)), int(found.group(2))
        if 2000 <= year <= 2100:
            return year, quarter
    return None if strict else queries.quarter_of(local_today())


def _neighbours(year, quarter):
    before = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    after = (year, quarter + 1) if quarter < 4 else (year + 1, 1)
    return [f"{y}-Q{q}" for y, q in (before, after)]


def _viewer():
    if current_user.role not in VIEWERS:
        abort(403)


# one category of a team's quarter, with what was typed for it and why that was refused
LINE = RowTemplate("expenses/_budget_line.html", "team_id team_name category planned spent pending over typed error",
                   look=("editable",))


def _teams_a_page():
    """Teams on a page of the sheet: as many budget lines as a list has rows (five teams of five categories)."""
    return max(1, current_app.config["PAGE_SIZE"] // len(EXPENSE_CATEGORIES))


def _page_of(teams, team_id):
    """The page of the sheet showing the team `team_id` among `teams` (visible_teams), else the first."""
    found = next((i for i, team in enumerate(teams) if team.id == team_id), 0)
    return found // _teams_a_page() + 1


@bp.get("/budgets")
def budget_sheet(status=200, typed=None, errors=None, showing=None):
    """The sheet of a quarter, a page of teams at a time; `showing`: a team whose page to show (its refusals)."""
    _viewer()
    year, quarter = _quarter()
    editable = current_user.role in budgets.EDITORS
    teams = queries.visible_teams(current_user)
    page = Page(lambda offset, limit: queries.team_budgets(current_user, year, quarter, teams[offset:offset + limit],
                                                           offset),
                page_number() if showing is None else _page_of(teams, showing), _teams_a_page(), total=len(teams))

    def lines(team, team_typed, team_errors):
        return LINE.write((LINE.Row(team.team_id, team.name, category, line.planned, line.spent, line.pending,
                                    line.over, team_typed.get(category) if team_typed else None,
                                    str(team_errors[category]) if team_errors.get(category) else None)
                           for category, line in team.lines.items()), editable=editable)
    return render("expenses/budgets.html", status=status, year=year, quarter=quarter,
                  label=f"{year}-Q{quarter}", neighbours=_neighbours(year, quarter),
                  page=page, categories=EXPENSE_CATEGORIES,
                  editable=editable, budget_lines=lines, typed=typed or {}, errors=errors or {})


@bp.post("/budgets/<int:team_id>")
def save_budget(team_id):
    if current_user.role not in budgets.EDITORS:
        abort(403)
    team = Team.get_or_none(Team.id == team_id) or abort(404)
    if _quarter(strict=True) is None:
        flash(_("Nothing saved: choose a quarter such as 2026-Q4."), "error")
        return budget_sheet(422)
    year, quarter = _quarter()
    typed = {c: (request.form.get(c) or "").strip() for c in EXPENSE_CATEGORIES}
    amounts, errors = {}, {}
    for category, text in typed.items():
        try:
            amounts[category] = parse_amount(text) or 0
        except ValueError as refused:
            errors[category] = refused.args[0]
    try:
        if errors:
            raise Invalid(errors)
        changed = budgets.save(current_user, team, year, quarter, amounts)
    except Invalid as invalid:
        flash(_("Nothing saved: check the amounts for %(team)s.", team=team.name), "error")
        return budget_sheet(422, typed={team.id: typed}, errors={team.id: invalid.errors}, showing=team.id)
    flash(_("Budget for %(team)s saved.", team=team.name) if changed else _("Nothing changed."), "success")
    number = _page_of(queries.visible_teams(current_user), team.id)
    return redirect(url_for("expenses.budget_sheet", quarter=f"{year}-Q{quarter}", page=number if number > 1 else None,
                            _anchor=f"team-{team.id}"), 303)


@bp.get("/budgets.csv")
def budget_export():
    _viewer()
    year, quarter = _quarter()
    teams = queries.team_budgets(current_user, year, quarter)
    audit.record("export", actor=current_user, object_type="budget", summary=f"budgets {year}-Q{quarter}")
    header = [_("Team"), _("Category"), _("Planned"), _("Spent"), _("Waiting for approval"), _("Left")]
    rows = ([t.name, str(EXPENSE_CATEGORY_LABELS[c]), *(f"{v / 100:.2f}" for v in (
        line.planned, line.spent, line.pending, line.left))] for t in teams for c, line in t.lines.items())
    return csv_download(header, rows, f"budgets-{year}-Q{quarter}.csv")
