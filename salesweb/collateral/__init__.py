"""The collateral library: browse, download and share for everyone signed in; upload and edit for support,
ops and admin (`bp`). The pages a customer opens from a share link need no sign-in (`public`)."""
from flask import Blueprint
from flask_login import login_required

bp = Blueprint("collateral", __name__)
public = Blueprint("shared", __name__)


@bp.before_request
@login_required
def _signed_in():
    return None


from . import routes, shared  # noqa: E402,F401
