"""Row templates (salesweb/rows.py) read nothing but their row and look: a row is kept under exactly those, so
anything else it read would be shown stale, and a form token would be shown to the wrong session."""
from jinja2 import meta, nodes

from salesweb.web.rows import RowTemplate

# what differs between readers or requests, or is the session's own: never in a kept row (a row's form writes
# `form_token`, which becomes the session's token as the rows are written out)
PER_REQUEST = {"request", "session", "g", "current_user", "csrf_token", "get_flashed_messages", "config"}


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


def test_rows_are_kept_only_when_results_are(app, make, signed_in):
    from salesweb.web import rows
    client, rep = signed_in("rep", name="Rep One", team="East")
    make.deal(rep, title="Pumps")
    keep = app.config["KEEP_RESULTS"]
    try:
        app.config["KEEP_RESULTS"] = False
        rows._written.clear()
        assert "Pumps" in client.get("/pipeline").get_data(as_text=True) and len(rows._written) == 0
        app.config["KEEP_RESULTS"] = True
        assert "Pumps" in client.get("/pipeline").get_data(as_text=True) and len(rows._written) > 0
    finally:
        app.config["KEEP_RESULTS"] = keep
