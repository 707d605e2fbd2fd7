"""Roles, permissions and the one table that decides who may do what.

Every view declares either ``@public`` or ``@require(Permission.X)``; a view that declares neither is
refused (deny by default). Templates ask the same table through ``can(...)``.
"""
from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user


class Role(enum.StrEnum):
    """The one role each account has."""

    ADMIN = "admin"
    MANAGER = "manager"
    CLERK = "clerk"
    INSPECTOR = "inspector"


class Permission(enum.StrEnum):
    """Actions a role may be granted."""

    VENUE_VIEW = "venue.view"
    VENUE_EDIT = "venue.edit"
    VENUE_IMPORT = "venue.import"
    VENUE_EXPORT = "venue.export"
    USER_MANAGE = "user.manage"
    AUDIT_VIEW = "audit.view"
    CONFIG_MANAGE = "config.manage"
    APPLICATION_VIEW = "application.view"
    APPLICATION_EDIT = "application.edit"
    APPLICATION_DECIDE = "application.decide"
    LICENCE_VIEW = "licence.view"
    LICENCE_PRINT = "licence.print"
    LICENCE_SANCTION = "licence.sanction"
    INSPECTION_VIEW = "inspection.view"
    INSPECTION_PLAN = "inspection.plan"
    INSPECTION_CONDUCT = "inspection.conduct"
    DASHBOARD_VIEW = "dashboard.view"
    REMINDER_SEND = "reminder.send"
    REPORT_VIEW = "report.view"


_A, _M, _C, _I = Role.ADMIN, Role.MANAGER, Role.CLERK, Role.INSPECTOR

#: The permission table: the only place where access is decided.
PERMISSIONS: dict[Permission, frozenset[Role]] = {
    Permission.VENUE_VIEW: frozenset({_A, _M, _C, _I}),
    Permission.VENUE_EDIT: frozenset({_A, _M, _C}),
    Permission.VENUE_IMPORT: frozenset({_A, _C}),
    Permission.VENUE_EXPORT: frozenset({_A, _M, _C, _I}),
    Permission.USER_MANAGE: frozenset({_A}),
    Permission.AUDIT_VIEW: frozenset({_A, _M}),
    Permission.CONFIG_MANAGE: frozenset({_A}),
    Permission.APPLICATION_VIEW: frozenset({_A, _M, _C, _I}),
    Permission.APPLICATION_EDIT: frozenset({_M, _C}),
    Permission.APPLICATION_DECIDE: frozenset({_M}),
    Permission.LICENCE_VIEW: frozenset({_A, _M, _C, _I}),
    Permission.LICENCE_PRINT: frozenset({_M, _C}),
    Permission.LICENCE_SANCTION: frozenset({_M}),
    Permission.INSPECTION_VIEW: frozenset({_A, _M, _C, _I}),
    Permission.INSPECTION_PLAN: frozenset({_M}),
    Permission.INSPECTION_CONDUCT: frozenset({_M, _I}),
    Permission.DASHBOARD_VIEW: frozenset({_A, _M}),
    Permission.REMINDER_SEND: frozenset({_M}),
    Permission.REPORT_VIEW: frozenset({_A, _M, _C}),
}


def role_has(role: Role | str | None, permission: Permission) -> bool:
    """True if ``role`` is granted ``permission`` by the table."""
    if role is None:
        return False
    return Role(role) in PERMISSIONS[permission]


def can(permission: Permission, user=None) -> bool:
    """True if the (current) user is signed in, active and granted ``permission``."""
    user = current_user if user is None else user
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return role_has(user.role, permission)


def public(view: Callable) -> Callable:
    """Declare a view open to anonymous visitors."""
    view.access = "public"
    return view


def login_only(view: Callable) -> Callable:
    """Declare a view open to any signed-in user (e.g. their own profile, home page)."""
    view.access = "login"
    return view


def require(permission: Permission) -> Callable[[Callable], Callable]:
    """Declare the permission a view needs; anonymous users are sent to sign in, others get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not can(permission):
                deny(permission.value)
            return view(*args, **kwargs)

        wrapped.access = permission
        return wrapped

    return decorator


def deny(what: str) -> None:
    """Record a refused access in the audit log and abort with 403.

    :raises werkzeug.exceptions.Forbidden: always.
    """
    from registry.common.audit import record_security_event

    record_security_event("permission_denied", details={"what": what, "path": request.path})
    abort(403)


def view_access(endpoint: str | None):
    """Return the access declaration of an endpoint (``'public'``, ``'login'``, a Permission or None)."""
    if endpoint is None:
        return None
    if endpoint == "static" or endpoint.endswith(".static"):
        return "public"
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def enforce_declared_access():
    """``before_request`` hook: deny by default any endpoint that declares no access rule."""
    if request.endpoint is None:
        return None  # 404/405 are handled by Flask
    access = view_access(request.endpoint)
    if access is None:
        current_app.logger.error("endpoint %s declares no access rule", request.endpoint)
        abort(403)
    if access == "login" and not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return None
