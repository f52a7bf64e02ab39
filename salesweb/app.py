"""The application factory: configuration, the database, extensions, blueprints and the command line. Nothing else."""
from pathlib import Path

from flask import Flask
from flask.cli import FlaskGroup
from werkzeug.middleware.proxy_fix import ProxyFix

from . import cli
from .admin.views import bp as admin_bp
from .allocation.views import manager_bp as manager_allocation_bp, ops_bp as ops_allocation_bp
from .audit.views import bp as audit_bp
from .auth.views import bp as auth_bp
from .collateral.views import bp as collateral_bp, public as shared_bp
from .core import config as configuration, db as database, i18n, locale
from .core.extensions import babel, csrf, login_manager
from .customers.views import bp as customers_bp
from .dashboards.home.views import bp as home_bp
from .dashboards.manager.views import bp as manager_bp
from .dashboards.ops.views import bp as ops_bp
from .dashboards.rep.views import bp as rep_bp
from .dashboards.support.views import bp as support_bp
from .dashboards.targets.views import bp as targets_bp
from .expenses.views import bp as expenses_bp
from .infra import outbox
from .phone.views import bp as phone_bp, signed_in as phone_data_bp
from .pipeline.views import bp as pipeline_bp, stage_editor as stages_bp
from .quotes.views import bp as quotes_bp
from .reports.views import own as rep_reports_bp, team as team_reports_bp
from .service.views import bp as service_bp, public as public_bp
from .settings.views import admin as admin_settings_bp, ops as ops_settings_bp
from .visits.views import bp as visits_bp, feeds as feeds_bp
from .web import errors, security, shell

ROOT = Path(__file__).resolve().parent.parent
BLUEPRINTS = (auth_bp, home_bp, rep_bp, rep_reports_bp, manager_bp, team_reports_bp, manager_allocation_bp, targets_bp,
              support_bp, ops_bp, stages_bp, ops_allocation_bp, ops_settings_bp, admin_bp, admin_settings_bp, audit_bp,
              customers_bp, pipeline_bp, collateral_bp, shared_bp, visits_bp, feeds_bp, quotes_bp, service_bp,
              public_bp, expenses_bp, phone_bp, phone_data_bp)


def create_app(config=None):
    """The app, configured from defaults, the environment, instance/config.py, then `config` (a dict)."""
    if not (ROOT / "templates").is_dir():
        raise RuntimeError("salesweb runs from its repository: clone it and install with `make install` "
                           "(or `pip install -e .` in the clone), not as a plain package")
    app = Flask(__name__, instance_path=str(ROOT / "instance"), instance_relative_config=True,
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    if config and "INSTANCE_PATH" in config:
        app.instance_path = str(config["INSTANCE_PATH"])
    configuration.load(app, config)
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:
        # The Host header is not taken from the proxy: a client could set X-Forwarded-Host itself.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    database.init_app(app)
    security.init_app(app)  # before flask-login, so its after_request (cookie flags) runs last
    login_manager.init_app(app)
    for blueprint in BLUEPRINTS:  # before CSRF: an ended sign-in is sent to sign in again before its token is checked
        app.register_blueprint(blueprint)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=locale.select_locale, timezone_selector=locale.select_timezone)
    i18n.install(app)
    shell.init_app(app)
    outbox.init_app(app)  # notifications by e-mail, when MAIL_HOST is set
    errors.register(app)
    cli.register(app)
    return app


def main():
    """The `salesweb` command."""
    group = FlaskGroup(create_app=create_app, add_default_commands=False,
                       help="salesweb: self-hosted sales management.")
    group.main(prog_name="salesweb")
