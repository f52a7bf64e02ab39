"""The quote list at /quotes: support, ops and admin see every quote, a manager their subtree's, a rep their own;
filtered by status (as shown), owner, customer and validity; newest first, paged, in a fixed number of queries;
support reaches it from the navigation and the desk."""
import datetime

import pytest

from salesweb.infra import rollups
from salesweb.models import Customer, Deal, Product, Quote
from salesweb.pipeline import rules as pipeline
from salesweb.quotes import queries, rules as quotes
from salesweb.core import settings
from salesweb.core.clock import local_today
from tests.conftest import client_for, count_queries


@pytest.fixture
def book(app, make):
    """East (manager Wang Fang, rep Li Na) and West (rep Zhou Yu), a quote of each rep's, and support."""
    manager = make.user("manager", team="East", name="Wang Fang")
    rep = make.user("rep", team="East", name="Li Na")
    west = make.user("rep", team="West", name="Zhou Yu")
    product = Product.create(sku="PX-100", name="Pump PX-100", unit="pcs", unit_price=1000_00)
    with app.test_request_context():
        today = local_today()  # the install's day, as the list judges validity

    def quote(owner, customer_name, quantity="1", days=20):
        deal = make.deal(owner, customer=make.customer(owner, name=customer_name), title=f"{customer_name} deal")
        return quotes.create(deal, [{"product": str(product.id), "quantity": quantity}], "",
                             today + datetime.timedelta(days=days), "", owner, settings.current(), today)
    east_quote = quote(rep, "Acme Valves", "2")
    west_quote = quote(west, "Harbin Boilers", "3")
    return {"manager": manager, "rep": rep, "west": west, "support": make.user("support"), "quote": quote,
            "east_quote": east_quote, "west_quote": west_quote, "today": today}


def numbers(page):
    return [n for n in (q.number for q in Quote.select()) if n in page]


def test_each_role_sees_the_quotes_in_its_scope(app, make, book):
    east, west = book["east_quote"], book["west_quote"]
    page = client_for(app, book["support"]).get("/quotes").get_data(as_text=True)
    assert east.number in page and west.number in page
    assert "Acme Valves" in page and "Li Na" in page and "2,000" in page and "Harbin Boilers" in page
    for role in ("ops", "admin"):
        assert set(numbers(client_for(app, make.user(role)).get("/quotes").get_data(as_text=True))) == {
            east.number, west.number}
    managers = client_for(app, book["manager"]).get("/quotes").get_data(as_text=True)
    assert east.number in managers and west.number not in managers and "Harbin Boilers" not in managers
    reps = client_for(app, book["rep"]).get("/quotes").get_data(as_text=True)
    assert east.number in reps and west.number not in reps and "Zhou Yu" not in reps


def test_the_list_is_newest_first_and_paged(app, book):
    app.config["PAGE_SIZE"] = 2
    third = book["quote"](book["rep"], "Chengdu Pumps")
    east = Quote.get_by_id(book["east_quote"].id)
    Quote.update(created_at=east.created_at - datetime.timedelta(days=3)).where(Quote.id == east.id).execute()
    client = client_for(app, book["support"])
    first = client.get("/quotes").get_data(as_text=True)
    assert first.index(third.number) < first.index(book["west_quote"].number)
    assert book["east_quote"].number not in first and "3 quotes" in first and "Page 1 of 2" in first
    second = client.get("/quotes?page=2").get_data(as_text=True)
    assert numbers(second) == [book["east_quote"].number]


def test_a_managers_pages_hold_their_teams_quotes_alone_newest_then_latest_made_first(app, book):
    """A page of a team's list is its team's quotes in the list's order, ties in time by the later made first,
    whoever else has newer quotes: the page's quotes are picked before what the list shows of them is read."""
    app.config["PAGE_SIZE"] = 1
    rep, west = book["rep"], book["west"]
    ours = [book["east_quote"], book["quote"](rep, "Chengdu Pumps"), book["quote"](rep, "Dalian Valves")]
    theirs = [book["west_quote"], book["quote"](west, "Xian Motors")]
    same = Quote.get_by_id(ours[0].id).created_at
    Quote.update(created_at=same).where(Quote.id.in_([q.id for q in ours])).execute()
    Quote.update(created_at=same + datetime.timedelta(days=1)).where(Quote.id.in_([q.id for q in theirs])).execute()
    client = client_for(app, book["manager"])
    pages = [client.get(f"/quotes?page={n}").get_data(as_text=True) for n in (1, 2, 3)]
    assert [numbers(page) for page in pages] == [[q.number] for q in reversed(ours)]
    assert all("3 quotes" in page and "Page" in page for page in pages)


def test_filters_by_status_owner_customer_and_validity(app, book):
    rep, today = book["rep"], book["today"]
    east, west = book["east_quote"], book["west_quote"]
    sent = quotes.send(east, east.version, rep, settings.current(), today)
    lapsed = book["quote"](rep, "Dalian Valves")
    lapsed = quotes.send(lapsed, lapsed.version, rep, settings.current(), today)
    Quote.update(valid_until=today - datetime.timedelta(days=1)).where(Quote.id == lapsed.id).execute()
    client = client_for(app, book["support"])

    def listed(query):
        return set(numbers(client.get("/quotes?" + query).get_data(as_text=True)))
    assert listed("status=sent") == {sent.number}  # the lapsed one shows as expired, not sent
    assert listed("status=expired") == {lapsed.number}
    assert listed("status=draft") == {west.number}
    assert listed(f"owner={book['west'].id}") == {west.number}
    assert listed("q=harbin") == {west.number}
    assert listed("q=valves") == {sent.number, lapsed.number}
    assert listed("validity=expired") == {lapsed.number}
    assert listed("validity=valid") == {sent.number, west.number}
    assert listed("status=sent&q=harbin") == set()
    assert "No quote matches these filters." in client.get("/quotes?status=rejected").get_data(as_text=True)
    for junk in ("status=nope", "owner=abc", "owner=99999999999999999999", "validity=%E2%80%A8", "page=-3",
                 "q=" + "x" * 500):
        response = client.get("/quotes?" + junk)
        assert response.status_code == 200
    fragment = client.get("/quotes?q=harbin", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert west.number in fragment and "<html" not in fragment


def test_a_reps_owner_filter_never_widens_the_scope(app, book):
    page = client_for(app, book["rep"]).get(f"/quotes?owner={book['west'].id}").get_data(as_text=True)
    assert book["west_quote"].number not in page and "Harbin Boilers" not in page


def test_support_reaches_the_list_from_the_navigation_and_the_desk(app, book):
    client = client_for(app, book["support"])
    desk = client.get("/support/").get_data(as_text=True)
    assert desk.count('href="/quotes"') >= 2  # the navigation's entry and the desk's button
    chinese = client.get("/quotes", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "<h1>报价</h1>" in chinese and "有效期至" in chinese


def test_the_list_costs_the_same_queries_whatever_the_number_of_quotes(app, make, book):
    client = client_for(app, book["support"])
    client.get("/quotes")
    with count_queries() as few:
        assert client.get("/quotes").status_code == 200
    for i in range(30):
        book["quote"](book["rep"] if i % 2 else book["west"], f"Customer {i}")
    with count_queries() as many:
        assert client.get("/quotes").status_code == 200
    # the user with the unread count, the owners to filter by, the count, the page of quotes
    assert len(few) == len(many) == 4
    manager = client_for(app, book["manager"])
    with count_queries() as scoped:
        assert manager.get("/quotes?status=draft&q=cust").status_code == 200
    assert len(scoped) == 4


def _count(user, today, **criteria):
    return queries.listing(user, criteria, today)[1]


def test_the_count_reads_the_days_of_validity_around_today(app, make):
    """A quote valid until today is live, one valid until yesterday has expired: on the first day of a month (the
    day before is the last month's), in the middle of one, and the months around it."""
    director = make.user("manager", name="Director")
    manager = make.user("manager", team="East", reports_to=director)
    rep = make.user("rep", team="East", reports_to=manager)
    west = make.user("rep", team="West", reports_to=director)
    ops = make.user("ops")
    product = Product.create(sku="PX-100", name="Pump PX-100", unit="pcs", unit_price=1000_00)
    first = datetime.date(2027, 3, 1)

    def sent(owner, valid_until):
        deal = make.deal(owner)
        made = quotes.create(deal, [{"product": str(product.id), "quantity": "1"}], "", valid_until, "", owner,
                             settings.current(), datetime.date(2027, 1, 1))
        return quotes.send(made, made.version, owner, settings.current(), datetime.date(2027, 1, 1))
    with app.app_context():
        for day in (datetime.date(2027, 2, 28), first, datetime.date(2027, 3, 2), datetime.date(2027, 4, 1)):
            sent(rep, day)
        sent(manager, datetime.date(2027, 3, 15))  # a manager among the reps: in their team's count
        draft_deal = make.deal(west)
        quotes.create(draft_deal, [{"product": str(product.id), "quantity": "1"}], "", datetime.date(2027, 2, 1), "",
                      west, settings.current(), datetime.date(2027, 1, 1))
        # the first of the month: the last day of February has expired, the first of March is live
        assert _count(ops, first, status="sent") == 4
        assert _count(ops, first, status="expired") == 1
        assert _count(ops, first, status="draft") == 1 and _count(ops, first) == 6
        assert _count(ops, first, validity="valid") == 4 and _count(ops, first, validity="expired") == 2
        assert _count(ops, first, status="sent", validity="expired") == 0
        assert _count(ops, first, status="expired", validity="expired") == 1
        assert _count(ops, first, status="draft", validity="expired") == 1
        # the second: the first of March has expired too
        second = first + datetime.timedelta(days=1)
        assert _count(ops, second, status="sent") == 3 and _count(ops, second, status="expired") == 2
        # the middle of the month: valid until that very day is live, the day after that the quote expires
        middle = datetime.date(2027, 3, 15)
        assert _count(ops, middle, status="sent") == 2 and _count(ops, middle, status="expired") == 3
        assert _count(ops, middle + datetime.timedelta(days=1), status="sent") == 1
        # in April the whole of March has expired; in May everything sent has
        assert _count(ops, datetime.date(2027, 4, 1), status="sent") == 1
        assert _count(ops, datetime.date(2027, 5, 1), status="expired") == 5
        # scopes: the manager's team (the manager among them), the director above, a rep, an owner filter
        assert _count(manager, middle, status="sent") == 2 and _count(manager, middle, status="draft") == 0
        assert _count(director, middle) == 6 and _count(rep, middle) == 4
        assert _count(manager, middle, owner=manager.id) == 1 and _count(manager, middle, owner=west.id) == 0
        assert _count(rep, middle, owner=manager.id) == 0 and _count(director, middle, owner=west.id) == 1
        # a deal that moves to another team takes its quotes' counts along
        deal = Deal.get_by_id(Quote.select().where(Quote.valid_until == datetime.date(2027, 4, 1)).get().deal_id)
        pipeline.edit(deal, {"title": deal.title, "amount": deal.amount}, deal.customer, west, deal.version, ops)
        assert _count(manager, middle, status="sent") == 1 and _count(west, middle, status="sent") == 1
        assert _count(director, middle, status="sent") == 2 and _count(ops, middle) == 6


def test_the_list_judges_validity_by_the_installs_day(app, book):
    """Valid until the install's today: live; until the day before: expired (the install's calendar, whatever
    the day in UTC)."""
    rep, today = book["rep"], book["today"]
    for days, name in ((0, "Today Pumps"), (-1, "Yesterday Pumps")):
        made = book["quote"](rep, name)
        Quote.update(valid_until=today + datetime.timedelta(days=days)).where(Quote.id == made.id).execute()
    with app.app_context():
        rollups.rebuild()  # the days were written straight to the rows
    client = client_for(app, book["support"])
    assert "4 quotes" in client.get("/quotes?status=draft").get_data(as_text=True)
    assert "3 quotes" in client.get("/quotes?validity=valid&status=draft").get_data(as_text=True)
    assert "1 quote" in client.get("/quotes?validity=expired").get_data(as_text=True)
