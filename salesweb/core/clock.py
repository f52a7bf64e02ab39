"""The install's calendar: today where the install is (visits fall due by local days)."""
import datetime

from flask_babel import get_timezone


def local_today():
    """Today on the install's calendar."""
    return datetime.datetime.now(get_timezone()).date()
