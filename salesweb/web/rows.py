"""Rows of a list, each written once for what it shows.

A list page writes 25 to 100 rows, and Jinja takes 25–60 µs a row (dates, amounts and counted words in the
reader's language, addresses): most of a list's time. A row's HTML depends only on what it shows, so a row
template is given exactly that, as a named tuple (`row`), and a few page-wide values (`look`), and each row is
kept under those values with the reader's language, time zone and the site's root. Whatever a row shows
changes (an edit, a move, another day gone by), its key changes and it is written afresh; nothing can be stale,
and a row is written once for every reader who sees it the same way. tests/test_rows.py holds each row template
to reading nothing else."""
from collections import namedtuple

from flask import current_app, request
from flask_babel import get_timezone
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from ..core.i18n import locale_name
from ..core import cache

_written = cache.Results(limit=16384, max_bytes=16 * 1024 * 1024)
# What a row's form writes for its CSRF token (the global `form_token`): the session's own token replaces it as the
# rows are written out, so no kept row holds one. Text a row shows is escaped and can never read as this.
FORM_TOKEN = Markup("<form-token/>")
ROW_END = "<row-end/>"  # between the rows of one rendering: escaped text can never read as it either


class RowTemplate:
    """A template writing one row from `row` (a `Row`: the given fields) and the `look` names."""
    every = []

    def __init__(self, name, fields, look=(), macros=None):
        """`macros`: {name: template}: the row reads that template's macros as `name.macro(...)`; given rather
        than imported by the row (an import runs for every row and first goes through every template global,
        25 µs). Their templates read nothing but globals (tests/web/test_rows.py)."""
        self.name, self.look, self.macros = name, tuple(look), dict(macros or {})
        self.Row = namedtuple("Row", fields)
        assert not {"rows", "row_template"} & (set(self.look) | set(self.macros)), "templates/_rows.html names these"
        RowTemplate.every.append(self)

    def write(self, rows, **look):
        """The rows' HTML, in order; `rows` are `Row`s, `look` gives each of the template's look names."""
        assert set(look) == set(self.look), f"{self.name} takes {self.look}"
        rows = list(rows)
        look_key = (self.name, locale_name(), str(get_timezone()), request.script_root, tuple(sorted(look.items())))
        # nothing kept when results are not (KEEP_RESULTS), nor while templates reload as they are edited
        keep = current_app.config["KEEP_RESULTS"] and not current_app.jinja_env.auto_reload
        written = [_written.get((row, look_key)) if keep else None for row in rows]
        missing = [row for row, html in zip(rows, written) if html is None]
        if missing:
            fresh = iter(self._write_all(missing, look))
            for i, row in enumerate(rows):
                if written[i] is None:
                    html = written[i] = next(fresh)
                    if keep:  # the key's text counts too: a note shown cut short, a column's cards
                        _written.put((row, look_key), html,
                                     len(html) + sum(len(v) for v in row if isinstance(v, str)) + 100)
        html = "".join(written)
        return Markup(html.replace(FORM_TOKEN, generate_csrf()) if FORM_TOKEN in html else html)

    def _write_all(self, rows, look):
        """Each row's HTML, from one rendering of templates/_rows.html over all of them (a template rendered on its
        own copies every template global first: 15 µs a row)."""
        env = current_app.jinja_env
        macros = {name: env.get_template(template).module for name, template in self.macros.items()}
        html = env.get_template("_rows.html").render(rows=rows, row_template=self.name, **look, **macros)
        return html.split(ROW_END)[:-1]
