"""What templates lean on gives the text users expect: links under the site's root, the request's language for
gettext, money without babel's formatter."""
import datetime
import random
from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from flask import render_template_string, url_for
from markupsafe import escape

from salesweb.web.format import money

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
