"""The audit log page, for admin and ops."""
from flask import Blueprint

from ..access import require_role

bp = Blueprint("audit", __name__, url_prefix="/audit")
bp.before_request(require_role("admin", "ops"))

from . import routes  # noqa: E402,F401
