from flask import request
from flask_login import current_user

from ..db import utcnow
from ..services import homes
from ..services.metrics import Period
from ..web import current_settings, local_today, render
from . import bp


@bp.get("/")
def home():
    today = local_today()
    period = Period.parse(request.args.get("period", "")) or Period.of(request.args.get("kind", "month"), today)
    return render("manager/home.html", today=today,
                  **homes.manager_view(current_user, period, today, utcnow(), current_settings()))
