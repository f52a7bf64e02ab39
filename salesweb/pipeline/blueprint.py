"""The blueprints this package's views join: `bp`, the board and deals, each needing a sign-in; `stage_editor`, the
pipeline's stages and loss reasons under /ops/, open to the ops role only."""
from flask import Blueprint

from ..core.access import require_sign_in

from ..core.access import require_role

bp = Blueprint("pipeline", __name__)
stage_editor = Blueprint("stages", __name__, url_prefix="/ops")
stage_editor.before_request(require_role("ops"))

bp.before_request(require_sign_in)
