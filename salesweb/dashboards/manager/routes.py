from flask import request
from flask_login import current_user

from ...figures import exports as figures
from ...core.db import utcnow
from .. import homes
from ...figures.metrics import Period
from ...core.settings import current_settings
from ...core.clock import local_today
from ...web.pages import page_number, render
from .blueprint import bp


@bp.get("/")
def home():
    today, now = local_today(), utcnow()
    period = Period.chosen(request.args.get("period"), request.args.get("kind"), today)
    return render("manager/home.html", today=today,
                  **homes.manager_view(current_user, period, today, now, current_settings(), page_number(),
                                       page_number("visits_page")))


bp.add_url_rule("/export/<name>.csv", "export", figures.export)
