"""Translation markers shared by rules and views (strings resolve when rendered), and the request's catalogue
they and the templates (`_`, `gettext`, `ngettext`, `pgettext`) translate with."""
from contextlib import contextmanager
from typing import NamedTuple

from babel.support import NullTranslations, Translations
from flask import g
from flask_babel import force_locale as babel_force_locale, get_locale, get_translations
from flask_babel.speaklater import LazyString
from markupsafe import escape

_KEY = "i18n_catalogue"


class Catalogue(NamedTuple):
    locale: str  # "en", "zh"
    translations: Translations


_SOURCE = Catalogue("en", NullTranslations())


def catalogue():
    """The language the request speaks and its translations, as Flask-Babel selects them, looked up once per app
    context (where Flask-Babel keeps the request's locale too). Flask-Babel finds its context three times for every
    string it translates (5 µs), and a page translates about a hundred. Outside an app context: the source text."""
    try:
        return getattr(g, _KEY)
    except AttributeError:
        found = Catalogue(str(get_locale() or "en"), get_translations())
        setattr(g, _KEY, found)
        return found
    except RuntimeError:  # no app context
        return _SOURCE


def locale_name():
    """The request's language, as the formats name it ("en", "zh")."""
    return catalogue().locale


@contextmanager
def force_locale(locale):
    """Flask-Babel's `force_locale` (a mail in its reader's language), with that language's catalogue inside."""
    saved = g.pop(_KEY, None)
    try:
        with babel_force_locale(locale):
            yield
    finally:
        g.pop(_KEY, None)
        if saved is not None:
            setattr(g, _KEY, saved)


def gettext(string, **variables):
    text = catalogue().translations.ugettext(string)
    return text % variables if variables else text


def ngettext(singular, plural, num, **variables):
    variables.setdefault("num", num)
    text = catalogue().translations.ungettext(singular, plural, num)
    return text % variables if variables else text


def pgettext(context, string, **variables):
    text = catalogue().translations.upgettext(context, string)
    return text % variables if variables else text


def install(app):
    """Templates translate through the same catalogue (Jinja's i18n extension, as Flask-Babel sets it up)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalogue().translations.ugettext(s),
        ngettext=lambda s, p, n: catalogue().translations.ungettext(s, p, n),
        pgettext=lambda c, s: catalogue().translations.upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().translations.unpgettext(c, s, p, n),
        newstyle=True)


_ = gettext


class _EscapedLazyString(LazyString):
    """Flask-Babel's lazy string tells Jinja it is already HTML, so a value interpolated into it (a user's name in
    an error message, a cell of an imported file) would reach the page unescaped. This one is escaped like any
    other text."""

    def __html__(self):
        return str(escape(str(self)))


def lazy_gettext(string, **variables):
    return _EscapedLazyString(gettext, string, **variables)


def lazy_pgettext(context, string, **variables):
    """pgettext resolved when shown, for a form label or a choice with more than one sense."""
    return _EscapedLazyString(pgettext, context, string, **variables)


def lazy_ngettext(singular, plural, num, **variables):
    """ngettext resolved when shown, for a service's message that counts something (1 day, 2 days)."""
    return _EscapedLazyString(ngettext, singular, plural, num, **variables)


_l = lazy_gettext

__all__ = ["_", "_l", "catalogue", "force_locale", "gettext", "install", "lazy_gettext", "lazy_ngettext",
           "lazy_pgettext", "locale_name", "ngettext", "pgettext"]

