"""One visibility rule: a rep sees their own, a manager their subtree, support/ops/admin all."""
import pytest
from werkzeug.exceptions import NotFound

from salesweb.core.access import get_visible_or_404, scope_shape, subtree_ids, visible, visible_kept
from salesweb.core.db import kept_rows
from salesweb.models import User


@pytest.fixture
def hierarchy(app, make):
    """director → (east manager → rep a, rep b), (south manager → rep c); a lone rep elsewhere."""
    director = make.user("manager", name="Director", team="Leadership")
    east = make.user("manager", name="East lead", team="East", reports_to=director)
    south = make.user("manager", name="South lead", team="South", reports_to=director)
    a = make.user("rep", name="Rep A", team="East")
    b = make.user("rep", name="Rep B", team="East")
    c = make.user("rep", name="Rep C", team="South")
    lone = make.user("rep", name="Lone rep")
    ops = make.user("ops", name="Ops")
    return dict(director=director, east=east, south=south, a=a, b=b, c=c, lone=lone, ops=ops)


def names_visible_to(user):
    return {u.name for u in visible(User.select(), user, User.id)}


def test_team_members_report_to_their_teams_manager(hierarchy):
    assert hierarchy["a"].reports_to_id == hierarchy["east"].id
    assert hierarchy["c"].reports_to_id == hierarchy["south"].id


def test_director_sees_the_whole_subtree_two_levels_down(hierarchy):
    assert names_visible_to(hierarchy["director"]) == {
        "Director", "East lead", "South lead", "Rep A", "Rep B", "Rep C"}


def test_manager_sees_own_team_not_a_sibling_team(hierarchy):
    assert names_visible_to(hierarchy["east"]) == {"East lead", "Rep A", "Rep B"}


def test_rep_sees_only_their_own(hierarchy):
    assert names_visible_to(hierarchy["a"]) == {"Rep A"}


def test_ops_sees_everyone(hierarchy):
    assert len(names_visible_to(hierarchy["ops"])) == User.select().count()


def test_subtree_is_one_query_and_excludes_the_root(hierarchy):
    ids = {i for (i,) in subtree_ids(hierarchy["director"].id).tuples()}
    assert hierarchy["director"].id not in ids
    assert ids == {hierarchy[k].id for k in ("east", "south", "a", "b", "c")}


def test_a_reporting_loop_in_the_data_does_not_hang_the_query(hierarchy):
    # Written behind the service's back: the query must still end.
    User.update(reports_to=hierarchy["a"]).where(User.id == hierarchy["director"].id).execute()
    ids = {i for (i,) in subtree_ids(hierarchy["director"].id).tuples()}
    assert hierarchy["a"].id in ids


def test_record_outside_scope_is_not_found(app, hierarchy):
    with app.test_request_context():
        assert get_visible_or_404(User.select(), hierarchy["b"].id, hierarchy["east"], User.id).name == "Rep B"
        with pytest.raises(NotFound):
            get_visible_or_404(User.select(), hierarchy["c"].id, hierarchy["east"], User.id)
        with pytest.raises(NotFound):
            get_visible_or_404(User.select(), hierarchy["b"].id, hierarchy["a"], User.id)


def test_a_kept_statement_sees_what_the_visibility_rule_sees_for_every_role(app, hierarchy):
    with app.app_context():  # every kept statement is written again and checked against its key
        for user in hierarchy.values():
            rows = kept_rows(("people", scope_shape(user.role)),
                             lambda: visible_kept(User.select(User.name), user.role, User.id).order_by(User.id),
                             user=user.id)
            assert {row.name for row in rows} == names_visible_to(user)


def test_a_record_read_by_its_model_is_found_only_in_scope_for_every_role(app, hierarchy):
    # the model path keeps its SQL per model, owner field and scope: one role's reads must not answer another's
    with app.test_request_context():
        for user in [*hierarchy.values(), *hierarchy.values()]:
            found = set()
            for other in hierarchy.values():
                try:
                    found.add(get_visible_or_404(User, other.id, user, User.id).name)
                except NotFound:
                    pass
            assert found == names_visible_to(user) & {u.name for u in hierarchy.values()}, user.name
