"""What every page's templates share: the format filters, the navigation, icons, links with changed parameters,
the row templates' form token, and the shell's context (nav entries, settings, locale, CSRF token)."""
import functools

from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from werkzeug.local import LocalProxy

from ..core.i18n import locale_name
from ..core.settings import current_settings
from ..models import ROLE_LABELS
from . import format, nav
from .pages import url_with
from .rows import FORM_TOKEN


def init_app(app):
    format.register(app)
    app.jinja_env.globals.update(url_with=url_with, nav_current=nav.current, form_token=FORM_TOKEN,
                                 role_labels=ROLE_LABELS)

    @functools.lru_cache(maxsize=256)
    def icon(name):
        """An icon's SVG (templates/_icons.html), written once per name: a library page shows one per item."""
        return Markup(app.jinja_env.get_template("_icons.html").module.icon(name))
    app.jinja_env.globals["icon"] = icon
    app.context_processor(_shell)


def _shell():
    user = current_user if current_user and current_user.is_authenticated else None
    return {
        "nav_entries": nav.entries_for(user) if user else [],
        "settings": LocalProxy(current_settings),  # read only when a template uses it
        "locale": locale_name(),
        "csrf_token_value": generate_csrf,
    }
