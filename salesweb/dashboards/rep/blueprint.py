"""The blueprint this package's views join, open to the rep role only."""
from flask import Blueprint

from ...core.access import require_role

bp = Blueprint("rep", __name__, url_prefix="/rep")
bp.before_request(require_role("rep"))
