"""The weekly report (销售周报): a rep's ISO week summed up from the data, plus their own words;
drafted, submitted, read and commented on by their manager."""
import datetime
import json

from peewee import Case, fn

from ..core.access import team_ids
from ..core.db import db, utcnow
from ..core.i18n import _l
from ..models import Customer, Deal, Stage, StageChange, User, WeeklyReport
from ..core import audit, notifications, settings as settings_service
from ..visits import queries as visits
from ..core.errors import Invalid

TEXT_FIELDS = ("feedback", "market", "plan", "forecast")
MAX_TEXT = 5000


FIRST_YEAR, LAST_YEAR = 2000, 2100


def week_days(year, week):
    """Monday and the next Monday of an ISO week; ValueError for a week that does not exist (or is
    outside the years salesweb deals with)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"year {year} is out of range")
    monday = datetime.date.fromisocalendar(year, week, 1)
    return monday, monday + datetime.timedelta(days=7)


def summary(rep, year, week, settings):
    """The week's figures, each from one aggregate query: visits (and verified) against the norm, new
    customers, deals moved, won and lost (count and amount), new pipeline, and the open pipeline at the week's
    start and end (its change)."""
    monday, next_monday = week_days(year, week)
    since, until = visits.utc_range(monday, next_monday, settings)
    done, verified = visits.done_between([rep.id], monday, next_monday, settings).get(rep.id, (0, 0))
    new_customers = Customer.select().where((Customer.owner == rep.id) & (Customer.created_at >= since)
                                            & (Customer.created_at < until)).count()
    moved = (StageChange.select(fn.COUNT(fn.DISTINCT(StageChange.deal))).join(Deal)
             .where((Deal.owner == rep.id) & (StageChange.at >= since) & (StageChange.at < until)
                    & StageChange.from_stage.is_null(False)).scalar()) or 0
    closed = dict(((kind, (count, int(amount or 0))) for kind, count, amount in
                   Deal.select(Stage.kind, fn.COUNT(Deal.id), fn.SUM(Deal.amount)).join(Stage)
                   .where((Deal.owner == rep.id) & (((Stage.kind == "won") & (Deal.won_on >= monday)
                                                     & (Deal.won_on < next_monday))
                                                    | ((Stage.kind == "lost") & (Deal.lost_on >= monday)
                                                       & (Deal.lost_on < next_monday))))
                   .group_by(Stage.kind).tuples()))
    new_pipeline = (Deal.select(fn.COALESCE(fn.SUM(Deal.amount), 0))
                    .where((Deal.owner == rep.id) & (Deal.created_at >= since) & (Deal.created_at < until)).scalar())
    start, end = pipeline_at(rep, (since, monday), (until, next_monday))
    return {"monday": monday, "sunday": next_monday - datetime.timedelta(days=1), "visits": done,
            "verified": verified, "norm_min": settings["weekly_visit_norm_min"],
            "norm_max": settings["weekly_visit_norm_max"], "new_customers": new_customers, "moved": moved,
            "won": closed.get("won", (0, 0)), "lost": closed.get("lost", (0, 0)),
            "new_pipeline": int(new_pipeline or 0), "pipeline_start": start, "pipeline_end": end,
            "pipeline_change": end - start}


# What a submitted report keeps of `summary` (the week's days and the pipeline's change follow from these).
KEPT = ("visits", "verified", "norm_min", "norm_max", "new_customers", "moved", "won", "lost", "new_pipeline",
        "pipeline_start", "pipeline_end")


def _kept(figures):
    return json.dumps({key: figures[key] for key in KEPT})


def figures_of(report, rep, year, week, settings):
    """The figures a report shows: as they stood when it was submitted, or, for a draft (or none yet), the week's
    data as it is now. `frozen` says which."""
    if report is None or report.submitted_at is None or not report.figures:
        return {**summary(rep, year, week, settings), "frozen": False}
    kept = json.loads(report.figures)
    monday, next_monday = week_days(year, week)
    return {**{key: tuple(value) if isinstance(value, list) else value for key, value in kept.items()},
            "monday": monday, "sunday": next_monday - datetime.timedelta(days=1),
            "pipeline_change": kept["pipeline_end"] - kept["pipeline_start"], "frozen": True}


def freeze_submitted(settings):
    """Keep the figures of the submitted reports that have none (from before reports kept them), from the data as
    it stands; returns how many."""
    rows = list(WeeklyReport.select(WeeklyReport.id, WeeklyReport.rep, WeeklyReport.year, WeeklyReport.week)
                .where(WeeklyReport.submitted_at.is_null(False) & WeeklyReport.figures.is_null()).tuples())
    for report_id, rep_id, year, week in rows:
        figures = _kept(summary(User(id=rep_id), year, week, settings))
        WeeklyReport.update(figures=figures).where(WeeklyReport.id == report_id).execute()
    return len(rows)


def pipeline_at(rep, *moments):
    """The rep's open pipeline at each moment ((UTC time, local day) pairs), in one query: the deals made before
    it and neither won nor lost before that day, at their amounts as they stand (amounts keep no history)."""
    def open_then(at, day):
        return ((Deal.created_at < at) & (Deal.won_on.is_null() | (Deal.won_on >= day))
                & (Deal.lost_on.is_null() | (Deal.lost_on >= day)))
    sums = [fn.COALESCE(fn.SUM(Case(None, [(open_then(at, day), Deal.amount)], 0)), 0) for at, day in moments]
    return tuple(int(v or 0) for v in Deal.select(*sums).where(Deal.owner == rep.id).tuples().get())


def find(rep, year, week):
    return WeeklyReport.get_or_none((WeeklyReport.rep == rep.id) & (WeeklyReport.year == year)
                                    & (WeeklyReport.week == week))


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


def team_status(manager, year, week):
    """Each active rep in the manager's subtree with their report for the week (or None)."""
    reps = list(User.select().where(User.id.in_(team_ids(manager.id)) & (User.role == "rep")
                                    & (User.active == True)).order_by(User.name))  # noqa: E712
    reports = {r.rep_id: r for r in WeeklyReport.select().where(
        WeeklyReport.rep.in_([r.id for r in reps]) & (WeeklyReport.year == year) & (WeeklyReport.week == week))}
    return [(rep, reports.get(rep.id)) for rep in reps]


def unsubmitted(manager, year, week):
    """The active reps in the manager's subtree who have not submitted the week's report, by name (one query)."""
    submitted = WeeklyReport.select(WeeklyReport.rep).where(
        (WeeklyReport.year == year) & (WeeklyReport.week == week) & WeeklyReport.submitted_at.is_null(False))
    return list(User.select(User.id, User.name).where(
        User.id.in_(team_ids(manager.id)) & (User.role == "rep") & (User.active == True)  # noqa: E712
        & User.id.not_in(submitted)).order_by(User.name))


def in_team(manager, rep_id):
    """The rep, if they are in the manager's subtree."""
    return (User.select().where((User.id == rep_id) & User.id.in_(team_ids(manager.id)) & (User.role == "rep"))
            .first())
