"""Service and collaboration: help requests to support, customer feedback and its deadline, and the links a
customer answers (`bp`, signed in; each view checks role and scope). The customer's own feedback form and NPS
survey need no sign-in (`public`)."""
from flask import Blueprint
from flask_login import login_required

bp = Blueprint("service", __name__)
public = Blueprint("public", __name__)


@bp.before_request
@login_required
def _signed_in():
    return None


from . import feedback, public_forms, requests  # noqa: E402,F401
