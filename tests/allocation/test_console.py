"""Allocation: load figures, preview, bulk reassignment and its undo, regions; the console's pages and rules."""
import datetime

import pytest

from salesweb.core.db import utcnow
from salesweb.models import AuditEvent, Customer, Deal, Notification, Reallocation, Visit
from salesweb.allocation import queries, rules as allocation
from salesweb.customers import queries as customer_queries, rules as customers
from salesweb.core import settings
from salesweb.core.errors import Invalid
from salesweb.figures import metrics
from salesweb.infra import rollups
from tests.conftest import count_queries, login, post

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def team(app, make):
    manager = make.user("manager", team="East", name="Wang Fang")
    li = make.user("rep", team="East", reports_to=manager, name="Li Na")
    chen = make.user("rep", team="East", reports_to=manager, name="Chen Jie")
    return manager, li, chen


def _due(customer, day):
    Customer.update(next_visit_due=day).where(Customer.id == customer.id).execute()


def test_load_counts_customers_by_tier_due_overdue_pipeline_and_visit_rate(app, make, team):
    manager, li, chen = team
    ops = make.user("ops")
    a1, a2 = make.customer(li, tier="A"), make.customer(li, tier="A")
    b1, c1 = make.customer(li, tier="B"), make.customer(chen, tier="C")
    _due(a1, TODAY - datetime.timedelta(days=1))  # overdue
    _due(a2, TODAY + datetime.timedelta(days=6))  # due within the week (today + 6 is the seventh day)
    _due(b1, TODAY + datetime.timedelta(days=7))  # due, but next week
    _due(c1, TODAY)  # due today
    make.deal(li, customer=a1, amount=300_00)
    make.deal(li, customer=b1, amount=200_00)
    make.won_deal(li, TODAY, customer=b1, amount=999_00)  # won: not open pipeline
    now = utcnow()
    for days in (1, 8, 20, 27, 40):  # four in the last four weeks, one before
        Visit.create(customer=a1, rep=li, status="done", occurred_at=now - datetime.timedelta(days=days))
    Visit.create(customer=a1, rep=li, status="planned", planned_for=TODAY)  # planned: not done

    loads = {x.name: x for x in queries.loads(ops, TODAY, now)}
    assert loads["Li Na"].tiers == {"A": 2, "B": 1, "C": 0} and loads["Li Na"].customers == 3
    assert (loads["Li Na"].overdue, loads["Li Na"].due) == (1, 1)
    assert (loads["Li Na"].open_deals, loads["Li Na"].pipeline) == (2, 500_00)
    assert loads["Li Na"].weekly_rate == 1.0
    assert (loads["Chen Jie"].customers, loads["Chen Jie"].due, loads["Chen Jie"].overdue) == (1, 1, 0)
    assert loads["Chen Jie"].weekly_rate == 0
    # The manager sees their subtree only; a rep of another team is not in it.
    make.user("rep", team="West", name="Zhao Lei")
    assert {x.name for x in queries.loads(manager, TODAY, now)} == {"Wang Fang", "Li Na", "Chen Jie"}
    assert "Zhao Lei" in {x.name for x in queries.loads(ops, TODAY, now)}


def test_flags_mark_heavy_light_behind_below_norm_and_leavers(app, make, team):
    _manager, li, chen = team
    values = settings.current()
    heavy = queries.Load(1, "H", tiers={"A": 0, "B": 0, "C": 10}, overdue=5, visits=60)
    light = queries.Load(2, "L", tiers={"A": 0, "B": 0, "C": 2}, visits=40)
    normal = queries.Load(3, "N", tiers={"A": 0, "B": 0, "C": 6}, visits=40)
    gone = queries.Load(4, "G", active=False, tiers={"A": 0, "B": 0, "C": 50})
    slow = queries.Load(5, "S", tiers={"A": 0, "B": 0, "C": 6}, visits=4)
    # The leaver's 50 do not move the mean, (10 + 2 + 6 + 6) / 4 = 6: heavy above 7.5, light below 4.5.
    assert queries.flags([heavy, light, normal, gone, slow], values) == {
        1: ["heavy", "behind"], 2: ["light"], 3: [], 4: ["left"],
        5: ["below_norm"]}  # one visit a week against a norm of ten
    assert queries.flags([heavy], values) == {1: ["behind"]}  # alone: nobody to be heavier than


def test_preview_shows_each_load_before_and_after_and_writes_nothing(app, make, team):
    manager, li, chen = team
    moving = [make.customer(li, tier="A"), make.customer(li, tier="C"), make.customer(chen, tier="C")]
    _due(moving[0], TODAY - datetime.timedelta(days=3))
    make.deal(li, customer=moving[0], amount=400_00)
    make.deal(chen, customer=moving[2], amount=100_00)
    target = make.user("rep", team="East", reports_to=manager, name="An Qi")
    rows, count = allocation.preview(manager, [c.id for c in moving], target, True, TODAY,
                                     queries.loads(manager, TODAY))
    assert count == 3
    by_name = {before.name: (before, after) for before, after in rows}
    assert [before.name for before, _after in rows] == ["Chen Jie", "Li Na", "An Qi"]  # the new owner last
    li_before, li_after = by_name["Li Na"]
    assert (li_before.customers, li_after.customers, li_after.tiers["A"]) == (2, 0, 0)
    assert (li_before.overdue, li_after.overdue, li_after.pipeline) == (1, 0, 0)
    _b, an_after = by_name["An Qi"]
    assert (an_after.tiers, an_after.overdue, an_after.open_deals, an_after.pipeline) == (
        {"A": 1, "B": 0, "C": 2}, 1, 2, 500_00)
    assert Customer.select().where(Customer.owner == target.id).count() == 0
    assert Reallocation.select().count() == 0
    _rows, _count = allocation.preview(manager, [moving[0].id], target, False, TODAY, queries.loads(manager, TODAY))
    assert _rows[-1][1].open_deals == 0  # deals staying put leave the pipeline alone


def test_reassign_moves_customers_and_open_deals_audits_notifies_and_undo_puts_back(app, make, team):
    manager, li, chen = team
    ops = make.user("ops")
    mine = [make.customer(li, name=f"L{i}") for i in range(3)]
    open_deal = make.deal(li, customer=mine[0])
    won = make.won_deal(li, TODAY, customer=mine[1])
    batch = allocation.reassign(ops, [c.id for c in mine], chen, move_deals=True)
    assert (batch.customers, batch.deals) == (3, 1)
    assert Customer.select().where(Customer.owner == chen.id).count() == 3
    assert Deal.get_by_id(open_deal.id).owner_id == chen.id
    assert Deal.get_by_id(won.id).owner_id == li.id  # history stays with who won it
    assert AuditEvent.select().where(AuditEvent.object_type == "reallocation").count() == 1
    assert Notification.get(Notification.user == chen.id).kind == "customers_assigned"

    # One customer moves on in the meantime: undo puts back the others and says so.
    customers.update(Customer.get_by_id(mine[2].id), {"name": "L2", "source": "other", "status": "customer"},
                     manager, manager)
    restored, kept = allocation.undo(ops, Reallocation.get_by_id(batch.id), settings.current())
    assert (restored, kept) == (2, 1)
    assert {c.owner_id for c in Customer.select().where(Customer.id.in_([mine[0].id, mine[1].id]))} == {li.id}
    assert Customer.get_by_id(mine[2].id).owner_id == manager.id
    assert Deal.get_by_id(open_deal.id).owner_id == li.id
    assert Reallocation.get_by_id(batch.id).undone_at is not None
    with pytest.raises(Invalid):
        allocation.undo(ops, Reallocation.get_by_id(batch.id), settings.current())  # once only
    assert AuditEvent.select().where(AuditEvent.object_type == "reallocation").count() == 2


def test_deals_go_along_only_from_the_customers_own_owner_and_preview_agrees(app, make, team):
    manager, li, chen = team
    west_rep = make.user("rep", team="West", name="Zhao Lei")
    shared = make.customer(li, name="Shared")
    hers = make.deal(li, customer=shared, amount=100_00)
    theirs = make.deal(li, customer=shared, amount=900_00)
    Deal.update(owner=west_rep.id).where(Deal.id == theirs.id).execute()  # another team's deal on Li's customer
    already = make.customer(chen, name="Chen's already")
    li_on_chens = make.deal(chen, customer=already, amount=50_00)
    Deal.update(owner=li.id).where(Deal.id == li_on_chens.id).execute()
    loads = queries.loads(manager, TODAY)
    rows, count = allocation.preview(manager, [shared.id, already.id], chen, True, TODAY, loads)
    assert count == 1
    assert [(b.name, b.open_deals, a.open_deals, a.pipeline) for b, a in rows] == [
        ("Li Na", 2, 1, 50_00), ("Chen Jie", 0, 1, 100_00)]  # only Li's deal on the customer that moves
    batch = allocation.reassign(manager, [shared.id, already.id], chen, move_deals=True)
    assert (batch.customers, batch.deals) == (1, 1)
    assert Deal.get_by_id(hers.id).owner_id == chen.id
    assert Deal.get_by_id(theirs.id).owner_id == west_rep.id
    assert Deal.get_by_id(li_on_chens.id).owner_id == li.id


def test_undo_keeps_a_deal_with_its_customer_when_the_customer_stays(app, make, team):
    manager, li, chen = team
    customer = make.customer(li)
    deal = make.deal(li, customer=customer)
    batch = allocation.reassign(manager, [customer.id], chen, move_deals=True)
    allocation.reassign(manager, [customer.id], manager, move_deals=False)  # moved on since; the deal stays with Chen
    assert allocation.undo(manager, Reallocation.get_by_id(batch.id), settings.current()) == (0, 1)
    assert Deal.get_by_id(deal.id).owner_id == chen.id


def test_a_region_is_chosen_whatever_the_case_of_its_spellings(app, make, team):
    manager, li, chen = team
    ops = make.user("ops")
    make.customer(li, region="East China")
    make.customer(li, region="east china")
    assert [r[:2] for r in queries.regions()] == [("East China", 2)]
    assert queries.selection(ops, {"region": "East China"}, TODAY).count() == 2


def test_undo_window_and_who_may_undo(app, make, team):
    manager, li, chen = team
    ops = make.user("ops")
    customer = make.customer(li)
    batch = allocation.reassign(manager, [customer.id], chen)
    values = settings.current()
    later = batch.created_at + datetime.timedelta(hours=values["reallocation_undo_hours"], minutes=1)
    assert allocation.may_undo(manager, batch, values) and allocation.may_undo(ops, batch, values)
    assert not allocation.may_undo(chen, batch, values)
    with pytest.raises(Invalid):
        allocation.undo(manager, batch, values, now=later)
    assert Customer.get_by_id(customer.id).owner_id == chen.id


def test_undo_leaves_customers_of_a_former_owner_who_has_left(app, make, team):
    manager, li, chen = team
    customer = make.customer(li)
    batch = allocation.reassign(manager, [customer.id], chen)
    from salesweb.models import User
    User.update(active=False).where(User.id == li.id).execute()
    assert allocation.undo(manager, Reallocation.get_by_id(batch.id), settings.current()) == (0, 1)
    assert Customer.get_by_id(customer.id).owner_id == chen.id


@pytest.mark.parametrize("case", ["inactive", "outside", "none", "empty", "not_mine"])
def test_bad_reassignments_are_refused_and_change_nothing(app, make, team, case):
    manager, li, chen = team
    customer = make.customer(li)
    west = make.user("rep", team="West")
    leaver = make.user("rep", team="East", reports_to=manager)
    from salesweb.models import User
    User.update(active=False).where(User.id == leaver.id).execute()
    leaver = User.get_by_id(leaver.id)
    ids, to = [customer.id], chen
    if case == "inactive":
        to = leaver
    elif case == "outside":
        to = west
    elif case == "none":
        to = None
    elif case == "empty":
        ids = []
    elif case == "not_mine":
        ids = [customer.id, make.customer(west).id]
    with pytest.raises(Invalid) as refused:
        allocation.reassign(manager, ids, to)
    assert refused.value.errors
    assert Customer.get_by_id(customer.id).owner_id == li.id
    assert Reallocation.select().count() == 0


def test_regions_send_new_customers_to_their_rep(app, make, team):
    manager, li, chen = team
    ops = make.user("ops")
    support = make.user("support")
    make.customer(li, region="Jiangsu")
    allocation.assign_region(ops, "jiangsu", chen)  # names match whatever the case
    assert [(r[0], r[1], r[3]) for r in queries.regions()] == [("Jiangsu", 1, "Chen Jie")]
    assert customer_queries.default_owner("JIANGSU", support).id == chen.id
    assert customer_queries.default_owner("Zhejiang", support) is None  # no rep: the pool
    assert customer_queries.default_owner("Zhejiang", manager).id == manager.id  # a manager keeps it
    west_manager = make.user("manager", team="West")
    assert customer_queries.default_owner("Jiangsu", west_manager).id == west_manager.id  # Chen is not theirs to give
    with pytest.raises(Invalid):
        allocation.assign_region(ops, " ", chen)
    assert AuditEvent.select().where(AuditEvent.object_type == "region").count() == 1


# --- pages ------------------------------------------------------------------------------------------------------

def client_for(app, user):
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def test_console_is_for_ops_and_managers_in_their_subtree(app, make, team):
    manager, li, chen = team
    ops = make.user("ops")
    for role in ("rep", "support", "admin"):
        assert client_for(app, make.user(role, team="East" if role == "rep" else None)).get(
            "/ops/allocation").status_code == 403
    assert client_for(app, manager).get("/ops/allocation").status_code == 403
    assert client_for(app, ops).get("/manager/allocation").status_code == 403
    page = client_for(app, manager).get("/manager/allocation").get_data(as_text=True)
    assert "Li Na" in page and "Regions" not in page
    page = client_for(app, ops).get("/ops/allocation").get_data(as_text=True)
    assert "Li Na" in page and "Regions" in page


def test_console_preview_then_reassign_then_undo_through_the_pages(app, make, team):
    manager, li, chen = team
    ops = make.user("ops")
    for i in range(5):
        make.customer(li, name=f"Acme {i}")
    client = client_for(app, ops)
    page = client.get(f"/ops/allocation?owner={li.id}").get_data(as_text=True)
    assert "5 customers match." in page
    form = {"owner": str(li.id), "pick": "all", "to_owner": str(chen.id), "move_deals": "y", "step": "preview"}
    preview = post(client, "/ops/allocation", form)
    assert preview.status_code == 200
    assert "Moving 5 customers to Chen Jie" in preview.get_data(as_text=True)
    assert Customer.select().where(Customer.owner == chen.id).count() == 0
    done = post(client, "/ops/allocation", {**form, "step": "confirm"})
    assert done.status_code == 303
    assert Customer.select().where(Customer.owner == chen.id).count() == 5
    batch = Reallocation.get()
    assert post(client_for(app, manager), f"/manager/allocation/{batch.id}/undo").status_code == 404  # not theirs
    assert post(client, f"/ops/allocation/{batch.id}/undo").status_code == 303
    assert Customer.select().where(Customer.owner == li.id).count() == 5


def test_console_refuses_bad_input_with_messages(app, make, team):
    manager, li, chen = team
    customer = make.customer(li)
    west = make.user("rep", team="West", name="Zhao Lei")
    client = client_for(app, manager)
    refused = post(client, "/manager/allocation", {"owner": str(li.id), "pick": "ticked", "customer": str(customer.id),
                                                    "to_owner": str(west.id), "step": "confirm"})
    assert refused.status_code == 422
    assert "You cannot assign customers to Zhao Lei." in refused.get_data(as_text=True)
    nothing = post(client, "/manager/allocation", {"pick": "ticked", "to_owner": str(chen.id), "step": "confirm"})
    assert nothing.status_code == 422 and "Choose at least one customer." in nothing.get_data(as_text=True)
    stranger = make.customer(west)
    foreign = post(client, "/manager/allocation", {"pick": "ticked", "customer": str(stranger.id),
                                                    "to_owner": str(chen.id), "step": "confirm"})
    assert foreign.status_code == 422
    assert Customer.get_by_id(stranger.id).owner_id == west.id
    assert Reallocation.select().count() == 0


SEEN = []


def test_console_takes_the_same_queries_on_small_and_larger_data(app, make, team):
    manager, li, chen = team
    ops = make.user("ops")
    client = client_for(app, ops)

    def queries():
        client.get(f"/ops/allocation?owner={li.id}")
        with count_queries() as seen:
            assert client.get(f"/ops/allocation?owner={li.id}").status_code == 200
        SEEN[:] = seen
        return len(seen)

    make.customer(li, region="Jiangsu")
    from tests.conftest import csrf_token
    token = csrf_token(client, "/account/password")
    few = queries()
    for i in range(30):
        make.customer(li if i % 2 else chen, region=f"R{i % 3}", tier="ABC"[i % 3])
    assert queries() == few
    assert few <= 12, "\n".join(q[:150] for q in SEEN)
    form = {"owner": str(li.id), "pick": "all", "to_owner": str(chen.id), "move_deals": "y", "step": "preview"}
    with count_queries() as seen:
        assert post(client, "/ops/allocation", {**form, "csrf_token": token}).status_code == 200
    assert len(seen) <= 12, "\n".join(q[:150] for q in seen)


def test_a_region_given_to_no_one_real_is_refused(app, make, team):
    manager, li, chen = team
    ops = make.user("ops")
    allocation.assign_region(ops, "Jiangsu", chen)
    client = client_for(app, ops)
    for rep in ("abc", "999999"):
        post(client, "/ops/regions", {"region": "Jiangsu", "rep": rep})
        assert [r[3] for r in queries.regions()] == ["Chen Jie"]
    post(client, "/ops/regions", {"region": "Jiangsu", "rep": ""})  # left empty on purpose: the pool
    assert [r[3] for r in queries.regions()] == [""]


def test_recent_reassignments_are_the_last_weeks_with_names_and_ops_sees_everyones(app, make, team):
    manager, li, chen = team
    ops = make.user("ops", name="Ops Person")
    mine = allocation.reassign(manager, [make.customer(li).id], chen)
    theirs = allocation.reassign(ops, [make.customer(li).id, make.customer(li).id], manager)
    old = allocation.reassign(manager, [make.customer(li).id], chen)
    Reallocation.update(created_at=utcnow() - datetime.timedelta(days=8)).where(Reallocation.id == old.id).execute()
    allocation.undo(ops, Reallocation.get_by_id(theirs.id), settings.current())
    assert [(b.id, b.by_name, b.to_name) for b in queries.recent(ops)] == [
        (theirs.id, "Ops Person", "Wang Fang"), (mine.id, "Wang Fang", "Chen Jie")]
    assert [b.id for b in queries.recent(manager)] == [mine.id]
    page = client_for(app, ops).get("/ops/allocation", headers={"Accept-Language": "en"}).get_data(as_text=True)
    recent = page.split('id="recent"')[1].split("</section>")[0]
    assert "Ops Person →\n      2 customers to Wang Fang" in recent and "Undone" in recent
    assert "Wang Fang →\n      1 customer to Chen Jie" in recent and f"/ops/allocation/{mine.id}/undo" in recent
    assert recent.count("<li>") == 2


def test_a_reassignment_moves_its_customers_due_rows_in_one_upsert_when_they_fit_in_one(app, make, team):
    """Twelve customers of two reps, each due on its own day, to a third: their rows of the customers by due day
    and month move in one upsert (33 statements; 32 before the customers by due day were kept). Thirty: their
    owners' rows are recomputed (fewer statements than an upsert every fifty rows). Both agree with a rebuild."""
    manager, li, chen = team
    ops, third = make.user("ops"), make.user("rep", team="East", reports_to=manager)
    made = utcnow() - datetime.timedelta(days=400)
    few = [make.customer(li if i % 2 else chen, tier="ABC"[i % 3], made_at=made + datetime.timedelta(days=7 * i))
           for i in range(12)]
    with count_queries() as seen:
        allocation.reassign(ops, [c.id for c in few], third, move_deals=False)
    assert len(seen) == 33
    assert rollups.differences() == []
    many = few + [make.customer(chen, tier="ABC"[i % 3], made_at=made + datetime.timedelta(days=3 * i))
                  for i in range(18)]
    allocation.reassign(ops, [c.id for c in many], li, move_deals=False)
    assert rollups.differences() == []
    assert metrics.overdue_by_tier(metrics.scope_for(li), datetime.date.today() + datetime.timedelta(days=400)) \
        == {"A": 10, "B": 10, "C": 10}
