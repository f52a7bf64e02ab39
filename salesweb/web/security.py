"""What every response and request passes through: security headers, Secure cookies over HTTPS, no NUL bytes,
ids too large for the database, uploads spooled on the upload disk, and the browser a sign-in is bound to."""
import hashlib
import tempfile
from pathlib import Path

from flask import Request, abort, current_app, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.routing import IntegerConverter

from ..core import audit

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")


class DatabaseId(IntegerConverter):
    """<int:...> in URLs: an id too large for a database integer simply matches nothing (404)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**63 - 1, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _spool_upload(total_content_length, content_type, filename=None, content_length=None):
    folder = Path(current_app.config["UPLOAD_DIR"]) / ".incoming"
    folder.mkdir(parents=True, exist_ok=True)
    return tempfile.SpooledTemporaryFile(max_size=500 * 1024, mode="rb+", dir=folder)


class UploadingRequest(Request):
    """An upload too big to keep in memory spools inside the upload directory (the disk sized for files),
    as an anonymous temporary file that disappears with the request, rather than in the system's /tmp."""

    def make_form_data_parser(self):
        return self.form_data_parser_class(
            stream_factory=_spool_upload, max_form_memory_size=self.max_form_memory_size,
            max_content_length=self.max_content_length, max_form_parts=self.max_form_parts,
            cls=self.parameter_storage_class)


class SessionInterface(SecureCookieSessionInterface):
    """Session cookies are Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app):
        return bool(app.config["SESSION_COOKIE_SECURE"] or (has_request_context() and request.is_secure))


def browser_tag():
    """What a sign-in is bound to: the browser (a hash of its User-Agent), not its address, so a phone moving between
    Wi-Fi and mobile data stays signed in. It rides in a session's and a remember cookie's user id
    (auth/rules.py), so it is short."""
    agent = request.headers.get("User-Agent", "")
    return hashlib.sha512(agent.encode("utf-8", "replace")).hexdigest()[:32]


def init_app(app):
    app.session_interface = SessionInterface()
    app.request_class = UploadingRequest
    app.url_map.converters["int"] = DatabaseId
    app.before_request(_note_client)
    app.before_request(_refuse_nul)
    app.after_request(_headers)


def _note_client():
    audit.set_client_ip(request.remote_addr)


def _refuse_nul():
    # No text field of ours holds a NUL byte, and PostgreSQL cannot store one.
    for values in (request.args, request.form):
        if any("\x00" in key or "\x00" in value for key, value in values.items(multi=True)):
            abort(400)


def _headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
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
