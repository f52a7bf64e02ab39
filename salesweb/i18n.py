"""Translation markers shared by services and views (strings resolve when rendered), and the
templates' gettext."""
from flask import g
from jinja2 import pass_context
from markupsafe import Markup, escape
from flask_babel import get_translations
from flask_babel.speaklater import LazyString


def gettext(string, **variables):
    """Flask-Babel's gettext, reading this request's catalogue once (`_translations`)."""
    text = _translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular, plural, num, **variables):
    """Flask-Babel's ngettext, reading this request's catalogue once (`_translations`)."""
    variables.setdefault("num", num)
    return _translations().ungettext(singular, plural, num) % variables


def pgettext(context, string, **variables):
    """gettext for a word with more than one sense: `context` names the one meant (the catalogue's msgctxt)."""
    text = _translations().upgettext(context, string)
    return text % variables if variables else text


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

__all__ = ["_", "_l", "gettext", "lazy_gettext", "lazy_ngettext", "lazy_pgettext", "ngettext", "pgettext",
           "install_template_gettext"]


def _translations():
    """This request's catalogue, looked up once: Flask-Babel finds it anew for every string (about
    6 µs), and a page translates a hundred strings or more. Kept where `flask_babel.refresh` clears it and
    `flask_babel.force_locale` empties it for its while (a mail in the recipient's language)."""
    try:
        translations = g._flask_babel.babel_translations
    except AttributeError:
        translations = None
    except RuntimeError:  # outside an app context
        return get_translations()
    if translations is None:
        translations = get_translations()
        try:
            g._flask_babel.babel_translations = translations
        except (AttributeError, RuntimeError):  # nothing to keep it in
            pass
    return translations


def _format(context, text, variables):
    """Jinja's new-style formatting (always `%`, escaping the values), minus the escaping when every value
    is a number: Markup's escaping `%` costs ~10 µs, and "%(num)d days" is on every board card."""
    if not context.eval_ctx.autoescape:
        return text % variables
    if all(type(value) in (int, float) for value in variables.values()):
        return Markup(text % variables)
    return Markup(text) % variables


@pass_context
def _gettext(context, string, **variables):
    return _format(context, _translations().ugettext(string), variables)


@pass_context
def _ngettext(context, singular, plural, num, **variables):
    variables.setdefault("num", num)
    return _format(context, _translations().ungettext(singular, plural, num), variables)


def install_template_gettext(app):
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True)
    # `_` straight to gettext: Jinja's own `_` looks gettext up in the context and calls it through the
    # context again, twice the cost of every translated word
    app.jinja_env.globals.update(gettext=_gettext, ngettext=_ngettext, _=_gettext)
