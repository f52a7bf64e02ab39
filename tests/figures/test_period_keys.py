"""Any period key in a URL gives a page: a year far in the past or future is treated as not given, never a 500.
Every page and export that reads a period (or a week) is asked with the keys that used to break it."""
import datetime

import pytest

from salesweb.figures import analytics
from salesweb.figures.metrics import Period
from salesweb.core.clock import local_today
from tests.conftest import login

EN = {"Accept-Language": "en"}
FAR = ("0001-01", "0001", "0001-Q1", "0001-12", "0001-W01", "0001-W1", "9999-12", "9999", "9999-Q4", "9999-W52",
       "1999-12", "2101-01")


@pytest.mark.parametrize("key", FAR)
def test_a_year_out_of_range_is_no_period(key):
    assert Period.parse(key) is None


def test_the_years_at_the_edges_still_step_back_and_forward():
    first, last = Period.parse("2000-01"), Period.parse("2100-W52")
    assert first.before().key == "1999-12" and first.a_year_earlier().key == "1999-01"
    assert last.after().key == "2101-W01" and Period.parse("2100").after().key == "2101"
    today = datetime.date(2026, 12, 7)
    assert Period.chosen("0001-01", None, today) == Period.of("month", today)
    assert Period.chosen("9999", "quarter", today) == Period.of("quarter", today)


@pytest.fixture
def clients(app, make, signed_in):
    manager, boss = signed_in("manager", team="East")
    rep = make.user("rep", team="East", reports_to=boss)
    make.won_deal(rep, datetime.date(2026, 11, 3))
    ops, _ops = signed_in("ops")
    rep_client = app.test_client()
    login(rep_client, rep.email)
    return manager, ops, rep_client, rep


@pytest.mark.parametrize("key", FAR)
def test_every_page_and_export_that_reads_a_period_answers_a_far_key(app, clients, key):
    manager, ops, rep_client, rep = clients
    pages = [(manager, f"/manager/?period={key}"), (manager, f"/manager/targets?period={key}"),
             (manager, f"/manager/reports?week={key}")]
    pages += [(ops, f"/ops/{tab}?period={key}") for tab in ("", "activity", "trends", "outcomes")]
    pages += [(who, f"/{where}/export/{name}.csv?period={key}") for name in analytics.CSV
              for who, where in ((ops, "ops"), (manager, "manager"))]
    for client, url in pages:
        response = client.get(url, headers=EN)
        response.get_data()
        response.close()  # a CSV streams within its request: done with it before the next client asks
        assert response.status_code == 200, (url, response.status_code)
    # the page falls back to this month: its step back leads to last month
    with app.app_context():
        this_month = Period.of("month", local_today())
    assert f"period={this_month.before().key}" in manager.get(f"/manager/?period={key}").get_data(as_text=True)
    # a week in a URL path that no calendar holds is not found, not an error
    if "-W" in key:
        assert manager.get(f"/manager/reports/{rep.id}/{key}").status_code == 404
        assert rep_client.get(f"/rep/reports/{key}").status_code == 404



@pytest.mark.parametrize("key", ("0001-12", "9999", "2026-13"))
def test_a_sheet_posted_for_a_period_that_does_not_exist_saves_nothing(app, clients, key):
    from salesweb.models import Target
    from tests.conftest import post
    manager, _ops, _rep_client, rep = clients
    response = post(manager, f"/manager/targets?period={key}", {f"user-{rep.id}": "1,000", "action": "save"},
                    token_from="/manager/targets")
    assert response.status_code == 303
    page = manager.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Nothing saved: choose a period such as 2026-11, 2026-Q4 or 2026." in page
    with app.app_context():
        assert Target.select().count() == 0
