"""Customers, seen by every role through the one scope rule: the tier views, a customer's page, the pool."""
from flask import Blueprint
from flask_login import login_required

bp = Blueprint("customers", __name__)


@bp.before_request
@login_required
def _signed_in():
    return None


from . import imports, picker, routes  # noqa: E402,F401
