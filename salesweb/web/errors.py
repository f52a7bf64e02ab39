"""Error pages in the layout, a short message for an htmx fragment request, or {"errors": {...}} for a program
asking for JSON (a phone's outbox shows the message beside what it could not send)."""
import logging

from flask import current_app, jsonify, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..core.i18n import _l
from .pages import is_fragment_request, wants_json

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    403: (_l("Not allowed"), _l("Your role does not give access to this page.")),
    404: (_l("Not found"), _l("There is nothing here, or it is not yours to see.")),
    405: (_l("Not allowed"), _l("That action is not available here.")),
    413: (_l("Too large"), _l("The upload is larger than this installation accepts.")),
    429: (_l("Too many attempts"), _l("Please wait a while before trying again.")),
    500: (_l("Something went wrong"), _l("The error has been logged. Please try again.")),
}


FALLBACK = ("<!doctype html><meta charset=utf-8><title>500</title>"
            "<h1>Something went wrong / 出错了</h1><p>The error has been logged. 错误已记录。</p>")


def _page(code, detail=None, field="form"):
    title, message = MESSAGES.get(code, MESSAGES[400 if code < 500 else 500])
    if wants_json():
        return jsonify({"errors": {field: str(detail or message)}}), code
    template = "errors/_message.html" if is_fragment_request() else "errors/error.html"
    return render_template(template, code=code, title=title, message=detail or message), code


def register(app):
    @app.errorhandler(CSRFError)
    def _csrf(error):
        return _page(400, _l("The form expired or was sent from elsewhere. Reload the page and try again."),
                     field="csrf_token")

    @app.errorhandler(HTTPException)
    def _http(error):
        if error.code is None or error.code < 400:
            return error
        detail = None
        if error.code == 413:
            detail = _l("The upload is larger than this installation accepts (%(mb)s MB).",
                        mb=current_app.config["MAX_UPLOAD_MB"])
        response, code = _page(error.code, detail)
        allowed = getattr(error, "valid_methods", None)
        return response, code, {"Allow": ", ".join(allowed)} if allowed else {}

    @app.errorhandler(Exception)
    def _unhandled(error):
        log.exception("unhandled error")
        try:
            return _page(500)
        except Exception:  # the layout itself failed: answer without it
            log.exception("error page failed")
            return FALLBACK, 500, {"Content-Type": "text/html; charset=utf-8"}
