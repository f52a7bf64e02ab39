"""Who sees what: the role guard and the one visibility rule (own / subtree of reports / all)."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from peewee import Field, Select

from .db import in_few, in_query, kept_models, param
from .extensions import login_manager
from ..models import User
from ..models.rollups import ALL, EVERYONE, OWN, TEAM, grouped_by

SEES_ALL = ("support", "ops", "admin")


def subtree_ids(user_id):
    """A query of the ids of everyone reporting to user_id, directly or through others."""
    base = (User.select(User.id).where(User.reports_to == user_id)
            .cte("subtree", recursive=True, columns=("id",)))
    below = User.alias()
    step = below.select(below.id).join(base, on=(below.reports_to == base.c.id))
    tree = base.union(step)  # UNION, not UNION ALL: a loop in the data cannot recurse forever
    return tree.select_from(tree.c.id)


def team_ids(user_id):
    """A query of user_id and the ids of everyone in their subtree."""
    tree = team_tree(user_id)
    return tree.select_from(tree.c.id)


def team_tree(user_id):
    """user_id and everyone in their subtree, as the recursive CTE "team": a query that tests several subqueries
    against one team declares it once (`.with_cte`) and passes it to `visible_to` for each; SQLite would
    otherwise work the tree out again for every subquery holding its own (a director's board: 0.4 → 0.09 ms)."""
    base = (User.select(User.id).where(User.id == user_id)
            .cte("team", recursive=True, columns=("id",)))
    below = User.alias()
    step = below.select(below.id).join(base, on=(below.reports_to == base.c.id))
    return base.union(step)


def within_team(people, user_id):
    """A query of those of `people` (a query of a few user ids, its column named `id`) who are user_id or in their
    subtree, found by walking up from each by reports_to: as many steps as their chains are long, however large the
    subtree (`team_ids` lists all of it, a director's every person, to test a handful of rows against it)."""
    seeds = people.alias("seeds")
    base = (Select([seeds], [seeds.c.id, seeds.c.id])
            .cte("above", recursive=True, columns=("person", "id")))
    up = User.alias()
    step = (up.select(base.c.person, up.reports_to).join(base, on=(up.id == base.c.id))
            .where(up.reports_to.is_null(False)))
    chains = base.union(step)  # UNION, not UNION ALL: a loop in the data cannot recurse forever
    return chains.select_from(chains.c.person).where(chains.c.id == user_id)


def visible(query, user, owner_field):
    """Narrow a query to the records user may see, judged by the record's owner column."""
    return visible_to(query, user.role, user.id, owner_field)


def visible_to(query, role, user_id, owner_field, team=None, totals=False):
    """`visible` by role and user id; `team`: the manager's `team_tree`, when the statement declares it. A grouped
    rollup (models.rollups) is read by its person's own rows, or, when `totals` (the reader sums over the whole
    scope), for a manager or one who sees everyone by the group rows kept for their subtree or everyone."""
    rollup = grouped_by(owner_field)
    if rollup is not None:
        if totals and role in SEES_ALL:
            return query.where((rollup.grp == ALL) & (owner_field == EVERYONE))
        if totals and role == "manager":
            return query.where((rollup.grp == TEAM) & (owner_field == user_id))
        query = query.where(rollup.grp == OWN)
    if role in SEES_ALL:
        return query
    if role == "manager":
        # One IN over the manager and their subtree (an OR with the own id would keep SQLite off the index). Found
        # by the owner's index, the team is a short list (`in_few`); an owner kept off its index (`without_index`)
        # is tested on each row as another index is walked, as an IN.
        members = team_ids(user_id) if team is None else Select((team,), (team.c.id,))
        inside = in_few if isinstance(owner_field, Field) else in_query
        return query.where(inside(owner_field, members))
    return query.where(owner_field == user_id)


def scope_shape(role):
    """What a role's scope makes of a query's SQL ("all", "team" or "own"): a kept statement's key names it."""
    return "all" if role in SEES_ALL else "team" if role == "manager" else "own"


def visible_kept(query, role, owner_field, name="user", totals=False):
    """`visible_to` for a select whose SQL text is kept: the user's id is its `param` `name`, and the statement's
    key names `scope_shape(role)`."""
    return visible_to(query, role, param(name), owner_field, totals=totals)


def get_visible_or_404(source, record_id, user, owner_field):
    """One record by id if user may see it; a record outside their scope is simply not found. `source`: a model
    (its row alone) or a query (with what it joins)."""
    if isinstance(source, type):
        # kept per model and scope: every record's page reads its record first, and writing this select's SQL
        # took 0.2 ms
        found = kept_models(source, ("visible record", source.__name__, owner_field.name, scope_shape(user.role)),
                            lambda: visible_kept(source.select().where(source.id == param("id")), user.role,
                                                 owner_field), id=record_id, user=user.id)
        record = found[0] if found else None
    else:
        record = visible(source.where(source.model.id == record_id), user, owner_field).first()
    if record is None:
        abort(404)
    return record


def require_sign_in():
    """A before_request guard for a blueprint whose every view needs a sign-in (flask-login's `login_required`)."""
    return login_required(lambda: None)()


def require_role(*roles):
    """A before_request guard for a blueprint (or a decorator for a view): sign-in, then role, else 403."""
    def check():
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.role not in roles:
            abort(403)
        return None

    return check


def role_required(*roles):
    check = require_role(*roles)

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            refusal = check()
            return refusal if refusal is not None else view(*args, **kwargs)
        return wrapper
    return decorate
