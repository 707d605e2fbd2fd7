"""Brute force: a per-IP limit (429), a per-account lockout that rotating IPs do not escape, no enumeration."""
from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from tests.auth.helpers import events, signed_in
from tests.conftest import PASSWORD

EN = {"Accept-Language": "en"}


@pytest.fixture
def app_config(app_config):
    app_config["LOGIN_RATE_LIMIT"] = "3 per minute"
    app_config["LOGIN_MAX_FAILURES"] = 5
    return app_config


WRONG = "wrong password guess"


def _attempt(client, username, password=WRONG, ip="203.0.113.7", **headers):
    return client.post("/auth/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": ip}, headers={**EN, **headers})


def test_too_many_attempts_from_one_address_get_429(app, make_user):
    user = make_user("clerk")
    client = app.test_client()
    for _ in range(3):
        assert _attempt(client, user.username).status_code == 200
    refused = _attempt(client, user.username, password=PASSWORD)
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)
    assert refused.headers.get("Retry-After")
    assert not signed_in(client)
    # Another address is not affected by this one's limit.
    assert _attempt(app.test_client(), user.username, ip="198.51.100.9").status_code == 200


def test_the_limit_counts_posts_only(app):
    client = app.test_client()
    for _ in range(10):
        assert client.get("/auth/login", environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 200


def test_a_spoofed_forwarded_for_header_does_not_reset_the_limit(app, make_user):
    assert app.config["PROXY_FIX_COUNT"] == 0
    user = make_user("clerk")
    client = app.test_client()
    for n in range(3):
        assert _attempt(client, user.username, **{"X-Forwarded-For": f"10.0.0.{n}"}).status_code == 200
    assert _attempt(client, user.username, **{"X-Forwarded-For": "10.0.0.99"}).status_code == 429


def test_the_account_locks_even_when_every_attempt_comes_from_a_new_address(app, make_user, db):
    user = make_user("clerk")
    client = app.test_client()
    for n in range(5):
        response = _attempt(client, user.username, ip=f"198.51.100.{n + 1}")
        assert response.status_code == 200
    assert "locked" in response.get_data(as_text=True)

    right = _attempt(client, user.username, password=PASSWORD, ip="192.0.2.50")
    assert right.status_code == 200
    assert "locked" in right.get_data(as_text=True)
    assert not signed_in(client)
    db.session.refresh(user)
    assert user.locked_until is not None
    assert len(events(db, "auth.login_locked", entity_id=user.id)) == 1


def test_the_lock_expires(app, make_user, db):
    from datetime import timedelta

    from registry.db import utcnow

    user = make_user("clerk")
    for n in range(5):
        _attempt(app.test_client(), user.username, ip=f"198.51.100.{n + 1}")
    db.session.refresh(user)
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = _attempt(app.test_client(), user.username, password=PASSWORD, ip="192.0.2.1")
    assert response.status_code == 302


def test_a_success_resets_the_failure_count(app, make_user, db):
    user = make_user("clerk")
    for n in range(4):
        _attempt(app.test_client(), user.username, ip=f"198.51.100.{n + 1}")
    assert _attempt(app.test_client(), user.username, password=PASSWORD,
                    ip="192.0.2.1").status_code == 302
    db.session.refresh(user)
    assert user.failed_logins == 0
    assert _attempt(app.test_client(), user.username, ip="192.0.2.2").status_code == 200
    db.session.refresh(user)
    assert user.locked_until is None


def _message(response) -> str:
    html = response.get_data(as_text=True)
    start = html.index('role="alert"')
    return html[start:html.index("</div>", start)]


def test_unknown_user_and_wrong_password_look_the_same(app, make_user, monkeypatch):
    user = make_user("clerk")
    inactive = make_user("clerk")
    inactive.active = False
    from registry.extensions import db

    db.session.commit()
    verifications = []
    original = PasswordHasher.verify
    monkeypatch.setattr(PasswordHasher, "verify", lambda self, *a: verifications.append(1) or original(self, *a))

    answers = []
    for n, username in enumerate((user.username, "no-such-user", inactive.username)):
        verifications.clear()
        response = _attempt(app.test_client(), username, ip=f"192.0.2.{n + 1}")
        answers.append((response.status_code, _message(response), len(verifications)))
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 200 and "Wrong username or password." in answers[0][1]
    assert answers[0][2] == 1  # one hash verification each: the time taken does not tell them apart
