"""The rep's day under /rep/."""
from flask import Blueprint

from ..access import require_role

bp = Blueprint("rep", __name__, url_prefix="/rep")
bp.before_request(require_role("rep"))

from . import reports, routes  # noqa: E402,F401
