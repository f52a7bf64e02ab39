"""The weekly report: figures from the week's data, draft and submit, the manager reads and comments."""
import datetime

import pytest

from salesweb.models import Customer, Deal, Stage, StageChange, WeeklyReport
from salesweb.reports import queries, rules as reports
from salesweb.core import settings
from salesweb.visits import rules as visits
from salesweb.core.errors import Invalid
from tests.conftest import post

EN = {"Accept-Language": "en"}
WEEK = (2026, 47)  # Monday 16 to Sunday 22 November 2026


def test_the_summary_counts_the_weeks_own_data(app, make):
    values = settings.current()
    rep = make.user("rep")
    customer = make.customer(rep)
    inside = datetime.datetime(2026, 11, 17, 3, 0)  # Tuesday 11:00 in Shanghai
    for at in (inside, inside + datetime.timedelta(days=1), datetime.datetime(2026, 11, 15, 15, 30)):  # Sunday 23:30
        visits.log({"occurred_at": at, "duration_minutes": 30, "kind": "phone", "outcome": "", "contacts": []},
                   customer, rep, rep, values, now=datetime.datetime(2026, 11, 23))
    won, lost = Stage.get(Stage.kind == "won"), Stage.get(Stage.kind == "lost")
    first = Stage.get(Stage.position == 0)

    def deal(amount, created, **changes):
        made = make.deal(rep, customer=customer, amount=amount)
        Deal.update(created_at=created, **changes).where(Deal.id == made.id).execute()
        return made

    deal(500_00, datetime.datetime(2026, 11, 1))  # open all week
    sold = deal(200_000_00, datetime.datetime(2026, 11, 2), stage=won, won_on=datetime.date(2026, 11, 18))
    deal(100_000_00, datetime.datetime(2026, 11, 20), stage=lost, lost_on=datetime.date(2026, 11, 23))  # lost next week
    deal(700_00, datetime.datetime(2026, 11, 23))  # made after the week
    StageChange.create(deal=sold.id, from_stage=first, to_stage=won, at=datetime.datetime(2026, 11, 18, 2))
    StageChange.create(deal=sold.id, from_stage=None, to_stage=first, at=datetime.datetime(2026, 11, 18, 1))  # made
    Customer.update(created_at=datetime.datetime(2026, 11, 19)).where(Customer.id == customer.id).execute()
    make.customer(rep)  # made now: next week
    figures = queries.summary(rep, *WEEK, values)
    assert (figures["visits"], figures["verified"], figures["norm_min"]) == (2, 0, 10)
    assert figures["won"] == (1, 200_000_00) and figures["lost"] == (0, 0)
    assert (figures["new_customers"], figures["moved"], figures["new_pipeline"]) == (1, 1, 100_000_00)
    # open at the start: 500 + 200,000 (won on Wednesday); at the end: 500 + 100,000 (made Friday, lost next week)
    assert (figures["pipeline_start"], figures["pipeline_end"]) == (200_500_00, 100_500_00)
    assert figures["pipeline_change"] == -100_000_00
    assert (figures["monday"], figures["sunday"]) == (datetime.date(2026, 11, 16), datetime.date(2026, 11, 22))


def test_draft_submit_and_no_change_after(app, make):
    rep = make.user("rep")
    today = datetime.date(2026, 11, 23)
    reports.save(rep, *WEEK, {"feedback": "Prices too high"}, False, today)
    report = reports.save(rep, *WEEK, {"feedback": "Prices too high", "plan": "Visit Acme"}, True, today)
    assert report.submitted_at is not None and report.plan == "Visit Acme"
    with pytest.raises(Invalid):
        reports.save(rep, *WEEK, {"feedback": "Changed"}, False, today)
    with pytest.raises(Invalid):
        reports.save(rep, 2026, 49, {}, False, today)  # a week that has not started
    assert WeeklyReport.select().count() == 1


def test_the_rep_submits_and_the_manager_sees_who_has_not(app, make, signed_in):
    boss_client, boss = signed_in("manager", team="East")
    rep_client, rep = signed_in("rep", name="Writer", reports_to=boss)
    make.user("rep", name="Silent", reports_to=boss)
    outsider_client, outsider = signed_in("manager", team="West")
    year, week, _day = datetime.date.today().isocalendar()
    url = f"/rep/reports/{year}-W{week}"
    page = rep_client.get(url, headers=EN).get_data(as_text=True)
    assert "The week in figures" in page and "Not started" in page
    assert post(rep_client, url, {"feedback": "They liked the demo", "action": "submit"}, token_from=url).status_code == 303
    team = boss_client.get(f"/manager/reports?week={year}-W{week}", headers=EN).get_data(as_text=True)
    assert "1 of 2 submitted" in team and "Silent" in team and "Not submitted" in team
    report_url = f"/manager/reports/{rep.id}/{year}-W{week}"
    assert "They liked the demo" in boss_client.get(report_url, headers=EN).get_data(as_text=True)
    assert post(boss_client, report_url, {"body": "Follow up on the demo"}, token_from=report_url).status_code == 303
    assert "Follow up on the demo" in rep_client.get(url, headers=EN).get_data(as_text=True)
    assert outsider_client.get(report_url).status_code == 404
    assert rep_client.get(report_url).status_code == 403
    assert rep_client.get("/rep/reports/2026-W60").status_code == 404


def _visit(rep, customer, at):
    visits.log({"occurred_at": at, "duration_minutes": 30, "kind": "phone", "outcome": "", "contacts": []},
               customer, rep, rep, settings.current(), now=datetime.datetime(2026, 11, 23))


def visits_shown(page):
    return int(page.split("<dt>Visits</dt><dd>", 1)[1].split(" ", 1)[0])


def test_a_submitted_report_shows_the_figures_it_was_submitted_with(app, make, signed_in):
    boss_client, boss = signed_in("manager", team="East")
    rep_client, rep = signed_in("rep", name="Writer", reports_to=boss)
    customer = make.customer(rep)
    tuesday = datetime.datetime(2026, 11, 17, 3, 0)  # 11:00 in Shanghai, in week 47
    _visit(rep, customer, tuesday)
    url, boss_url = "/rep/reports/2026-W47", f"/manager/reports/{rep.id}/2026-W47"
    draft = rep_client.get(url, headers=EN).get_data(as_text=True)
    assert visits_shown(draft) == 1 and "From the data as it is now" in draft
    _visit(rep, customer, tuesday + datetime.timedelta(hours=2))
    assert visits_shown(rep_client.get(url, headers=EN).get_data(as_text=True)) == 2  # a draft follows the data
    assert post(rep_client, url, {"feedback": "Two calls", "action": "submit"}, token_from=url).status_code == 303
    # logged late, after the report went in: the week's data changes, the report does not
    _visit(rep, customer, tuesday + datetime.timedelta(days=1))
    won = make.deal(rep, customer=customer, amount=50_000_00)
    Deal.update(stage=Stage.get(Stage.kind == "won"), won_on=datetime.date(2026, 11, 19)).where(
        Deal.id == won.id).execute()
    assert queries.summary(rep, *WEEK, settings.current())["visits"] == 3
    for client, page_url in ((rep_client, url), (boss_client, boss_url)):
        page = client.get(page_url, headers=EN).get_data(as_text=True)
        assert visits_shown(page) == 2 and "As they stood when the report was submitted." in page
        assert "<dt>Won</dt><dd>0 · 0</dd>" in page


def test_figures_are_kept_at_submission_and_a_draft_keeps_none(app, make):
    rep = make.user("rep")
    _visit(rep, make.customer(rep), datetime.datetime(2026, 11, 18, 3, 0))
    today = datetime.date(2026, 11, 23)
    draft = reports.save(rep, *WEEK, {"plan": "More visits"}, False, today)
    assert draft.figures is None and queries.figures_of(draft, rep, *WEEK, settings.current())["frozen"] is False
    sent = reports.save(rep, *WEEK, {"plan": "More visits"}, True, today)
    shown = queries.figures_of(WeeklyReport.get_by_id(sent.id), rep, *WEEK, settings.current())
    live = queries.summary(rep, *WEEK, settings.current())
    assert shown == {**live, "frozen": True}  # the same figures, the week's days and change included
