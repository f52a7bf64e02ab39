"""The blueprints this package's views join: `bp`, whose views need a sign-in, and `feeds`, the planned-visits
calendar feed a phone's calendar reads without signing in (a secret in the URL)."""
from flask import Blueprint

from ..core.access import require_sign_in

bp = Blueprint("visits", __name__)
feeds = Blueprint("feeds", __name__)

bp.before_request(require_sign_in)
