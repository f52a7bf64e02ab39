"""What a role's home says about the person looking at it."""
import datetime

from ..service import queries as service
from ..figures import analytics, metrics
from ..pipeline import queries as pipeline
from ..quotes import queries as quotes
from ..reports import queries as reports


def manager_view(user, period, today, now, settings, page=1, visits_page=1):
    """Everything the manager's home shows for their subtree, in twelve queries however large the team; its tables
    of people a page at a time (`page`, `visits_page`), their totals over everyone."""
    scope = metrics.scope_for(user)
    collection = metrics.collection(scope, period, today, also=[
        quotes.pending_query(user, today), service.overdue_count_query(user, now),
        *service.nps_columns(scope, period, settings)])
    pending, feedback_overdue, *answers = collection["also"]
    all_stages = pipeline.stages()
    # the page of the attainment table shown, ranked, and its total over everyone, in SQL
    table = metrics.attainment_table(user, period, today, scope, page=page, size=analytics.PEOPLE_PER_PAGE)
    funnel = metrics.funnel(scope, today, now, all_stages)
    week = metrics.Period.of("week", today)
    last_week = (today - datetime.timedelta(days=7)).isocalendar()
    # the week's visits of a page of the reps, read with their sums, and how many reps: not every rep in view
    week_visits = analytics.visits_page(user, scope, week, settings, visits_page)
    return {
        "period": period, "table": table, "table_page": analytics.page_of_table(table, page),
        "closed": metrics.closed(scope, period),
        "funnel": funnel, "stale": sum(row["stale"] for row in funnel),
        "flow": metrics.stage_flow(scope, period, settings, all_stages),
        "visits_page": week_visits,
        "week": week, "week_days": (week.start, week.end - datetime.timedelta(days=1)),
        "overdue": metrics.overdue_by_tier(scope, today),
        "unsubmitted": reports.unsubmitted(user, last_week[0], last_week[1]),
        "report_week": f"{last_week[0]}-W{last_week[1]}",
        "collection": collection, "pending": int(pending or 0), "feedback_overdue": int(feedback_overdue or 0),
        "nps": service.nps_from_columns(answers),
    }
