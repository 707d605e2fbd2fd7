"""User administration (administrators only): list, create, edit, deactivate, reset password, unlock, history.

Every page needs a fresh sign-in: a session restored from "keep me signed in" must confirm the password first.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_fresh
from sqlalchemy import select

from registry.auth import notices, services
from registry.auth.forms import NewUserForm, ResetPasswordForm, UserForm, role_choices
from registry.auth.models import User
from registry.common.audit import AuditEvent
from registry.common.concurrency import ConcurrentEditError, check_version
from registry.common.permissions import Permission, Role, require
from registry.common.text import fold
from registry.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")

HISTORY_PAGE_SIZE = 50
STATES = ("active", "inactive", "locked")


def fresh_login(view):
    """Send a non-fresh session to confirm the password, then back to the page it came from."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if login_fresh():
            return view(*args, **kwargs)
        if request.method == "GET" or "GET" in request.url_rule.methods:
            target = request.path
        elif "user_id" in kwargs:
            target = url_for("admin.edit_user", user_id=kwargs["user_id"])
        else:
            target = url_for("admin.users")
        flash(_("For your security, please confirm your password before managing accounts."), "info")
        return redirect(url_for("auth.reauthenticate", next=target))

    return wrapped


def _actor() -> User:
    return current_user._get_current_object()


# ---------------------------------------------------------------- list
@dataclass
class UserPage:
    """One page of the user list (keyset on username)."""

    items: list[User]
    next_cursor: str | None
    has_previous: bool


def _filtered_users(q: str, role: str, state: str, after: str, size: int) -> UserPage:
    """Users matching the filters, ordered by username, ``size`` after the ``after`` username.

    The department has at most a few hundred accounts, so the diacritic-insensitive name search ("hanh" finds
    "Vũ Thị Hạnh") is done on the filtered rows in Python, in one query.
    """
    stmt = select(User)
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role == Role(role))
    if state == "active":
        stmt = stmt.where(User.active.is_(True))
    elif state == "inactive":
        stmt = stmt.where(User.active.is_(False))
    users = sorted(db.session.execute(stmt).scalars(), key=lambda u: u.username)  # same order as the cursor test
    if state == "locked":
        users = [u for u in users if services.is_locked(u)]
    if q:
        needle = fold(q)
        users = [u for u in users if needle in fold(f"{u.username} {u.full_name} {u.email or ''} {u.phone or ''}")]
    if after:
        users = [u for u in users if u.username > after]
    page = users[:size]
    return UserPage(page, page[-1].username if len(users) > size else None, bool(after))


@bp.get("/users")
@require(Permission.USER_MANAGE)
@fresh_login
def users():
    """All accounts with their role, state and last sign-in."""
    args = {k: (request.args.get(k) or "").strip()[:100] for k in ("q", "role", "state", "after")}
    if args["state"] not in STATES:
        args["state"] = ""
    page = _filtered_users(args["q"], args["role"], args["state"], args["after"], current_app.config["PAGE_SIZE"])
    return render_template("admin/users.html", page=page, args={k: v for k, v in args.items() if v},
                           roles=role_choices(), is_locked=services.is_locked)


# ---------------------------------------------------------------- create
@bp.route("/users/new", methods=["GET", "POST"])
@require(Permission.USER_MANAGE)
@fresh_login
def create_user():
    """Create an account with its first password (which the policy checks)."""
    form = NewUserForm()
    if request.method == "GET":
        form.role.data = Role.CLERK.value
    if form.validate_on_submit():
        try:
            user = services.create_user(username=form.username.data, full_name=form.full_name.data,
                                        role=Role(form.role.data), password=form.new_password.data,
                                        email=form.email.data, phone=form.phone.data)
        except services.AccountError as exc:
            db.session.rollback()
            form.username.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Account %(username)s created. Give the initial password to %(name)s in person; they can "
                    "change it after signing in.", username=user.username, name=user.full_name), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_new.html", form=form)


# ---------------------------------------------------------------- edit
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@require(Permission.USER_MANAGE)
@fresh_login
def edit_user(user_id: int):
    """Edit name, contact details and role; a role change signs the user out everywhere."""
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user) if request.method == "GET" else UserForm()
    if request.method == "GET":
        form.role.data = user.role.value
    conflict = None
    status = 200
    if form.validate_on_submit():
        old_role, old_email = user.role, user.email
        try:
            check_version(user, form.version_id.data)
            services.update_profile(user, full_name=form.full_name.data, email=form.email.data,
                                    phone=form.phone.data)
            services.change_role(user, Role(form.role.data), actor=_actor())
        except ConcurrentEditError as exc:
            db.session.rollback()
            conflict = {"message": str(exc), "current": _current_values(user)}
            form.version_id.data = user.version_id  # saving again overwrites knowingly
            status = 409
        except services.AccountError as exc:
            db.session.rollback()
            form.role.errors.append(str(exc))
        else:
            db.session.commit()
            if (user.email or None) != (old_email or None):
                notices.notify(user, notices.CredentialChange.EMAIL_CHANGED, old_email=old_email)
            if user.role != old_role:
                flash(_("Saved. %(name)s now has the role %(role)s and has been signed out everywhere.",
                        name=user.full_name, role=_role_label(user.role)), "success")
            else:
                flash(_("Changes to %(name)s saved.", name=user.full_name), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/user_edit.html", form=form, user=user, conflict=conflict,
                           locked=services.is_locked(user), role_lock=_role_lock(user)), status


def _role_lock(user: User) -> str | None:
    """Why the role of ``user`` cannot be changed by the current administrator right now (None if it can)."""
    other = Role.MANAGER if user.role != Role.MANAGER else Role.CLERK
    return services.role_change_refusal(user, other, _actor())


def _current_values(user: User) -> dict:
    return {"full_name": user.full_name, "email": user.email or "", "phone": user.phone or "",
            "role": _role_label(user.role)}


def _role_label(role: Role) -> str:
    return dict(role_choices())[Role(role).value]


# ---------------------------------------------------------------- activate / deactivate
@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@require(Permission.USER_MANAGE)
@fresh_login
def deactivate_user(user_id: int):
    """Confirm, then deactivate: the person can no longer sign in and is signed out everywhere."""
    return _set_active(user_id, False)


@bp.route("/users/<int:user_id>/activate", methods=["GET", "POST"])
@require(Permission.USER_MANAGE)
@fresh_login
def activate_user(user_id: int):
    """Confirm, then reactivate an account."""
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    user = db.get_or_404(User, user_id)
    refusal = None
    if user.active == active:
        return redirect(url_for("admin.edit_user", user_id=user.id))
    if request.method == "POST":
        try:
            services.set_active(user, active, actor=_actor())
        except services.AccountError as exc:
            db.session.rollback()
            refusal = str(exc)
        else:
            db.session.commit()
            if active:
                flash(_("%(name)s can sign in again.", name=user.full_name), "success")
            else:
                flash(_("%(name)s has been deactivated and signed out everywhere.", name=user.full_name), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    elif not active:
        refusal = services.deactivation_refusal(user, _actor())
    return render_template("admin/user_confirm.html", user=user, active=active, refusal=refusal)


# ---------------------------------------------------------------- password and lock
@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@require(Permission.USER_MANAGE)
@fresh_login
def reset_password(user_id: int):
    """Set a new password for someone who forgot theirs; their sessions end."""
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()
    form._username = user.username
    if form.validate_on_submit():
        services.set_password(user, form.new_password.data, by_admin=True)
        db.session.commit()
        notices.notify(user, notices.CredentialChange.PASSWORD_RESET)
        flash(_("New password set for %(name)s. Give it to them in person; they have been signed out everywhere.",
                name=user.full_name), "success")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/user_password.html", form=form, user=user)


@bp.post("/users/<int:user_id>/unlock")
@require(Permission.USER_MANAGE)
@fresh_login
def unlock_user(user_id: int):
    """Lift the sign-in lock after too many failed attempts."""
    user = db.get_or_404(User, user_id)
    services.unlock(user)
    db.session.commit()
    flash(_("%(name)s can try to sign in again now.", name=user.full_name), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


# ---------------------------------------------------------------- history
def _field_labels() -> dict:
    return {"full_name": _("Full name"), "email": _("E-mail"), "phone": _("Phone"), "role": _("Role"),
            "username": _("Username"), "active": _("Active"), "locked_until": _("Locked until"),
            "until": _("Locked until"), "locked": _("Account locked"), "reason": _("Reason"),
            "hash_upgraded": _("Password hash upgraded"), "language": _("Language")}


def _reason_labels() -> dict:
    return {"password": _("wrong password"), "unknown": _("unknown or inactive account"),
            "logout": _("signed out"), "locked": _("too many failed attempts")}


def _show_value(key: str, value) -> str:
    """A recorded value as a person reads it: role names, yes/no, local times."""
    from datetime import datetime

    from registry.common.formatting import fmt_datetime

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key == "role" and value in {r.value for r in Role}:
        return _role_label(Role(value))
    if key == "reason":
        return _reason_labels().get(value, value)
    if isinstance(value, str) and key.endswith("until"):
        try:
            return fmt_datetime(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return value
    return str(value)


def describe_changes(changes: dict) -> list[tuple[str, str, str | None]]:
    """``[(label, old, new)]`` for ``{field: [old, new]}`` entries, ``(label, value, None)`` for details."""
    labels = _field_labels()
    rows = []
    for key, value in sorted(changes.items()):
        label = labels.get(key, key)
        if isinstance(value, list) and len(value) == 2:
            rows.append((label, _show_value(key, value[0]), _show_value(key, value[1])))
        else:
            rows.append((label, _show_value(key, value), None))
    return rows


@bp.get("/users/<int:user_id>/history")
@require(Permission.USER_MANAGE)
@fresh_login
def user_history(user_id: int):
    """Audit events about this account (sign-ins, changes, resets), newest first."""
    user = db.get_or_404(User, user_id)
    before = request.args.get("before", type=int)
    stmt = (select(AuditEvent).where(AuditEvent.entity_type == User.__tablename__, AuditEvent.entity_id == user.id)
            .order_by(AuditEvent.id.desc()).limit(HISTORY_PAGE_SIZE + 1))
    if before:
        stmt = stmt.where(AuditEvent.id < before)
    events = db.session.execute(stmt).scalars().all()
    more = len(events) > HISTORY_PAGE_SIZE
    events = events[:HISTORY_PAGE_SIZE]
    return render_template("admin/user_history.html", user=user, events=events, describe=describe_changes,
                           next_before=events[-1].id if more else None, paged=bool(before))
