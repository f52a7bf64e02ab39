"""Translation markers shared by rules and views (strings resolve when rendered). Templates translate through
Flask-Babel's own Jinja set-up (`_`, `gettext`, `ngettext`, `pgettext`)."""
from flask_babel import gettext, ngettext, pgettext
from flask_babel.speaklater import LazyString
from markupsafe import escape

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

__all__ = ["_", "_l", "gettext", "lazy_gettext", "lazy_ngettext", "lazy_pgettext", "ngettext", "pgettext"]

