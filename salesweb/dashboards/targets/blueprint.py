"""The blueprint the targets sheet joins: under /manager/, open to the manager role only."""
from flask import Blueprint

from ...core.access import require_role

bp = Blueprint("targets", __name__, url_prefix="/manager")
bp.before_request(require_role("manager"))
