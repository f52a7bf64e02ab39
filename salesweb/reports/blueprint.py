"""The blueprints this package's views join, one per role, each open to that role only: `own`, a rep's own weekly
reports under /rep/; `team`, the reports of a manager's team under /manager/."""
from flask import Blueprint

from ..core.access import require_role

own = Blueprint("rep_reports", __name__, url_prefix="/rep")
own.before_request(require_role("rep"))
team = Blueprint("team_reports", __name__, url_prefix="/manager")
team.before_request(require_role("manager"))
