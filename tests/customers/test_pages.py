"""The customer screens over HTTP: scope, tier tabs, search, forms, contacts, notes, tiers, pool."""
import datetime
import re

import pytest

from salesweb.core import settings
from salesweb.core.db import utcnow
from salesweb.customers import pool, rules
from salesweb.infra import rollups
from salesweb.models import Contact, Customer, CustomerNote, PoolMove
from tests.conftest import count_queries, post

EN = {"Accept-Language": "en"}


@pytest.fixture
def team(app, make, signed_in):
    boss_client, boss = signed_in("manager", name="Boss", team="East")
    rep_client, rep = signed_in("rep", name="Rep One", team="East")
    other_client, other = signed_in("rep", name="Rep Two", team="West")
    return dict(boss=boss, boss_client=boss_client, rep=rep, rep_client=rep_client, other=other,
                other_client=other_client)


def test_rep_sees_only_their_customers_in_list_counts_and_detail(app, make, team):
    mine = make.customer(team["rep"], name="Mine Ltd")
    theirs = make.customer(team["other"], name="Theirs Ltd", tier="A")
    page = team["rep_client"].get("/customers", headers=EN).get_data(as_text=True)
    assert "Mine Ltd" in page and "Theirs Ltd" not in page
    assert '<span class="tab-count">0</span>' in page  # no A customer in this rep's scope
    assert team["rep_client"].get(f"/customers/{theirs.id}").status_code == 404
    assert team["rep_client"].get(f"/customers/{theirs.id}/edit").status_code == 404
    assert team["rep_client"].get(f"/customers/{theirs.id}/contacts", headers={"HX-Request": "true"}).status_code == 404
    assert post(team["rep_client"], f"/customers/{theirs.id}/notes", {"body": "x"}).status_code == 404
    assert post(team["rep_client"], f"/customers/{theirs.id}/contacts", {"name": "x"}).status_code == 404
    assert team["rep_client"].get(f"/customers/{mine.id}").status_code == 200
    assert "Theirs Ltd" not in team["rep_client"].get("/customers?q=Theirs").get_data(as_text=True)


def test_manager_sees_the_subtree_only(app, make, team):
    make.customer(team["rep"], name="East Co")
    west = make.customer(team["other"], name="West Co")
    page = team["boss_client"].get("/customers").get_data(as_text=True)
    assert "East Co" in page and "West Co" not in page
    assert team["boss_client"].get(f"/customers/{west.id}").status_code == 404


def test_tabs_count_and_filter_by_tier(app, make, team):
    for tier, n in (("A", 2), ("B", 3), ("C", 4)):
        for i in range(n):
            make.customer(team["rep"], name=f"{tier} customer {i}", tier=tier)
    page = team["rep_client"].get("/customers?tier=B", headers=EN).get_data(as_text=True)
    counts = [int(x) for x in __import__("re").findall(r'<span class="tab-count">(\d+)</span>', page)]
    assert counts == [2, 3, 4, 9]
    assert "B customer 0" in page and "A customer 0" not in page


def _tabs_and_regions(client, url):
    """The tier tabs' counts (A, B, C, all) and the region filter's choices a page shows."""
    page = client.get(url, headers=EN).get_data(as_text=True)
    regions = re.search(r'<select[^>]*name="region"[^>]*>(.*?)</select>', page, re.S).group(1)
    return ([int(x) for x in re.findall(r'<span class="tab-count">(\d+)</span>', page)],
            re.findall(r'<option value="([^"]+)"', regions))


def test_tab_counts_and_region_choices_follow_the_writes_in_each_scope(app, make, team, signed_in):
    """Hand-counted for a rep, their manager, another team's rep and ops (the only one who counts the pool), with
    and without a status filter, after customers are made, claimed, released and edited."""
    ops_client, ops = signed_in("ops")
    rep, other = team["rep"], team["other"]
    lead = make.customer(rep, tier="A", status="lead", region="Shanghai")
    released = make.customer(rep, tier="B", status="customer", region="Beijing")
    make.customer(rep, tier="C", status="customer")
    make.customer(other, tier="A", status="customer", region="Chengdu")
    pooled = make.customer(None, by=ops, tier="C", status="prospect", region="Wuhan")
    with app.app_context():
        pool.claim(pooled, rep, settings.current())
        pool.release(released, rep)
        rules.update(lead, {name: getattr(lead, name) for name in rules.FIELDS} | {"status": "customer",
                                                                                   "region": "Hangzhou"}, rep, rep)
    own = ([1, 0, 2, 3], ["Hangzhou", "Wuhan"])
    assert _tabs_and_regions(team["rep_client"], "/customers") == own
    assert _tabs_and_regions(team["boss_client"], "/customers?tier=C") == own
    assert _tabs_and_regions(team["rep_client"], "/customers?status=customer")[0] == [1, 0, 1, 2]
    assert _tabs_and_regions(team["other_client"], "/customers") == ([1, 0, 0, 1], ["Chengdu"])
    assert _tabs_and_regions(ops_client, "/customers") == ([2, 1, 2, 5], ["Beijing", "Chengdu", "Hangzhou", "Wuhan"])
    assert _tabs_and_regions(ops_client, "/customers?status=customer&tier=A")[0] == [2, 1, 1, 4]
    assert _tabs_and_regions(ops_client, "/customers?status=prospect")[0] == [0, 0, 1, 1]
    # with any other filter the tabs count the customers it finds
    assert _tabs_and_regions(ops_client, "/customers?region=Beijing")[0] == [0, 1, 0, 1]
    assert _tabs_and_regions(ops_client, "/customers?q=Customer&status=customer")[0] == [2, 1, 1, 4]


def test_tab_switch_is_a_fragment_of_the_list(app, make, team):
    make.customer(team["rep"], name="Acme", tier="A")
    response = team["rep_client"].get("/customers?tier=A", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert "Acme" in body and "<html" not in body and 'id="customer-filters"' not in body
    assert "HX-Request" in response.headers["Vary"]
    assert 'name="tier" value="A" form="customer-filters"' in body


def test_search_by_name_contact_and_phone(app, make, team):
    acme = make.customer(team["rep"], name="Acme Trading", phone="021-5555-0101")
    make.customer(team["rep"], name="Blue Sky")
    Contact.create(customer=acme, name="王小明", phone="13800000000")
    client = team["rep_client"]
    for term in ("acme", "王小明", "13800000000", "5555"):
        page = client.get(f"/customers?q={term}").get_data(as_text=True)
        assert "Acme Trading" in page and "Blue Sky" not in page, term


def test_overdue_filter_and_badge(app, make, team):
    late = make.customer(team["rep"], name="Late Ltd")
    make.customer(team["rep"], name="Fresh Ltd")
    Customer.update(next_visit_due=datetime.date(2020, 1, 1)).where(Customer.id == late.id).execute()
    page = team["rep_client"].get("/customers?overdue=y", headers=EN).get_data(as_text=True)
    assert "Late Ltd" in page and "Fresh Ltd" not in page and "days overdue" in page


def test_empty_tab_says_what_to_do(app, team):
    page = team["rep_client"].get("/customers?tier=A", headers=EN).get_data(as_text=True)
    assert "No A customers yet" in page
    page = team["rep_client"].get("/customers", headers=EN).get_data(as_text=True)
    assert "Add your first customer" in page


def _bulk_customers(owner, n):
    now = utcnow()
    Customer.insert_many([
        {"name": f"Bulk {i}", "name_key": f"bulk{i}", "owner": owner.id, "tier": "ABC"[i % 3],
         "next_visit_due": datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 300),
         "last_activity_at": now, "created_at": now, "updated_at": now, "region": f"Region {i % 5}"}
        for i in range(n)]).execute()


def test_list_and_detail_query_counts_do_not_grow(app, make, team):
    _bulk_customers(team["rep"], 20)
    customer = make.customer(team["rep"], name="Detail Co")
    for i in range(3):
        Contact.create(customer=customer, name=f"Contact {i}")
        CustomerNote.create(customer=customer, author=team["rep"], body=f"note {i}")
    client = team["boss_client"]
    with count_queries() as small_list:
        client.get("/customers?q=Bulk&sort=name")
    with count_queries() as again:
        client.get("/customers?q=Bulk&sort=name")
    with count_queries() as small_fragment:
        client.get("/customers?q=Bulk&tier=B", headers={"HX-Request": "true"})
    with count_queries() as small_detail:
        client.get(f"/customers/{customer.id}")
    _bulk_customers(team["rep"], 2000)
    for i in range(20):
        Contact.create(customer=customer, name=f"More {i}")
        CustomerNote.create(customer=customer, author=team["boss"], body=f"more {i}")
    with count_queries() as big_list:
        client.get("/customers?q=Bulk&sort=name")
    with count_queries() as big_fragment:
        client.get("/customers?q=Bulk&tier=B", headers={"HX-Request": "true"})
    with count_queries() as big_detail:
        client.get(f"/customers/{customer.id}")
    # user, owner filter, reassign owners, regions, counts (they give the page's total too), page
    assert len(small_list) == len(again) == len(big_list) == 6  # the same again with no write since: nothing kept
    assert len(small_fragment) == len(big_fragment) == 3  # a keystroke: no filter choices
    # user, customer, contacts, tiers, deals, quotes, contracts, notes, moves
    assert len(small_detail) == len(big_detail) == 12  # notes, pool moves, shares, visits, feedback and NPS on the timeline


def test_the_list_without_a_search_takes_the_same_queries_on_small_and_larger_data(app, make, team):
    """Its tabs and region choices are read from the customer rollup: the same queries whatever the data."""
    make.customer(team["rep"], name="First Co", region="Region 1")
    client = team["boss_client"]

    def sent(url, **headers):
        with count_queries() as seen:
            assert client.get(url, headers=headers).status_code == 200
        return len(seen)

    urls = ("/customers", "/customers?status=lead&tier=B")
    small = [sent(url) for url in urls] + [sent("/customers?tier=A", **{"HX-Request": "true"})]
    _bulk_customers(team["rep"], 2000)
    with app.app_context():
        rollups.rebuild()  # the rows above went in past the rules that keep the rollup
    big = [sent(url) for url in urls] + [sent("/customers?tier=A", **{"HX-Request": "true"})]
    # user, owner filter, reassign owners, regions, counts (they give the page's total too), page; a tab: no choices
    assert small == big == [6, 6, 3]


def test_create_warns_about_a_duplicate_and_may_save_anyway(app, make, team):
    existing = make.customer(team["other"], name="上海明远贸易有限公司")
    client = team["rep_client"]
    data = {"name": "上海明远贸易", "source": "visit", "status": "prospect", "owner": str(team["rep"].id)}
    warned = post(client, "/customers/new", data, headers=EN)
    page = warned.get_data(as_text=True)
    assert warned.status_code == 422 and "already exists" in page and "上海明远贸易有限公司" in page
    # named with its owner, but not linked: it is outside this rep's scope
    assert "Rep Two" in page and f'href="/customers/{existing.id}"' not in page
    assert Customer.select().count() == 1
    saved = post(client, "/customers/new", {**data, "save_anyway": "y"})
    assert saved.status_code == 302
    assert Customer.select().count() == 2


def test_edit_warns_only_when_the_new_name_duplicates_another(app, make, team):
    make.customer(team["rep"], name="Acme")
    twin = make.customer(team["rep"], name="Acme Inc.")  # saved anyway earlier
    client = team["rep_client"]
    base = {"source": "visit", "status": "customer", "owner": str(team["rep"].id)}
    kept = post(client, f"/customers/{twin.id}/edit", {**base, "name": "Acme Inc.", "phone": "021-1234"},
                token_from=f"/customers/{twin.id}/edit")
    assert kept.status_code == 302 and Customer.get_by_id(twin.id).phone == "021-1234"
    other = make.customer(team["rep"], name="Blue Sky")
    renamed = post(client, f"/customers/{other.id}/edit", {**base, "name": "ACME"}, headers=EN,
                   token_from=f"/customers/{other.id}/edit")
    page = renamed.get_data(as_text=True)
    assert renamed.status_code == 422 and "already exists" in page and 'href="/customers/' in page
    assert Customer.get_by_id(other.id).name == "Blue Sky"


def test_a_manager_gets_404_on_every_endpoint_of_another_teams_customer(app, make, team):
    west = make.customer(team["other"], name="West Co")
    contact = Contact.create(customer=west, name="West contact")
    client = team["boss_client"]
    page = f"/customers/{west.id}"
    for url in (page, f"{page}/edit", f"{page}/contacts", f"{page}/contacts/{contact.id}"):
        assert client.get(url).status_code == 404, url
    for url in (f"{page}/notes", f"{page}/contacts", f"{page}/contacts/{contact.id}",
                f"{page}/contacts/{contact.id}/delete", f"{page}/tier", f"{page}/tier/unlock", f"{page}/release",
                f"{page}/claim"):
        assert post(client, url, {"name": "x", "body": "x", "tier": "A", "reason": "x"},
                    token_from="/customers").status_code == 404, url
    assert Contact.get_by_id(contact.id).name == "West contact"
    assert Customer.get_by_id(west.id).owner_id == team["other"].id


def test_ops_reassigns_across_teams(app, make, signed_in, team):
    ops_client, _ops = signed_in("ops")
    east = make.customer(team["rep"], name="East Co")
    response = post(ops_client, "/customers/reassign", {"customer": [str(east.id)],
                                                        "reassign-owner": str(team["other"].id)},
                    token_from="/customers")
    assert response.status_code == 302 and Customer.get_by_id(east.id).owner_id == team["other"].id


def test_the_claim_limit_holds_over_http(app, make, signed_in, team):
    from salesweb.core import settings
    settings.update({"pool_claim_limit": 1}, by=make.user("admin"))
    ops = make.user("ops")
    first, second = make.customer(None, by=ops, name="Free 1"), make.customer(None, by=ops, name="Free 2")
    client = team["rep_client"]
    post(client, f"/customers/{first.id}/claim", token_from="/customers/pool")
    refused = post(client, f"/customers/{second.id}/claim", token_from="/customers/pool")
    assert refused.headers["Location"] == "/customers/pool"
    assert "release it first" in client.get("/customers/pool", headers=EN).get_data(as_text=True)
    assert Customer.get_by_id(second.id).owner_id is None


def test_bad_customer_input_is_explained_and_nothing_saved(app, team):
    response = post(team["rep_client"], "/customers/new", {
        "name": "x" * 201, "phone": "call me maybe", "website": "not a site", "source": "space",
        "status": "", "owner": str(team["other"].id)}, headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Use digits, spaces and + - ( ) only." in page and "example.com" in page
    assert "Not a valid choice" in page
    assert not Customer.select().exists()


def test_rep_cannot_give_a_customer_to_someone_else(app, team):
    response = post(team["rep_client"], "/customers/new", {
        "name": "Sneaky", "source": "visit", "status": "lead", "owner": str(team["other"].id)})
    assert response.status_code == 422 and not Customer.select().exists()


def test_contacts_are_added_edited_and_removed_in_place(app, make, team):
    customer = make.customer(team["rep"], name="Acme")
    client = team["rep_client"]
    hx = {"HX-Request": "true", **EN}
    added = post(client, f"/customers/{customer.id}/contacts",
                 {"name": "李娜", "title": "采购经理", "phone": "13900000000", "email": "li.na@example.com"},
                 headers=hx, token_from=f"/customers/{customer.id}")
    assert added.status_code == 200 and "李娜" in added.get_data(as_text=True) and "<html" not in added.get_data(as_text=True)
    contact = Contact.get(Contact.name == "李娜")
    assert contact.is_primary  # the first contact
    bad = post(client, f"/customers/{customer.id}/contacts/{contact.id}", {"name": "", "email": "nope"},
               headers=hx, token_from=f"/customers/{customer.id}")
    assert bad.status_code == 422 and "Enter a valid email address." in bad.get_data(as_text=True)
    post(client, f"/customers/{customer.id}/contacts/{contact.id}", {"name": "李娜", "title": "总监"},
         headers=hx, token_from=f"/customers/{customer.id}")
    assert Contact.get_by_id(contact.id).title == "总监"
    removed = post(client, f"/customers/{customer.id}/contacts/{contact.id}/delete", headers=hx,
                   token_from=f"/customers/{customer.id}")
    assert removed.status_code == 200 and not Contact.select().exists()


def test_notes_appear_on_the_timeline(app, make, team):
    customer = make.customer(team["rep"], name="Acme")
    post(team["rep_client"], f"/customers/{customer.id}/notes", {"body": "Met the buyer; <b>budget</b> in May."},
         token_from=f"/customers/{customer.id}")
    page = team["rep_client"].get(f"/customers/{customer.id}").get_data(as_text=True)
    assert "Met the buyer; &lt;b&gt;budget&lt;/b&gt; in May." in page


def test_manager_locks_a_tier_with_a_reason_and_rep_cannot(app, make, team):
    customer = make.customer(team["rep"], name="Acme")
    assert post(team["rep_client"], f"/customers/{customer.id}/tier", {"tier": "A", "reason": "x"},
                token_from=f"/customers/{customer.id}").status_code == 403
    missing = post(team["boss_client"], f"/customers/{customer.id}/tier", {"tier": "A", "reason": ""},
                   token_from=f"/customers/{customer.id}")
    assert missing.status_code == 422 and not Customer.get_by_id(customer.id).tier_locked
    post(team["boss_client"], f"/customers/{customer.id}/tier", {"tier": "A", "reason": "Group contract"},
         token_from=f"/customers/{customer.id}")
    stored = Customer.get_by_id(customer.id)
    assert (stored.tier, stored.tier_locked, stored.tier_lock_reason) == ("A", True, "Group contract")
    page = team["boss_client"].get(f"/customers/{customer.id}", headers=EN).get_data(as_text=True)
    assert "Locked: Group contract" in page and "C → A" in page


def test_manager_reassigns_within_the_subtree(app, make, signed_in, team):
    second_client, second = signed_in("rep", name="Rep Three", team="East")
    a, b = make.customer(team["rep"], name="A1"), make.customer(team["rep"], name="B1")
    response = post(team["boss_client"], "/customers/reassign",
                    {"customer": [str(a.id), str(b.id)], "reassign-owner": str(second.id), "reassign-next": "/customers"},
                    token_from="/customers")
    assert response.status_code == 302
    assert {c.owner_id for c in Customer.select()} == {second.id}
    assert PoolMove.select().where(PoolMove.kind == "reassign").count() == 2
    refused = post(team["boss_client"], "/customers/reassign",
                   {"customer": [str(a.id)], "reassign-owner": str(team["other"].id)}, token_from="/customers")
    assert refused.status_code == 302 and Customer.get_by_id(a.id).owner_id == second.id
    outside = make.customer(team["other"], name="Outside")
    assert post(team["boss_client"], "/customers/reassign",
                {"customer": [str(outside.id)], "reassign-owner": str(second.id)},
                token_from="/customers").status_code == 404
    assert post(team["rep_client"], "/customers/reassign", {"customer": [str(a.id)], "reassign-owner": str(team["rep"].id)},
                token_from="/customers").status_code == 403


def test_reassigning_ids_that_are_not_ids_moves_nothing(app, make, team):
    customer = make.customer(team["rep"], name="A1")
    for junk in (["abc"], ["99999999999999999999"], ["-1", " 1"]):
        response = post(team["boss_client"], "/customers/reassign",
                        {"customer": junk, "reassign-owner": str(team["boss"].id), "reassign-next": "/customers"},
                        token_from="/customers")
        assert response.status_code == 302, junk
        assert Customer.get_by_id(customer.id).owner_id == team["rep"].id, junk
    assert not PoolMove.select().exists()


def test_pool_claim_release_and_recycle_undo(app, make, signed_in, team):
    ops_client, ops = signed_in("ops")
    free = make.customer(None, by=ops, name="Free Co")
    client = team["rep_client"]
    assert "Free Co" in client.get("/customers/pool").get_data(as_text=True)
    assert client.get(f"/customers/{free.id}").status_code == 404  # not theirs yet
    assert post(client, f"/customers/{free.id}/claim", token_from="/customers/pool").status_code == 302
    assert Customer.get_by_id(free.id).owner_id == team["rep"].id
    assert post(team["other_client"], f"/customers/{free.id}/claim", token_from="/customers/pool").status_code == 404
    post(client, f"/customers/{free.id}/release", token_from=f"/customers/{free.id}")
    assert Customer.get_by_id(free.id).owner_id is None
    idle = make.customer(team["rep"], name="Idle Co")
    Customer.update(last_activity_at=utcnow() - datetime.timedelta(days=90)).where(Customer.id == idle.id).execute()
    result = app.test_cli_runner().invoke(args=["recycle-pool"])
    assert result.exit_code == 0 and "1 customer" in result.output
    assert client.get("/customers/pool/log").status_code == 403
    log = ops_client.get("/customers/pool/log").get_data(as_text=True)
    assert "Idle Co" in log
    move = PoolMove.get(PoolMove.kind == "recycle")
    post(ops_client, f"/customers/pool/moves/{move.id}/revert", token_from="/customers/pool/log")
    assert Customer.get_by_id(idle.id).owner_id == team["rep"].id


def test_a_visit_due_today_is_not_overdue_yet(app, make, team):
    from salesweb.core.clock import local_today
    customer = make.customer(team["rep"], name="Due Today")
    with app.test_request_context():
        today = local_today()
    Customer.update(next_visit_due=today).where(Customer.id == customer.id).execute()
    page = team["rep_client"].get(f"/customers/{customer.id}", headers=EN).get_data(as_text=True)
    assert "overdue" not in page
    Customer.update(next_visit_due=today - datetime.timedelta(days=1)).where(Customer.id == customer.id).execute()
    assert "1 day overdue" in team["rep_client"].get(f"/customers/{customer.id}", headers=EN).get_data(as_text=True)
    assert "Due Today" in team["rep_client"].get("/customers?overdue=y").get_data(as_text=True)


def test_the_timeline_shows_the_latest_entries_and_says_when_there_are_more(app, make, team):
    customer = make.customer(team["rep"], name="Busy Co")
    for i in range(31):
        CustomerNote.create(customer=customer, author=team["rep"], body=f"entry {i:02d}",
                            created_at=datetime.datetime(2026, 1, 1) + datetime.timedelta(hours=i))
    page = team["rep_client"].get(f"/customers/{customer.id}").get_data(as_text=True)
    assert page.count('class="event event-note"') == 30 and "entry 30" in page and "entry 00" not in page
    assert "The 30 latest entries" in page
    CustomerNote.delete().where(CustomerNote.body == "entry 00").execute()
    page = team["rep_client"].get(f"/customers/{customer.id}").get_data(as_text=True)
    assert page.count('class="event event-note"') == 30 and "The 30 latest entries" not in page


def test_every_role_filter_tier_and_sort_of_the_list_and_the_customer_page_reads_its_own_statement(app, make,
                                                                                                      signed_in):
    """The list, its counts and regions, the customer's page (with its deals, quotes and contracts) and the pool read
    kept statements keyed by their SQL's shape: under the tests each is written again and compared, so a key
    missing a role's scope, a filter, the tier or the sort fails here."""
    clients = {role: signed_in(role, name=f"{role} one", team="East")  # the rep reports to the manager
               for role in ("manager", "rep", "support", "ops", "admin")}
    rep = clients["rep"][1]
    customer = make.customer(rep, name="Acme Pumps", tier="A", region="North", status="customer")
    Customer.update(next_visit_due=datetime.date(2020, 1, 1)).where(Customer.id == customer.id).execute()  # overdue
    make.customer(None, name="Pooled Ltd")
    make.deal(rep, customer=customer, title="Pumps")
    queries = ["", "q=Acme", "q=Ac", "owner={rep}", "region=North", "status=customer", "overdue=y",
               "q=Acme&owner={rep}&region=North&status=customer&overdue=y"]
    for role, (client, user) in clients.items():
        for query in queries:
            for tier in ("", "&tier=A"):
                for sort in ("", "&sort=name", "&sort=last_visit", "&sort=newest"):
                    url = "/customers?" + query.format(rep=rep.id) + tier + sort
                    for headers in ({}, {"HX-Request": "true"}):
                        response = client.get(url, headers=headers)
                        assert response.status_code == 200, (role, url)
                        assert "Acme Pumps" in response.get_data(as_text=True), (role, url)
        assert client.get(f"/customers/{customer.id}").status_code == 200, role
        assert client.get("/customers/pool").status_code == 200, role
