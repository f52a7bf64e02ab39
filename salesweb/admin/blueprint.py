"""The blueprint this package's views join, open to the admin role only."""
from flask import Blueprint

from ..core.access import require_role

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(require_role("admin"))
