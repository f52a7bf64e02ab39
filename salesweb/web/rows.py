"""Rows of a list, written in one rendering.

A list page writes 25 to 100 rows, and a template rendered on its own first copies every template global (15 µs
a row): a row template is given exactly what the row shows, as a named tuple (`row`), and a few page-wide values
(`look`), and all of a list's rows are written by one rendering of templates/_rows.html. Plain values in a row
can run no query; tests/web/test_rows.py holds each row template to reading nothing else."""
from collections import namedtuple

from flask import current_app
from markupsafe import Markup


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
        if not rows:
            return Markup("")
        env = current_app.jinja_env
        macros = {name: env.get_template(template).module for name, template in self.macros.items()}
        return Markup(env.get_template("_rows.html").render(rows=rows, row_template=self.name, **look, **macros))
