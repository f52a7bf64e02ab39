"""What the service pages say reads right: an NPS answer is the customer's, and each feedback case's tasks name the
step, the case's kind, the customer and the case's first words, so two of them never read alike."""
import datetime

from salesweb.core.db import utcnow
from salesweb.models import Task
from salesweb.service import links as customer_links, rules as feedback, nps
from salesweb.core import settings
from tests.conftest import login

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


def _client(app, user):
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def test_an_nps_answer_on_the_timeline_is_the_customers_not_the_reps(app, make):
    rep = make.user("rep", name="Ann Lee", team="East")
    customer = make.customer(rep, name="Harbour Foods")
    link = customer_links.create(customer, "survey", rep, settings.current())
    nps.answer(link, "9", "Quick delivery")
    page = _client(app, rep).get(f"/customers/{customer.id}", headers=EN).get_data(as_text=True)
    entry = page[page.index('class="event event-nps"'):]
    entry = entry[:entry.index("</li>")]
    assert "the customer" in entry and "The customer answered the NPS survey: 9 of 10" in entry
    assert "survey sent by Ann Lee" in entry  # the rep is named for what the rep did, and only that
    assert entry.index("the customer") < entry.index("Ann Lee")


def test_two_feedback_cases_of_one_customer_make_tasks_that_read_apart(app, make):
    rep = make.user("rep", team="East")
    customer = make.customer(rep, name="Harbour Foods")
    values = settings.current()
    late = feedback.log(customer, "complaint", "phone", "high", "Delivery two weeks late, again.\nThird time.", "",
                        rep, values)
    feedback.log(customer, "suggestion", "email", "low", "Please send videos of the installation steps with the "
                 "next manual, the drawings are hard to follow", "", rep, values)
    client = _client(app, rep)
    today = client.get("/rep/", headers=EN).get_data(as_text=True)
    assert "First response: Complaint from Harbour Foods, “Delivery two weeks late, again. Third time.”" in today
    assert "First response: Suggestion from Harbour Foods, “Please send videos of the installation steps with the next…”" \
        in today

    feedback.resolve(late, late.version, "Shipped by air", rep, values, datetime.date.today())
    tasks = client.get("/tasks", headers=EN).get_data(as_text=True)
    assert "Satisfaction follow-up: Complaint from Harbour Foods, “Delivery two weeks late, again. Third time.”" \
        in tasks
    assert "First response: Suggestion from Harbour Foods" in tasks and "First response: Complaint" not in tasks

    chinese = client.get("/tasks", headers=ZH).get_data(as_text=True)
    assert "满意度回访：Harbour Foods 的投诉，“Delivery two weeks late, again. Third time.”" in chinese
    assert "首次答复：Harbour Foods 的建议，“Please send videos" in chinese


def test_a_feedback_tasks_stored_title_names_the_step_kind_customer_and_first_words(app, make):
    rep = make.user("rep", team="East")
    customer = make.customer(rep, name="Harbour Foods")
    values = settings.current()
    case = feedback.log(customer, "complaint", "phone", "high", "Pump housing cracked " * 10, "", rep, values)
    respond = Task.get_by_id(case.task_id)
    assert respond.title.startswith("First response: complaint from Harbour Foods, “Pump housing cracked Pump")
    assert respond.title.endswith("…”") and len(respond.title) < 120
    case = feedback.resolve(case, case.version, "New housing sent", rep, values, datetime.date.today(),
                            now=utcnow())
    assert Task.get_by_id(case.task_id).title.startswith("Satisfaction follow-up: complaint from Harbour Foods, “")
