"""Configuration: defaults, then the environment, then instance/config.py."""
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from .settings import LOCALES, is_timezone

ROOT = Path(__file__).resolve().parent.parent.parent

# Variables read from the environment, with their defaults (None: computed).
ENVIRONMENT = {
    "SECRET_KEY": None,
    "DATABASE_URL": None,
    "UPLOAD_DIR": None,
    "TIMEZONE": "Asia/Shanghai",
    "DEFAULT_LOCALE": "en",
    "MAX_UPLOAD_MB": "50",
    "TRUSTED_PROXIES": "0",
    "SESSION_HOURS": "12",
    "REMEMBER_DAYS": "14",
    "SETTINGS_CACHE_SECONDS": "5",  # how long a worker keeps the settings it read (a change here is seen at once)
    "NOTIFICATION_POLL_SECONDS": "60",  # how often an open page asks for the bell's count (0: only on navigation)
    "BASE_URL": "",  # e.g. https://sales.example.com: what links in e-mails start with (required with MAIL_HOST)
    "MAIL_HOST": "",  # no host: no e-mail
    "MAIL_PORT": "587",
    "MAIL_USER": "",
    "MAIL_PASSWORD": "",
    "MAIL_FROM": "",
    "MAIL_STARTTLS": "1",
    "MAIL_SSL": "0",  # TLS from the first byte (port 465) instead of STARTTLS
    "SWEEP_SECONDS": "300",  # how often a server worker escalates feedback overdue for a response (0: never)
}


class Defaults:
    LANGUAGES = ("en", "zh")
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).parent.parent / "translations")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "salesweb_session"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_NAME = "salesweb_remember"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    WTF_I18N_ENABLED = False  # the app's Form reads WTForms' messages itself, once per locale (salesweb.web.forms)
    LOGIN_LOCKOUT_FAILURES = 5  # per address, and per browser that signed in to the account before
    LOGIN_LOCKOUT_ACCOUNT_FAILURES = 20  # per account, from browsers that never signed in to it
    LOGIN_LOCKOUT_WINDOW_MINUTES = 15
    LOGIN_LOCKOUT_MINUTES = 15
    DEVICE_COOKIE_NAME = "salesweb_device"  # set at sign-in: this browser signed in to this account before
    DEVICE_COOKIE_DAYS = 365
    PAGE_SIZE = 25  # rows a list shows at a time: a phone screen or two, and a fast page


def _instance_secret(instance: Path) -> str:
    """A secret generated once into instance/secret_key, readable by the owner only.

    Written whole under a temporary name and linked into place, so workers starting
    together all end up with the one key that won.
    """
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        temp = instance / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(temp, path)
        except FileExistsError:
            pass
        finally:
            temp.unlink()
    key = path.read_text().strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable key; delete it or set SECRET_KEY")
    return key


def load(app, overrides=None):
    """Fill app.config: defaults, environment, instance/config.py, then overrides."""
    app.config.from_object(Defaults)
    instance = Path(app.instance_path)
    env = {name: os.environ.get(name, default) for name, default in ENVIRONMENT.items()}
    app.config.update({k: v for k, v in env.items() if v is not None})
    app.config.from_pyfile(instance / "config.py", silent=True)
    if overrides:
        app.config.update(overrides)

    cfg = app.config
    if not cfg.get("DATABASE_URL"):
        cfg["DATABASE_URL"] = f"sqlite:///{instance / 'salesweb.db'}"
    if not cfg.get("UPLOAD_DIR"):
        cfg["UPLOAD_DIR"] = str(instance / "uploads")
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _instance_secret(instance)
    # Flask's own defaults (no size limit, 31-day sessions) are replaced, not kept.
    explicit = set(overrides or {})
    derived = {
        "MAX_CONTENT_LENGTH": int(cfg["MAX_UPLOAD_MB"]) * 1024 * 1024 + 64 * 1024,  # a file plus its form
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(cfg["SESSION_HOURS"])),
        "REMEMBER_COOKIE_DURATION": timedelta(days=int(cfg["REMEMBER_DAYS"])),
    }
    cfg.update({k: v for k, v in derived.items() if k not in explicit})
    if not is_timezone(cfg["TIMEZONE"]):
        raise RuntimeError(f"TIMEZONE={cfg['TIMEZONE']!r} is not a known time zone (e.g. Asia/Shanghai)")
    if cfg["DEFAULT_LOCALE"] not in LOCALES:
        raise RuntimeError(f"DEFAULT_LOCALE={cfg['DEFAULT_LOCALE']!r}: use one of {', '.join(LOCALES)}")
    cfg["BABEL_DEFAULT_LOCALE"] = cfg["DEFAULT_LOCALE"]
    cfg["BABEL_DEFAULT_TIMEZONE"] = cfg["TIMEZONE"]
    _notification_settings(cfg)


def _flag(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _notification_settings(cfg):
    """The poll interval and the mail settings as numbers and flags; one that cannot work stops the start."""
    try:
        cfg["NOTIFICATION_POLL_SECONDS"] = int(cfg["NOTIFICATION_POLL_SECONDS"])
        cfg["MAIL_PORT"] = int(cfg["MAIL_PORT"])
    except ValueError as error:
        raise RuntimeError(f"NOTIFICATION_POLL_SECONDS and MAIL_PORT take whole numbers: {error}") from None
    if cfg["NOTIFICATION_POLL_SECONDS"] < 0:
        raise RuntimeError("NOTIFICATION_POLL_SECONDS cannot be negative (0 turns polling off)")
    cfg["MAIL_STARTTLS"], cfg["MAIL_SSL"] = _flag(cfg["MAIL_STARTTLS"]), _flag(cfg["MAIL_SSL"])
    cfg["MAIL_FROM"] = cfg["MAIL_FROM"] or cfg["MAIL_USER"]
    if cfg["MAIL_HOST"] and "@" not in cfg["MAIL_FROM"]:
        raise RuntimeError("MAIL_HOST is set: set MAIL_FROM to the sender's address (or use an address as MAIL_USER)")
    cfg["BASE_URL"] = str(cfg["BASE_URL"] or "").strip().rstrip("/")
    base = urlsplit(cfg["BASE_URL"])
    # Links in e-mails never come from a request: its Host header is whatever the client sent.
    if cfg["MAIL_HOST"] and (base.scheme not in ("http", "https") or not base.hostname):
        raise RuntimeError("MAIL_HOST is set: set BASE_URL to the address people open salesweb at, e.g. "
                           f"https://sales.example.com (links in e-mails start with it; got {cfg['BASE_URL']!r})")
