"""Sign in, sign out and change one's own password."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from registry.auth import services
from registry.auth.forms import ChangePasswordForm, LoginForm
from registry.auth.passwords import verify_password
from registry.common.permissions import login_only, public
from registry.common.urls import safe_next
from registry.extensions import db, limiter

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Sign-in form; also shown on ``/`` to visitors."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        result = services.authenticate(form.username.data, form.password.data)
        db.session.commit()
        if result.user is None:
            if result.locked:
                flash(_("Too many failed attempts: this account is locked for a few minutes."), "danger")
            else:
                flash(_("Wrong username or password."), "danger")
            return render_template("auth/login.html", form=form), 200
        lang = session.get("lang")
        session.clear()  # nothing from before sign-in survives (session fixation)
        if lang:
            session["lang"] = lang
        login_user(result.user, remember=form.remember.data)
        return redirect(safe_next(form.next.data) or url_for("main.home"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@public
def logout():
    """Sign out: the session version is bumped so copies of the cookie stop working too."""
    if current_user.is_authenticated:
        services.end_sessions(current_user, "logout")
        db.session.commit()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You have signed out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/password", methods=["GET", "POST"])
@login_only
def change_password():
    """A signed-in user changes their password; their other sessions end."""
    form = ChangePasswordForm()
    form._username = current_user.username
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
        else:
            user = current_user._get_current_object()
            services.set_password(user, form.new_password.data)
            db.session.commit()
            login_user(user)  # keep this session, with the new version
            flash(_("Your password has been changed. Other devices have been signed out."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form)
