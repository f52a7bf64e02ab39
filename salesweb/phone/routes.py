from flask import current_app, make_response, render_template, url_for

from ..core.i18n import _
from ..core.settings import current_settings
from . import shell
from .blueprint import bp

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
                           offline=url_for("phone.offline"), logout=url_for("auth.logout"))
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
