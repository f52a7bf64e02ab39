"""Administration under /admin/: users, teams, settings."""
from flask import Blueprint

from ..access import require_role

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(require_role("admin"))

from . import routes  # noqa: E402,F401
