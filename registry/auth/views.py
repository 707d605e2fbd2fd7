"""Sign in, sign out, confirm one's password before a sensitive action, and change one's own password."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import confirm_login, current_user, login_user, logout_user

from registry.auth import notices, services
from registry.auth.forms import ChangePasswordForm, ConfirmPasswordForm, LoginForm
from registry.common.permissions import login_only, public
from registry.common.urls import safe_next
from registry.extensions import db, limiter

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _restart_session() -> None:
    """Drop everything in the session except the chosen language (no session fixation, no leftovers)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _sign_out() -> None:
    """Sign out and empty the session; the browser is told to delete the remember cookie too."""
    logout_user()
    _restart_session()
    session["_remember"] = "clear"  # Flask-Login's marker (set by logout_user) must survive the clear


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Sign-in form; also shown on ``/`` to visitors."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        result = services.authenticate(form.username.data, form.password.data)
        db.session.commit()
        if result.user is None:
            if result.locked:
                flash(_("Too many failed attempts: this account is locked for a few minutes. An administrator "
                        "can unlock it sooner."), "danger")
            else:
                flash(_("Wrong username or password."), "danger")
            form.password.data = ""
            return render_template("auth/login.html", form=form), 200
        _restart_session()
        login_user(result.user, remember=form.remember.data)
        return redirect(safe_next(form.next.data) or url_for("main.home"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@public
def logout():
    """Sign out: the session version is bumped so copies of the session and remember cookies stop working too."""
    if current_user.is_authenticated:
        services.end_sessions(current_user._get_current_object(), "logout")
        db.session.commit()
    _sign_out()
    flash(_("You have signed out."), "info")
    return redirect(url_for("main.home"))


def _password_refused(result: services.Confirmation, field):
    """Explain a failed password confirmation next to ``field``; sign out if the account just got locked."""
    if result is services.Confirmation.SIGNED_OUT:
        _sign_out()
        flash(_("Too many failed attempts: this account is locked for a few minutes and you have been signed "
                "out."), "danger")
        return redirect(url_for("auth.login"))
    if result is services.Confirmation.LOCKED:
        field.errors.append(_("This account is locked for a few minutes after too many failed attempts."))
    else:
        field.errors.append(_("This is not your current password."))
    return None


@bp.route("/confirm", methods=["GET", "POST"])
@login_only
@limiter.limit(_login_limit, methods=["POST"])
def reauthenticate():
    """Ask for the password again before a sensitive action (e.g. when signed in by "keep me signed in")."""
    form = ConfirmPasswordForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        result = services.confirm_password(current_user._get_current_object(), form.password.data)
        db.session.commit()
        if result is services.Confirmation.OK:
            confirm_login()
            return redirect(safe_next(form.next.data) or url_for("main.home"))
        if (response := _password_refused(result, form.password)) is not None:
            return response
    return render_template("auth/reauthenticate.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_only
@limiter.limit(_login_limit, methods=["POST"])
def change_password():
    """A signed-in user changes their password; their other sessions end."""
    form = ChangePasswordForm()
    form._username = current_user.username
    if form.validate_on_submit():
        user = current_user._get_current_object()
        result = services.confirm_password(user, form.current_password.data)
        if result is services.Confirmation.OK:
            services.set_password(user, form.new_password.data)
            db.session.commit()
            notices.notify(user, notices.CredentialChange.PASSWORD_CHANGED)
            login_user(user)  # keep this session, with the new version
            flash(_("Your password has been changed. Other devices have been signed out."), "success")
            return redirect(url_for("main.home"))
        db.session.commit()  # the failed attempt counts
        if (response := _password_refused(result, form.current_password)) is not None:
            return response
    return render_template("auth/password.html", form=form)
