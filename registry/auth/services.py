"""Account services: create, authenticate, change password or role, deactivate, unlock. They flush; callers commit.

Sign-in bookkeeping (failure counter, lock, last sign-in, session version on logout, hash upgrade) is written with
a single ``UPDATE`` statement instead of through the ORM unit of work, so it does not bump ``version_id``: a clerk
signing in must not make the form an administrator has open on that account "stale" (optimistic locking is about
edits of the record, not about its sign-in counters). Edits — profile, role, activation, password — go through
the ORM and do bump the version.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from registry.auth.models import User
from registry.auth.passwords import dummy_verify, hash_password, needs_rehash, policy_problems, verify_password
from registry.common import audit
from registry.common.labels import register_action_labels
from registry.common.permissions import Role
from registry.db import utcnow
from registry.extensions import db

register_action_labels({
    "user.unlock": _l("Account unlocked"),
    "auth.reauth_failed": _l("Failed password confirmation"),
    "auth.password_upgraded": _l("Password hash upgraded"),
})


class AccountError(ValueError):
    """A user-facing refusal (duplicate username, weak password, last administrator, …)."""


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


def is_locked(user: User) -> bool:
    """True while the account is locked after too many failed sign-ins."""
    return user.locked_until is not None and user.locked_until > utcnow()


def _bookkeep(user: User, **values) -> None:
    """Write sign-in bookkeeping columns without bumping the record version (see the module docstring)."""
    db.session.execute(
        update(User).where(User.id == user.id).values(**values).execution_options(synchronize_session="fetch")
    )


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
    user = User(username=username, full_name=full_name.strip(), role=Role(role), email=email or None,
                phone=phone or None, password_hash=hash_password(password), password_changed_at=utcnow())
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user, {"username": username, "role": str(role), "full_name": full_name,
                                       "email": email or None, "phone": phone or None})
    return user


def authenticate(username: str, password: str) -> LoginResult:
    """Check credentials, counting failures per account and locking it after too many.

    Unknown user, inactive account and wrong password give the same answer, and each costs exactly one
    password-hash verification so the response time does not reveal which it was.
    """
    user = find_user(username or "")
    now = utcnow()
    if user is None or not user.active:
        dummy_verify()
        audit.record("auth.login_failed", changes={"username": (username or "")[:80], "reason": "unknown"})
        return LoginResult(None)
    if is_locked(user):
        dummy_verify()
        audit.record("auth.login_locked", user, {"until": user.locked_until})
        return LoginResult(None, locked=True)
    if not verify_password(user.password_hash, password or ""):
        locked = _count_failure(user)
        audit.record("auth.login_failed", user, {"reason": "password", "locked": locked})
        return LoginResult(None, locked=locked)
    values = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
    upgraded = needs_rehash(user.password_hash)
    if upgraded:
        values["password_hash"] = hash_password(password)
    _bookkeep(user, **values)
    audit.record("auth.login", user, {"hash_upgraded": True} if upgraded else None)
    return LoginResult(user)


def _count_failure(user: User) -> bool:
    """Add one failed attempt (atomically); lock the account when the limit is reached. True if now locked."""
    cfg = current_app.config
    _bookkeep(user, failed_logins=User.failed_logins + 1)
    if user.failed_logins < cfg["LOGIN_MAX_FAILURES"]:
        return False
    _bookkeep(user, failed_logins=0, locked_until=utcnow() + timedelta(minutes=cfg["LOGIN_LOCKOUT_MINUTES"]))
    return True


class Confirmation(enum.Enum):
    """Outcome of ``confirm_password``."""

    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"  # the account was already locked; nothing else happened
    SIGNED_OUT = "signed_out"  # this failure locked the account and ended every session


def confirm_password(user: User, password: str) -> Confirmation:
    """Re-check the password of a signed-in user (before a sensitive action, or to change it).

    Failures count towards the same lockout as sign-in; when a failure triggers it, every session of the user
    ends (someone may be guessing at an unattended computer).
    """
    if is_locked(user):
        dummy_verify()
        audit.record("auth.login_locked", user, {"until": user.locked_until})
        return Confirmation.LOCKED
    if verify_password(user.password_hash, password or ""):
        if user.failed_logins:
            _bookkeep(user, failed_logins=0)
        return Confirmation.OK
    locked = _count_failure(user)
    audit.record("auth.reauth_failed", user, {"locked": locked})
    if locked:
        end_sessions(user, "locked")
        return Confirmation.SIGNED_OUT
    return Confirmation.WRONG


def end_sessions(user: User, reason: str) -> None:
    """Invalidate every session and remember cookie of ``user`` (logout everywhere)."""
    _bookkeep(user, session_version=User.session_version + 1)
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


def _other_active_admins(user: User) -> int:
    return db.session.execute(
        select(func.count()).select_from(User)
        .where(User.role == Role.ADMIN, User.active.is_(True), User.id != user.id)
    ).scalar_one()


def _last_admin_refusal(user: User) -> str | None:
    if user.role == Role.ADMIN and user.active and _other_active_admins(user) == 0:
        return _("%(name)s is the last active administrator. Make another account an administrator first, so "
                 "someone can still manage accounts.", name=user.full_name)
    return None


def deactivation_refusal(user: User, actor: User | None = None) -> str | None:
    """Why ``actor`` may not deactivate ``user`` (None if they may): not oneself, not the last administrator."""
    if actor is not None and actor.id == user.id:
        return _("You cannot deactivate your own account.")
    return _last_admin_refusal(user)


def role_change_refusal(user: User, role: Role, actor: User | None = None) -> str | None:
    """Why ``actor`` may not give ``user`` the role ``role`` (None if they may)."""
    if Role(role) == user.role:
        return None
    if actor is not None and actor.id == user.id:
        return _("You cannot change your own role. Ask another administrator to do it.")
    return _last_admin_refusal(user)


def change_role(user: User, role: Role, *, actor: User | None = None) -> None:
    """Give ``user`` another role; their sessions end so the new rights apply at once.

    :raises AccountError: if ``actor`` changes their own role, or ``user`` is the last active administrator.
    """
    role = Role(role)
    if role == user.role:
        return
    if refusal := role_change_refusal(user, role, actor):
        raise AccountError(refusal)
    old = user.role
    user.role = role
    user.session_version += 1
    audit.record("user.role_change", user, {"role": [str(old), str(role)]})


def set_active(user: User, active: bool, *, actor: User | None = None) -> None:
    """Deactivate (ending the sessions) or reactivate an account.

    :raises AccountError: if ``actor`` deactivates themselves, or ``user`` is the last active administrator.
    """
    if user.active == active:
        return
    if not active and (refusal := deactivation_refusal(user, actor)):
        raise AccountError(refusal)
    user.active = active
    if not active:
        user.session_version += 1
    audit.record("user.activate" if active else "user.deactivate", user, {"active": [not active, active]})


def unlock(user: User) -> None:
    """Lift a sign-in lock before it expires (the user phoned the administrator)."""
    if not is_locked(user) and not user.failed_logins:
        return
    until = user.locked_until
    user.locked_until = None
    user.failed_logins = 0
    audit.record("user.unlock", user, {"locked_until": [until, None]})


def update_profile(user: User, *, full_name: str, email: str | None, phone: str | None,
                   language: str | None = None) -> None:
    """Edit the descriptive fields of an account."""
    before = audit.snapshot(user, ("full_name", "email", "phone", "language"))
    user.full_name, user.email, user.phone = full_name.strip(), email or None, phone or None
    if language is not None:
        user.language = language
    changes = audit.diff(before, audit.snapshot(user, ("full_name", "email", "phone", "language")))
    if changes:
        audit.record("user.update", user, changes)
