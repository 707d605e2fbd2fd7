"""Sessions: a new session on sign-in, and copies of old cookies rejected after sign-out, password or role change."""
from __future__ import annotations

from tests.auth.helpers import sign_in, signed_in
from tests.conftest import PASSWORD

NEW_PASSWORD = "sóng vỗ bờ Đồ Sơn suốt đêm dài"


def _cookies(client) -> dict[str, str]:
    return {name: client.get_cookie(name).value for name in ("session", "remember_token")
            if client.get_cookie(name) is not None}


def _client_with(app, cookies: dict[str, str]):
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


def test_sign_in_starts_a_new_session_without_earlier_data(app, make_user):
    user = make_user("clerk")
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker before sign-in"
        session["lang"] = "vi"
    before = client.get_cookie("session").value
    assert sign_in(client, user.username).status_code == 302
    assert client.get_cookie("session").value != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["lang"] == "vi"  # the chosen language is the one thing kept
        assert session["_user_id"] == f"{user.id}:{user.session_version}"


def test_cookies_copied_before_sign_out_no_longer_work(app, make_user):
    user = make_user("clerk")
    client = app.test_client()
    sign_in(client, user.username, remember="y")
    copied = _cookies(client)
    assert set(copied) == {"session", "remember_token"}
    assert signed_in(_client_with(app, copied))

    assert client.post("/auth/logout").status_code == 302
    assert not signed_in(client)
    assert client.get_cookie("remember_token") is None  # the browser's copy is deleted
    assert not signed_in(_client_with(app, {"session": copied["session"]}))
    assert not signed_in(_client_with(app, {"remember_token": copied["remember_token"]}))
    assert not signed_in(_client_with(app, copied))


def test_the_remember_cookie_alone_restores_a_session_until_then(app, make_user):
    user = make_user("clerk")
    client = app.test_client()
    sign_in(client, user.username, remember="y")
    assert signed_in(_client_with(app, {"remember_token": client.get_cookie("remember_token").value}))


def test_a_password_change_ends_the_other_sessions(app, make_user):
    user = make_user("clerk")
    phone, desk = app.test_client(), app.test_client()
    sign_in(phone, user.username, remember="y")
    sign_in(desk, user.username)
    phone_cookies = _cookies(phone)
    response = desk.post("/auth/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                 "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert signed_in(desk)  # the session that made the change continues
    assert not signed_in(phone)
    assert not signed_in(_client_with(app, {"remember_token": phone_cookies["remember_token"]}))


def test_a_wrong_current_password_changes_nothing(app, make_user):
    user = make_user("clerk")
    client = app.test_client()
    sign_in(client, user.username)
    response = client.post("/auth/password", headers={"Accept-Language": "en"},
                           data={"current_password": "not my password", "new_password": NEW_PASSWORD,
                                 "confirm": NEW_PASSWORD})
    assert response.status_code == 200
    assert "This is not your current password." in response.get_data(as_text=True)
    assert sign_in(app.test_client(), user.username).status_code == 302


def test_a_role_change_ends_the_users_sessions(app, make_user, db):
    from registry.auth import services

    user = make_user("clerk")
    client = app.test_client()
    sign_in(client, user.username, remember="y")
    cookies = _cookies(client)
    services.change_role(user, "inspector")
    db.session.commit()
    assert not signed_in(client)
    assert not signed_in(_client_with(app, {"remember_token": cookies["remember_token"]}))
    assert sign_in(app.test_client(), user.username).status_code == 302  # signs in again with the new role


def test_a_deactivated_account_loses_its_sessions(app, make_user, db):
    from registry.auth import services

    user = make_user("clerk")
    client = app.test_client()
    sign_in(client, user.username, remember="y")
    cookies = _cookies(client)
    services.set_active(user, False)
    db.session.commit()
    assert not signed_in(client)
    services.set_active(user, True)
    db.session.commit()
    assert not signed_in(_client_with(app, cookies))  # reactivation does not revive old cookies


def test_a_tampered_session_cookie_is_ignored(app, make_user):
    user = make_user("clerk")
    client = app.test_client()
    sign_in(client, user.username)
    value = client.get_cookie("session").value
    forged = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    assert not signed_in(_client_with(app, {"session": forged}))
