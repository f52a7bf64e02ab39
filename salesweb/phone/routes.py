from flask import current_app, jsonify, make_response, render_template, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ..core.i18n import _
from ..core.settings import current_settings
from . import queries, shell
from .blueprint import bp, signed_in

THEME = "#1f5fbf"  # the brand colour (static/css/app.css --brand)
BACKGROUND = "#f5f7fa"  # the page's (--bg): the splash screen a phone shows while the app starts


@bp.get("/manifest.webmanifest")
def manifest():
    """What a phone installs: the company's name, the icons, a window of its own, and the user's home to start."""
    name = current_settings()["company_name"]
    icon = lambda file, size, purpose="any": {  # noqa: E731
        "src": url_for("static", filename=f"icons/{file}"), "sizes": size, "type": "image/png", "purpose": purpose}
    response = current_app.json.response({
        "id": "/", "name": name, "short_name": name if len(name) <= 12 else "salesweb",
        "description": _("Customers, visits and the pipeline of the sales team."),
        "start_url": url_for("home.index"), "scope": "/", "display": "standalone",
        "theme_color": THEME, "background_color": BACKGROUND,
        "icons": [icon("icon-192.png", "192x192"), icon("icon-512.png", "512x512"),
                  icon("icon-maskable-512.png", "512x512", "maskable")]})
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
def service_worker():
    """The service worker, from the site root so that its scope is every page. A browser fetches it again on its
    own to look for a new release; its version names the shell it keeps."""
    body = render_template("phone/sw.js", version=shell.version(current_app.static_folder, current_app.template_folder),
                           shell=[url_for("static", filename=name) for name in shell.FILES]
                           + [url_for("home.favicon"), url_for("phone.offline")],
                           offline=url_for("phone.offline"), logout=url_for("auth.logout"),
                           visit_form=url_for("visits.new"), customer_page=url_for("customers.detail", customer_id=0),
                           outbox_script=url_for("static", filename="js/outbox.js"), token=url_for("phone_data.token"),
                           refused=_("The server did not accept this visit."))
    response = make_response(body)
    response.mimetype = "text/javascript"
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline")
def offline():
    """The page shown for one this phone does not keep, while there is no signal. The worker keeps it at install,
    asked without cookies: it is nobody's, and names nobody."""
    response = make_response(render_template("phone/offline.html"))
    response.headers["Cache-Control"] = "no-cache"
    return response


def _private(response):
    """Nobody's copy but the phone's own (the outbox keeps the book where the user's kept pages are)."""
    response.headers["Cache-Control"] = "no-store"
    return response


@signed_in.get("/phone/token")
def token():
    """Who is signed in on this phone now, and a form token for them: the outbox asks before it sends, so that a
    visit saved by one user is never sent under another's sign-in, and never with a token gone stale."""
    return _private(jsonify({"user": current_user.id, "csrf": generate_csrf()}))


@signed_in.get("/phone/book")
def book():
    """The signed-in user's own customers with their people and open deals: the offline visit form's picker."""
    return _private(jsonify(dict(queries.book(current_user), user=current_user.id)))
