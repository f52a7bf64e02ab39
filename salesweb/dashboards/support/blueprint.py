"""The blueprint this package's views join, open to the support role only."""
from flask import Blueprint

from ...core.access import require_role

bp = Blueprint("support", __name__, url_prefix="/support")
bp.before_request(require_role("support"))
