"""The manager's desk under /manager/."""
from flask import Blueprint

from ..access import require_role

bp = Blueprint("manager", __name__, url_prefix="/manager")
bp.before_request(require_role("manager"))

from . import reports, routes, targets  # noqa: E402,F401
