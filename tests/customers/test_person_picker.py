"""Person fields: a plain select while the people in reach are few, a type-to-search picker beyond, whose matches
come from /people/pick under the one visibility rule (nobody outside the user's reach is ever listed)."""
import re

from salesweb.customers import queries
from salesweb.models import User

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
