"""Help requests, feedback and NPS: the deadline and its escalation, the steps of a case, NPS arithmetic, rate limits."""
import datetime

import pytest

from salesweb.models import CustomerLink, Feedback, HelpReply, Notification, PublicHit, SurveyAnswer, Task
from salesweb.service import links as customer_links, queries, rules as feedback, help, nps
from salesweb.figures import metrics
from salesweb.infra import ratelimit
from salesweb.core import settings
from salesweb.core.errors import Invalid, Stale

# 17:30 UTC on the 23rd is 01:30 on the 24th in Shanghai: the day changes between the clocks
ARRIVED = datetime.datetime(2026, 11, 23, 17, 30)


@pytest.fixture
def desk(app, make):
    manager = make.user("manager", team="East")
    rep = make.user("rep", team="East", reports_to=manager)
    support = make.user("support")
    return manager, rep, support, make.customer(rep, name="Acme Pumps")


def values(**changes):
    return {**settings.current(), **changes}


def logged(customer, by, now=ARRIVED, response="", kind="complaint"):
    return feedback.log(customer, kind, "phone", "high", "Delivery two weeks late", response, by, values(), now=now)


# --- the first-response deadline ------------------------------------------------------------------------------

def test_the_response_is_due_24_hours_later_by_the_clock_and_the_task_is_for_the_local_day(app, desk):
    _manager, rep, _support, customer = desk
    case = logged(customer, rep)
    assert case.response_due_at == datetime.datetime(2026, 11, 24, 17, 30)
    task = Task.get_by_id(case.task_id)
    # it arrived at 01:30 on the 24th in Shanghai: it is on the rep's Today for the 24th, not the 23rd
    assert (task.assignee_id, task.due_on, task.source) == (rep.id, datetime.date(2026, 11, 24), "feedback")
    assert queries.state(case, ARRIVED + datetime.timedelta(hours=23, minutes=59)) == "open"
    assert queries.state(case, ARRIVED + datetime.timedelta(hours=24)) == "overdue"


def test_the_deadline_follows_the_setting_and_the_install_zone(app, desk):
    _manager, rep, _support, customer = desk
    case = feedback.log(customer, "suggestion", "email", "low", "Videos please", "", rep,
                        values(feedback_response_hours=8, timezone="America/New_York"), now=ARRIVED)
    assert case.response_due_at == datetime.datetime(2026, 11, 24, 1, 30)
    assert Task.get_by_id(case.task_id).due_on == datetime.date(2026, 11, 23)  # 12:30 on the 23rd in New York


def test_a_response_on_the_spot_needs_no_task(app, desk):
    _manager, rep, _support, customer = desk
    case = logged(customer, rep, response="Called back at once")
    assert case.responded_at == ARRIVED and case.task_id is None and queries.state(case, ARRIVED) == "responded"


def test_overdue_feedback_is_escalated_once_to_the_owners_manager(app, desk):
    manager, rep, support, customer = desk
    late = logged(customer, rep)
    answered = logged(customer, rep)
    feedback.respond(answered, answered.version, "On it", "medium", support, now=ARRIVED + datetime.timedelta(hours=2))
    assert feedback.escalate_due(values(), now=ARRIVED + datetime.timedelta(hours=23)) == 0
    assert feedback.escalate_due(values(), now=ARRIVED + datetime.timedelta(hours=25)) == 1
    assert feedback.escalate_due(values(), now=ARRIVED + datetime.timedelta(hours=26)) == 0  # once only
    late = Feedback.get_by_id(late.id)
    assert late.escalated_to_id == manager.id and late.escalated_at == ARRIVED + datetime.timedelta(hours=25)
    told = Notification.get(Notification.kind == "feedback_escalated")
    assert told.user_id == manager.id and told.link == f"/feedback/{late.id}"
    assert Feedback.get_by_id(answered.id).escalated_at is None


def test_without_a_manager_the_support_desk_is_told(app, make, desk):
    _manager, _rep, support, _customer = desk
    loner = make.user("rep", team="West")
    case = logged(make.customer(loner), loner)
    feedback.escalate_due(values(), now=ARRIVED + datetime.timedelta(days=2))
    assert Feedback.get_by_id(case.id).escalated_to_id == support.id
    assert [n.user_id for n in Notification.select().where(Notification.kind == "feedback_escalated")] == [support.id]


# --- the steps of a case --------------------------------------------------------------------------------------

def test_respond_resolve_and_satisfaction_close_the_case_and_its_tasks(app, desk):
    _manager, rep, support, customer = desk
    case = logged(customer, rep)
    first_task = case.task_id
    case = feedback.respond(case, case.version, "Sorry, checking with logistics", "high", support)
    assert Task.get_by_id(first_task).done_at is not None
    case = feedback.resolve(case, case.version, "Shipped by air", rep, values(), datetime.date(2026, 11, 26))
    follow_up = Task.get_by_id(case.task_id)
    assert (follow_up.assignee_id, follow_up.due_on) == (rep.id, datetime.date(2026, 11, 28))
    with pytest.raises(Invalid) as refused:
        feedback.close(case, case.version, "6", rep)
    assert "satisfaction" in refused.value.errors
    case = feedback.close(case, case.version, "4", rep)
    assert (case.satisfaction, queries.state(case)) == (4, "closed")
    assert Task.get_by_id(follow_up.id).done_at is not None


def test_a_step_on_a_stale_page_is_refused(app, desk):
    _manager, rep, support, customer = desk
    case = logged(customer, rep)
    feedback.respond(case, case.version, "First", "high", support)
    with pytest.raises(Stale):  # answered meanwhile, by someone on a fresher page
        feedback.respond(case, case.version, "Second", "high", rep)
    with pytest.raises(Invalid):  # and once the page shows it
        feedback.respond(Feedback.get_by_id(case.id), case.version + 1, "Second", "high", rep)
    stale = Feedback.get_by_id(case.id)
    with pytest.raises(Stale):
        feedback.resolve(stale, stale.version - 1, "Done", rep, values(), datetime.date(2026, 11, 24))
    assert Feedback.get_by_id(case.id).resolved_at is None
    assert Task.select().where(Task.title.contains("satisfied")).count() == 0  # the refused step left no task


def test_bad_feedback_is_refused_whole(app, desk):
    _manager, rep, _support, customer = desk
    with pytest.raises(Invalid) as refused:
        feedback.log(customer, "rant", "fax", "huge", "x" * 2001, "", rep, values())
    assert set(refused.value.errors) == {"kind", "channel", "severity", "description"}
    assert Feedback.select().count() == 0 and Task.select().count() == 0


def test_the_customers_own_form_needs_an_active_feedback_link(app, desk):
    _manager, rep, _support, customer = desk
    link = customer_links.create(customer, "feedback", rep, values())
    case = feedback.submit(link, "complaint", "Broken seal", "Li Lei", values())
    assert (case.source, case.channel, case.contact_name, case.logged_by_id) == ("customer", "web", "Li Lei", None)
    assert Notification.get(Notification.kind == "feedback_new").user_id == rep.id
    customer_links.revoke(link, rep)
    with pytest.raises(Invalid):
        feedback.submit(CustomerLink.get_by_id(link.id), "complaint", "Again", "", values())
    assert Feedback.select().count() == 1


# --- NPS ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("scores, expected", [
    ([10, 9, 8, 7, 6, 0], 0),       # 2 promoters, 2 passives, 2 detractors
    ([10, 10, 9, 6], 50),           # 75 % - 25 %
    ([0, 3, 6], -100),
    ([8, 7], 0),                    # passives only
    ([9, 9, 9, 8, 8, 8, 1], 29),    # 3/7 - 1/7 = 28.6 -> 29
])
def test_nps_is_promoters_minus_detractors_in_points(scores, expected):
    promoters = sum(s >= 9 for s in scores)
    detractors = sum(s <= 6 for s in scores)
    assert queries.nps_score(promoters, detractors, len(scores)) == expected


def test_nps_of_no_answers_is_none():
    assert queries.nps_score(0, 0, 0) is None


def test_nps_figures_count_the_period_and_the_scope(app, make, desk):
    manager, rep, _support, customer = desk
    other = make.user("rep", team="West")
    when = datetime.datetime(2026, 11, 10, 3, 0)
    for score, by, owner in ((10, rep, customer), (9, rep, customer), (3, rep, customer),
                             (0, other, make.customer(other))):
        link = customer_links.create(owner, "survey", by, values(), now=when)
        nps.answer(link, str(score), "", now=when)
    period = metrics.Period.chosen("2026-11", "month", datetime.date(2026, 11, 23))
    mine = queries.nps_figures(metrics.scope_for(manager), period, values())
    assert mine == {"promoters": 2, "passives": 0, "detractors": 1, "total": 3, "nps": 33}
    everyone = queries.nps_figures(metrics.scope_for(make.user("ops")), period, values())
    assert (everyone["total"], everyone["nps"]) == (4, 0)
    october = metrics.Period.chosen("2026-10", "month", datetime.date(2026, 11, 23))
    assert queries.nps_figures(metrics.scope_for(manager), october, values())["total"] == 0
    teams = dict(queries.nps_by_team(metrics.scope_for(make.user("ops")), period, values()))
    assert teams["East"]["nps"] == 33 and teams["West"]["nps"] == -100


def test_a_survey_link_takes_one_answer_from_0_to_10(app, desk):
    _manager, rep, _support, customer = desk
    link = customer_links.create(customer, "survey", rep, values())
    for bad in ("11", "-1", "", "7.5", "ten"):
        with pytest.raises(Invalid):
            nps.answer(link, bad, "")
    nps.answer(link, "7", "Fine")
    with pytest.raises(Invalid):
        nps.answer(link, "10", "Changed my mind")
    assert [a.score for a in SurveyAnswer.select()] == [7]
    assert queries.link_state(link) == "answered"
    assert Notification.get(Notification.kind == "nps_answered").user_id == rep.id


def test_links_are_for_customers_the_sender_sees(app, make, desk):
    _manager, _rep, _support, customer = desk
    stranger = make.user("rep", team="West")
    with pytest.raises(Invalid):
        customer_links.create(customer, "survey", stranger, values())
    with pytest.raises(Invalid):
        customer_links.create(customer, "survey", make.user("ops"), values())
    assert CustomerLink.select().count() == 0


# --- help requests --------------------------------------------------------------------------------------------

def test_a_help_request_round_trip(app, desk):
    _manager, rep, support, customer = desk
    asked = help.ask(rep, "Need the English spec sheet", "high", customer.id, None)
    assert asked.urgency_rank == 0 and Notification.get(Notification.kind == "help_asked").user_id == support.id
    asked = help.claim(asked, asked.version, support)
    assert Notification.get(Notification.kind == "help_claimed").user_id == rep.id
    asked = help.reply(asked, asked.version, "Attached to the library", support, answered=True)
    assert asked.status == "answered" and Notification.get(Notification.kind == "help_reply").user_id == rep.id
    asked = help.reply(asked, asked.version, "That is the 2024 one", rep)
    assert asked.status == "open"  # the asker's reply reopens it
    assert Notification.select().where((Notification.kind == "help_reply")
                                       & (Notification.user == support.id)).count() == 1
    asked = help.close(asked, asked.version, rep)
    with pytest.raises(Invalid):
        help.reply(asked, asked.version, "One more thing", rep)
    assert [r.body for r in queries.help_thread(asked)] == ["Attached to the library", "That is the 2024 one"]


def test_help_requests_are_checked(app, make, desk):
    _manager, rep, support, customer = desk
    stranger = make.user("rep", team="West")
    with pytest.raises(Invalid) as refused:
        help.ask(stranger, "", "sometime", customer.id, None)
    assert set(refused.value.errors) == {"question", "urgency", "customer"}
    with pytest.raises(Invalid):
        help.ask(support, "Support does not ask itself", "low", None, None)
    asked = help.ask(rep, "Price list?", "low", None, None)
    with pytest.raises(Invalid):
        help.reply(asked, asked.version, "Not mine to answer", stranger)
    with pytest.raises(Stale):
        help.claim(asked, asked.version + 5, support)
    assert HelpReply.select().count() == 0


def test_the_queue_puts_urgent_first_then_the_oldest(app, desk):
    _manager, rep, support, _customer = desk
    start = datetime.datetime(2026, 11, 20, 9)
    for hours, urgency in ((0, "low"), (1, "normal"), (2, "high"), (3, "normal"), (4, "high")):
        help.ask(rep, f"{urgency} at {hours}", urgency, None, None, now=start + datetime.timedelta(hours=hours))
    assert [r.question for r in queries.help_queue(support)] == ["high at 2", "high at 4", "normal at 1", "normal at 3",
                                                           "low at 0"]


# --- rate limits ----------------------------------------------------------------------------------------------

def test_a_rate_limit_refuses_past_the_limit_and_recovers_as_the_window_slides(app):
    start = datetime.datetime(2026, 11, 23, 10)
    assert all(ratelimit.allow("k", 3, 60, now=start + datetime.timedelta(seconds=s)) for s in (0, 10, 20))
    assert not ratelimit.allow("k", 3, 60, now=start + datetime.timedelta(seconds=30))
    assert ratelimit.allow("other", 3, 60, now=start + datetime.timedelta(seconds=30))
    assert ratelimit.allow("k", 3, 60, now=start + datetime.timedelta(seconds=61))  # the first hit has left
    assert PublicHit.select().where(PublicHit.key == "k").count() == 4  # refused hits are not counted
