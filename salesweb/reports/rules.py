"""The weekly report (销售周报): a rep's ISO week summed up from the data, plus their own words;
drafted, submitted, read and commented on by their manager. The writes and their checks; what the pages read is in
`queries`."""
import json

from ..core.db import db, utcnow
from ..core.i18n import _l
from ..models import User, WeeklyReport
from ..core import audit, notifications, settings as settings_service
from ..core.errors import Invalid
from .queries import find, summary, week_days

TEXT_FIELDS = ("feedback", "market", "plan", "forecast")
MAX_TEXT = 5000


# What a submitted report keeps of `summary` (the week's days and the pipeline's change follow from these).
KEPT = ("visits", "verified", "norm_min", "norm_max", "new_customers", "moved", "won", "lost", "new_pipeline",
        "pipeline_start", "pipeline_end")


def _kept(figures):
    return json.dumps({key: figures[key] for key in KEPT})


def freeze_submitted(settings):
    """Keep the figures of the submitted reports that have none (from before reports kept them), from the data as
    it stands; returns how many."""
    rows = list(WeeklyReport.select(WeeklyReport.id, WeeklyReport.rep, WeeklyReport.year, WeeklyReport.week)
                .where(WeeklyReport.submitted_at.is_null(False) & WeeklyReport.figures.is_null()).tuples())
    for report_id, rep_id, year, week in rows:
        figures = _kept(summary(User(id=rep_id), year, week, settings))
        WeeklyReport.update(figures=figures).where(WeeklyReport.id == report_id).execute()
    return len(rows)


def save(rep, year, week, texts, submit, today, now=None, settings=None):
    """Save the rep's words as a draft, or submit them (then they are final, and so are the week's figures as
    they stand: `settings` are the ones they are read with). Not for a week to come."""
    now = now or utcnow()
    monday, _next = week_days(year, week)
    if monday > today:
        raise Invalid({None: _l("This week has not started yet.")})
    errors = {f: _l("At most %(n)d characters.", n=MAX_TEXT) for f in TEXT_FIELDS if len(texts.get(f) or "") > MAX_TEXT}
    if errors:
        raise Invalid(errors)
    with db.atomic():
        report = find(rep, year, week) or WeeklyReport(rep=rep.id, year=year, week=week)
        if report.submitted_at is not None:
            raise Invalid({None: _l("This report was submitted and can no longer be changed.")})
        for field in TEXT_FIELDS:
            setattr(report, field, (texts.get(field) or "").strip())
        report.updated_at = now
        if submit:
            report.submitted_at = now
            report.figures = _kept(summary(rep, year, week, settings or settings_service.current()))
        report.save()
        if submit:
            audit.record("edit", rep, report, f"Weekly report {year}-W{week:02d} submitted")
    return report


def comment(report, body, by, now=None):
    body = (body or "").strip()
    if not body:
        raise Invalid({"body": _l("This field is required.")})
    if len(body) > 2000:
        raise Invalid({"body": _l("At most %(n)d characters.", n=2000)})
    if report.submitted_at is None:
        raise Invalid({None: _l("The report is not submitted yet.")})
    with db.atomic():
        report.comment, report.commented_by, report.commented_at = body, by, now or utcnow()
        report.save(only=[WeeklyReport.comment, WeeklyReport.commented_by, WeeklyReport.commented_at])
        audit.record("edit", by, report, "Comment on a weekly report")
        if report.rep_id != by.id:
            notifications.notify([report.rep_id], "report_comment", f"/rep/reports/{report.year}-W{report.week}",
                                 by=by.name, week=f"{report.year}-W{report.week:02d}")
    return report
