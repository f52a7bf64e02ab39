from flask_login import current_user

from ..services import homes
from ..web import render
from . import bp


@bp.get("/")
def home():
    return render("home/role.html", role="support", **homes.profile(current_user))
