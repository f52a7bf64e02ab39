"""Template filters: times in the install's zone, money from minor units, file sizes."""
import datetime
from functools import lru_cache

from babel import Locale, dates, numbers
from babel.numbers import format_decimal
from flask_babel import get_timezone, to_user_timezone

from ..core.i18n import gettext, locale_name
from ..core.money import percent_text


@lru_cache(maxsize=16)
def _symbols(locale):
    symbols = Locale.parse(locale).number_symbols["latn"]
    return symbols["group"], symbols["decimal"], symbols["minusSign"]


@lru_cache(maxsize=4096)
def _day(value, style, locale):
    """A day as babel writes it; a page shows the same few days over and over (7 µs each from babel)."""
    return dates.format_date(value, style, locale=locale)


@lru_cache(maxsize=4096)
def _moment(value, style, locale, zone):
    """A stored UTC time as babel writes it in the install's zone (60 µs each from babel); the same rows are
    shown request after request."""
    return dates.format_datetime(value, style, tzinfo=zone, locale=locale)


def money(minor_units, locale):
    """Minor units as the locale writes them: a whole amount without decimals ("#,##0": 1,234), any other with
    both digits of the minor unit ("#,##0.00": 368.50, 1,234.05), never 368.5. What babel's format_decimal gives,
    at a tenth of the cost: a board shows a hundred amounts. Amounts are stored in hundredths (CNY: fen)."""
    group, decimal, minus = _symbols(locale)
    minor_units = int(minor_units or 0)
    units, cents = divmod(abs(minor_units), 100)
    text = f"{units:,}".replace(",", group)
    if cents:
        text += decimal + f"{cents:02d}"
    return minus + text if minor_units < 0 else text


@lru_cache(maxsize=512)
def month(key, locale, skeleton="yMMM"):
    """'2026-11' as the locale names a month briefly: Nov 2026, 2026年11月 (or by another babel skeleton)."""
    return dates.format_skeleton(skeleton, datetime.date(int(key[:4]), int(key[5:7]), 1), locale=locale)


@lru_cache(maxsize=4096)
def filesize(size, locale):
    """A size in bytes as a person reads it (2.5 MB), in the locale's digits; a library lists the same files over
    and over (babel takes 40 µs a number)."""
    for unit, scale in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if size >= scale:
            return f"{numbers.format_decimal(size / scale, format='#,##0.#', locale=locale)} {unit}"
    return f"{size} B"


def register(app):
    @app.template_filter("datetime")
    def _datetime(value, style="medium"):
        return _moment(value, style, locale_name(), get_timezone()) if value else "—"

    @app.template_filter("date")
    def _date(value, style="medium"):
        if not value:
            return "—"
        if type(value) is datetime.datetime:  # a stored UTC time: its day where the install is
            value = to_user_timezone(value).date()
        return _day(value, style, locale_name())

    @app.template_filter("money")
    def _money(minor_units):
        return money(minor_units, locale_name())

    @app.template_filter("percent_bp")
    def _percent_bp(basis_points):
        """Basis points as a percentage without needless decimals: 1500 → 15, 1250 → 12.5."""
        return percent_text(basis_points or 0)

    @app.template_filter("quantity")
    def _quantity(value):
        """2.500 → 2.5 and 3.000 → 3, grouped as the locale writes numbers."""
        return format_decimal(value, format="#,##0.###", locale=locale_name())

    @app.template_filter("month")
    def _month(key):
        return month(key, locale_name())

    @app.template_filter("period")
    def _period(period):
        """A metrics period as the locale names it: November 2026, Q4 2026, 2026 (2026年11月, 2026年第4季度), and a
        week by its Monday."""
        if period.kind == "week":
            return gettext("Week of %(day)s", day=_day(period.start, "medium", locale_name()))
        if period.kind == "days":
            locale = locale_name()
            return gettext("Last %(num)d days, %(first)s – %(last)s", num=period.days,
                           first=_day(period.start, "medium", locale),
                           last=_day(period.end - datetime.timedelta(days=1), "medium", locale))
        skeleton = {"year": "y", "quarter": "yQQQ", "month": "yMMMM"}[period.kind]
        return dates.format_skeleton(skeleton, period.start, locale=locale_name())

    @app.template_filter("percent")
    def _percent(share):
        """A share (0.25) as a whole percentage (25%); no share (nothing to divide by) as a dash."""
        return "—" if share is None else f"{share * 100:.0f}%"

    @app.template_filter("filesize")
    def _filesize(size):
        return filesize(size or 0, locale_name())
