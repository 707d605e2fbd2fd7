"""Security headers on every kind of response; HSTS and Secure cookies with the production configuration."""
from __future__ import annotations

import pytest

from tests.auth.helpers import csrf_token
from tests.conftest import PASSWORD
from tests.security.checks import assert_security_headers
from tests.security.test_production import production_app


@pytest.fixture
def app_config(app_config):
    app_config["LOGIN_RATE_LIMIT"] = "1 per minute"
    return app_config


def test_html_page(client):
    response = client.get("/")
    assert response.mimetype == "text/html"
    assert_security_headers(response)


def test_json_response(client):
    response = client.get("/healthz")
    assert response.is_json
    assert_security_headers(response)


def test_not_found_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert_security_headers(response)


def test_too_many_requests(client):
    client.post("/auth/login", data={"username": "x", "password": "y"})
    response = client.post("/auth/login", data={"username": "x", "password": "y"})
    assert response.status_code == 429
    assert_security_headers(response)


def test_server_error(app, client):
    def boom():
        raise RuntimeError("kaboom")

    boom.access = "public"
    app.add_url_rule("/_boom", "boom", boom)
    response = client.get("/_boom")
    assert response.status_code == 500
    assert_security_headers(response)


def test_signed_in_page_and_redirect(client, login):
    login("clerk")
    assert_security_headers(client.get("/"))
    assert_security_headers(client.get("/auth/login"))  # a redirect


def test_no_hsts_outside_production(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_production_sends_hsts_and_secure_cookies(database_uri, monkeypatch, make_user_in):
    app = production_app(database_uri, monkeypatch)
    https = {"base_url": "https://registry.example"}
    with app.app_context():
        user = make_user_in(app, "clerk")
        client = app.test_client()
        page = client.get("/auth/login", **https)
        hsts = page.headers["Strict-Transport-Security"]
        assert int(hsts.split("max-age=")[1].split(";")[0]) >= 15552000
        assert_security_headers(page)
        response = client.post("/auth/login", **https, headers={"Referer": "https://registry.example/auth/login"},
                               data={"username": user.username, "password": PASSWORD,
                                     "remember": "y", "csrf_token": csrf_token(page.data)})
        assert response.status_code == 302
        cookies = {c.split("=", 1)[0]: c.lower() for c in response.headers.getlist("Set-Cookie")}
        for name in ("session", "remember_token"):
            assert "; secure" in cookies[name], cookies[name]
            assert "; httponly" in cookies[name], cookies[name]
            assert "samesite=lax" in cookies[name], cookies[name]
        assert app.config["REMEMBER_COOKIE_DURATION"].days <= 30


def test_a_page_that_read_an_empty_session_varies_on_cookie_and_sets_none(client):
    """Without a cookie there is no session to write; caches must still know the page depends on the cookie."""
    response = client.get("/register/")
    assert "Set-Cookie" not in response.headers
    assert "Cookie" in response.headers.get("Vary", "")
