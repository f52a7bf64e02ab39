"""The salesweb command line (salesweb.app.main runs it), and what a server worker does as it starts."""
import datetime
import gc
import os
import sys
import threading

import click
import pytz
from flask import current_app
from flask.cli import pass_script_info, with_appcontext
from gunicorn.app.base import BaseApplication
from peewee import DatabaseError

from .admin import rules as people
from .core import audit, settings
from .core.db import close_all, db
from .core.errors import Invalid
from .core.settings import settings_fallbacks
from .customers import importer as imports, pool, tiers
from .demo import build as demo_data
from .infra import backup as backups, ratelimit, rollups, schema, storage
from .models import User
from .service import rules as feedback


def register(app):
    for command in (init_db, migrate, create_user, demo, serve, backup, restore, recycle_pool, recompute_tiers,
                    import_customers, escalate, scrub_images, rebuild_rollups):
        app.cli.add_command(command)


# From this migration on, uploaded images are stored without their metadata: applying it, `migrate` and `restore`
# clean the images stored before it (after the last migration, so that the models match the schema).
IMAGES_CLEANED_FROM = "0019_file_capture_time"


def _applied():
    return [m.name for m in schema.runner().status() if m.applied]


@click.command("init-db")
@with_appcontext
def init_db():
    """Create the schema in a new, empty database."""
    if db.obj.get_tables():
        raise click.ClickException("the database already has tables; use `salesweb migrate` to bring it up to date")
    names = schema.migrate()
    click.echo(f"Created the schema ({len(names)} migrations).")


@click.command("migrate")
@with_appcontext
def migrate():
    """Apply the migrations the database does not have yet."""
    names = schema.migrate()
    click.echo("Applied: " + ", ".join(names) if names else "The database is up to date.")
    if IMAGES_CLEANED_FROM in names:
        _scrub_images()


@click.command("create-user")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["rep", "manager", "support", "ops", "admin"]))
@click.option("--name", required=True)
@click.option("--team", default=None, help="Team name; created if new.")
@click.option("--reports-to", "reports_to", default=None, help="Email of the person this user reports to.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user(email, role, name, team, reports_to, password_stdin):
    """Create a user who can sign in."""
    boss = None
    if reports_to:
        boss = User.get_or_none(User.email == reports_to.strip().lower())
        if boss is None:
            raise click.ClickException(f"no user with email {reports_to}")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = people.create_user(email, name, role, password, team_name=team, reports_to=boss)
    except Invalid as invalid:
        raise click.ClickException("; ".join(f"{k or 'user'}: {v}" for k, v in invalid.errors.items())) from None
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


def _print_logins(rows, password):
    width = max(len(r[0]) for r in rows)
    click.echo(f"Demo logins (password: {password}):")
    for email, name, role in rows:
        click.echo(f"  {role:<8} {email:<{width}}  {name}")


@click.command("demo")
@click.option("--scale", type=click.Choice(["small", "large", "xl"]), default="small", show_default=True)
@with_appcontext
def demo(scale):
    """Load demo data into an empty database and print the demo logins."""
    if not demo_data.is_empty():
        click.echo("The database already has users; demo data not loaded.")
        rows = demo_data.logins()
    else:
        rows = demo_data.load(current_app.config["UPLOAD_DIR"], scale)
        click.echo(f"Loaded the {scale} demo data.")
    if rows:
        _print_logins(rows, demo_data.PASSWORD)


@click.command("import-customers")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--owner-email", default=None, help="Owner of rows that name none (default: the customer pool).")
@click.option("--update", "update_existing", is_flag=True,
              help="Update customers that already exist instead of skipping them.")
@with_appcontext
def import_customers(file, owner_email, update_existing):
    """Import customers from a CSV file (UTF-8 or GBK): every row, or nothing if any row has an error."""
    importer = imports.command_line_importer()
    with open(file, "rb") as fh:
        data = fh.read(imports.MAX_BYTES + 1)
    try:
        default_owner = imports.owner_by_email(owner_email, importer) if owner_email else None
        table = imports.read(data)
        mapping = imports.guess_mapping(table.header)
        if mapping["name"] is None:
            raise Invalid({"name": "no column holds the customer name (name it e.g. “name” or “客户名称”)"})
        plan = imports.plan(table, mapping, importer, "update" if update_existing else "skip", default_owner)
    except Invalid as invalid:
        raise click.ClickException("; ".join(str(m) for m in invalid.errors.values())) from None
    errors = plan.errors
    if errors:
        for row in errors[:20]:
            problems = "; ".join(f"{imports.LABELS[target]}: {message}" for target, message in row.problems)
            click.echo(f"row {row.number}: {problems}", err=True)
        if len(errors) > 20:
            click.echo(f"... and {len(errors) - 20} more row(s) with errors", err=True)
        raise click.ClickException(f"{len(errors)} row(s) have errors; nothing was imported.")
    report = imports.commit(plan, importer, settings.current(settings_fallbacks()))
    click.echo(f"Created {report.created}, updated {report.updated}, skipped {len(report.skipped)}.")
    for row in report.skipped:
        click.echo(f"  skipped row {row.number}: {row.name} ({row.note})")


@click.command("serve")
@click.option("--bind", default=None, help="Address to listen on (default 127.0.0.1:$PORT, PORT=5000).")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 32))
@pass_script_info
def serve(info, bind, workers):
    """Serve with gunicorn."""
    if info.create_app is None:
        raise click.UsageError("serve through the salesweb command")
    bind = bind or f"127.0.0.1:{os.environ.get('PORT', '5000')}"

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", bind)
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-")
            self.cfg.set("forwarded_allow_ips", os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"))
            self.cfg.set("post_worker_init", _worker_started)

        def load(self):
            return info.create_app()  # each worker makes its own app

    click.echo(f"Serving on http://{bind}")
    Server().run()


def _worker_started(worker):
    settle_crashes(worker.wsgi)  # what a killed worker left behind, before this one serves
    start_sweeper(worker.wsgi)
    freeze_heap()


def _escalate_now():
    values = settings.current(settings_fallbacks())
    ratelimit.forget_old()
    return feedback.escalate_due(values), values


def _sweep_once(app):
    with app.app_context():
        _escalate_now()
        storage.sweep_orphans(app.config["UPLOAD_DIR"])


def start_sweeper(app):
    """From inside each server worker, as it starts and then every SWEEP_SECONDS: escalate overdue feedback, so
    the 24-hour promise holds without cron (a case is claimed by one conditional update, so workers sweeping
    together escalate it once), forget the public pages' hits no rate limit looks at any more, and remove stored
    files that a save killed before its commit left without a row."""

    interval = float(app.config.get("SWEEP_SECONDS") or 0)
    if interval <= 0:
        return None
    stop = threading.Event()

    def loop():
        while True:
            try:
                _sweep_once(app)
            except Exception:  # a failed sweep is logged and tried again next time
                app.logger.exception("sweep failed")
            finally:
                db.close()
            if stop.wait(interval):
                break

    thread = threading.Thread(target=loop, name="salesweb-sweep", daemon=True)
    thread.stop = stop.set
    thread.start()
    return thread


@click.command("escalate")
@with_appcontext
def escalate():
    """Escalate customer feedback that has had no first response in time to the owner's manager."""
    count, values = _escalate_now()
    click.echo(f"Escalated {count} feedback case(s) without a response within {values['feedback_response_hours']} "
               "hours.")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup(path):
    """Write the database and uploads to one archive, while the app keeps serving."""
    try:
        manifest = backups.create(path, current_app.config["DATABASE_URL"], current_app.config["UPLOAD_DIR"],
                                  _applied())
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    audit.record("backup", summary=path)
    click.echo(f"Backed up {len(manifest['files'])} file(s) to {path}.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore(path, yes):
    """Replace the database and uploads with an archive made by `backup` (stop the server first)."""
    if not yes:
        click.confirm("This replaces the current database and uploads. Continue?", abort=True)
    db.close()
    try:
        manifest = backups.restore(path, current_app.config["DATABASE_URL"], current_app.config["UPLOAD_DIR"],
                                   known_migrations=[m.name for m in schema.runner().migrations()])
    except backups.BackupError as exc:
        raise click.ClickException(f"restore refused: {exc}") from None
    db.close()
    applied = schema.migrate()  # an older backup is brought up to this version's schema
    rollups.rebuild()  # from the restored rows, on this install's calendar
    click.echo(f"Restored the backup of {manifest['created']} ({len(manifest['files'])} file(s))."
               + (f" Applied {len(applied)} newer migration(s)." if applied else ""))
    if IMAGES_CLEANED_FROM in applied:
        _scrub_images()


@click.command("rebuild-rollups")
@click.option("--check", is_flag=True, help="Only report where the kept rollups differ from the rows; change nothing.")
@with_appcontext
def rebuild_rollups(check):
    """Recompute the rollups the figures read from the rows (after an import into the tables, a restore, or a
    change of the install's time zone, which moves every day boundary)."""
    if check:
        found = rollups.differences()
        for table, key, kept, fresh in found[:50]:
            click.echo(f"{table} {key}: kept {kept}, from the rows {fresh}")
        if found:
            raise click.ClickException(f"{len(found)} rollup row(s) differ from the rows")
        click.echo("The rollups agree with the rows.")
        return
    made = rollups.rebuild()
    click.echo("Rebuilt the rollups: " + ", ".join(f"{table} {n:,} rows" for table, n in made.items()) + ".")


@click.command("scrub-images")
@with_appcontext
def scrub_images():
    """Remove location and camera data from images stored before uploads were cleaned of it (safe to run again)."""
    _scrub_images()


def _scrub_images():
    zone = settings.current(settings_fallbacks())["timezone"]
    report = storage.scrub_images(current_app.config["UPLOAD_DIR"], zone)
    for row, why in report.failed:
        click.echo(f"Left as it is: stored file {row.id} ({row.kind.upper()}, {row.sha256}): {why}", err=True)
    click.echo(f"Location and camera data removed from stored images: {report.scrubbed} scrubbed, {report.clean} "
               f"already clean, {len(report.failed)} failed.")


@click.command("recycle-pool")
@with_appcontext
def recycle_pool():
    """Return customers with no visit or deal activity for the configured days to the pool (ops can undo)."""
    values = settings.current(settings_fallbacks())
    count = pool.recycle(values)
    click.echo(f"Returned {count} customer(s) idle for {values['pool_recycle_days']} days to the pool.")


@click.command("recompute-tiers")
@with_appcontext
def recompute_tiers():
    """Apply the tier rule (trailing-12-month won revenue) to every customer whose tier is not locked."""


    values = settings.current(settings_fallbacks())
    if not tiers.has_revenue_source():
        click.echo("Tiers follow won revenue, and no won deals are recorded yet; every tier is left as it is.")
        return
    today = datetime.datetime.now(pytz.timezone(values["timezone"])).date()
    looked, changed = tiers.recompute_all(values, today)
    click.echo(f"Recomputed {looked} customer(s): {changed} changed tier.")


def settle_crashes(app):
    """As a server worker starts: what a process killed half-way left behind is settled. Uploads it was spooling
    (in the upload directory's .incoming) go; a stored file whose row was never committed goes; an import whose
    commit never ended is finished if its rows were committed, else put back to be committed again. A failure is
    logged, never fatal: the worker serves."""
    storage.sweep(app.config["UPLOAD_DIR"])
    with app.app_context():
        try:
            if db.table_exists("stored_file"):
                storage.sweep_orphans(app.config["UPLOAD_DIR"])
                imports.recover(app.config["UPLOAD_DIR"])
        except (DatabaseError, OSError):
            app.logger.exception("settling what a crash left behind failed; the worker serves on")
        finally:
            close_all()


def freeze_heap():
    """As a server worker is ready to serve: everything allocated so far (modules, compiled templates, the app
    itself) is set out of the garbage collector's reach. Its full collections otherwise walk that whole startup
    heap, again and again: on the board, which allocates a lot, they cost a millisecond a request on average.
    What the worker allocates later is collected as usual."""
    gc.collect()
    gc.freeze()
