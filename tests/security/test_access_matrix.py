"""Role × endpoint matrix, generated from ``app.url_map`` so every route added later is covered automatically.

For each route: its declared access must be ``"public"``, ``"login"`` or a Permission; anonymous visitors are sent
to sign in (or get 401 as JSON) on anything not public; for a Permission, every role outside ``PERMISSIONS`` gets
403 and every role inside it gets neither 403 nor the sign-in page (404 is fine: URL parameters are dummy ids).
"""
from __future__ import annotations

import pytest

from registry.common.permissions import PERMISSIONS, Permission, Role, public
from tests.security.checks import assert_security_headers
from tests.security.routing import Route, routes


def _is_sign_in_redirect(response) -> bool:
    return response.status_code == 302 and response.location.split("?")[0].endswith("/auth/login")


def _call(client, route: Route):
    return client.open(route.url, method=route.method, headers={"Accept-Language": "en"})


def test_the_matrix_sees_the_routes_that_exist(app):
    endpoints = {r.endpoint for r in routes(app)}
    assert {"main.home", "auth.login", "auth.logout", "auth.change_password", "admin.users", "admin.edit_user",
            "healthz"} <= endpoints


def test_every_route_declares_its_access(app):
    undeclared = [str(r) for r in routes(app)
                  if not (r.access in ("public", "login") or isinstance(r.access, Permission))]
    assert not undeclared, "routes without @public, @login_only or @require(...):\n" + "\n".join(undeclared)
    unknown = [str(r) for r in routes(app) if isinstance(r.access, Permission) and r.access not in PERMISSIONS]
    assert not unknown, f"permissions missing from the PERMISSIONS table: {unknown}"


def test_anonymous_visitors_are_sent_to_sign_in(app):
    client = app.test_client()
    failures = []
    for route in routes(app):
        response = _call(client, route)
        if route.access == "public":
            if _is_sign_in_redirect(response) or response.status_code in (401, 403):
                failures.append(f"{route}: public but gave {response.status_code} {response.location}")
        elif not (_is_sign_in_redirect(response) or (response.status_code == 401 and response.is_json)):
            failures.append(f"{route}: {response.status_code} {response.location or ''}")
    assert not failures, "anonymous access not refused as expected:\n" + "\n".join(failures)


def _sign_in_as(client, user_id: int) -> None:
    """Put a fresh signed-in session in the client (what the sign-in form does) without the rate limit."""
    from registry.auth.models import User
    from registry.extensions import db

    user = db.session.get(User, user_id)  # by id: a view may have emptied the session the test shares with it
    with client.application.test_request_context(environ_base=client.environ_base):  # same address and agent
        identifier = client.application.login_manager._session_identifier_generator()
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["_id"] = identifier


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_exactly_what_the_permission_table_grants(app, make_user, role):
    user_id = make_user(role.value).id
    client = app.test_client()
    failures, statuses = [], {}
    for route in routes(app):
        _sign_in_as(client, user_id)  # again for every route: one of them may be "sign out"
        response = _call(client, route)
        status = statuses[route.endpoint] = response.status_code
        if isinstance(route.access, Permission):
            allowed = role in PERMISSIONS[route.access]
        else:
            allowed = True  # public or any signed-in user
        if allowed and (status == 403 or _is_sign_in_redirect(response) or status == 401):
            failures.append(f"{route}: allowed for {role} but got {status} {response.location or ''}")
        if not allowed and status != 403:
            failures.append(f"{route}: forbidden for {role} but got {status} {response.location or ''}")
    assert not failures, f"role {role}:\n" + "\n".join(failures)
    # The session really reaches the views (not, say, a password confirmation in front of them).
    assert statuses["auth.change_password"] == 200
    assert statuses["admin.users"] == (200 if role == Role.ADMIN else 403)


@pytest.mark.parametrize("role", [None, *Role])
def test_every_route_answers_without_server_error_and_with_security_headers(app, make_user, role):
    """Dummy ids, empty POSTs: a user may get 404 or a form error, never a 500; and every answer (HTML, JSON,
    PDF, redirect, error) carries the security headers."""
    user_id = make_user(role.value).id if role else None
    client = app.test_client()
    failures = []
    for route in routes(app):
        if user_id is not None:
            _sign_in_as(client, user_id)
        response = _call(client, route)
        if response.status_code >= 500:
            failures.append(f"{route}: {response.status_code}")
        try:
            assert_security_headers(response)
        except (AssertionError, KeyError) as exc:
            failures.append(f"{route}: security headers ({exc!r})")
    assert not failures, f"{role or 'anonymous'}:\n" + "\n".join(failures)


def test_a_route_that_declares_nothing_is_refused(app, make_user):
    app.add_url_rule("/_undeclared", "undeclared", lambda: "secret")
    app.add_url_rule("/_declared", "declared", public(lambda: "hello"))
    client = app.test_client()
    _sign_in_as(client, make_user("admin").id)
    assert client.get("/_undeclared").status_code == 403
    assert client.get("/_declared").status_code == 200


def test_a_refusal_is_audited(app, make_user, db):
    from tests.auth.helpers import events

    clerk = make_user("clerk")
    client = app.test_client()
    _sign_in_as(client, clerk.id)
    assert client.get("/admin/users").status_code == 403
    (event,) = events(db, "permission_denied")
    assert (event.actor_id, event.actor_role) == (clerk.id, "clerk")
    assert event.changes == {"what": Permission.USER_MANAGE.value, "path": "/admin/users"}
