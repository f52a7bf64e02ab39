"""Results a worker keeps until the next write (core/cache.py): figures pages compute them once per data generation."""
import time

from flask import current_app, g, request

from flask_login import current_user
from markupsafe import Markup

from ..core.i18n import locale_name
from ..core import cache
from ..core.settings import current_settings


def data_generation():
    """The data generation this request reads at (see core/cache.py): loaded with the signed-in user, so it
    costs no query of its own; None for anyone else."""
    if "data_generation" not in g:
        g.data_generation = getattr(current_user, "data_generation", None) if current_user.is_authenticated else None
    return g.data_generation


def remembered(name, key, compute, size=lambda value: 1024):
    """compute(), or what it gave before for the same name and key at the same data generation. Only a safe
    request reads or keeps a result: a write's own request reads what it wrote, computed afresh."""
    generation = data_generation()
    if generation is None or request.method not in ("GET", "HEAD") or not current_app.config["KEEP_RESULTS"]:
        return compute()
    store = current_app.extensions.get("salesweb.results")
    if store is None:
        store = current_app.extensions["salesweb.results"] = cache.Results()
    # the settings this worker reads with: another worker's change moves the generation before this one's
    # settings are read again, and what they render must not be kept under the new number
    if "settings_key" not in g:
        g.settings_key = hash(tuple(sorted((k, str(v)) for k, v in current_settings().items())))
    full_key = (name, key, generation, g.settings_key)
    value = store.get(full_key)
    if value is None:
        value = compute()
        store.put(full_key, value, size(value))
    return value


def minute(moment):
    """A time to the minute, for the key of a result that passing time changes (stale since, overdue for)."""
    return moment.replace(second=0, microsecond=0)


def remembered_html(name, key, render_html):
    """A rendered piece of a page (no form tokens in it), kept as remembered() keeps results."""
    return Markup(remembered(name, (key, locale_name()), lambda: str(render_html()), size=len))


def kept(name, key, compute):
    """A value this worker keeps: for a signed-in user's request until the next write (remembered()); else for
    SETTINGS_CACHE_SECONDS, like the settings. For filter choices that take a scan of thousands of rows."""
    if data_generation() is not None:
        return remembered(name, key, compute)
    store = current_app.extensions.setdefault("salesweb.kept", {})
    now = time.monotonic()
    hit = store.get((name, key))
    if hit is not None and hit[0] > now:
        return hit[1]
    value = compute()
    if len(store) > 1000:
        store.clear()
    store[(name, key)] = (now + float(current_app.config["SETTINGS_CACHE_SECONDS"]), value)
    return value

