"""The rep's weekly report: /rep/reports/<year>-W<week>."""
import datetime

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from ...core.i18n import _
from ...reports import rules as reports
from ...visits.forms import CommentForm, ReportForm
from ...core.settings import current_settings
from ...core.clock import local_today as today
from ...web.pages import render, submit
from .blueprint import bp


def week_or_404(year, week):
    try:
        reports.week_days(year, week)
    except ValueError:
        abort(404)


@bp.get("/reports")
def this_week_report():
    year, week, _day = today().isocalendar()
    return redirect(url_for("rep.report", year=year, week=week))


@bp.route("/reports/<int:year>-W<int:week>", methods=["GET", "POST"])
def report(year, week):
    week_or_404(year, week)
    saved = reports.find(current_user, year, week)
    form = ReportForm(obj=saved if request.method == "GET" else None)
    sending = request.form.get("action") == "submit"
    done, status = submit(form, lambda: reports.save(current_user, year, week, form.data, sending, today(),
                                                     settings=current_settings()))
    if done:
        flash(_("Report submitted to your manager.") if sending else _("Draft saved."), "success")
        return redirect(url_for("rep.report", year=year, week=week), 303)
    previous = (reports.week_days(year, week)[0] - datetime.timedelta(days=7)).isocalendar()
    return render("reports/week.html", previous=previous, form=form, report=saved, rep=current_user, year=year, week=week,
                  figures=reports.figures_of(saved, current_user, year, week, current_settings()), status=status, today=today(),
                  comment_form=CommentForm(formdata=None), editable=saved is None or saved.submitted_at is None)
