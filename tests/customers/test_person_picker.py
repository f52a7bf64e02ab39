"""Person fields: a plain select while the people in reach are few, a type-to-search picker beyond, whose matches
come from /people/pick under the one visibility rule (nobody outside the user's reach is ever listed)."""
import re

from salesweb.core.clock import local_today
from salesweb.customers import queries
from salesweb.models import Task, User
from salesweb.visits import tasks
from tests.conftest import count_queries

HX = {"HX-Request": "true"}


def _picked(client, text, leavers=False):
    url = f"/people/pick?person_name={text}" + ("&leavers=1" if leavers else "")
    response = client.get(url, headers=HX)
    assert response.status_code == 200
    return set(re.findall(r'data-label="([^"]+)"', response.get_data(as_text=True)))


def test_a_manager_is_offered_only_people_in_their_subtree(app, make, signed_in):
    client, boss = signed_in("manager", name="Boss Zed")
    with app.app_context():
        lead = make.user("manager", name="Zed Lead", reports_to=boss)
        make.user("rep", name="Zed Under Lead", reports_to=lead)
        make.user("rep", name="Zed Direct", reports_to=boss)
        make.user("rep", name="Zed Elsewhere")  # another team: never listed
        make.user("support", name="Zed Support")  # not someone who owns customers
        gone = make.user("rep", name="Zed Gone", reports_to=boss)
        User.update(active=False).where(User.id == gone.id).execute()
    assert _picked(client, "zed") == {"Boss Zed", "Zed Lead", "Zed Under Lead", "Zed Direct"}
    assert _picked(client, "zed", leavers=True) == {"Boss Zed", "Zed Lead", "Zed Under Lead", "Zed Direct",
                                                    "Zed Gone"}
    assert _picked(client, "elsewhere") == set()


def test_a_rep_is_offered_only_themself(app, make, signed_in):
    client, rep = signed_in("rep", name="Ann Rep")
    with app.app_context():
        make.user("rep", name="Ann Other")
    assert _picked(client, "ann") == {"Ann Rep"}


def test_ops_are_offered_everyone_who_owns_at_most_twenty_at_a_time(app, make, signed_in):
    client, _ops = signed_in("ops")
    with app.app_context():
        for i in range(25):
            make.user("rep", name=f"Many {i:02d}")
    found = _picked(client, "many")
    assert len(found) == queries.PEOPLE_LISTED and "Many 00" in found and "Many 24" not in found
    assert _picked(client, "many 24") == {"Many 24"}
    assert _picked(client, "") == set()  # nothing typed, nothing offered


def test_the_owner_filter_is_a_select_for_few_people_and_a_picker_for_many(app, make, signed_in):
    client, boss = signed_in("manager", name="Boss")
    with app.app_context():
        reps = [make.user("rep", name=f"Rep {i:02d}", reports_to=boss) for i in range(queries.PEOPLE_LISTED - 1)]
    page = client.get("/customers").get_data(as_text=True)
    assert '<select id="owner" name="owner">' in page and "Rep 18" in page and 'name="person_name"' not in page
    with app.app_context():
        make.user("rep", name="Rep 19", reports_to=boss)  # 21 in reach, the manager with them
        shown = reps[3]
    page = client.get(f"/customers?owner={shown.id}").get_data(as_text=True)
    assert '<select id="owner"' not in page
    assert re.search(r'id="owner-name"[^>]*value="Rep 03"', page, re.S)  # the choice stays shown
    assert f'<input type="hidden" name="owner" value="{shown.id}" id="owner" data-picker-value>' in page
    assert "Rep 19" not in page  # nobody is listed in the page itself
    page = client.get("/quotes").get_data(as_text=True)
    assert 'id="owner-name"' in page and "Rep 19" not in page


def test_a_picker_never_names_a_chosen_owner_outside_reach(app, make, signed_in):
    client, boss = signed_in("manager", name="Boss")
    with app.app_context():
        for i in range(queries.PEOPLE_LISTED):
            make.user("rep", name=f"Rep {i:02d}", reports_to=boss)
        stranger = make.user("rep", name="Stranger Danger")
    page = client.get(f"/customers?owner={stranger.id}").get_data(as_text=True)
    assert "Stranger Danger" not in page


def _big_team(make, boss, n=None):
    return [make.user("rep", name=f"Rep {i:02d}", reports_to=boss) for i in range(n or queries.PEOPLE_LISTED)]


def test_the_customer_and_deal_owner_fields_are_pickers_that_refuse_anyone_out_of_reach(app, make, signed_in):
    from salesweb.models import Customer, Deal, Stage
    from tests.conftest import post
    client, boss = signed_in("manager", name="Boss")
    with app.app_context():
        reps = _big_team(make, boss)  # 21 in reach with the manager
        stranger = make.user("rep", name="Stranger Danger")
        customer = make.customer(reps[0], name="Acme")
        deal = make.deal(reps[0], customer=customer, title="Acme renewal")
        stage = Stage.select().where(Stage.kind == "open").order_by(Stage.position).first()
    form = client.get(f"/customers/{customer.id}/edit").get_data(as_text=True)
    assert '<select id="owner"' not in form and "Rep 05" not in form
    assert re.search(r'id="owner-name"[^>]*value="Rep 00"', form, re.S)
    base = {"name": "Acme", "source": "visit", "status": "customer"}
    refused = post(client, f"/customers/{customer.id}/edit", {**base, "owner": str(stranger.id)},
                   token_from=f"/customers/{customer.id}/edit", headers={"Accept-Language": "en"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Not a valid choice" in text and "Stranger Danger" not in text
    with app.app_context():
        assert Customer.get_by_id(customer.id).owner_id == reps[0].id
    moved = post(client, f"/customers/{customer.id}/edit", {**base, "owner": str(reps[7].id)},
                 token_from=f"/customers/{customer.id}/edit")
    kept = post(client, f"/customers/{customer.id}/edit", {**base, "owner": ""},  # nothing typed: the owner stays
                token_from=f"/customers/{customer.id}/edit")
    assert moved.status_code == kept.status_code == 302
    with app.app_context():
        assert Customer.get_by_id(customer.id).owner_id == reps[7].id
    # a new customer's picker left empty is the region's rep, as its hint says
    page = client.get("/customers/new", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Left empty: The region’s rep." in page or "Left empty: The region&#39;s rep." in page
    assert 'name="owner" value="region"' in page
    # the deal form
    page = client.get(f"/deals/{deal.id}/edit").get_data(as_text=True)
    assert '<select id="owner"' not in page and re.search(r'id="owner-name"[^>]*value="Rep 00"', page, re.S)
    values = {"title": "Acme renewal", "customer": str(customer.id), "amount": "1000", "version": "1"}
    refused = post(client, f"/deals/{deal.id}/edit", {**values, "owner": str(stranger.id)},
                   token_from=f"/deals/{deal.id}/edit", headers={"Accept-Language": "en"})
    assert refused.status_code == 422 and "Not a valid choice" in refused.get_data(as_text=True)
    refused = post(client, "/deals/new", {**values, "owner": str(stranger.id), "stage": str(stage.id)},
                   token_from="/deals/new", headers={"Accept-Language": "en"})
    assert refused.status_code == 422 and "Not a valid choice" in refused.get_data(as_text=True)
    with app.app_context():
        assert Deal.get_by_id(deal.id).owner_id == reps[0].id and Deal.select().count() == 1
    assert post(client, f"/deals/{deal.id}/edit", {**values, "owner": str(reps[3].id)},
                token_from=f"/deals/{deal.id}/edit").status_code == 302
    with app.app_context():
        assert Deal.get_by_id(deal.id).owner_id == reps[3].id


def test_the_visit_lists_rep_filter_is_a_picker_beyond_twenty(app, make, signed_in):
    client, boss = signed_in("manager", name="Boss")
    with app.app_context():
        reps = _big_team(make, boss, queries.PEOPLE_LISTED - 2)
    page = client.get("/visits").get_data(as_text=True)
    assert '<select id="rep" name="rep">' in page and ">Rep 17</option>" in page
    with app.app_context():
        make.user("rep", name="Rep 18", reports_to=boss)
        make.user("rep", name="Rep 19", reports_to=boss)
    page = client.get(f"/visits?rep={reps[4].id}").get_data(as_text=True)
    assert '<select id="rep"' not in page and "Rep 19" not in page
    assert re.search(r'id="rep-name"[^>]*value="Rep 04"', page, re.S)


def test_the_boards_owner_filter_is_a_picker_beyond_twenty_and_still_narrows_the_board(app, make, signed_in):
    client, boss = signed_in("manager", name="Boss")
    with app.app_context():
        reps = _big_team(make, boss, queries.PEOPLE_LISTED - 2)
        stranger = make.user("rep", name="Stranger Danger")
        make.deal(owner=reps[4], title="Deal of Rep 04")
        make.deal(owner=reps[5], title="Deal of Rep 05")
    page = client.get("/pipeline").get_data(as_text=True)
    assert '<select id="owner" name="owner">' in page and ">Mine</option>" in page and ">Rep 17</option>" in page
    with app.app_context():
        make.user("rep", name="Rep 18", reports_to=boss)
        make.user("rep", name="Rep 19", reports_to=boss)
    page = client.get(f"/pipeline?owner={reps[4].id}").get_data(as_text=True)
    assert '<select id="owner"' not in page and "Rep 19" not in page
    assert re.search(r'id="owner-name"[^>]*value="Rep 04"', page, re.S)
    assert "Deal of Rep 04" in page and "Deal of Rep 05" not in page
    page = client.get(f"/pipeline?owner={stranger.id}").get_data(as_text=True)
    assert "Stranger Danger" not in page and "Deal of Rep 04" not in page


def test_beyond_twenty_a_managers_tasks_hand_on_through_a_picker_page(app, make, signed_in):
    client, boss = signed_in("manager", name="Boss")
    with app.app_context():
        today = local_today()
        reps = _big_team(make, boss, queries.PEOPLE_LISTED - 2)
        stranger = make.user("rep", name="Stranger Danger")
        task = tasks.create("Send the samples", reps[3], today, boss, today)
    page = client.get("/tasks").get_data(as_text=True)
    assert '<select name="assignee" aria-label="Hand on to">' in page and ">Rep 17</option>" in page
    with count_queries() as seen:
        client.get("/tasks")
    few = len(seen)
    with app.app_context():
        make.user("rep", name="Rep 18", reports_to=boss)
        make.user("rep", name="Rep 19", reports_to=boss)
    with count_queries() as seen:
        page = client.get("/tasks").get_data(as_text=True)
    # the people in reach are read once: listed, or beyond twenty not at all (the picker's choice read instead)
    assert len(seen) == few + 1
    assert 'aria-label="Hand on to"' not in page and "Rep 19" not in page
    assert f'href="/tasks/{task.id}/reassign"' in page
    assert re.search(r'id="assignee-name"[^>]*value="Boss"', page, re.S)  # the new task's "for": the manager
    hand_on = client.get(f"/tasks/{task.id}/reassign").get_data(as_text=True)
    assert re.search(r'id="assignee-name"[^>]*value="Rep 03"', hand_on, re.S) and "Rep 19" not in hand_on
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', hand_on).group(1)
    refused = client.post(f"/tasks/{task.id}/reassign", data={"csrf_token": token, "assignee": stranger.id})
    assert refused.status_code == 422 and "Stranger Danger" not in refused.get_data(as_text=True)
    with app.app_context():
        assert Task.get_by_id(task.id).assignee_id == reps[3].id
    moved = client.post(f"/tasks/{task.id}/reassign", data={"csrf_token": token, "assignee": reps[7].id})
    assert moved.status_code == 303
    with app.app_context():
        assert Task.get_by_id(task.id).assignee_id == reps[7].id
    added = client.post("/tasks", data={"csrf_token": token, "title": "Call back", "due_on": today.isoformat(),
                                        "assignee": stranger.id})
    assert added.status_code == 422 and "Stranger Danger" not in added.get_data(as_text=True)
    assert client.post("/tasks", data={"csrf_token": token, "title": "Call back", "due_on": today.isoformat(),
                                       "assignee": ""}).status_code == 303  # left empty: the manager's own
    with app.app_context():
        assert Task.get(Task.title == "Call back").assignee_id == boss.id
    rep_client, rep = signed_in("rep", name="Solo Rep")
    with app.app_context():
        own = tasks.create("Own task", rep, today, rep, today)
    assert rep_client.get(f"/tasks/{own.id}/reassign").status_code == 403
