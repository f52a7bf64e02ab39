"""Visits and tasks, seen by every role through the one scope rule: log, plan, list, comment; my tasks."""
from flask import Blueprint
from flask_login import login_required

bp = Blueprint("visits", __name__)


@bp.before_request
@login_required
def _signed_in():
    return None


from . import routes, tasks  # noqa: E402,F401
