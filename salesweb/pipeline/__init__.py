"""The pipeline board and deals, seen by every role through the one scope rule."""
from flask import Blueprint
from flask_login import login_required

bp = Blueprint("pipeline", __name__)


@bp.before_request
@login_required
def _signed_in():
    return None


from . import routes  # noqa: E402,F401
