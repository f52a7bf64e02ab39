from flask import request
from flask_login import current_user

from .. import figures
from ..db import utcnow
from ..services import homes
from ..services.metrics import Period
from ..web import current_settings, local_today, render
from . import bp


@bp.get("/")
def home():
    today = local_today()
    period = Period.chosen(request.args.get("period"), request.args.get("kind"), today)
    return render("manager/home.html", today=today,
                  **homes.manager_view(current_user, period, today, utcnow(), current_settings()))


bp.add_url_rule("/export/<name>.csv", "export", figures.export)
