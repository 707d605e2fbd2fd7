"""Helpers shared by the account and security tests."""
from __future__ import annotations

import re

from flask import g, request_started

from tests.conftest import PASSWORD

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def fresh_g_per_request(app):
    """Give every test-client request an empty ``g``, as a real server does.

    The ``app`` fixture keeps one application context open for the whole test, and the test client reuses it, so
    without this ``g`` (which caches the signed-in user and the locale) would carry over from one request, or one
    client, to the next and hide session bugs. Returns the disconnect function.
    """

    def reset(sender, **extra):
        g.__dict__.clear()

    request_started.connect(reset, app)
    return lambda: request_started.disconnect(reset, app)


def csrf_token(html: str | bytes) -> str:
    """The CSRF token of the first form on a page."""
    text = html.decode() if isinstance(html, bytes) else html
    match = _CSRF.search(text)
    assert match, "no csrf_token on the page"
    return match.group(1)


def sign_in(client, username: str, password: str = PASSWORD, **extra):
    """Post the sign-in form (CSRF disabled) and return the response."""
    return client.post("/auth/login", data={"username": username, "password": password, **extra})


def signed_in(client) -> bool:
    """True if the client's cookies still open a signed-in session."""
    response = client.get("/auth/password")
    return response.status_code == 200


def events(db, action: str | None = None, **filters):
    """Audit events, oldest first, optionally of one action and with column filters."""
    from sqlalchemy import select

    from registry.common.audit import AuditEvent

    stmt = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    for key, value in filters.items():
        stmt = stmt.where(getattr(AuditEvent, key) == value)
    return db.session.execute(stmt).scalars().all()
