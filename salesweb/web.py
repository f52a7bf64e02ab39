"""Page-or-fragment rendering, form error plumbing, transactions around a write and its answer, and the client's
address and browser."""
import functools
import hashlib
import time

from flask import current_app, g, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from jinja2_fragments.flask import render_block
from markupsafe import Markup

from .db import db
from .services import cache, storage
from .services.errors import Invalid
from .services.exports import csv_chunks
from .services.settings import current_settings, settings_fallbacks  # noqa: F401 (the pages read them from here)


def is_fragment_request():
    """An htmx request that is not a boosted navigation wants a fragment."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def render(template, block=None, status=200, **context):
    """One URL, two answers: the named block for htmx fragment requests, else the whole page."""
    if block and is_fragment_request():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    return body, status, {"Vary": "HX-Request"}


def apply_errors(form, invalid, names=None):
    """Put a service's per-field messages on the WTForms form (`names` maps a service's field name to the form's
    where they differ); returns the form-wide ones."""
    general = []
    for field, message in invalid.errors.items():
        field = (names or {}).get(field, field)
        target = getattr(form, field, None) if field else None
        if target is not None and hasattr(target, "errors"):
            target.errors = list(target.errors) + [message]
        else:
            general.append(message)
    return general


def apply_row_errors(form, list_name, invalid):
    """A service's messages keyed "<list>-<row>-<field>" (for a FieldList of rows) onto their row's field; the
    others onto the form's own fields, or the form as a whole."""
    rows = getattr(form, list_name)
    for key, message in invalid.errors.items():
        parts = (key or "").split("-")
        if len(parts) == 3 and parts[0] == list_name and parts[1].isdecimal() and int(parts[1]) < len(rows):
            target = getattr(rows[int(parts[1])].form, parts[2], None)
        else:
            target = getattr(form, key, None) if key and key != list_name else None
        if target is not None and hasattr(target, "errors"):
            target.errors = list(target.errors) + [message]
        else:
            form.form_errors.append(message)


def submit(form, action):
    """Validate a posted form and run action(); returns (done, status). Refusals land on the form."""
    if not form.validate_on_submit():
        return False, 422 if request.method == "POST" else 200
    try:
        action()
    except Invalid as invalid:
        form.form_errors.extend(apply_errors(form, invalid))
        return False, 422
    return True, 200


def all_or_nothing(view):
    """A writing view whose answer (its redirect, its fragment) is built inside the transaction of its writes: if
    anything fails before the answer is ready, nothing the request wrote is kept. A GET passes straight through."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if request.method in ("GET", "HEAD"):
            return view(*args, **kwargs)
        with db.atomic():
            return view(*args, **kwargs)
    return wrapper


def data_generation():
    """The data generation this request reads at (see services/cache.py): loaded with the signed-in user, so it
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
    return Markup(remembered(name, (key, str(get_locale())), lambda: str(render_html()), size=len))


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


class Page:
    """One page of a query: items, number, total count (of `count_query` when a cheaper one is given)."""

    def __init__(self, query, number, size, count_query=None, total=None):
        """`query`: a peewee query, or fetch(offset, limit) giving a page's rows (with `total`). `total`: the
        count when the page already knows it (saves the count query)."""
        self.total = total if total is not None else (query if count_query is None else count_query).count()
        self.size = size
        self.pages = max(1, -(-self.total // size))
        self.number = min(max(1, number), self.pages)
        if hasattr(query, "paginate"):
            self.items = list(query.paginate(self.number, size))
        else:
            self.items = list(query((self.number - 1) * size, size))

    @property
    def has_prev(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.pages


def page_number():
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


def url_with(**changes):
    """This page's URL with some query parameters changed (e.g. the page number; None drops one)."""
    from urllib.parse import urlencode
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [str(value)]
    return url_for(request.endpoint, **(request.view_args or {})) + "?" + urlencode(args, doseq=True)


def browser_tag():
    """What a sign-in is bound to: the browser (a hash of its User-Agent), not its address, so a phone moving between
    Wi-Fi and mobile data stays signed in. It rides in a session's and a remember cookie's user id
    (services/auth.py), so it is short."""
    agent = request.headers.get("User-Agent", "")
    return hashlib.sha512(agent.encode("utf-8", "replace")).hexdigest()[:32]


def safe_next(target):
    """A path on this site to go to after a form, or None: never another host (no open redirect)."""
    from urllib.parse import urlsplit
    if not target:
        return None
    parts = urlsplit(target)
    if (parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target)):
        return None
    return target


def local_today():
    """Today on the install's calendar (visits fall due by local days)."""
    import datetime

    from flask_babel import get_timezone
    return datetime.datetime.now(get_timezone()).date()


def csv_download(header, rows, filename):
    """A CSV attachment streamed row by row (rows may be a generator reading the database)."""
    from flask import Response, stream_with_context

    response = Response(stream_with_context(csv_chunks(header, rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def send_stored(stored, name, inline=False):
    """A stored file as a download: conditional and range requests, the detected type, the original
    (UTF-8) name, never sniffed, and sandboxed so a file can never run as a page of this site. Only an image
    may be shown inline (`inline`); everything else, PDFs included, is an attachment, so no browser viewer
    opens it on this site's origin."""
    from flask import send_file
    from werkzeug.exceptions import RequestedRangeNotSatisfiable

    inline = inline and stored.kind in storage.IMAGES
    content, stored = storage.open_stored(stored, current_app.config["UPLOAD_DIR"])  # the row its content is of
    response = send_file(content, mimetype=stored.mime, as_attachment=not inline, download_name=name,
                         conditional=False, etag=stored.sha256, max_age=0)
    response.content_length = stored.size  # read from the row: the content is a stream, wherever it is kept
    response.last_modified = stored.created_at
    try:
        response = response.make_conditional(request.environ, accept_ranges=True, complete_length=stored.size)
    except RequestedRangeNotSatisfiable:
        content.close()
        raise
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = ("sandbox; default-src 'none'; img-src 'self'; "
                                                   "style-src 'unsafe-inline'")
    response.headers["Cache-Control"] = "private, no-cache"
    return response
