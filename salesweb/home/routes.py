from flask import jsonify, redirect, url_for
from flask_login import current_user, login_required

from ..db import db
from . import bp


@bp.get("/")
@login_required
def index():
    return redirect(url_for(f"{current_user.role}.home"))


@bp.get("/healthz")
def healthz():
    try:
        db.execute_sql("SELECT 1").fetchone()
    except Exception:  # any failure to reach the database is the answer
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
