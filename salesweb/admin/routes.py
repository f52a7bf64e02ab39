from collections import namedtuple

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from markupsafe import Markup

from ..web.forms import options
from ..core.i18n import _
from ..models import Team, User
from ..web.rows import RowTemplate
from ..auth import queries as sign_ins, rules as auth
from . import queries, rules as people
from ..core.errors import Invalid
from ..web.pages import Page, page_number, render, submit
from .blueprint import bp
from .forms import NewUserForm, ResetPasswordForm, TeamForm, UserFilterForm, UserForm


def _user_or_404(user_id):
    return User.get_or_none(User.id == user_id) or abort(404)


def _team_or_404(team_id):
    return Team.get_or_none(Team.id == team_id) or abort(404)


@bp.get("/")
def home():
    return render("admin/home.html", counts=queries.active_by_role(), teams=queries.team_count())


def _user_choices(form, user=None):
    """Teams and possible bosses; the user's current boss stays listed even if deactivated."""
    teams = [(None, _("No team"))] + queries.team_names()
    bosses = [(None, _("No one"))] + [
        (u.id, u.name if u.active else _("%(name)s (deactivated)", name=u.name)) for u in queries.possible_bosses(user)]
    form.team.choices = options(teams)
    form.reports_to.choices = options(bosses)


# a user in the list, as `users` reads it; `words`: the column names each cell repeats (a phone shows them) and the
# status words, translated once for the page rather than in every row (Jinja's gettext: 0.5 ms a page of 30)
USER_ROW = RowTemplate("admin/_user_row.html", "id name email role team_name boss_name active", look=("words",))
UserWords = namedtuple("UserWords", "name email role team reports_to status active deactivated")


def _user_words():
    """The words every row of the user list shows, as the templates' `_` gives them (translations are markup)."""
    return UserWords(*map(Markup, (_("Name"), _("Email"), _("Role"), _("Team"), _("Reports to"), _("Status"),
                                   _("Active"), _("Deactivated"))))


@bp.get("/users")
def users():
    filters = UserFilterForm(request.args)
    criteria = {}
    if filters.validate():
        status = filters.status.data
        criteria = dict(text=(filters.q.data or "").strip() or None, role=filters.role.data or None,
                        active=(status == "active") if status in ("active", "inactive") else None)
    fetch, total = queries.users(**criteria)
    page = Page(fetch, page_number(), current_app.config["PAGE_SIZE"], total=total)
    rows = USER_ROW.write(map(USER_ROW.Row._make, page.items), words=_user_words())
    return render("admin/users.html", block="results", filters=filters, page=page, rows=rows)


def _pick(model, record_id):
    return model.get_or_none(model.id == record_id) if record_id else None


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = NewUserForm()
    _user_choices(form)
    done, status = submit(form, lambda: people.create_user(
        form.email.data, form.name.data, form.role.data, form.password.data,
        team=_pick(Team, form.team.data), reports_to=_pick(User, form.reports_to.data),
        locale=form.locale.data, by=current_user))
    if done:
        flash(_("%(name)s can now sign in.", name=form.name.data.strip()), "success")
        return redirect(url_for("admin.users"))
    return render("admin/user_form.html", form=form, user=None, status=status)


def _edit_form(user, stored=False):
    """The user form: as posted, or (GET, or stored=True) filled from the record."""
    stored = stored or request.method == "GET"
    form = UserForm(formdata=None, obj=user) if stored else UserForm()
    if stored:
        form.team.data, form.reports_to.data = user.team_id, user.reports_to_id
        form.locale.data = user.locale or ""
    _user_choices(form, user)
    return form


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id):
    user = _user_or_404(user_id)
    form = _edit_form(user)
    done, status = submit(form, lambda: people.update_user(
        user, form.email.data, form.name.data, form.role.data, _pick(Team, form.team.data),
        _pick(User, form.reports_to.data), form.locale.data, by=current_user))
    if done:
        flash(_("Saved."), "success")
        return redirect(url_for("admin.users"))
    return _user_page(form, user, ResetPasswordForm(), status)


def _user_page(form, user, reset_form, status):
    """A user's page, with the sign-in failures counted against the account and the lock they set."""
    failures, locked_until = sign_ins.account_lock(user.email, auth.Lockout.from_config(current_app.config))
    return render("admin/user_form.html", form=form, user=user, reset_form=reset_form, status=status,
                  sign_in_failures=failures, locked_until=locked_until,
                  lockout_window=current_app.config["LOGIN_LOCKOUT_WINDOW_MINUTES"])


@bp.post("/users/<int:user_id>/active")
def set_active(user_id):
    user = _user_or_404(user_id)
    active = request.form.get("active") == "1"
    try:
        people.set_active(user, active, by=current_user)
    except Invalid as invalid:
        for message in invalid.errors.values():
            flash(message, "error")
    else:
        flash(_("%(name)s can sign in again.", name=user.name) if active
              else _("%(name)s is deactivated and signed out everywhere.", name=user.name), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id):
    user = _user_or_404(user_id)
    form = ResetPasswordForm()
    done, status = submit(form, lambda: people.reset_password(user, form.password.data, by=current_user))
    if done:
        flash(_("Password reset; %(name)s is signed out everywhere.", name=user.name), "success")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    return _user_page(_edit_form(user, stored=True), user, form, status)


@bp.post("/users/<int:user_id>/unlock")
def unlock(user_id):
    user = _user_or_404(user_id)
    auth.unlock(user, by=current_user)
    flash(_("Sign-in unlocked: %(name)s can sign in again (a new browser at an address locked by other failed "
              "sign-ins still waits for that lock to end).", name=user.name), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.get("/teams")
def teams():
    return render("admin/teams.html", teams=queries.teams())


def _team_form(team):
    form = TeamForm(obj=None if request.method == "POST" else team)
    if request.method == "GET" and team is not None:
        form.manager.data = team.manager_id
    form.manager.choices = options([(None, _("No manager yet"))] + [
        (u.id, u.name if u.active else _("%(name)s (deactivated)", name=u.name))
        for u in queries.possible_managers(team)])
    done, status = submit(form, lambda: people.save_team(team, form.name.data, _pick(User, form.manager.data),
                                                         by=current_user))
    if done:
        flash(_("Saved."), "success")
        return redirect(url_for("admin.teams"))
    return render("admin/team_form.html", form=form, team=team, status=status)


@bp.route("/teams/new", methods=["GET", "POST"])
def new_team():
    return _team_form(None)


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
def edit_team(team_id):
    return _team_form(_team_or_404(team_id))
