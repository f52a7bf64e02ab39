from flask_login import current_user

from ...core.db import utcnow
from ...web.rows import RowTemplate
from ...customers import cadence
from ...quotes import queries as quotes
from ...figures import metrics
from ...pipeline import queries as pipeline
from ...visits import queries as visits
from ...core.settings import current_settings
from ...core.clock import local_today as today
from ...web.pages import render
from .blueprint import bp

# a customer overdue for a visit, and a deal gone stale
OVERDUE_ROW = RowTemplate("rep/_overdue_row.html", "id tier name days_late last_visit_at", look=("today",))
STALE_ROW = RowTemplate("rep/_stale_row.html", "id title customer_name amount last_activity_at")


@bp.get("/")
def home():
    """Today: what the rep has to do now, each row with the one action it needs."""
    settings, day = current_settings(), today()
    month = metrics.Period.of("month", day)
    monday, next_monday = visits.week_bounds(day)
    week_done, week_verified = visits.done_by(current_user, monday, next_monday, settings)
    planned = visits.planned_on(current_user, day)
    shown = {v.id for v in planned}  # a planned visit's own task would say the same thing twice
    overdue = visits.overdue_customers(current_user, day)
    overdue_rows = OVERDUE_ROW.write((OVERDUE_ROW.Row(c.id, c.tier, c.name, cadence.days_overdue(c.next_visit_due, day),
                                                      c.last_visit_at) for c in overdue), today=day)
    stale = pipeline.stale_of(current_user, utcnow())
    return render(
        "rep/today.html", today=day, planned=planned, overdue=overdue,
        overdue_rows=overdue_rows,
        overdue_total=visits.overdue_count(current_user, day),
        due_tasks=[t for t in visits.open_tasks_for(current_user, day) if t.visit_id not in shown], stale=stale,
        stale_rows=STALE_ROW.write(STALE_ROW.Row(d.id, d.title, d.customer_name, d.amount, d.last_activity_at)
                                   for d in stale),
        week_done=week_done, week_verified=week_verified, comments=visits.unread_comments(current_user),
        month=month, standing=metrics.standing(current_user, month, day),
        receivables=quotes.overdue_contracts(current_user, day, limit=5))
