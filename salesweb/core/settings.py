"""Operator settings: typed definitions with the SPEC defaults, read in one query, validated as a whole; and the
install's settings as a request reads them."""
import time
from dataclasses import dataclass

import pytz
from flask import current_app, g

from .db import db, utcnow
from .i18n import _l
from ..models import Setting
from . import audit
from .errors import Invalid

CURRENCIES = ("CNY", "USD", "EUR", "HKD", "JPY", "GBP", "SGD")
LOCALES = ("en", "zh")


@dataclass(frozen=True)
class Definition:
    key: str
    kind: str  # text, choice, timezone, int, money (minor units), percent
    default: object
    label: object
    group: object
    choices: tuple = ()
    minimum: int | None = None
    maximum: int | None = None


G_COMPANY, G_TIERS, G_CADENCE, G_SALES, G_POOL, G_COLLATERAL, G_VISITS, G_SERVICE, G_OPS = (
    _l("Company"), _l("Customer tiers"), _l("Visit cadence"), _l("Sales rules"), _l("Customer pool"), _l("Collateral"),
    _l("Visits and check-in"), _l("Customer service"), _l("Allocation and expenses"))
# The sales process, which ops tunes in its own settings area (admin sees every group).
PROCESS_GROUPS = (G_TIERS, G_CADENCE, G_SALES, G_POOL, G_VISITS, G_OPS)

DEFINITIONS = (
    Definition("company_name", "text", "salesweb", _l("Company name"), G_COMPANY, maximum=100),
    Definition("currency", "choice", "CNY", _l("Currency"), G_COMPANY, choices=CURRENCIES),
    Definition("timezone", "timezone", "Asia/Shanghai", _l("Time zone"), G_COMPANY),
    Definition("default_locale", "choice", "en", _l("Default language"), G_COMPANY, choices=LOCALES),
    Definition("tier_a_threshold", "money", 1_000_000_00, _l("Tier A from (12-month won revenue)"),
               G_TIERS, minimum=1, maximum=10**15),
    Definition("tier_b_threshold", "money", 100_000_00, _l("Tier B from (12-month won revenue)"),
               G_TIERS, minimum=1, maximum=10**15),
    Definition("cadence_a_days", "int", 30, _l("Visit tier A every (days)"), G_CADENCE, minimum=1, maximum=3650),
    Definition("cadence_b_days", "int", 90, _l("Visit tier B every (days)"), G_CADENCE, minimum=1, maximum=3650),
    Definition("cadence_c_days", "int", 180, _l("Visit tier C every (days)"), G_CADENCE, minimum=1, maximum=3650),
    Definition("discount_limit_rep", "percent", 10, _l("Rep discount limit (%)"), G_SALES, minimum=0, maximum=100),
    Definition("discount_limit_manager", "percent", 20, _l("Manager discount limit (%)"), G_SALES,
               minimum=0, maximum=100),
    Definition("quote_valid_days", "int", 30, _l("Quotes stay valid for, unless told (days)"), G_SALES,
               minimum=1, maximum=365),
    Definition("quote_follow_up_days", "int", 3, _l("Follow up a sent quote after (days)"), G_SALES,
               minimum=1, maximum=60),
    Definition("weekly_visit_norm_min", "int", 10, _l("Weekly visit norm, at least"), G_SALES,
               minimum=0, maximum=200),
    Definition("weekly_visit_norm_max", "int", 15, _l("Weekly visit norm, at most"), G_SALES,
               minimum=0, maximum=200),
    Definition("pool_claim_limit", "int", 30, _l("Customers a rep may hold from the pool"), G_POOL,
               minimum=0, maximum=10000),
    Definition("pool_recycle_days", "int", 60, _l("Return to the pool after days without activity"), G_POOL,
               minimum=1, maximum=3650),
    Definition("visit_duration_minutes", "int", 45, _l("A visit lasts, unless told (minutes)"), G_VISITS,
               minimum=1, maximum=600),
    Definition("checkin_radius_m", "int", 500, _l("Check-in counts within (metres of the customer)"), G_VISITS,
               minimum=10, maximum=50000),
    Definition("checkin_accuracy_m", "int", 100, _l("Check-in accuracy needed (metres)"), G_VISITS,
               minimum=5, maximum=5000),
    Definition("checkin_max_age_minutes", "int", 10, _l("Check-in position at most this old (minutes)"), G_VISITS,
               minimum=1, maximum=1440),
    Definition("offline_late_hours", "int", 72, _l("Flag a visit sent later than this after it was captured (hours)"),
               G_VISITS, minimum=1, maximum=8760),
    Definition("share_link_days", "int", 7, _l("Share links stay valid for (days)"), G_COLLATERAL,
               minimum=1, maximum=90),
    Definition("feedback_response_hours", "int", 24, _l("Answer customer feedback within (hours)"), G_SERVICE,
               minimum=1, maximum=720),
    Definition("customer_link_days", "int", 14, _l("Feedback and survey links stay valid for (days)"), G_SERVICE,
               minimum=1, maximum=90),
    Definition("reallocation_undo_hours", "int", 24, _l("A bulk reassignment can be undone for (hours)"), G_OPS,
               minimum=1, maximum=720),
    Definition("expense_max_amount", "money", 50_000_00, _l("Largest single expense claim"), G_OPS,
               minimum=100, maximum=10**12),
    Definition("expense_claim_days", "int", 90, _l("Expenses can be claimed for (days after spending)"), G_OPS,
               minimum=1, maximum=730),
)
BY_KEY = {d.key: d for d in DEFINITIONS}


def is_timezone(name):
    """A zone the date formatting (Babel, through pytz) knows."""
    return str(name) in pytz.all_timezones_set


def _decode(definition, raw):
    if definition.kind in ("int", "money", "percent"):
        return int(raw)
    return raw


_generation = [0]  # moved by clear_cache(), so the copy current_settings() keeps in this process knows it is stale


def generation():
    return _generation[0]


def clear_cache():
    """Make the settings this process keeps stale: the next current_settings() reads them again (store() calls it,
    so the worker that saves a change shows it at once)."""
    _generation[0] += 1


def current(fallbacks=None):
    """Every setting's value: stored, else the install's fallback (e.g. TIMEZONE), else the SPEC default."""
    values = {d.key: d.default for d in DEFINITIONS}
    values.update(fallbacks or {})
    for key, raw in Setting.select(Setting.key, Setting.value).tuples():
        if key in BY_KEY:
            values[key] = _decode(BY_KEY[key], raw)
    return values


def settings_fallbacks():
    """Settings whose default comes from the install's environment rather than the SPEC."""
    return {"timezone": current_app.config["TIMEZONE"],
            "default_locale": current_app.config["DEFAULT_LOCALE"]}


def current_settings():
    """The install's settings: read at most once per request, and kept by this worker for
    SETTINGS_CACHE_SECONDS. A change saved by this worker is seen at once; by another, within that time."""
    if "settings" not in g:
        now, stamp = time.monotonic(), generation()
        cached = current_app.extensions.get("salesweb.settings")
        if cached is None or cached[0] != stamp or cached[1] <= now:
            cached = (stamp, now + float(current_app.config["SETTINGS_CACHE_SECONDS"]),
                      current(settings_fallbacks()))
            current_app.extensions["salesweb.settings"] = cached
        g.settings = dict(cached[2])
    return g.settings


def _check_one(d, value):
    if d.kind == "choice" and value not in d.choices:
        return _l("Choose one of the listed values.")
    if d.kind == "timezone" and not is_timezone(value):
        return _l("Unknown time zone; use a name such as Asia/Shanghai.")
    if d.kind == "text":
        if not str(value).strip():
            return _l("This field is required.")
        if len(str(value)) > d.maximum:
            return _l("At most %(n)d characters.", n=d.maximum)
    if d.kind in ("int", "money", "percent"):
        if not isinstance(value, int) or isinstance(value, bool):
            return _l("Enter a whole number.")
        if value < d.minimum or value > d.maximum:
            return _l("Must be between %(lo)s and %(hi)s.",
                      lo=d.minimum // 100 if d.kind == "money" else d.minimum,
                      hi=d.maximum // 100 if d.kind == "money" else d.maximum)
    return None


def validate(values):
    """Per-field and cross-field checks; returns {key: message}."""
    errors = {}
    for key, value in values.items():
        message = _check_one(BY_KEY[key], value)
        if message:
            errors[key] = message
    if not errors:
        if values["tier_a_threshold"] <= values["tier_b_threshold"]:
            errors["tier_a_threshold"] = _l("Tier A must start above tier B.")
        if not values["cadence_a_days"] <= values["cadence_b_days"] <= values["cadence_c_days"]:
            errors["cadence_b_days"] = _l("Visit A customers at least as often as B, and B as often as C.")
        if values["discount_limit_rep"] > values["discount_limit_manager"]:
            errors["discount_limit_rep"] = _l("A rep's limit cannot exceed a manager's.")
        if values["weekly_visit_norm_min"] > values["weekly_visit_norm_max"]:
            errors["weekly_visit_norm_min"] = _l("The lower bound cannot exceed the upper bound.")
    return errors


def prepare(changes, fallbacks=None):
    """(the settings as they stand, as they would be with `changes`, what `changes` actually change), after
    validating the given settings with the rest; Invalid when they are refused."""
    values = current(fallbacks)
    unknown = set(changes) - set(BY_KEY)
    if unknown:
        raise Invalid({None: _l("Unknown setting.")})
    merged = {**values, **changes}
    errors = validate(merged)
    if errors:
        raise Invalid(errors)
    return values, merged, {k: v for k, v in changes.items() if values[k] != v}


def store(changed, values, by):
    """Write what `prepare` found changed, auditing each change (`values`: the settings it stood at), in the
    caller's transaction."""
    clear_cache()
    now = utcnow()
    for key, value in changed.items():
        (Setting.insert(key=key, value=str(value), updated_at=now, updated_by=by)
         .on_conflict(conflict_target=[Setting.key],
                      update={Setting.value: str(value), Setting.updated_at: now,
                              Setting.updated_by: by})
         .execute())
        audit.record("settings", actor=by, object_type="setting",
                     summary=f"{key}: {values[key]} → {value}")


def update(changes, by, fallbacks=None):
    """Store the given settings after validating them with the rest; audit each change. Returns what changed.
    (What follows a setting, such as customers' due dates and tiers, follows through tiers.update_settings.)"""
    values, _merged, changed = prepare(changes, fallbacks)
    with db.atomic():
        store(changed, values, by)
    return changed
