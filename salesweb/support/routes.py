"""Support's desk: the help-request queue, feedback waiting for a response, and recent uploads."""
from flask import current_app, request
from flask_login import current_user
from peewee import Select

from ..db import db, utcnow
from ..services import collateral, feedback, help
from ..web import Page, page_number, render
from . import bp


@bp.get("/")
def home():
    now = utcnow()
    open_requests, overdue = Select(columns=[help.open_count_query(),
                                             feedback.overdue_count_query(current_user, now)]).bind(db).tuples().first()
    return render("service/support_home.html", queue=list(help.queue(current_user).limit(8)),
                  waiting=feedback.waiting(current_user, now, limit=8), uploads=collateral.recent_uploads(5),
                  open_requests=open_requests or 0, overdue=overdue or 0, now=now)


@bp.get("/requests")
def requests():
    show = request.args.get("show", "open")
    show = show if show in help.QUEUE_FILTERS else "open"
    page = Page(help.queue(current_user, show), page_number(), current_app.config["PAGE_SIZE"])
    return render("service/requests.html", page=page, requests=page.items, desk=True, show=show,
                  filters=help.QUEUE_FILTERS)
