"""Charts are markup built on the server: every name in them (a rep's, a loss reason's) is escaped."""
from types import SimpleNamespace

from salesweb.figures import charts

EVIL = '<script>alert(1)</script>"&'


def test_names_in_charts_are_escaped(app):
    rep = SimpleNamespace(name=EVIL)
    with app.test_request_context():
        drawn = [charts.bars(EVIL, [(EVIL, 3, EVIL)], marker=2), charts.columns(EVIL, [(EVIL, 1, EVIL)]),
                 charts.visits_against_norm([(rep, 4, 1)], 10), charts.visits_against_norm([(rep, 4, 1)], 10, weeks=2)]
    for svg in drawn:
        assert "<script>" not in svg and "&lt;script&gt;" in svg and 'aria-label="' in svg
        assert svg.count("<svg") == 1 and svg.endswith("</svg>")


def test_a_bar_is_as_long_as_its_share_of_the_largest(app):
    with app.test_request_context():
        svg = charts.bars("t", [("a", 10, "10"), ("b", 5, "5")])
    span = 100 - charts.LABEL - charts.ROOM
    assert f'width="{span:.2f}%"' in svg and f'width="{span / 2:.2f}%"' in svg
