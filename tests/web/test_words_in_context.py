"""Words with more than one sense are translated in the sense each place means: the quote printout is addressed to
the customer (致), not to a person in charge; Today's Open button opens the record (查看), it is no status; the week
plan steps by week (上一周/下一周), not by page; and the other places that share a short word with another sense."""
import datetime
import re

import pytest

from salesweb.models import Product
from salesweb.quotes import contracts, rules as quotes
from salesweb.core import settings
from tests.conftest import login, post

ZH = {"Accept-Language": "zh-CN"}
TODAY = datetime.date.today()


@pytest.fixture
def east(app, make):
    manager = make.user("manager", team="East", name="Wang Fang")
    rep = make.user("rep", team="East", name="Li Na")
    return manager, rep


def client_for(app, user):
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_quote_printout_is_addressed_to_the_customer(app, make, east):
    _manager, rep = east
    product = Product.create(sku="PX-100", name="Pump PX-100", unit="pcs", unit_price=1000_00)
    deal = make.deal(rep, customer=make.customer(rep, name="上海泵业有限公司"))
    quote = quotes.create(deal, [{"product": str(product.id), "quantity": "1"}], "", TODAY + datetime.timedelta(days=9),
                          "", rep, settings.current(), TODAY)
    printout = client_for(app, rep).get(f"/quotes/{quote.id}/print", headers=ZH).get_data(as_text=True)
    recipient = re.search(r'<section class="to">(.*?)</section>', printout, re.S).group(1)
    assert "<h2>致</h2>" in recipient and "上海泵业有限公司" in recipient and "负责人" not in recipient


def test_todays_overdue_payment_button_opens_the_deal(app, make, east):
    _manager, rep = east
    won = make.won_deal(rep, TODAY - datetime.timedelta(days=60), title="Chiller")
    contract = contracts.save(won, "HT-1", won.won_on, "1000", rep, TODAY)
    contracts.save_plan(contract, [{"due_on": TODAY - datetime.timedelta(days=10), "amount": "1000"}], rep, TODAY)
    today = client_for(app, rep).get("/rep/", headers=ZH).get_data(as_text=True)
    section = re.search(r'id="receivables-head">(.*?)</section>', today, re.S).group(1)
    button = re.search(r'<a class="button small"[^>]*#contract">([^<]*)</a>', section).group(1)
    assert button == "查看"


def test_the_week_plan_and_the_weekly_reports_step_by_week(app, east):
    manager, rep = east
    plan = text_of(client_for(app, rep).get("/visits/week", headers=ZH).get_data(as_text=True))
    assert "← 上一周" in plan and "下一周 →" in plan and "上一页" not in plan and "下一页" not in plan
    reports = text_of(client_for(app, manager).get("/manager/reports", headers=ZH).get_data(as_text=True))
    assert "← 上一周" in reports and "下一周 →" in reports and "下一页" not in reports


def test_a_waiting_quote_shows_the_next_step_and_the_approvers_comment(app, make, east):
    manager, rep = east
    product = Product.create(sku="PX-100", name="Pump PX-100", unit="pcs", unit_price=1000_00)
    quote = quotes.create(make.deal(rep), [{"product": str(product.id), "quantity": "1", "discount": "15"}], "",
                          TODAY + datetime.timedelta(days=9), "", rep, settings.current(), TODAY)
    draft = client_for(app, rep).get(f"/quotes/{quote.id}", headers=ZH).get_data(as_text=True)
    assert "<h2>下一步</h2>" in draft and "下一页" not in draft
    quotes.submit(quote, quote.version, rep, TODAY)
    page = client_for(app, manager).get(f"/quotes/{quote.id}", headers=ZH).get_data(as_text=True)
    assert re.search(r'<label for="note-\d+">审批意见</label>', page)


def test_things_have_a_name_and_people_a_full_name(app, make, east):
    manager, rep = east
    client = client_for(app, rep)
    assert re.search(r'<label for="name">名称</label>', client.get("/customers/new", headers=ZH).get_data(as_text=True))
    customer = make.customer(rep)
    page = client.get(f"/customers/{customer.id}", headers=ZH).get_data(as_text=True)
    assert "姓名" in page  # a contact's name
    deal_form = client.get("/deals/new", headers=ZH).get_data(as_text=True)
    assert re.search(r'<label for="title">商机名称</label>', deal_form)
    admin = client_for(app, make.user("admin"))
    assert re.search(r'<label for="name">名称</label>', admin.get("/admin/teams/new", headers=ZH).get_data(as_text=True))
    assert re.search(r'<label for="name">姓名</label>', admin.get("/admin/users/new", headers=ZH).get_data(as_text=True))


def test_help_requests_are_claimed_and_urgent_today(app, make, east):
    _manager, rep = east
    asker = client_for(app, rep)
    form = asker.get("/requests/new", headers=ZH).get_data(as_text=True)
    assert "今天内" in form and "本周内" in form
    assert post(asker, "/requests/new", {"question": "Which pump fits?", "urgency": "normal"}).status_code == 303
    desk = client_for(app, make.user("support"))
    page = desk.get("/support/requests", headers=ZH).get_data(as_text=True)
    request_id = re.search(r'href="/requests/(\d+)"', page).group(1)
    request = desk.get(f"/requests/{request_id}", headers=ZH).get_data(as_text=True)
    assert re.search(r'<button type="submit" class="button">认领</button>', request)


def test_an_open_help_request_waits_to_be_handled(app, make, east):
    _manager, rep = east
    asker = client_for(app, rep)
    assert post(asker, "/requests/new", {"question": "Which pump fits?", "urgency": "normal"}).status_code == 303
    desk = client_for(app, make.user("support"))
    queue = text_of(desk.get("/support/requests", headers=ZH).get_data(as_text=True))
    assert "待处理" in queue and "进行中" not in queue  # an open request is waiting, not in progress
