"""The blueprint this package's views join: each needs a sign-in (a signed-out poll of the bell gets nothing)."""
from flask import Blueprint, request
from flask_login import current_user

from ..core.access import require_sign_in

bp = Blueprint("quotes", __name__)


@bp.before_request
def _bell_signed_out():
    # a page left open polls the bell after its sign-in ended: nothing to show, and no "please sign in" each minute
    if request.endpoint == "quotes.notification_bell" and not current_user.is_authenticated:
        return "", 204
    return None


bp.before_request(require_sign_in)
