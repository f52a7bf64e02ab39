"""Charts as server-rendered SVG: no script, readable in print and at 360 px, with a title screen readers announce.
The numbers always sit in a table beside or under a chart; the chart is the picture of that table."""

from markupsafe import Markup, escape

from ..core.i18n import gettext as _, locale_name
from ..web.format import money, month

ROW = 24  # px per bar
LABEL = 34  # % of the width given to the labels
ROOM = 22  # % kept at the right for the value written after the longest bar


def _svg(title, height, body):
    # No viewBox: x in % and y in px, so the chart takes the width it is given and its text is never stretched.
    return Markup(f'<svg class="chart" width="100%" height="{height}" role="img" aria-label="{escape(title)}">'
                  f'<title>{escape(title)}</title>{"".join(body)}</svg>')


def bars(title, rows, marker=None):
    """Horizontal bars: `rows` are (label, value, text written at the bar's end); `marker` an optional value drawn
    as a dashed line across the bars (a norm, a target)."""
    top = max([value for _label, value, _text in rows] + [marker or 0, 1])
    span = 100 - LABEL - ROOM
    body = []
    for index, (label, value, text) in enumerate(rows):
        y = index * ROW
        width = span * max(value, 0) / top
        body.append(f'<text x="0" y="{y + 16}" class="chart-label">{escape(label)}</text>'
                    f'<rect x="{LABEL}%" y="{y + 5}" width="{width:.2f}%" height="{ROW - 9}" class="chart-bar"/>'
                    f'<text x="{LABEL + width + 1:.2f}%" y="{y + 16}" class="chart-value">{escape(text)}</text>')
    if marker:
        x = LABEL + span * marker / top
        body.append(f'<line x1="{x:.2f}%" x2="{x:.2f}%" y1="0" y2="{ROW * len(rows)}" class="chart-marker"/>')
    return _svg(title, ROW * max(len(rows), 1), body)


def columns(title, rows, height=150):
    """Columns over time: `rows` are (label, value, text); with more than six columns only every other label is
    written, so they stay legible on a phone (each column's title names it and its value)."""
    top = max([value for _label, value, _text in rows] + [1])
    step = 100 / max(len(rows), 1)
    plot = height - 22
    body = []
    for index, (label, value, text) in enumerate(rows):
        tall = plot * max(value, 0) / top
        x = index * step
        body.append(f'<rect x="{x + step * 0.15:.2f}%" y="{plot - tall:.1f}" width="{step * 0.7:.2f}%" '
                    f'height="{tall:.1f}" class="chart-bar"><title>{escape(label)}: {escape(text)}</title></rect>')
        if len(rows) <= 6 or (len(rows) - 1 - index) % 2 == 0:
            body.append(f'<text x="{x + step / 2:.2f}%" y="{height - 6}" class="chart-axis">{escape(label)}</text>')
    return _svg(title, height, body)


def funnel(rows):
    """The funnel's open amount per stage (rows from metrics.funnel)."""
    locale = locale_name()
    return bars(_("Open pipeline by stage"),
                [(row["stage"].name(locale), row["amount"], money(row["amount"], locale)) for row in rows])


def visits_against_norm(rows, norm, weeks=None):
    """Done visits per rep with the weekly norm drawn across (rows: (rep, done, verified)); over `weeks` weeks,
    the visits per week."""
    if not weeks:
        return bars(_("Visits this week per rep against the norm of %(n)d", n=norm),
                    [(rep.name, done, str(done)) for rep, done, _verified in rows], marker=norm)
    return bars(_("Visits per week per rep against the norm of %(n)d", n=norm),
                [(rep.name, done / weeks, f"{done / weeks:.1f}") for rep, done, _verified in rows], marker=norm)


def trend(title, rows, key, money_=False):
    """One figure of metrics.trends per month as columns, each labelled by its month's short name (the year is in
    the column's own title and the table)."""
    locale = locale_name()
    return columns(title, [(month(row["month"], locale, "MMM"), row[key],
                            money(row[key], locale) if money_ else str(row[key])) for row in rows])


def forecast(rows):
    """The weighted open pipeline per expected close month (rows from metrics.forecast)."""
    locale = locale_name()
    names = {"overdue": _("Overdue"), "": _("No date")}
    return bars(_("Weighted pipeline by expected close month"),
                [(names.get(key) or month(key, locale), weighted, money(weighted, locale))
                 for key, _count, _amount, weighted in rows])


def losses(rows):
    """Deals lost per reason (rows from metrics.loss_reasons)."""
    locale = locale_name()
    return bars(_("Deals lost per reason"), [(reason.name(locale) if reason else _("No reason given"), count,
                                              str(count)) for reason, count, _amount in rows])


def sources(rows, labels):
    """Win rate per customer source (rows from metrics.by_source); sources without a closed deal are left out."""
    return bars(_("Win rate by customer source"),
                [(str(labels.get(source, source)), rate * 100, f"{rate * 100:.0f}%")
                 for source, _won, _lost, _amount, rate in rows if rate is not None])
