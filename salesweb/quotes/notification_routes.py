"""The notification list behind the bell: open one (it is marked read) or mark them all read; the bell alone for
the page's poll."""
from flask import abort, redirect, render_template, url_for
from flask_login import current_user

from ..models import Notification
from ..core import notifications
from ..web.pages import all_or_nothing, render, safe_next
from .blueprint import bp


@bp.get("/notifications")
def notification_list():
    return render("quotes/notifications.html", items=notifications.latest(current_user))


@bp.get("/notifications/bell")
def notification_bell():
    # the count comes with the session's user: this answer costs that one query
    return render_template("_bell.html")


@bp.post("/notifications/<int:notification_id>/open")
@all_or_nothing
def notification_open(notification_id):
    item = (Notification.get_or_none((Notification.id == notification_id) & (Notification.user == current_user.id))
            or abort(404))
    notifications.mark_read(current_user, item.id)
    return redirect(safe_next(item.link) or url_for("quotes.notification_list"), 303)


@bp.post("/notifications/read")
@all_or_nothing
def notification_read_all():
    notifications.mark_read(current_user)
    return redirect(url_for("quotes.notification_list"), 303)
