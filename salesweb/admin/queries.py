"""What the admin's pages read of users and teams: counts, the user list and its filters, the teams with their
managers and members, and the people a form offers as team, boss or manager."""
from peewee import JOIN, fn

from ..core.db import kept_rows, like, like_pattern, param
from ..models import Team, User


def active_by_role():
    """{role: how many active users have it}."""
    return dict(User.select(User.role, fn.COUNT(User.id)).where(User.active == True)  # noqa: E712
                .group_by(User.role).tuples())


def team_count():
    return Team.select().count()


BOSS = User.alias("boss")


def users(text=None, role=None, active=None):
    """Users by name as named tuples (id, name, email, role, team_name, boss_name, active), narrowed to those whose
    name or email holds `text`, with `role`, or (`active` not None) active or not: (fetch(offset, limit), total)
    for a `Page`."""
    shape = (bool(text), bool(role), active is not None)
    values = dict(pattern=like_pattern(text) if text else None, role=role, active=active)
    # kept: writing these two selects' SQL took about a third of the users page's time
    total = kept_rows(("admin user count", *shape), lambda: _narrowed(User.select(fn.COUNT(User.id).alias("n")), *shape),
                      **values)[0].n
    return (lambda offset, limit: kept_rows(("admin users", *shape), lambda: _listed(*shape), offset=offset,
                                            limit=limit, **values), total)


def _listed(text, role, active):
    query = (User.select(User.id, User.name, User.email, User.role, Team.name.alias("team_name"),
                         BOSS.name.alias("boss_name"), User.active)
             .join(Team, JOIN.LEFT_OUTER, on=(User.team == Team.id)).switch(User)
             .join(BOSS, JOIN.LEFT_OUTER, on=(User.reports_to == BOSS.id)))
    return _narrowed(query, text, role, active).order_by(User.name).limit(param("limit")).offset(param("offset"))


def _narrowed(query, text, role, active):
    if text:
        query = query.where(like(User.name, param("pattern")) | like(User.email, param("pattern")))
    if role:
        query = query.where(User.role == param("role"))
    if active:
        query = query.where(User.active == param("active"))
    return query


def team_names():
    """(id, name) of every team, by name."""
    return [(t.id, t.name) for t in Team.select(Team.id, Team.name).order_by(Team.name)]


def possible_bosses(user=None):
    """Who `user` (None: a new user) may report to, by name: active managers, ops and admins other than themself,
    and their current boss even if deactivated."""
    candidates = (User.select(User.id, User.name, User.active)
                  .where(((User.active == True) & User.role.in_(("manager", "ops", "admin")))  # noqa: E712
                         | (User.id == (user.reports_to_id if user else None)))
                  .order_by(User.name))
    if user is not None:
        candidates = candidates.where(User.id != user.id)
    return candidates


def teams():
    """Every team by name, with its manager (`team.manager`) and its count of active members (`team.members`)."""
    members = fn.COUNT(User.id).alias("members")
    manager = User.alias()
    return list(Team.select(Team, manager, members)
                .join(manager, JOIN.LEFT_OUTER, on=(Team.manager == manager.id)).switch(Team)
                .join(User, JOIN.LEFT_OUTER, on=((User.team == Team.id) & (User.active == True)))  # noqa: E712
                .group_by(Team.id, manager.id).order_by(Team.name))


def possible_managers(team=None):
    """Who may lead `team` (None: a new team), by name: active managers, and its current manager even if
    deactivated."""
    return (User.select(User.id, User.name, User.active)
            .where(((User.role == "manager") & (User.active == True))  # noqa: E712
                   | (User.id == (team.manager_id if team else None)))
            .order_by(User.name))
