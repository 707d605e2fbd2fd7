"""CSRF: with protection on (as in production), every state-changing route refuses a request without a token."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from registry.auth.models import User
from tests.auth.helpers import csrf_token
from tests.conftest import PASSWORD
from tests.security.routing import routes

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def app_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def _sign_in_with_the_real_form(client, username):
    page = client.get("/auth/login")
    token = csrf_token(page.data)
    response = client.post("/auth/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.data[:300]
    return response


def test_the_real_sign_in_form_works_with_its_token(app, make_user):
    user = make_user("clerk")
    client = app.test_client()
    _sign_in_with_the_real_form(client, user.username)
    assert client.get("/auth/password").status_code == 200


def test_sign_in_without_a_token_is_refused(app, make_user):
    user = make_user("clerk")
    client = app.test_client()
    response = client.post("/auth/login", data={"username": user.username, "password": PASSWORD},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "The form had expired or was sent from elsewhere" in response.get_data(as_text=True)
    assert client.get("/auth/password").status_code == 302


def test_a_token_from_another_session_is_refused(app, make_user):
    user = make_user("clerk")
    stranger = app.test_client()
    foreign_token = csrf_token(stranger.get("/auth/login").data)
    victim = app.test_client()
    victim.get("/auth/login")
    response = victim.post("/auth/login", data={"username": user.username, "password": PASSWORD,
                                                "csrf_token": foreign_token})
    assert response.status_code == 400


@pytest.mark.parametrize("signed_in_as", [None, "admin"])
def test_every_state_changing_route_refuses_a_request_without_a_token(app, make_user, signed_in_as):
    client = app.test_client()
    if signed_in_as:
        _sign_in_with_the_real_form(client, make_user(signed_in_as).username)
    checked, failures = 0, []
    for route in routes(app):
        for method in sorted(set(route.rule.methods) & STATE_CHANGING):
            checked += 1
            response = client.open(route.url, method=method, data={"anything": "1"})
            if response.status_code != 400:
                failures.append(f"{method} {route.rule.rule} ({route.endpoint}): {response.status_code}")
    assert checked >= 8  # sign in/out, language, password, and the administration forms at least
    assert not failures, "accepted without a CSRF token:\n" + "\n".join(failures)
    if signed_in_as:
        assert client.get("/auth/password").status_code == 200  # the refused sign-out did not sign out


def test_a_refused_admin_action_changes_nothing(app, make_user, db):
    admin, clerk = make_user("admin"), make_user("clerk")
    client = app.test_client()
    _sign_in_with_the_real_form(client, admin.username)
    assert client.post(f"/admin/users/{clerk.id}/deactivate").status_code == 400
    db.session.expire_all()
    assert db.session.execute(select(User.active).where(User.id == clerk.id)).scalar_one()


def test_the_header_token_works_for_scripted_requests(app, make_user):
    """The htmx/fetch path sends the token in ``X-CSRFToken`` instead of a form field."""
    client = app.test_client()
    _sign_in_with_the_real_form(client, make_user("clerk").username)
    token = csrf_token(client.get("/auth/password").data)
    response = client.post("/language", data={"lang": "en", "next": "/"}, headers={"X-CSRFToken": token})
    assert response.status_code == 302
    response = client.post("/auth/logout", headers={"X-CSRFToken": token})
    assert response.status_code == 302
    assert client.get("/auth/password").status_code == 302
