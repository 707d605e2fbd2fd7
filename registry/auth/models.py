"""The user account."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from registry.common.permissions import Role
from registry.db import TimestampMixin, VersionedMixin, enum_column
from registry.extensions import db


class User(TimestampMixin, VersionedMixin, db.Model):
    """A staff account with exactly one role.

    ``session_version`` is part of the login id: bumping it (logout, password or role change) invalidates every
    session and remember cookie issued before.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    role: Mapped[Role] = mapped_column(enum_column(Role, 20))
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None]
    session_version: Mapped[int] = mapped_column(default=1)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    language: Mapped[str | None] = mapped_column(String(5))

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """Login id ``"<id>:<session_version>"``: a stale version no longer loads the user."""
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.username} ({self.role})>"


def _labels():
    from flask_babel import lazy_gettext as _l

    from registry.common.labels import register_action_labels, register_labels

    register_labels({Role.ADMIN: _l("Administrator"), Role.MANAGER: _l("Manager"), Role.CLERK: _l("Clerk"),
                     Role.INSPECTOR: _l("Inspector")})
    register_action_labels({
        "user.create": _l("Account created"), "user.update": _l("Account updated"),
        "user.password_change": _l("Password changed"), "user.password_reset": _l("Password reset by an administrator"),
        "user.role_change": _l("Role changed"), "user.activate": _l("Account reactivated"),
        "user.deactivate": _l("Account deactivated"), "auth.login": _l("Signed in"),
        "auth.login_failed": _l("Failed sign-in"), "auth.login_locked": _l("Sign-in refused: account locked"),
        "auth.sessions_ended": _l("Sessions ended"), "permission_denied": _l("Access refused"),
        "user.credential_notice": _l("Account holder told of a credential change by e-mail"),
    })


_labels()
