"""The blueprints this package's views join, one per role that keeps settings, each open to that role only: `ops`
under /ops/ and `admin` under /admin/."""
from flask import Blueprint

from ..core.access import require_role

ops = Blueprint("ops_settings", __name__, url_prefix="/ops")
ops.before_request(require_role("ops"))
admin = Blueprint("admin_settings", __name__, url_prefix="/admin")
admin.before_request(require_role("admin"))
