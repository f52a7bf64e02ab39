"""Expense claims (/expenses) and team budgets (/budgets): each view checks role and scope."""
from flask import Blueprint
from flask_login import login_required

bp = Blueprint("expenses", __name__)


@bp.before_request
@login_required
def _signed_in():
    return None


from . import budgets, routes  # noqa: E402,F401
