"""The blueprints this package's views join: `bp`, public, as a browser asks for the manifest and the service worker
whoever is signed in, and installs the offline page without anyone's cookies; `signed_in`, whose views need a sign-in:
what a phone's outbox and offline visit form read."""
from flask import Blueprint, jsonify
from flask_login import current_user

from ..core.i18n import _

bp = Blueprint("phone", __name__)
signed_in = Blueprint("phone_data", __name__)


@signed_in.before_request
def _signed_in_only():
    """Asked signed out, a phone's background request gets 401 and nothing else: no redirect and no message kept in
    the session for the sign-in page. Sent just before a sign-out answered, its answer would carry the session as it
    was and overwrite the one the sign-out had just set (with its "You are signed out.")."""
    if not current_user.is_authenticated:
        return jsonify({"errors": {"form": _("Sign in to send what waits on this phone.")}}), 401
    return None
