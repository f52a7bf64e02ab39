"""What every page's templates share: the format filters, the navigation, icons, links with changed parameters,
and the shell's context (nav entries, settings, locale, CSRF token)."""
import functools
from types import SimpleNamespace

from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from werkzeug.local import LocalProxy

from ..core.i18n import locale_name
from ..core.settings import current_settings
from ..models import (ALLOCATION_FLAG_LABELS, AUDIT_ACTION_LABELS, CHECK_PROBLEM_LABELS, COLLATERAL_KIND_LABELS,
                      EXPENSE_CATEGORY_LABELS, EXPENSE_STATUS_LABELS, FEEDBACK_CHANNEL_LABELS, FEEDBACK_KIND_LABELS,
                      FEEDBACK_STATE_LABELS, HELP_QUEUE_LABELS, HELP_STATUS_LABELS, OUTCOME_LABELS, POOL_MOVE_LABELS,
                      ROLE_LABELS, SEVERITY_LABELS, URGENCY_LABELS, VISIT_KIND_LABELS)
from . import format, nav
from .pages import url_with


# The names of the codes records carry, as templates show them (`labels.visit_kind[visit.kind]`), in one global:
# every template rendered on its own, and every macro import, first goes through all the template globals.
LABELS = SimpleNamespace(
    allocation_flag=ALLOCATION_FLAG_LABELS, audit_action=AUDIT_ACTION_LABELS, check_problem=CHECK_PROBLEM_LABELS,
    collateral_kind=COLLATERAL_KIND_LABELS, expense_category=EXPENSE_CATEGORY_LABELS,
    expense_status=EXPENSE_STATUS_LABELS, feedback_channel=FEEDBACK_CHANNEL_LABELS, feedback_kind=FEEDBACK_KIND_LABELS,
    feedback_state=FEEDBACK_STATE_LABELS, help_queue=HELP_QUEUE_LABELS, help_status=HELP_STATUS_LABELS,
    pool_move=POOL_MOVE_LABELS, role=ROLE_LABELS, severity=SEVERITY_LABELS, urgency=URGENCY_LABELS,
    visit_kind=VISIT_KIND_LABELS, visit_outcome=OUTCOME_LABELS)


def init_app(app):
    format.register(app)
    app.jinja_env.globals.update(url_with=url_with, nav_current=nav.current, labels=LABELS)

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
