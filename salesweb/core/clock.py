"""The install's calendar: today where the install is (visits fall due by local days), and a run of days as whole
months and the days around them (as the rollups keep them)."""
import datetime

from flask_babel import get_timezone


def local_today():
    """Today on the install's calendar."""
    return datetime.datetime.now(get_timezone()).date()


def months_within(start, end):
    """The whole months from `start` to `end` (end exclusive) as 'YYYY-MM', and the days before and after them
    as [(first, end)] ranges."""
    first = start if start.day == 1 else _next_month(start)
    last = end.replace(day=1)
    if first >= last:
        return [], [(start, end)]
    months, month = [], first
    while month < last:
        months.append(month.strftime("%Y-%m"))
        month = _next_month(month)
    return months, [(a, b) for a, b in ((start, first), (last, end)) if a < b]


def _next_month(day):
    """The first day of the month after `day`'s."""
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)
