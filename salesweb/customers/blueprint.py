"""The blueprint this package's views join: each needs a sign-in."""
from flask import Blueprint
from flask_login import login_required

bp = Blueprint("customers", __name__)


@bp.before_request
@login_required
def _signed_in():
    return None
