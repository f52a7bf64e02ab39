"""Products, quotes, their approval and their printout. Signed-in users only; each view checks the role and the
deal's scope."""
from flask import Blueprint
from flask_login import login_required

bp = Blueprint("quotes", __name__)


@bp.before_request
@login_required
def _signed_in():
    return None


from . import contracts, notices, products, routes  # noqa: E402,F401
