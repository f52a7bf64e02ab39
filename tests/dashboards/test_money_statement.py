"""The manager's home's single figures beside collection, counted by hand: the quotes waiting for the manager (from
the quotes' rollup, less their own), the feedback overdue for a response and the NPS of their subtree (found by
walking up from the people counted, not by listing the subtree)."""
import datetime

import pytest

from salesweb.core import settings
from salesweb.dashboards import homes
from salesweb.figures.metrics import Period
from salesweb.models import Customer, CustomerLink, Feedback, Product, SurveyAnswer
from salesweb.pipeline import rules as pipeline
from salesweb.quotes import queries, rules as quotes

TODAY = datetime.date(2026, 11, 23)
NEXT_MONTH = datetime.date(2026, 12, 23)
NOW = datetime.datetime(2026, 11, 23, 4, 0)  # noon in Shanghai, the install's time zone


@pytest.fixture
def people(app, make):
    """A director above East's manager and West's; East has a rep and a manager among its reps, West a rep."""
    director = make.user("manager", team="HQ", name="Zhao Lei")
    east = make.user("manager", team="East", reports_to=director, name="Wang Fang")
    rep = make.user("rep", team="East", reports_to=east, name="Li Na")
    among = make.user("manager", team="East", reports_to=east, name="Chen Jie")
    west = make.user("manager", team="West", reports_to=director, name="Sun Hao")
    far = make.user("rep", team="West", reports_to=west, name="Zhou Min")
    return {"director": director, "east": east, "rep": rep, "among": among, "west": west, "far": far}


def view(user, today=TODAY, now=NOW):
    return homes.manager_view(user, Period.of("month", today), today, now, settings.current())


def quote(deal, by, discount, valid_until, today=TODAY, submit=True, product=None):
    lines = [{"product": str(product.id), "quantity": "1", "unit_price": "", "discount": discount}]
    made = quotes.create(deal, lines, "", valid_until, "", by, settings.current(), today)
    return quotes.submit(made, made.version, by, today) if submit else made


def test_no_quotes_no_feedback_no_answers(app, people):
    with app.app_context():
        found = view(people["director"])
    assert (found["pending"], found["feedback_overdue"]) == (0, 0)
    assert found["nps"] == {"promoters": 0, "passives": 0, "detractors": 0, "total": 0, "nps": None}


def test_quotes_waiting_count_those_needing_a_manager_in_the_subtree_valid_today_on_not_their_own(app, make,
                                                                                                  people):
    p = people
    with app.app_context():
        product = Product.create(sku="PX-1", name="Pump", unit="pcs", unit_price=1000_00)
        reps_deal, among_deal, far_deal = make.deal(p["rep"]), make.deal(p["among"]), make.deal(p["far"])
        quote(reps_deal, p["rep"], "15", TODAY, product=product)  # until today: waits today, not tomorrow
        set_by_east = quote(reps_deal, p["rep"], "5", NEXT_MONTH, submit=False, product=product)
        set_by_east = quotes.edit(set_by_east, set_by_east.version,
                                  [{"product": str(product.id), "quantity": "1", "discount": "18"}], "", NEXT_MONTH,
                                  "", p["east"], settings.current(), TODAY)
        quotes.submit(set_by_east, set_by_east.version, p["east"], TODAY)  # East set its discount: not theirs
        quote(among_deal, p["rep"], "15", NEXT_MONTH, product=product)  # a manager among the reps owns the deal
        quote(far_deal, p["far"], "15", TODAY + datetime.timedelta(days=3), product=product)  # West's
        quote(reps_deal, p["rep"], "35", NEXT_MONTH, product=product)  # beyond a manager: waits for ops
        quote(reps_deal, p["rep"], "15", TODAY - datetime.timedelta(days=1), today=TODAY - datetime.timedelta(days=5),
              product=product)  # expired yesterday
        quote(reps_deal, p["rep"], "15", NEXT_MONTH, submit=False, product=product)  # a draft
        counts = {name: view(p[name])["pending"] for name in ("director", "east", "among", "west")}
        assert counts == {"director": 4, "east": 2, "among": 1, "west": 1}
        tomorrow = TODAY + datetime.timedelta(days=1)
        assert view(p["director"], tomorrow)["pending"] == 3 and view(p["east"], tomorrow)["pending"] == 1
        assert queries.pending_count(p["east"], TODAY) == 2 and queries.pending_count(p["director"], tomorrow) == 3
        # West's deal moved to East's rep: its quote waits for East now, no longer for West
        far_deal = type(far_deal).get_by_id(far_deal.id)
        pipeline.edit(far_deal, {"title": far_deal.title, "amount": far_deal.amount},
                      Customer.get_by_id(far_deal.customer_id), p["rep"], far_deal.version, p["director"])
        counts = {name: view(p[name])["pending"] for name in ("director", "east", "among", "west")}
        assert counts == {"director": 4, "east": 3, "among": 1, "west": 0}


def test_feedback_overdue_and_nps_count_the_subtree_a_manager_among_the_reps_included(app, make, people):
    p = people
    since = datetime.datetime(2026, 10, 31, 16, 0)  # November from midnight in Shanghai
    with app.app_context():
        def answer(rep, score, at):
            customer = make.customer(rep)
            link = CustomerLink.create(token=f"t{customer.id}", purpose="survey", customer=customer.id,
                                       created_by=rep.id if rep else None, expires_at=at + datetime.timedelta(days=9))
            SurveyAnswer.create(link=link.id, customer=customer.id, rep=rep.id if rep else None, score=score,
                                answered_at=at)

        def feedback(owner, due_at, responded=None):
            Feedback.create(customer=make.customer(owner).id, kind="complaint", channel="phone", description="Late",
                            response_due_at=due_at, responded_at=responded)
        answer(p["rep"], 10, since)  # the month's first moment
        answer(p["among"], 3, NOW)
        answer(p["far"], 9, NOW)
        answer(p["rep"], 0, since - datetime.timedelta(microseconds=1))  # October's
        answer(None, 0, NOW)  # the rep who sent it has gone
        feedback(p["rep"], NOW - datetime.timedelta(hours=1))
        feedback(p["among"], NOW)  # due this very moment: overdue
        feedback(p["far"], NOW - datetime.timedelta(days=1))
        feedback(p["rep"], NOW + datetime.timedelta(hours=1))  # not yet due
        feedback(p["rep"], NOW - datetime.timedelta(days=2), responded=NOW - datetime.timedelta(days=3))
        feedback(None, NOW - datetime.timedelta(days=1))  # a customer in the pool: nobody's subtree
        east, director, west = view(p["east"]), view(p["director"]), view(p["west"])
    assert east["nps"] == {"promoters": 1, "passives": 0, "detractors": 1, "total": 2, "nps": 0}
    assert director["nps"] == {"promoters": 2, "passives": 0, "detractors": 1, "total": 3, "nps": 33}
    assert west["nps"] == {"promoters": 1, "passives": 0, "detractors": 0, "total": 1, "nps": 100}
    assert (east["feedback_overdue"], director["feedback_overdue"], west["feedback_overdue"]) == (2, 3, 1)
