"""Security events are audited with who, role, when (UTC), where from and the request id — and no secrets."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from registry.common.audit import verify_chain
from tests.auth.helpers import csrf_token, events
from tests.conftest import PASSWORD

NEW_PASSWORD = "mưa rơi trên mái ngói phố cổ Tam Bạc"
IP = "198.51.100.23"


@pytest.fixture
def app_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


class Browser:
    """A test client that fills forms the way a browser does: token from the page, fixed address."""

    def __init__(self, app, request_ids):
        self.client = app.test_client()
        self.request_ids = request_ids
        self.tokens = []

    def _headers(self):
        rid = f"rq{len(self.request_ids):04d}"
        self.request_ids.append(rid)
        return {"X-Request-ID": rid, "Accept-Language": "en"}

    def get(self, url):
        return self.client.get(url, headers=self._headers(), environ_base={"REMOTE_ADDR": IP})

    def submit(self, page_url, data, action=None):
        token = csrf_token(self.get(page_url).data)
        self.tokens.append(token)
        return self.client.post(action or page_url, data={**data, "csrf_token": token}, headers=self._headers(),
                                environ_base={"REMOTE_ADDR": IP})


def _assert_attributed(event, request_ids, actor=None):
    if actor is None:
        assert event.actor_id is None and event.actor_role is None
    else:
        assert (event.actor_id, event.actor_username, event.actor_role) == (actor.id, actor.username,
                                                                           actor.role.value)
    assert event.occurred_at.tzinfo is not None and event.occurred_at.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - event.occurred_at) < timedelta(minutes=1)
    assert event.ip == IP
    assert event.request_id in request_ids


def test_security_events_carry_actor_role_time_ip_and_request(app, make_user, db):
    admin, clerk = make_user("admin"), make_user("clerk")
    request_ids = []
    admin_browser, clerk_browser = Browser(app, request_ids), Browser(app, request_ids)

    clerk_browser.submit("/auth/login", {"username": clerk.username, "password": "a wrong password!"})
    (failed,) = events(db, "auth.login_failed")
    _assert_attributed(failed, request_ids)
    assert failed.entity_id == clerk.id and failed.changes["reason"] == "password"

    clerk_browser.submit("/auth/login", {"username": "nobody-here", "password": "whatever it is"})
    unknown = events(db, "auth.login_failed")[-1]
    _assert_attributed(unknown, request_ids)
    assert unknown.changes == {"username": "nobody-here", "reason": "unknown"}

    assert clerk_browser.submit("/auth/login", {"username": clerk.username, "password": PASSWORD}).status_code == 302
    (login,) = events(db, "auth.login")
    _assert_attributed(login, request_ids)
    assert login.entity_id == clerk.id

    assert clerk_browser.get("/admin/users").status_code == 403
    (denied,) = events(db, "permission_denied")
    _assert_attributed(denied, request_ids, actor=clerk)

    admin_browser.submit("/auth/login", {"username": admin.username, "password": PASSWORD})
    response = admin_browser.submit(f"/admin/users/{clerk.id}", {
        "full_name": clerk.full_name, "email": "", "phone": "", "role": "inspector",
        "version_id": str(clerk.version_id)})
    assert response.status_code == 302
    (role_change,) = events(db, "user.role_change")
    _assert_attributed(role_change, request_ids, actor=admin)
    assert role_change.changes == {"role": ["clerk", "inspector"]}

    assert verify_chain().ok


def test_no_password_or_csrf_token_is_ever_recorded(app, make_user, db):
    admin, clerk = make_user("admin"), make_user("clerk")
    request_ids = []
    admin_browser, clerk_browser = Browser(app, request_ids), Browser(app, request_ids)
    clerk_browser.submit("/auth/login", {"username": clerk.username, "password": "a wrong password!"})
    clerk_browser.submit("/auth/login", {"username": clerk.username, "password": PASSWORD})
    clerk_browser.submit("/auth/password", {"current_password": "not it at all!", "new_password": NEW_PASSWORD,
                                            "confirm": NEW_PASSWORD})
    clerk_browser.submit("/auth/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                            "confirm": NEW_PASSWORD})
    assert clerk_browser.submit("/", {}, action="/auth/logout").status_code == 302
    admin_browser.submit("/auth/login", {"username": admin.username, "password": PASSWORD})
    admin_browser.submit("/admin/users/new", {"username": "lan.nt", "full_name": "Nguyễn Thị Lan",
                                              "role": "clerk", "new_password": NEW_PASSWORD + "!",
                                              "confirm": NEW_PASSWORD + "!"})
    admin_browser.submit(f"/admin/users/{clerk.id}/password", {"new_password": "gió mùa đông bắc tràn về",
                                                               "confirm": "gió mùa đông bắc tràn về"})
    admin_browser.submit("/auth/confirm", {"password": PASSWORD})

    recorded = events(db)
    assert {"auth.login", "auth.login_failed", "auth.reauth_failed", "user.password_change", "user.create",
            "user.password_reset", "auth.sessions_ended"} <= {e.action for e in recorded}
    secrets = [PASSWORD, NEW_PASSWORD, "a wrong password!", "not it at all!", "gió mùa đông bắc tràn về",
               *admin_browser.tokens, *clerk_browser.tokens]
    for event in recorded:
        text = " ".join(str(getattr(event, column.key)) for column in event.__table__.columns)
        for secret in secrets:
            assert secret not in text, f"{event.action} records a secret"
        assert "hash" not in event.changes and "password_hash" not in event.changes
