"""What templates lean on gives the text users expect: links under the site's root, the request's language for
gettext, money without babel's formatter, prepared queries."""
import datetime
import random
from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from flask import render_template_string, url_for
from markupsafe import escape

from salesweb.db import db, prepared
from salesweb.format import money
from salesweb.models import Deal, Stage, User

from ..conftest import count_queries

CALLS = [
    ("pipeline.deal", {"deal_id": 5}),
    ("pipeline.deal", {"deal_id": 12345678901}),
    ("pipeline.more_cards", {"stage_id": 3, "offset": 20, "owner": "mine", "tier": "A"}),
    ("pipeline.more_cards", {"stage_id": 3, "offset": 40, "tier": "B"}),
    ("visits.new", {"customer": 9, "planned": "", "next": "/rep/?a=1&b=ü"}),
    ("visits.new", {"customer": 10, "planned": None, "next": "/rep/"}),
    ("customers.index", {"tier": "all", "page": 2, "q": "苏州 诚达"}),
    ("static", {"filename": "css/app.css"}),
    ("pipeline.deal", {"deal_id": 7, "_anchor": "move"}),
    ("customers.index", {"tags": [1, 2]}),
]


@pytest.mark.parametrize("script_root", ["", "/sales"])
def test_templates_link_to_the_urls_flask_builds_under_the_sites_root(app, script_root):
    with app.test_request_context("/pipeline", base_url=f"http://localhost{script_root}/"):
        for endpoint, values in CALLS:
            written = render_template_string("{{ url_for(endpoint, **values) }}", endpoint=endpoint, values=values)
            assert written == escape(url_for(endpoint, **values)), (endpoint, values)
        assert render_template_string("{{ url_for('pipeline.deal', deal_id=8) }}").startswith(script_root + "/deals/8")


def test_template_gettext_follows_the_request_locale_and_escapes_text_values(app, client):
    source = "{{ _('Today') }}|{{ ngettext('%(num)d day', '%(num)d days', 3) }}|{{ _('Hello %(name)s', name=who) }}"
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        text = render_template_string(source, who="<b>")
    assert text.startswith("今日|3 天|") and "&lt;b&gt;" in text and "<b>" not in text
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(source, who="x").startswith("Today|3 days|")


def test_money_writes_what_babel_writes():
    values = [0, 1, 5, 10, 99, 100, 105, 110, 123456, -123456, -5, 10 ** 13 + 1, 10 ** 13]
    values += [random.Random(7).randint(-10 ** 12, 10 ** 12) for _ in range(500)]
    for locale in ("en", "zh", "de"):
        for value in values:
            pattern = "#,##0" if value % 100 == 0 else "#,##0.00"  # cents, when there are any, in full
            assert money(value, locale) == format_decimal(Decimal(value) / 100, format=pattern, locale=locale)


@prepared
def _people_named(slots, active_only):
    query = User.select(User.id, User.name).where(User.name.startswith(slots.prefix)).order_by(User.id)
    return query.where(User.active == True) if active_only else query  # noqa: E712


def test_a_prepared_query_is_compiled_once_per_shape_and_runs_with_fresh_values(app, make):
    ann, anna, bob = make.user("rep", name="Ann"), make.user("rep", name="Anna"), make.user("rep", name="Bob")
    User.update(active=False).where(User.id == anna.id).execute()
    with count_queries() as queries:
        assert [u.id for u in _people_named.rows(False, prefix="An")] == [ann.id, anna.id]
        assert [u.id for u in _people_named.rows(True, prefix="An")] == [ann.id]
        assert [u.name for u in _people_named.rows(False, prefix="B")] == ["Bob"]
        assert _people_named.first(True, prefix="Z") is None
    assert len(queries) == 4
    assert len([key for key in _people_named._compiled if key[0] is type(db.obj)]) == 2


@prepared
def _deals_with_owners(slots, as_tuples):
    owner = User.alias()
    query = (Deal.select(Deal, Stage, owner.name).join(Stage)
             .switch(Deal).join(owner, on=(Deal.owner == owner.id)).where(Deal.amount >= slots.least)
             .order_by(Deal.id))
    return query.tuples() if as_tuples else query


def test_a_prepared_query_reads_its_rows_as_peewee_does_and_works_out_their_columns_once(app, make, monkeypatch):
    import peewee
    rep = make.user("rep", name="Ann")
    small, big = make.deal(rep, title="Small", amount=100), make.deal(rep, title="Big", amount=900)
    resolved, resolve = [], peewee._resolve_model_columns
    monkeypatch.setattr(peewee, "_resolve_model_columns", lambda *a: resolved.append(1) or resolve(*a))
    for least in (0, 500, 0):
        ours = _deals_with_owners.rows(False, least=least)
        theirs = list(_deals_with_owners._build(_slots_of(least=least), False))
        assert [(d.id, d.title, d.stage.name_en, d.owner.name, d.created_at) for d in ours] == \
               [(d.id, d.title, d.stage.name_en, d.owner.name, d.created_at) for d in theirs]
        assert _deals_with_owners.rows(True, least=least) == list(_deals_with_owners._build(_slots_of(least=least), True))
    assert [d.id for d in _deals_with_owners.rows(False, least=0)] == [small.id, big.id]
    assert [d.id for d in _deals_with_owners.rows(False, least=500)] == [big.id]
    assert _deals_with_owners.rows(False, least=10**9) == []
    # peewee's own queries worked their columns out each time (6); the prepared ones once per shape (2)
    assert len(resolved) == 6 + 2


def _slots_of(**values):
    """Slots holding values: a prepared query's builder gives peewee's own query with them."""
    class Values:
        def __getattr__(self, name):
            return values[name]
    return Values()


def test_the_date_filter_writes_what_flask_babel_writes(app):
    from flask_babel import format_date
    date_filter = app.jinja_env.filters["date"]
    late_evening = datetime.datetime(2026, 11, 22, 20, 30)  # UTC: already the 23rd in Shanghai
    for language in ("en", "zh-CN"):
        with app.test_request_context("/", headers={"Accept-Language": language}):
            for value in (datetime.date(2026, 1, 5), datetime.date(2026, 11, 23), late_evening):
                for style in ("short", "medium", "full"):
                    assert date_filter(value, style) == format_date(value, style), (language, value, style)
            assert date_filter(None) == "—"
