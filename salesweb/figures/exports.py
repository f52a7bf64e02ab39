"""The views the team home and ops analytics share: a table of figures as CSV, and the context a page's figures
are computed in (who looks, the period and filters the URL asks for)."""
from flask import abort, request

from flask_login import current_user

from ..core.i18n import locale_name
from ..core.db import utcnow
from . import analytics
from ..core import audit
from ..web.downloads import csv_download
from ..core.clock import local_today
from ..core.settings import current_settings


def context(page=None):
    """Ops analytics open on the last 90 days (a month's first week holds too little to judge by); the team home
    and its exports, on a month. `page`: the page of a table of people shown (None: every row, for a CSV)."""
    return analytics.context_for(current_user, request.args, local_today(), utcnow(), current_settings(),
                                 locale_name(), rolling=request.blueprint == "ops", page=page)


def export(name):
    """One table of figures, for the same scope, period and filters as the page it sits on."""
    if name not in analytics.CSV:
        abort(404)
    found = context()
    header, rows = analytics.csv_table(found, name)
    audit.record("export", actor=current_user, object_type="figures",
                 summary=f"figures {name}: {request.query_string.decode('utf-8', 'replace')[:200]}")
    period = found.target_period if name == "attainment" else found.filters.period
    return csv_download(header, rows, f"{name}-{period.dated_key}.csv")
