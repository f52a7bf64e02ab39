"""The allocation console's load table shows a page of the owners in view, each weighed against every rep in view
(not only those on the page); the region filter names regions without counting every customer; the console's
queries stay the same however many owners and customers there are."""
import datetime

import pytest

from salesweb.allocation import queries
from salesweb.allocation import rules as allocation
from salesweb.customers import rules as customers
from salesweb.models import User
from tests.conftest import count_queries, csrf_token, login

TODAY = datetime.date(2026, 11, 23)


def client_for(app, user):
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def _load_table(page):
    return page.split('id="load-title"')[1].split("</table>")[0]


@pytest.fixture
def crew(app, make):
    """A manager holding no customers and three reps, by name: Ann 10 customers, Bo 2, Cy 9."""
    boss = make.user("manager", team="East", name="Wang Fang")
    reps = {name: make.user("rep", team="East", reports_to=boss, name=name) for name in ("Ann", "Bo", "Cy")}
    for name, count in (("Ann", 10), ("Bo", 2), ("Cy", 9)):
        for _ in range(count):
            make.customer(reps[name])
    return boss, reps


def test_the_load_table_pages_owners_and_weighs_each_against_every_rep_in_view(app, make, crew):
    boss, reps = crew
    ops = make.user("ops")
    app.config["PAGE_SIZE"] = 2
    for client, url in ((client_for(app, ops), "/ops/allocation"), (client_for(app, boss), "/manager/allocation")):
        first = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
        second = client.get(f"{url}?page=2", headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert "Page 1 of 2" in first and "Page 2 of 2" in second
        first_rows, second_rows = _load_table(first), _load_table(second)
        assert "Ann" in first_rows and "Bo" in first_rows and "Cy" not in first_rows
        assert "Cy" in second_rows and "Wang Fang" in second_rows and "Ann" not in second_rows
        # The reps' mean is (10 + 2 + 9) / 3 = 7: heavy above 8.75, light below 5.25. On the second page Cy is the
        # only rep, and heavy all the same: the mean is everyone's, not the page's.
        assert first_rows.count("Heavy load") == 1 and "Light load" in first_rows
        assert second_rows.count("Heavy load") == 1 and "Light load" not in second_rows
        # the owner filter still offers everyone in view
        for name in ("Ann", "Bo", "Cy", "Wang Fang"):
            assert f">{name}</option>" in second


def test_the_mean_is_of_the_active_reps_in_view_and_none_with_fewer_than_two(app, make):
    ops = make.user("ops")
    assert queries.reps_mean(ops, queries.owners_in_view(ops)) == 0  # no data
    boss = make.user("manager", team="East", name="Wang Fang")
    li = make.user("rep", team="East", reports_to=boss, name="Li Na")
    for _ in range(3):
        make.customer(li)
    make.customer(boss)  # a manager's customers are not a rep's load
    assert queries.reps_mean(ops, queries.owners_in_view(ops)) == 0  # one rep: nobody to compare with
    chen = make.user("rep", team="East", reports_to=boss, name="Chen Jie")
    make.customer(chen)
    gone = make.user("rep", team="East", reports_to=boss, name="Gone")
    for _ in range(5):
        make.customer(gone)
    User.update(active=False).where(User.id == gone.id).execute()  # a leaver's book is not a load
    make.user("rep", team="West", name="Zhao Lei")  # another team: in the ops view, not the manager's
    make.customer(None)  # the pool is nobody's load
    assert queries.reps_mean(ops, queries.owners_in_view(ops)) == 4 / 3  # (3 + 1 + 0) / 3
    assert queries.reps_mean(boss, queries.owners_in_view(boss)) == 4 / 2  # Li and Chen
    everyone = queries.loads(ops, TODAY)
    assert queries.flags(everyone, {"weekly_visit_norm_min": 0}) == queries.flags(
        everyone[:1], {"weekly_visit_norm_min": 0}, queries.reps_mean(ops, everyone)) | queries.flags(
        everyone[1:], {"weekly_visit_norm_min": 0}, queries.reps_mean(ops, everyone))


def test_a_leaver_is_listed_while_holding_customers_or_open_deals(app, make):
    ops = make.user("ops")
    boss = make.user("manager", team="East", name="Wang Fang")
    holding, dealing, done = (make.user("rep", team="East", reports_to=boss, name=name)
                              for name in ("Holding", "Dealing", "Done"))
    make.customer(holding)
    make.deal(dealing, customer=make.customer(boss), by=boss)  # an open deal on someone else's customer
    make.won_deal(done, TODAY, customer=make.customer(boss), by=boss)  # a won deal is history, not a book to hand on
    User.update(active=False).where(User.id.in_([holding.id, dealing.id, done.id])).execute()
    listed = [(x.name, x.active) for x in queries.owners_in_view(ops)]
    assert listed == [("Dealing", False), ("Holding", False), ("Wang Fang", True)]
    assert [x.name for x in queries.owners_in_view(boss)] == ["Dealing", "Holding", "Wang Fang"]
    page = client_for(app, ops).get("/ops/allocation", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Holding (left)" in page and "Dealing (left)" in page and "Done" not in page


def test_region_names_are_the_regions_own_without_counting(app, make, crew):
    boss, reps = crew
    ops = make.user("ops")
    for region in ("East China", "East China", "east china", "Jiangsu", "hubei", "Hubei"):
        make.customer(reps["Ann"], region=region)
    allocation.assign_region(ops, "Zhejiang", reps["Bo"])  # given a rep, no customers yet
    allocation.assign_region(ops, "JIANGSU", reps["Cy"])  # a customer's spelling names it
    moved = make.customer(reps["Bo"], region="Anhui")
    customers.update(moved, {"name": moved.name, "source": "other", "status": "customer", "region": "Jiangsu"},
                     reps["Bo"], ops)  # Anhui has no customer left
    expected = ["East China", "Hubei", "Jiangsu", "Zhejiang"]  # Hubei: one each, the first in code-point order
    assert [r[:2] for r in queries.regions()] == [("East China", 3), ("Hubei", 2), ("Jiangsu", 2), ("Zhejiang", 0)]
    assert queries.region_names() == expected
    page = client_for(app, boss).get("/manager/allocation").get_data(as_text=True)
    choices = page.split('id="region"')[1].split("</select>")[0]
    assert [f'value="{name}"' in choices for name in expected] == [True] * 4
    assert 'value="east china"' not in choices and 'value="JIANGSU"' not in choices


def test_no_region_yet(app, make, crew):
    assert queries.region_names() == [] and queries.regions() == []


def _count(client, method, url, data=None):
    with count_queries() as seen:
        response = client.get(url) if method == "GET" else client.post(url, data=data)
        assert response.status_code == 200
    return len(seen)


def test_the_console_takes_as_many_queries_with_three_owners_as_with_forty(app, make, crew):
    boss, reps = crew
    ops = make.user("ops")
    make.customer(reps["Ann"], region="Jiangsu")
    ann = reps["Ann"].id
    as_ops, as_boss = client_for(app, ops), client_for(app, boss)
    pages = [(as_ops, "/ops/allocation"), (as_ops, f"/ops/allocation?owner={ann}"),
             (as_boss, "/manager/allocation"), (as_boss, f"/manager/allocation?owner={ann}")]
    previews = [(client, url.split("?")[0]) for client, url in pages[1::2]]
    tokens = [csrf_token(client, "/account/password") for client, _url in previews]
    form = {"owner": str(ann), "pick": "all", "to_owner": str(reps["Bo"].id), "move_deals": "y", "step": "preview"}

    def counts():
        for client, url in pages:
            client.get(url)
        return ([_count(client, "GET", url) for client, url in pages]
                + [_count(client, "POST", url, {**form, "csrf_token": token})
                   for (client, url), token in zip(previews, tokens)])

    few = counts()
    # The session's user; the page of owners with the reps' mean (and every owner in view while they are few);
    # their customers, and their open deals and visits; the regions (ops: with their customers, and the regions
    # given a rep; a manager: the names only); the customers chosen and their count; the recent reassignments.
    # A preview: the user, the new owner, the customers matching; whether the new owner may take them; the
    # refusals; the customers and deals moving; the page of owners with those affected; the loads (two).
    assert few == [7, 9, 6, 8, 10, 10]
    for n in range(40):
        rep = make.user("rep", team="East", reports_to=boss, name=f"Rep {n:02}")
        make.customer(rep, region=f"R{n % 3}", tier="ABC"[n % 3])
        make.deal(rep)
    assert counts() == few


def test_beyond_twenty_owners_in_view_the_person_fields_are_pickers_and_the_page_reads_its_own(app, make, crew):
    boss, reps = crew
    ops = make.user("ops")
    many = [make.user("rep", team="West", name=f"Rep {n:02}") for n in range(20)]  # 24 owners in view
    for n, rep in enumerate(many):
        for _ in range(n % 4):
            make.customer(rep)
    client = client_for(app, ops)
    page = client.get(f"/ops/allocation?owner={reps['Cy'].id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    form = page.split('id="choose-title"')[1]
    # the owner filter, the new owner and the region's rep: pickers, the chosen owner shown, nobody listed
    assert '<select id="owner"' not in form and 'id="owner-name"' in form and 'value="Cy"' in form
    assert f'<input type="hidden" name="owner" value="{reps["Cy"].id}" id="owner" data-picker-value>' in form
    assert 'id="to_owner-name"' in form and '<select id="to_owner"' not in form
    assert "<option" not in form.split('id="regions"')[0].split("</table>")[-1]
    # the load table: the page's owners with the figures `loads` gives everyone, weighed against every rep in view
    everyone = {x.owner_id: x for x in queries.loads(ops, TODAY)}
    table = _load_table(page)
    shown = [x for x in everyone.values() if f">{x.name}</a>" in table or f">{x.name}<" in table]
    assert len(shown) == 24 and "Page" not in table  # 24 fit one page of 25
    mean = queries.reps_mean(ops, queries.owners_in_view(ops))
    assert mean == (10 + 2 + 9 + sum(n % 4 for n in range(20))) / 23
    found = queries.owners_page(ops, 0, 25, 20)
    assert found.mean == mean and found.total == 24 and found.everyone is None and found.assignable is None
    assert [x.owner_id for x in found.items] == [x.owner_id for x in queries.owners_in_view(ops)]
    second = queries.owners_page(ops, 20, 20, 20, also=(reps["Ann"].id, 10 ** 6))
    assert [x.name for x in second.items] == [x.name for x in queries.owners_in_view(ops)[20:]]
    assert set(second.also) == {reps["Ann"].id}  # an id out of view is not found


def test_an_owner_out_of_view_is_refused_whichever_field_names_them(app, make, crew):
    boss, reps = crew
    for n in range(20):
        make.user("rep", team="East", reports_to=boss, name=f"Rep {n:02}")
    stranger = make.user("rep", team="West", name="Stranger")
    customer = make.customer(reps["Ann"])
    client = client_for(app, boss)
    token = csrf_token(client, "/account/password")
    refused = client.post("/manager/allocation", data={
        "csrf_token": token, "owner": str(reps["Ann"].id), "pick": "ticked", "customer": str(customer.id),
        "to_owner": str(stranger.id),
        "step": "preview"}, headers={"Accept-Language": "en"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "You cannot assign customers to Stranger." in text
    assert 'id="to_owner-name"' in text and 'aria-invalid="true"' in text  # the picker, showing the refusal
    # the filter never names someone out of view, even asked for by id
    page = client.get(f"/manager/allocation?owner={stranger.id}").get_data(as_text=True)
    assert "Stranger" not in page
    assert User.get_by_id(stranger.id) and customer.owner_id == reps["Ann"].id
