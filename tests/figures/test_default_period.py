"""Ops analytics open on the last 90 days, not on a month a few days old (a 100 % win rate and no losses on the
7th): the page says so, the period switcher, the filters, the URL and the CSV exports all carry it, and a link
with an explicit period still shows that period."""
import csv
import datetime
import io

import pytest

from salesweb.models import Deal, Stage, Target
from salesweb.figures.metrics import Period
from salesweb.core.clock import local_today

EN = {"Accept-Language": "en"}


def _lost(make, deal, day):
    make.written(deal, stage=Stage.get(Stage.kind == "lost").id, lost_on=day)


@pytest.fixture
def book(app, make):
    """Won today and 60 days ago, lost 40 days ago and 120 days ago (outside the 90 days)."""
    ann = make.user("rep", name="Ann", team="East")
    with app.app_context():
        today = local_today()
        north = make.customer(ann, name="North Co", region="North")
        make.won_deal(ann, today, customer=north, amount=1_000_00)
        make.won_deal(ann, today - datetime.timedelta(days=60), customer=north, amount=2_000_00)
        _lost(make, make.deal(ann, customer=north, amount=500_00), today - datetime.timedelta(days=40))
        _lost(make, make.deal(ann, customer=north, amount=700_00), today - datetime.timedelta(days=120))
        Target.create(user=ann.id, period="month", starts_on=Period.of("month", today).start, amount=4_000_00)
    return {"ann": ann, "today": today}


def _facts(page):
    closed = page.split('id="closed-head"')[1].split("</section>")[0]
    return " ".join(closed.split())


def test_the_default_is_the_last_90_days_and_the_page_says_so(app, book, signed_in):
    client, _ops = signed_in("ops")
    today = book["today"]
    first = today - datetime.timedelta(days=89)
    page = client.get("/ops/", headers=EN).get_data(as_text=True)
    assert f"Last 90 days, {first:%b} {first.day}, {first.year}" in page
    facts = _facts(page)
    # two won (3,000), one lost 40 days ago: 67 %; the loss of 120 days ago is outside
    assert "2 deals · 3,000" in facts and "1 deal" in facts and "67%" in facts
    assert 'aria-current="true">Last 90 days</a>' in page
    # attainment is against this month's target, and its card says which month
    card = page.split('id="attainment-head"')[1].split("</section>")[0]
    assert f"{today:%B} {today.year}" in card and "4,000" in card and "25%" in card


def test_the_switcher_filters_and_exports_carry_the_period(app, book, signed_in):
    client, _ops = signed_in("ops")
    month = client.get("/ops/?kind=month", headers=EN).get_data(as_text=True)
    assert "Last 90 days," not in month.split("</h1>")[0] and 'href="/ops/?period=last-90-days"' in month
    assert "3,000" not in _facts(month)  # this month's one win only
    fragment = client.get("/ops/?period=last-90-days&region=North",
                          headers={**EN, "HX-Request": "true"}).get_data(as_text=True)
    assert "2 deals · 3,000" in _facts(fragment)
    assert "/ops/export/closed.csv?period=last-90-days&amp;region=North" in fragment  # CSV links follow
    assert "/ops/activity?period=last-90-days&amp;region=North" in fragment  # so do the tabs
    page = client.get("/ops/", headers=EN).get_data(as_text=True)
    assert '<input type="hidden" name="period" value="last-90-days">' in page  # a filter change keeps it
    for url in ("/ops/export/closed.csv", "/ops/export/closed.csv?period=last-90-days"):
        response = client.get(url, headers=EN)
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
        assert rows[1][:4] == ["3000.00", "2", "1", "0.6667"], url
        first = book["today"] - datetime.timedelta(days=89)
        assert f"closed-{first.isoformat()}_{book['today'].isoformat()}.csv" in response.headers["Content-Disposition"]


def test_an_explicit_period_still_shows_that_period(app, book, signed_in):
    client, _ops = signed_in("ops")
    today = book["today"]
    key = Period.of("month", today - datetime.timedelta(days=120)).key
    page = client.get(f"/ops/?period={key}", headers=EN).get_data(as_text=True)
    assert "0 deals · 0" in _facts(page) and "1 deal" in _facts(page)  # the old loss, alone
    assert f'filename="closed-{key}.csv"' in client.get(f"/ops/export/closed.csv?period={key}").headers[
        "Content-Disposition"]


def test_the_team_home_stays_on_its_month(app, book, make):
    from tests.conftest import login
    boss = make.user("manager", team="East")
    client = app.test_client()
    login(client, boss.email)
    today = book["today"]
    for url in ("/manager/", "/manager/?period=last-90-days"):
        page = client.get(url, headers=EN).get_data(as_text=True)
        assert f"{today:%B} {today.year}" in page.split("</h1>")[0] and "Last 90 days" not in page
