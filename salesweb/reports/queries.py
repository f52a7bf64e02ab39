"""What the weekly report (销售周报) shows and who it concerns: a rep's ISO week summed up from the data (`summary`),
or the figures a submitted report kept (`figures_of`); a rep's report for a week; the manager's team and who of it
has not submitted. The writes are in `rules`."""
import datetime
import json

from peewee import Case, fn

from ..core.db import in_few, in_query
from ..core.access import team_ids
from ..models import Customer, Deal, Stage, StageChange, User, WeeklyReport
from ..visits import queries as visits

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


def team_status(manager, year, week):
    """Each active rep in the manager's subtree with their report for the week (or None)."""
    reps = list(User.select().where(in_query(User.id, team_ids(manager.id)) & (User.role == "rep")
                                    & (User.active == True)).order_by(User.name))  # noqa: E712
    reports = {r.rep_id: r for r in WeeklyReport.select().where(
        WeeklyReport.rep.in_([r.id for r in reps]) & (WeeklyReport.year == year) & (WeeklyReport.week == week))}
    return [(rep, reports.get(rep.id)) for rep in reps]


NAMES_SHOWN = 8  # the team home names this many of those who have not submitted; the reports page lists them all


def unsubmitted(manager, year, week, names=NAMES_SHOWN):
    """How many active reps in the manager's subtree have not submitted the week's report, and the first `names`
    of them by name: (count, [(id, name)]), in one query (the count beside each row read)."""
    submitted = WeeklyReport.select(WeeklyReport.rep).where(
        (WeeklyReport.year == year) & (WeeklyReport.week == week) & WeeklyReport.submitted_at.is_null(False))
    rows = list(User.select(User.id, User.name, fn.COUNT(User.id).over().alias("n")).where(
        in_few(User.id, team_ids(manager.id)) & (User.role == "rep") & (User.active == True)  # noqa: E712
        & User.id.not_in(submitted)).order_by(User.name, User.id).limit(names).tuples())
    return (rows[0][2] if rows else 0), [(person_id, name) for person_id, name, _n in rows]


def in_team(manager, rep_id):
    """The rep, if they are in the manager's subtree."""
    return (User.select().where((User.id == rep_id) & in_query(User.id, team_ids(manager.id)) & (User.role == "rep"))
            .first())
