"""The blueprint this package's views join, open to the ops role only."""
from flask import Blueprint

from ...core.access import require_role

bp = Blueprint("ops", __name__, url_prefix="/ops")
bp.before_request(require_role("ops"))
