"""Account services: create, authenticate, change password or role, deactivate. They flush; callers commit."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from registry.auth.models import User
from registry.auth.passwords import dummy_verify, hash_password, needs_rehash, policy_problems, verify_password
from registry.common import audit
from registry.common.permissions import Role
from registry.db import utcnow
from registry.extensions import db


class AccountError(ValueError):
    """A user-facing refusal (duplicate username, weak password, …)."""


@dataclass
class LoginResult:
    """Outcome of an authentication attempt; ``user`` is set only on success."""

    user: User | None
    locked: bool = False


def find_user(username: str) -> User | None:
    """The account with this username (case-insensitive), or None."""
    return db.session.execute(
        select(User).where(func.lower(User.username) == username.strip().lower())
    ).scalar_one_or_none()


def create_user(*, username: str, full_name: str, role: Role, password: str, email: str | None = None,
                phone: str | None = None, check_policy: bool = True) -> User:
    """Create an account.

    :raises AccountError: if the username is taken or the password breaks the policy.
    """
    username = username.strip()
    if find_user(username) is not None:
        raise AccountError(_("This username is already taken."))
    if check_policy and (problems := policy_problems(password, username=username)):
        raise AccountError(" ".join(problems))
    user = User(username=username, full_name=full_name.strip(), role=Role(role), email=email, phone=phone,
                password_hash=hash_password(password), password_changed_at=utcnow())
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user, {"username": username, "role": str(role), "full_name": full_name})
    return user


def authenticate(username: str, password: str) -> LoginResult:
    """Check credentials, counting failures per account and locking it after too many.

    Unknown user and wrong password take the same time and give the same answer.
    """
    cfg = current_app.config
    user = find_user(username or "")
    now = utcnow()
    if user is None or not user.active:
        dummy_verify()
        audit.record("auth.login_failed", changes={"username": (username or "")[:80], "reason": "unknown"})
        return LoginResult(None)
    if user.locked_until is not None and user.locked_until > now:
        dummy_verify()
        audit.record("auth.login_locked", user, {"until": user.locked_until})
        return LoginResult(None, locked=True)
    if not verify_password(user.password_hash, password or ""):
        user.failed_logins += 1
        locked = user.failed_logins >= cfg["LOGIN_MAX_FAILURES"]
        if locked:
            user.locked_until = now + timedelta(minutes=cfg["LOGIN_LOCKOUT_MINUTES"])
            user.failed_logins = 0
        audit.record("auth.login_failed", user, {"reason": "password", "locked": locked})
        return LoginResult(None, locked=locked)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record("auth.login", user)
    return LoginResult(user)


def end_sessions(user: User, reason: str) -> None:
    """Invalidate every session and remember cookie of ``user`` (logout everywhere)."""
    user.session_version += 1
    audit.record("auth.sessions_ended", user, {"reason": reason})


def set_password(user: User, new_password: str, *, by_admin: bool = False) -> None:
    """Change a password and end the user's other sessions.

    :raises AccountError: if the new password breaks the policy.
    """
    if problems := policy_problems(new_password, username=user.username):
        raise AccountError(" ".join(problems))
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.failed_logins = 0
    user.locked_until = None
    user.session_version += 1
    audit.record("user.password_reset" if by_admin else "user.password_change", user)


def change_role(user: User, role: Role) -> None:
    """Give ``user`` another role; their sessions end so the new rights apply at once."""
    role = Role(role)
    if role == user.role:
        return
    old = user.role
    user.role = role
    user.session_version += 1
    audit.record("user.role_change", user, {"role": [str(old), str(role)]})


def set_active(user: User, active: bool) -> None:
    """Deactivate (ending the sessions) or reactivate an account."""
    if user.active == active:
        return
    user.active = active
    if not active:
        user.session_version += 1
    audit.record("user.activate" if active else "user.deactivate", user, {"active": [not active, active]})


def update_profile(user: User, *, full_name: str, email: str | None, phone: str | None,
                   language: str | None = None) -> None:
    """Edit the descriptive fields of an account."""
    before = audit.snapshot(user, ("full_name", "email", "phone", "language"))
    user.full_name, user.email, user.phone = full_name.strip(), email, phone
    if language is not None:
        user.language = language
    changes = audit.diff(before, audit.snapshot(user, ("full_name", "email", "phone", "language")))
    if changes:
        audit.record("user.update", user, changes)
