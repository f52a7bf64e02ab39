"""The blueprint this package's views join, open to the admin and ops roles only."""
from flask import Blueprint

from ..core.access import require_role

bp = Blueprint("audit", __name__, url_prefix="/audit")
bp.before_request(require_role("admin", "ops"))
