"""Which language and time zone a request speaks (Flask-Babel's selectors)."""
from flask import current_app, has_request_context, request, session
from flask_login import current_user

from .settings import current_settings


def select_locale():
    """The signed-in user's language, else the one chosen on the sign-in page, else the browser's, else the
    install's default. The command line speaks the install's default."""
    if not has_request_context():
        return None
    languages = list(current_app.config["LANGUAGES"])
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    best = request.accept_languages.best_match(languages)
    return best or current_settings()["default_locale"]


def select_timezone():
    return current_settings()["timezone"]
