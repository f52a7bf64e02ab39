"""The team's weekly reports: who has submitted, each report with its figures, a comment."""
import datetime

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from ...core.i18n import _
from ..rep.reports import week_or_404
from ...reports import rules as reports
from ...visits.forms import CommentForm, ReportForm
from ...core.settings import current_settings
from ...core.clock import local_today as today
from ...web.pages import render, submit
from .blueprint import bp


@bp.get("/reports")
def team_reports():
    try:
        year, week = (int(p) for p in request.args.get("week", "").split("-W"))
        reports.week_days(year, week)
    except ValueError:
        year, week, _day = (today() - datetime.timedelta(days=7)).isocalendar()  # last week: the one to read
    monday, next_monday = reports.week_days(year, week)
    previous, following = (monday - datetime.timedelta(days=7)).isocalendar(), next_monday.isocalendar()
    rows = reports.team_status(current_user, year, week)
    return render("reports/team.html", rows=rows, submitted=sum(1 for _rep, r in rows if r and r.submitted_at),
                  year=year, week=week,
                  monday=monday, previous=f"{previous[0]}-W{previous[1]}", following=f"{following[0]}-W{following[1]}")


@bp.route("/reports/<int:rep_id>/<int:year>-W<int:week>", methods=["GET", "POST"])
def team_report(rep_id, year, week):
    week_or_404(year, week)
    rep = reports.in_team(current_user, rep_id) or abort(404)
    saved = reports.find(rep, year, week)
    comment_form = CommentForm()
    if request.method == "POST":
        done, status = submit(comment_form, lambda: reports.comment(saved or abort(404), comment_form.body.data,
                                                                   current_user))
        if done:
            flash(_("Comment added."), "success")
            return redirect(url_for("manager.team_report", rep_id=rep.id, year=year, week=week), 303)
    else:
        status = 200
    return render("reports/week.html", form=ReportForm(obj=saved, formdata=None), report=saved, rep=rep, year=year,
                  week=week, figures=reports.figures_of(saved, rep, year, week, current_settings()), status=status, today=today(),
                  comment_form=comment_form, editable=False)
