"""What a role's home says about the person looking at it."""
from peewee import JOIN

from ..models import Team, User


def profile(user):
    """The user with their team, manager and direct reports, in two queries."""
    boss = User.alias()
    row = (User.select(User, Team, boss)
           .join(Team, join_type=JOIN.LEFT_OUTER, on=(User.team == Team.id))
           .switch(User)
           .join(boss, join_type=JOIN.LEFT_OUTER, on=(User.reports_to == boss.id))
           .where(User.id == user.id).get())
    reports = list(User.select(User.id, User.name, User.role)
                   .where((User.reports_to == user.id) & (User.active == True))  # noqa: E712
                   .order_by(User.name))
    return {
        "user": row,
        "team": row.team if row.team_id else None,
        "manager": row.reports_to if row.reports_to_id else None,
        "reports": reports,
    }
