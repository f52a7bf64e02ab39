"""Support's desk: the help-request queue, feedback waiting for a response, and recent uploads."""
from flask import current_app, request
from flask_login import current_user

from ...core.db import utcnow
from ...collateral import queries as collateral
from ...service import queries as service
from ...web.pages import Page, page_number, render
from .blueprint import bp


@bp.get("/")
def home():
    now = utcnow()
    open_requests, overdue = service.desk_counts(current_user, now)
    return render("service/support_home.html", queue=service.help_queue_head(current_user, 8),
                  waiting=service.waiting(current_user, limit=8), uploads=collateral.recent_uploads(5),
                  open_requests=open_requests, overdue=overdue, now=now)


@bp.get("/requests")
def requests():
    show = request.args.get("show", "open")
    show = show if show in service.HELP_QUEUE_FILTERS else "open"
    page = Page(service.help_queue(current_user, show), page_number(), current_app.config["PAGE_SIZE"])
    return render("service/requests.html", page=page, requests=page.items, desk=True, show=show,
                  filters=service.HELP_QUEUE_FILTERS)
