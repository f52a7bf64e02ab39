"""The blueprint this package's views join: each needs a sign-in."""
from flask import Blueprint

from ..core.access import require_sign_in

bp = Blueprint("customers", __name__)

bp.before_request(require_sign_in)
