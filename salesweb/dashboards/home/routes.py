from flask import current_app, jsonify, redirect, url_for
from flask_login import current_user, login_required

from ...core.db import db
from .blueprint import bp


@bp.get("/")
@login_required
def index():
    return redirect(url_for(f"{current_user.role}.home"))


@bp.get("/favicon.ico")
def favicon():
    """The icon where browsers look for it unasked (a print view, a PDF viewer), from static/ like the rest."""
    return current_app.send_static_file("favicon.ico")


@bp.get("/healthz")
def healthz():
    try:
        db.execute_sql("SELECT 1").fetchone()
    except Exception:  # any failure to reach the database is the answer
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
