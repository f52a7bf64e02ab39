"""Sales support's desk under /support/."""
from flask import Blueprint

from ..access import require_role

bp = Blueprint("support", __name__, url_prefix="/support")
bp.before_request(require_role("support"))

from . import routes  # noqa: E402,F401
