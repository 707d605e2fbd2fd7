"""A person is told by e-mail, in their language, when their password or e-mail address changes; a mail server
that is down never blocks or undoes the change. Messages arrive at a real local SMTP server."""
from __future__ import annotations

import pytest

from tests.auth.helpers import events, sign_in
from tests.conftest import PASSWORD, free_port

NEW_PASSWORD = "hoa phượng đỏ trên phố Lạch Tray"


@pytest.fixture
def app_config(app_config, smtp_server):
    controller, _inbox = smtp_server
    app_config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_DEFAULT_SENDER="registry@test.local")
    return app_config


def _person(make_user, db, **kw):
    user = make_user("clerk", email="lan.nt@haiphong.example.vn", full_name="Nguyễn Thị Lan", **kw)
    db.session.commit()
    return user


def test_changing_ones_own_password_is_confirmed_by_mail_in_ones_language(app, make_user, db, inbox):
    user = _person(make_user, db)
    user.language = "vi"
    db.session.commit()
    client = app.test_client()
    assert sign_in(client, user.username).status_code == 302
    response = client.post("/auth/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                   "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    (message,) = inbox.to("lan.nt@haiphong.example.vn")
    assert message["Subject"] == "Mật khẩu của bạn đã được thay đổi"
    body = inbox.text(message)
    assert "Nguyễn Thị Lan" in body and user.username in body and "quản trị viên" in body
    assert NEW_PASSWORD not in body and PASSWORD not in body  # never a password in a mail
    (event,) = events(db, "user.credential_notice", entity_id=user.id)
    assert event.changes == {"change": "password_changed", "delivered": True, "recipients": 1}


def test_a_reset_by_an_administrator_says_so(admin_client, make_user, db, inbox):
    user = _person(make_user, db)
    user.language = "en"
    db.session.commit()
    response = admin_client.post(f"/admin/users/{user.id}/password",
                                 data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    (message,) = inbox.to(user.email)
    assert message["Subject"] == "Your password was reset by an administrator"
    assert "An administrator set a new password for your account" in inbox.text(message)


def test_a_new_email_address_is_announced_to_the_old_and_the_new_one(admin_client, make_user, db, inbox):
    user = _person(make_user, db)
    data = {"full_name": user.full_name, "email": "lan.moi@haiphong.example.vn", "phone": "",
            "role": user.role.value, "version_id": str(user.version_id)}
    assert admin_client.post(f"/admin/users/{user.id}", data=data).status_code == 302
    old, new = inbox.to("lan.nt@haiphong.example.vn"), inbox.to("lan.moi@haiphong.example.vn")
    assert len(old) == 1 and len(new) == 1
    assert "lan.nt@haiphong.example.vn" in inbox.text(old[0]) and "lan.moi@haiphong.example.vn" in inbox.text(old[0])
    # saving again without a change of address sends nothing
    inbox.clear()
    db.session.refresh(user)
    data["version_id"] = str(user.version_id)
    assert admin_client.post(f"/admin/users/{user.id}", data=data).status_code == 302
    assert inbox.messages == []


def test_the_command_line_reset_tells_the_account_holder(runner, make_user, db, inbox):
    user = _person(make_user, db)
    result = runner.invoke(args=["users", "reset-password", user.username, "--password", NEW_PASSWORD])
    assert result.exit_code == 0, result.output
    assert "told by e-mail" in result.output
    assert len(inbox.to(user.email)) == 1


def test_a_mail_server_that_is_down_does_not_block_the_change(app, make_user, db):
    user = _person(make_user, db)
    app.config["MAIL_PORT"] = free_port()  # nothing listens there
    client = app.test_client()
    assert sign_in(client, user.username).status_code == 302
    response = client.post("/auth/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                   "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert sign_in(app.test_client(), user.username, NEW_PASSWORD).status_code == 302
    (event,) = events(db, "user.credential_notice", entity_id=user.id)
    assert event.changes["delivered"] is False


def test_nobody_to_write_to_means_no_mail_and_no_error(admin_client, make_user, db, inbox):
    user = make_user("clerk")
    user.email = None
    db.session.commit()
    response = admin_client.post(f"/admin/users/{user.id}/password",
                                 data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert inbox.messages == [] and events(db, "user.credential_notice", entity_id=user.id) == []
