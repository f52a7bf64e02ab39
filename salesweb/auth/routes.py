import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from itsdangerous import BadData, URLSafeTimedSerializer

from ..core.i18n import _, ngettext
from . import rules as auth
from ..admin import rules as people
from ..web.security import browser_tag
from ..web.pages import render, safe_next as _safe_next, submit
from .blueprint import bp
from .forms import LocaleForm, LoginForm, PasswordForm


def _device_signer():
    return URLSafeTimedSerializer(current_app.secret_key, salt="salesweb-device")


def _device():
    """The Device this browser's device cookie names, when the cookie is genuine and not too old; else None."""
    value = request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"])
    if not value:
        return None
    try:
        user_id, key = _device_signer().loads(value, max_age=current_app.config["DEVICE_COOKIE_DAYS"] * 86400)
    except (BadData, TypeError, ValueError):
        return None
    if not isinstance(user_id, int) or not isinstance(key, str) or not 0 < len(key) <= 32:
        return None
    return auth.Device(user_id, key)


def _give_device_cookie(response, user, key):
    """Mark this browser as one `user` signed in from: its later attempts on the account are held only to their
    own count. Sent to the sign-in page alone."""
    cfg = current_app.config
    response.set_cookie(cfg["DEVICE_COOKIE_NAME"], _device_signer().dumps([user.id, key]),
                        max_age=cfg["DEVICE_COOKIE_DAYS"] * 86400, path=url_for("auth.login"), httponly=True,
                        samesite="Lax", secure=bool(cfg["SESSION_COOKIE_SECURE"] or request.is_secure))
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = _safe_next(request.args.get("next"))
    status = 200
    if form.validate_on_submit():
        result = auth.authenticate(form.email.data, form.password.data, request.remote_addr,
                                   auth.Lockout.from_config(current_app.config), device=_device())
        if result.user is not None:
            locale = session.get("locale")
            session.clear()  # a fresh session on sign-in: no fixation
            result.user.browser = browser_tag()  # the session and remember cookie work in this browser only
            login_user(result.user, remember=form.remember.data)
            session["signed_in_at"] = int(time.time())
            if locale and not result.user.locale:
                people.set_locale(result.user, locale)
            return _give_device_cookie(redirect(_safe_next(form.next.data) or url_for("home.index")),
                                       result.user, result.device)
        if result.account_locked:
            form.form_errors.append(ngettext(
                "Too many failed sign-in attempts on this account. Try again in %(num)d minute, sign in from a "
                "browser you have signed in from before, or ask an administrator to unlock the account.",
                "Too many failed sign-in attempts on this account. Try again in %(num)d minutes, sign in from a "
                "browser you have signed in from before, or ask an administrator to unlock the account.",
                result.locked_minutes))
            status = 429
        elif result.locked_minutes:
            form.form_errors.append(ngettext("Too many failed sign-in attempts. Try again in %(num)d minute.",
                                             "Too many failed sign-in attempts. Try again in %(num)d minutes.",
                                             result.locked_minutes))
            status = 429
        else:
            form.form_errors.append(_("Wrong email or password."))
            status = 401
    elif request.method == "POST":
        status = 422
    return render("auth/login.html", form=form, status=status)


@bp.post("/logout")
@login_required
def logout():
    auth.logout(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    user = current_user._get_current_object()
    done, status = submit(form, lambda: auth.change_password(user, form.current.data, form.new.data))
    if done:
        # This device stays signed in under the new session version, remembered if it was.
        login_user(user, remember=current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies)
        flash(_("Password changed. Other devices have been signed out."), "success")
        return redirect(url_for("home.index"))
    return render("auth/password.html", form=form, status=status)


@bp.post("/account/locale")
def locale():
    form = LocaleForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            people.set_locale(current_user._get_current_object(), form.locale.data)
        else:
            session["locale"] = form.locale.data
    return redirect(_safe_next(form.next.data) or url_for("home.index"))
