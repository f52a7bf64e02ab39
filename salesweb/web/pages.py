"""Page-or-fragment rendering, form error plumbing, transactions around a write and its answer, paging and safe
redirects."""
import functools
from urllib.parse import urlencode, urlsplit

from flask import render_template, request, url_for
from jinja2_fragments.flask import render_block

from ..core.db import db
from ..core.errors import Invalid


def is_fragment_request():
    """An htmx request that is not a boosted navigation wants a fragment."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def wants_json():
    """A program asking for JSON (a phone's outbox) rather than a browser asking for a page."""
    return request.accept_mimetypes.best_match(("text/html", "application/json")) == "application/json"


def errors_as_json(form):
    """A refused form's messages for a program: {field name: message}, the form-wide ones under "form"."""
    errors = {field.name: " ".join(str(m) for m in field.errors) for field in form if field.errors}
    if form.form_errors:
        errors["form"] = " ".join(str(m) for m in form.form_errors)
    return errors


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


def page_number(name="page"):
    """The page of a list the query string asks for (`name`: a page holding two lists pages each by its own)."""
    try:
        return max(1, int(request.args.get(name, 1)))
    except ValueError:
        return 1


def url_with(**changes):
    """This page's URL with some query parameters changed (e.g. the page number; None drops one)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [str(value)]
    return url_for(request.endpoint, **(request.view_args or {})) + "?" + urlencode(args, doseq=True)


def safe_next(target):
    """A path on this site to go to after a form, or None: never another host (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if (parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target)):
        return None
    return target


