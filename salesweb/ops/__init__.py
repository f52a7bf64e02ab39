"""Sales operations' console under /ops/."""
from flask import Blueprint

from ..access import require_role

bp = Blueprint("ops", __name__, url_prefix="/ops")
bp.before_request(require_role("ops"))

from . import allocation, routes, settings, stages  # noqa: E402,F401
