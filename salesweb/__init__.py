"""salesweb: the application factory."""
import functools
import tempfile
from pathlib import Path

from flask import Flask, Request, abort, current_app, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from markupsafe import Markup
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from . import config as configuration, db as database
from .extensions import babel, csrf, login_manager
from .i18n import _l

ROOT = Path(__file__).resolve().parent.parent


class DatabaseId(IntegerConverter):
    """<int:...> in URLs: an id too large for a database integer simply matches nothing (404)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**63 - 1, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class UploadingRequest(Request):
    """An upload too big to keep in memory spools inside the upload directory (the disk sized for files),
    as an anonymous temporary file that disappears with the request, rather than in the system's /tmp."""

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        folder = Path(current_app.config["UPLOAD_DIR"]) / ".incoming"
        folder.mkdir(parents=True, exist_ok=True)
        return tempfile.SpooledTemporaryFile(max_size=500 * 1024, mode="rb+", dir=folder)


class SessionInterface(SecureCookieSessionInterface):
    """Session cookies are Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app):
        return bool(app.config["SESSION_COOKIE_SECURE"] or (has_request_context() and request.is_secure))


def create_app(config=None):
    """The app, configured from defaults, the environment, instance/config.py, then `config` (a dict)."""
    overrides = config
    if not (ROOT / "templates").is_dir():
        raise RuntimeError("salesweb runs from its repository: clone it and install with `make install` "
                           "(or `pip install -e .` in the clone), not as a plain package")
    app = Flask(__name__, instance_path=str(ROOT / "instance"), instance_relative_config=True,
              template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    if overrides and "INSTANCE_PATH" in overrides:
        app.instance_path = str(overrides["INSTANCE_PATH"])
    configuration.load(app, overrides)
    app.session_interface = SessionInterface()
    app.request_class = UploadingRequest
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:
        # The Host header is not taken from the proxy: a client could set X-Forwarded-Host itself.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.url_map.converters["int"] = DatabaseId

    database.init_app(app)
    from .services import storage
    storage.sweep(app.config["UPLOAD_DIR"])  # what an upload killed half-way left in .incoming (no database needed)
    _security(app)  # before flask-login, so its after_request (cookie flags) runs last
    _login(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=_select_timezone)
    _templates(app)
    _blueprints(app)
    from .outbox import init_app as init_outbox
    init_outbox(app)  # notifications by e-mail, when MAIL_HOST is set
    from .errors import register as register_errors
    register_errors(app)
    from .cli import register as register_cli
    register_cli(app)
    return app


def freeze_heap():
    """As a server worker is ready to serve: everything allocated so far (modules, compiled templates, the app
    itself) is set out of the garbage collector's reach. Its full collections otherwise walk that whole startup
    heap, again and again: on the board, which allocates a lot, they cost a millisecond a request on average.
    What the worker allocates later is collected as usual."""
    import gc
    gc.collect()
    gc.freeze()


def settle_crashes(app):
    """As a server worker starts: what a process killed half-way left in the database's keeping is settled. A
    stored file whose row was never committed goes; an import whose commit never ended is finished if its rows
    were committed, else put back to be committed again. A failure is logged, never fatal: the worker serves."""
    from peewee import DatabaseError

    from .services import imports, storage
    with app.app_context():
        try:
            if database.db.table_exists("stored_file"):
                storage.sweep_orphans(app.config["UPLOAD_DIR"])
                imports.recover(app.config["UPLOAD_DIR"])
        except (DatabaseError, OSError):
            app.logger.exception("settling what a crash left behind failed; the worker serves on")
        finally:
            database.close_all()


def _select_locale():
    if not has_request_context():  # the command line speaks the install's default
        return None
    languages = list(current_app.config["LANGUAGES"])
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    from .web import current_settings
    best = request.accept_languages.best_match(languages)
    return best or current_settings()["default_locale"]


def _select_timezone():
    from .web import current_settings
    return current_settings()["timezone"]


def _login(app):
    import time

    from flask_login import logout_user

    from .services.auth import load_session_user
    from .web import browser_tag
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    # The loader binds a sign-in to its browser; flask-login's own protection would bind it to the address too.
    login_manager.session_protection = None

    @login_manager.user_loader
    def _load(session_id):
        # A session's or remember cookie's id names the browser it was issued to: a copy elsewhere loads no one.
        return load_session_user(session_id, browser_tag())

    @app.before_request
    def _session_lifetime():
        """A sign-in lasts SESSION_HOURS from the moment it began, however active."""
        if not current_user.is_authenticated:
            return None
        started = session.setdefault("signed_in_at", int(time.time()))  # set anew when restored from remember-me
        if time.time() - started > app.config["PERMANENT_SESSION_LIFETIME"].total_seconds():
            logout_user()
            session.clear()
            return login_manager.unauthorized()
        return None


def _security(app):
    from .services import audit
    csp = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
           "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
           "form-action 'self'; frame-ancestors 'none'")

    @app.before_request
    def _note_client():
        audit.set_client_ip(request.remote_addr)

    @app.before_request
    def _refuse_nul():
        # No text field of ours holds a NUL byte, and PostgreSQL cannot store one.
        for values in (request.args, request.form):
            if any("\x00" in key or "\x00" in value for key, value in values.items(multi=True)):
                abort(400)

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", csp)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
            # The remember cookie too (the session cookie is handled by SessionInterface).
            cookies = headers.getlist("Set-Cookie")
            if cookies:
                headers.remove("Set-Cookie")
                for cookie in cookies:
                    headers.add("Set-Cookie", cookie if "; Secure" in cookie else cookie + "; Secure")
        if response.mimetype == "text/html":
            headers.setdefault("Cache-Control", "no-store")
        return response


def _templates(app):
    from flask_wtf.csrf import generate_csrf
    from werkzeug.local import LocalProxy

    from . import charts
    from .format import register as register_filters
    from .nav import current as nav_current, entries_for
    from .web import current_settings, url_with

    register_filters(app)
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.globals["charts"] = charts
    app.jinja_env.globals["nav_current"] = nav_current

    @functools.lru_cache(maxsize=256)
    def icon(name):
        """An icon's SVG (templates/_icons.html), written once per name: a library page shows one per item."""
        return Markup(app.jinja_env.get_template("_icons.html").module.icon(name))
    app.jinja_env.globals["icon"] = icon
    from .rows import FORM_TOKEN
    app.jinja_env.globals["form_token"] = FORM_TOKEN
    from .pipeline.cards import board_cards, board_columns
    from .service.feedback import feedback_rows
    app.jinja_env.globals.update(board_cards=board_cards, board_columns=board_columns, feedback_rows=feedback_rows)
    from .models import (ALLOCATION_FLAG_LABELS as FLAG_LABELS, AUDIT_ACTION_LABELS as AUDIT_ACTIONS,
                         CHECK_PROBLEM_LABELS as PROBLEM_LABELS, COLLATERAL_KIND_LABELS,
                         EXPENSE_CATEGORY_LABELS, EXPENSE_STATUS_LABELS, FEEDBACK_CHANNEL_LABELS, FEEDBACK_KIND_LABELS,
                         FEEDBACK_STATE_LABELS, HELP_QUEUE_LABELS, HELP_STATUS_LABELS, OUTCOME_LABELS,
                         POOL_MOVE_LABELS as MOVE_LABELS, ROLE_LABELS, SEVERITY_LABELS, URGENCY_LABELS,
                         VISIT_KIND_LABELS as KIND_LABELS)
    app.jinja_env.globals.update(visit_kind_labels=KIND_LABELS, visit_outcome_labels=OUTCOME_LABELS,
                                 check_problem_labels=PROBLEM_LABELS, collateral_kind_labels=COLLATERAL_KIND_LABELS)
    from .services.cadence import days_overdue
    app.jinja_env.globals["days_overdue"] = days_overdue
    from .services.collateral import link_state
    app.jinja_env.globals["share_state"] = link_state
    from .services.notifications import text as notification_text
    from .services.quotes import state as quote_state
    app.jinja_env.globals["quote_state"] = quote_state
    app.jinja_env.globals["notification_text"] = notification_text
    from .services import feedback
    app.jinja_env.globals.update(
        urgency_labels=URGENCY_LABELS, help_status_labels=HELP_STATUS_LABELS, queue_labels=HELP_QUEUE_LABELS,
        feedback_kinds=FEEDBACK_KIND_LABELS, feedback_channels=FEEDBACK_CHANNEL_LABELS, severity_labels=SEVERITY_LABELS,
        feedback_states=FEEDBACK_STATE_LABELS, feedback_state=feedback.state)
    app.jinja_env.globals.update(expense_statuses=EXPENSE_STATUS_LABELS, expense_categories=EXPENSE_CATEGORY_LABELS,
                                 role_labels=ROLE_LABELS)
    app.jinja_env.globals["pool_move_labels"] = MOVE_LABELS
    app.jinja_env.globals.update(audit_action_labels=AUDIT_ACTIONS, allocation_flag_labels=FLAG_LABELS)

    @app.context_processor
    def _shell():
        from flask_babel import get_locale
        user = current_user if current_user and current_user.is_authenticated else None
        return {
            "nav_entries": entries_for(user) if user else [],
            "settings": LocalProxy(current_settings),  # read only when a template uses it
            "locale": str(get_locale() or "en"),
            "csrf_token_value": generate_csrf,
        }


def _blueprints(app):
    from .admin import bp as admin_bp
    from .audit import bp as audit_bp
    from .auth import bp as auth_bp
    from .collateral import bp as collateral_bp, public as shared_bp
    from .customers import bp as customers_bp
    from .pipeline import bp as pipeline_bp
    from .visits import bp as visits_bp
    from .visits.feeds import feeds as feeds_bp
    from .home import bp as home_bp
    from .manager import bp as manager_bp
    from .ops import bp as ops_bp
    from .rep import bp as rep_bp
    from .support import bp as support_bp
    from .quotes import bp as quotes_bp
    from .service import bp as service_bp, public as public_bp
    from .expenses import bp as expenses_bp

    for bp in (auth_bp, home_bp, rep_bp, manager_bp, support_bp, ops_bp, admin_bp, audit_bp, customers_bp,
               pipeline_bp, collateral_bp, shared_bp, visits_bp, feeds_bp, quotes_bp, service_bp, public_bp,
               expenses_bp):
        app.register_blueprint(bp)
