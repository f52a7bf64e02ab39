"""Users and teams: who reports to whom, who leads which team, who may sign in."""
from ..core.access import subtree_ids
from ..core.db import db, utcnow
from ..core.i18n import _l
from ..models import ROLES, Team, User
from ..core import audit
from ..auth.rules import end_sessions, hash_password, normalise_email, password_problem, set_password
from ..core.errors import Invalid
from ..core.settings import LOCALES
from ..infra import rollups


def _subtree_ids(user_id):
    """Ids of the people reporting to user_id, directly or not (one recursive query)."""
    return {uid for (uid,) in subtree_ids(user_id).tuples()}


def _above_ids(user_id):
    """Ids of everyone user_id reports to, directly or through others (one recursive query; UNION: a loop in the
    data cannot recurse forever)."""
    base = (User.select(User.reports_to.alias("id")).where((User.id == user_id) & User.reports_to.is_null(False))
            .cte("above", recursive=True, columns=("id",)))
    up = User.alias()
    step = up.select(up.reports_to).join(base, on=(up.id == base.c.id)).where(up.reports_to.is_null(False))
    chain = base.union(step)
    return {uid for (uid,) in chain.select_from(chain.c.id).tuples()}


def _lead(team, manager):
    """The team's members who report to nobody now report to its manager, but never one the manager reports to
    (directly or not): that would make a loop. True when anyone's manager changed."""
    return bool(User.update(reports_to=manager)
                .where((User.team == team) & (User.reports_to.is_null()) & (User.id != manager.id)
                       & User.id.not_in(list(_above_ids(manager.id)) or [0]))
                .execute())


def _taken(field, value, record=None):
    """Whether a row other than record already has this value in a unique column."""
    model = field.model
    clash = model.select(model.id).where(field == value)
    if record is not None:
        clash = clash.where(model.id != record.id)
    return clash.exists()


def _check_common(values, user=None):
    errors = {}
    email = normalise_email(values.get("email"))
    if "@" not in email or email.startswith("@") or email.endswith("@") or " " in email or len(email) > 254:
        errors["email"] = _l("Enter a valid email address.")
    elif _taken(User.email, email, user):
        errors["email"] = _l("Another user already has this email.")
    if not (values.get("name") or "").strip():
        errors["name"] = _l("This field is required.")
    elif len(values["name"].strip()) > 100:
        errors["name"] = _l("At most %(n)d characters.", n=100)
    if values.get("role") not in ROLES:
        errors["role"] = _l("Choose a role.")
    if values.get("locale") not in (None, "", *LOCALES):
        errors["locale"] = _l("Choose a language.")
    boss = values.get("reports_to")
    if boss is not None and (user is None or boss.id != user.reports_to_id):
        if not boss.active:
            errors["reports_to"] = _l("%(name)s is deactivated.", name=boss.name)
        elif user is not None and (boss.id == user.id or boss.id in _subtree_ids(user.id)):
            errors["reports_to"] = _l("%(name)s reports to this user already; that would make a loop.",
                                      name=boss.name)
    return errors


def _team_named(name):
    name = (name or "").strip()
    if not name:
        return None
    team, _created = Team.get_or_create(name=name[:100])
    return team


def create_user(email, name, role, password, team=None, team_name=None, reports_to=None,
                locale=None, by=None):
    """Create a user. A manager of a team without one leads it; others in a team report to its manager."""
    values = dict(email=email, name=name, role=role, reports_to=reports_to, locale=locale)
    errors = _check_common(values)
    problem = password_problem(password or "", email)
    if problem:
        errors["password"] = problem
    if errors:
        raise Invalid(errors)
    with db.atomic():
        team = team or _team_named(team_name)
        if team is not None and reports_to is None and team.manager_id:
            reports_to = User.get_by_id(team.manager_id)
        now = utcnow()
        user = User.create(email=normalise_email(email), name=name.strip(), role=role, team=team,
                           reports_to=reports_to, locale=locale or None,
                           password_hash=hash_password(password), created_at=now, updated_at=now)
        if team is not None and role == "manager" and team.manager_id is None:
            team.manager = user
            team.save()
            # Members who had no one to report to now report to their new manager: the sums over the new
            # manager's subtree and those above them count them.
            if _lead(team, user):
                rollups.reports_changed([user.id])
        audit.record("create", actor=by, obj=user, summary=f"{user.email} ({role})")
    return user


def update_user(user, email, name, role, team, reports_to, locale, by):
    values = dict(email=email, name=name, role=role, reports_to=reports_to, locale=locale)
    errors = _check_common(values, user)
    if user.id == getattr(by, "id", None) and role != user.role:
        errors["role"] = _l("You cannot change your own role.")
    if errors:
        raise Invalid(errors)
    with db.atomic():
        before = (user.email, user.name, user.role, user.team_id, user.reports_to_id, user.locale)
        user.email, user.name, user.role = normalise_email(email), name.strip(), role
        user.team, user.reports_to, user.locale = team, reports_to, locale or None
        user.updated_at = utcnow()
        user.save()
        if before[4] != user.reports_to_id:  # the sums over the old and new managers' subtrees (and above) follow
            rollups.reports_changed([before[4], user.reports_to_id])
        if role != "manager":
            Team.update(manager=None).where(Team.manager == user).execute()
        after = (user.email, user.name, user.role, user.team_id, user.reports_to_id, user.locale)
        changed = [f for f, a, b in zip(("email", "name", "role", "team", "reports_to", "locale"),
                                        before, after) if a != b]
        audit.record("edit", actor=by, obj=user, summary=f"{user.email}: {', '.join(changed) or '-'}")
    return user


def set_active(user, active, by):
    if user.id == getattr(by, "id", None) and not active:
        raise Invalid({None: _l("You cannot deactivate yourself.")})
    with db.atomic():
        user.active = active
        user.updated_at = utcnow()
        user.save(only=[User.active, User.updated_at])
        if not active:
            end_sessions(user)
        audit.record("reactivate" if active else "deactivate", actor=by, obj=user, summary=user.email)


def reset_password(user, password, by):
    set_password(user, password, by)


def set_locale(user, locale):
    if locale not in LOCALES:
        raise Invalid({"locale": _l("Choose a language.")})
    User.update(locale=locale).where(User.id == user.id).execute()
    user.locale = locale


def save_team(team, name, manager, by):
    """Create (team=None) or rename a team and set its manager (an active manager, or none)."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _l("This field is required.")
    elif len(name) > 100:
        errors["name"] = _l("At most %(n)d characters.", n=100)
    elif _taken(Team.name, name, team):
        errors["name"] = _l("Another team already has this name.")
    unchanged = team is not None and manager is not None and team.manager_id == manager.id
    if manager is not None and (manager.role != "manager" or not (manager.active or unchanged)):
        errors["manager"] = _l("A team is led by an active user with the manager role.")
    if errors:
        raise Invalid(errors)
    with db.atomic():
        creating = team is None
        team = team or Team()
        team.name, team.manager = name, manager
        team.save()
        if manager is not None:
            if manager.team_id != team.id:
                User.update(team=team).where(User.id == manager.id).execute()
            if _lead(team, manager):
                rollups.reports_changed([manager.id])
        audit.record("create" if creating else "edit", actor=by, obj=team,
                     summary=f"{name} ({manager.name if manager else '-'})")
    return team
