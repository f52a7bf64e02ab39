"""The weekly report's pages: a rep's own, /rep/reports/<year>-W<week> (`own`); a manager's team's, who has
submitted and each report with its figures and a comment, /manager/reports (`team`)."""
import datetime

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from ..core.i18n import _
from . import queries, rules as reports
from ..visits.forms import CommentForm
from ..core.settings import current_settings
from ..core.clock import local_today as today
from ..web.pages import render, submit
from .blueprint import own, team
from .forms import ReportForm


def week_or_404(year, week):
    try:
        queries.week_days(year, week)
    except ValueError:
        abort(404)


@own.get("/reports", endpoint="this_week")
def this_week_report():
    year, week, _day = today().isocalendar()
    return redirect(url_for("rep_reports.report", year=year, week=week))


@own.route("/reports/<int:year>-W<int:week>", methods=["GET", "POST"], endpoint="report")
def report(year, week):
    week_or_404(year, week)
    saved = queries.find(current_user, year, week)
    form = ReportForm(obj=saved if request.method == "GET" else None)
    sending = request.form.get("action") == "submit"
    done, status = submit(form, lambda: reports.save(current_user, year, week, form.data, sending, today(),
                                                     settings=current_settings()))
    if done:
        flash(_("Report submitted to your manager.") if sending else _("Draft saved."), "success")
        return redirect(url_for("rep_reports.report", year=year, week=week), 303)
    previous = (queries.week_days(year, week)[0] - datetime.timedelta(days=7)).isocalendar()
    return render("reports/week.html", previous=previous, form=form, report=saved, rep=current_user, year=year, week=week,
                  figures=queries.figures_of(saved, current_user, year, week, current_settings()), status=status, today=today(),
                  comment_form=CommentForm(formdata=None), editable=saved is None or saved.submitted_at is None)


@team.get("/reports", endpoint="index")
def team_reports():
    try:
        year, week = (int(p) for p in request.args.get("week", "").split("-W"))
        queries.week_days(year, week)
    except ValueError:
        year, week, _day = (today() - datetime.timedelta(days=7)).isocalendar()  # last week: the one to read
    monday, next_monday = queries.week_days(year, week)
    previous, following = (monday - datetime.timedelta(days=7)).isocalendar(), next_monday.isocalendar()
    rows = queries.team_status(current_user, year, week)
    return render("reports/team.html", rows=rows, submitted=sum(1 for _rep, r in rows if r and r.submitted_at),
                  year=year, week=week,
                  monday=monday, previous=f"{previous[0]}-W{previous[1]}", following=f"{following[0]}-W{following[1]}")


@team.route("/reports/<int:rep_id>/<int:year>-W<int:week>", methods=["GET", "POST"], endpoint="report")
def team_report(rep_id, year, week):
    week_or_404(year, week)
    rep = queries.in_team(current_user, rep_id) or abort(404)
    saved = queries.find(rep, year, week)
    comment_form = CommentForm()
    if request.method == "POST":
        done, status = submit(comment_form, lambda: reports.comment(saved or abort(404), comment_form.body.data,
                                                                   current_user))
        if done:
            flash(_("Comment added."), "success")
            return redirect(url_for("team_reports.report", rep_id=rep.id, year=year, week=week), 303)
    else:
        status = 200
    return render("reports/week.html", form=ReportForm(obj=saved, formdata=None), report=saved, rep=rep, year=year,
                  week=week, figures=queries.figures_of(saved, rep, year, week, current_settings()), status=status, today=today(),
                  comment_form=comment_form, editable=False)
