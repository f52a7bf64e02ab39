"""Row templates (salesweb/web/rows.py) read nothing but their row and look: a row shows the plain values it is
given, so no row can run a query, and what a whole page shares is worked out once, not once a row. A row's form
writes the session's own CSRF token (`csrf_token()`)."""
import datetime

from flask_wtf.csrf import generate_csrf
from jinja2 import meta, nodes

from salesweb.customers.routes import POOL_ROW
from salesweb.dashboards.rep.routes import STALE_ROW
from salesweb.web.rows import RowTemplate

# what differs between readers or requests: a page gives a row what it needs of these in its look
PER_REQUEST = {"request", "session", "g", "current_user", "get_flashed_messages", "config"}


def _names(tree):
    return {node.name for node in tree.find_all(nodes.Name) if node.ctx == "load"}


def test_every_row_template_reads_only_its_row_and_look(app):
    env = app.jinja_env
    assert RowTemplate.every, "no row templates registered"
    for row_template in RowTemplate.every:
        tree = env.parse(env.loader.get_source(env, row_template.name)[0])
        read = meta.find_undeclared_variables(tree)  # the names not set in the template, the globals aside
        assert read <= {"row", *row_template.look, *row_template.macros}, (row_template.name, read)
        assert not _names(tree) & PER_REQUEST, (row_template.name, _names(tree) & PER_REQUEST)
        fields = {node.attr for node in tree.find_all(nodes.Getattr)
                  if isinstance(node.node, nodes.Name) and node.node.name == "row"}
        assert fields <= set(row_template.Row._fields), (row_template.name, fields - set(row_template.Row._fields))
        assert not list(tree.find_all(nodes.Include)), f"{row_template.name}: an include would escape this check"
        # macros, imported or given: their bodies may read only globals
        for imported in [*meta.find_referenced_templates(tree), *row_template.macros.values()]:
            macros = env.parse(env.loader.get_source(env, imported)[0])
            assert not meta.find_undeclared_variables(macros) and not _names(macros) & PER_REQUEST, imported


def test_rows_are_written_in_order_and_none_is_nothing(app):
    moment = datetime.datetime(2026, 11, 2, 9, 0)
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        html = STALE_ROW.write(STALE_ROW.Row(i, f"Deal <{i}>", "Acme", 100_00 * i, moment) for i in (3, 1, 2))
        positions = [html.index(f"Deal &lt;{i}&gt;") for i in (3, 1, 2)]  # each row's text escaped, in order
        assert positions == sorted(positions) and html.count("<li>") == 3
        assert STALE_ROW.write([]) == ""


def test_a_rows_form_carries_the_sessions_own_token(app):
    tokens = []
    for _ in range(2):
        with app.test_request_context("/"):
            html = POOL_ROW.write([POOL_ROW.Row(7, "Acme", "East", "Pumps", "A")], may_claim=True)
            assert f'name="csrf_token" value="{generate_csrf()}"' in html
            tokens.append(generate_csrf())
    assert tokens[0] != tokens[1]  # each session its own
