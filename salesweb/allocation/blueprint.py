"""The blueprints the allocation console's views join, one for each role that reaches it under its own URLs: ops at
/ops/... (every owner, and the regions), a manager at /manager/... (their subtree). Each is open to its role only."""
from flask import Blueprint

from ..core.access import require_role

ops_bp = Blueprint("ops_allocation", __name__, url_prefix="/ops")
ops_bp.before_request(require_role("ops"))

manager_bp = Blueprint("manager_allocation", __name__, url_prefix="/manager")
manager_bp.before_request(require_role("manager"))
