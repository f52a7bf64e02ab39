"""This package's views, joined to its blueprint, and the template globals its records need: what the app
registers (salesweb/app.py)."""
import time

from flask import current_app, session
from flask_login import current_user, logout_user

from ..core.extensions import login_manager
from ..core.i18n import _l
from ..web.security import browser_tag
from . import routes  # noqa: F401 (the views join the blueprint)
from .blueprint import bp
from .queries import load_session_user

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to continue.")
login_manager.login_message_category = "info"
# The loader binds a sign-in to its browser; flask-login's own protection would bind it to the address too.
login_manager.session_protection = None


@login_manager.user_loader
def _load(session_id):
    # A session's or remember cookie's id names the browser it was issued to: a copy elsewhere loads no one.
    return load_session_user(session_id, browser_tag())


@bp.before_app_request
def _session_lifetime():
    """A sign-in lasts SESSION_HOURS from the moment it began, however active."""
    if not current_user.is_authenticated:
        return None
    started = session.setdefault("signed_in_at", int(time.time()))  # set anew when restored from remember-me
    if time.time() - started > current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds():
        logout_user()
        session.clear()
        return login_manager.unauthorized()
    return None
