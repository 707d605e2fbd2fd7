"""User administration in the UI: list, create, edit (with optimistic locking), deactivate, reset, unlock, history."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from registry.auth.models import User
from registry.common.permissions import Role
from registry.db import utcnow
from tests.auth.helpers import events, sign_in, signed_in
from tests.conftest import PASSWORD

NEW_PASSWORD = "hoa phượng đỏ trên phố Lạch Tray"
EN = {"Accept-Language": "en"}


def _user(db, username):
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def _edit_data(user, **overrides):
    data = {"full_name": user.full_name, "email": user.email or "", "phone": user.phone or "",
            "role": user.role.value, "version_id": str(user.version_id)}
    data.update(overrides)
    return data


def _client_for(app, user, password=PASSWORD):
    client = app.test_client()
    assert sign_in(client, user.username, password).status_code == 302
    return client


# ---------------------------------------------------------------- list
def test_list_shows_every_account_with_role_state_and_last_sign_in(app, admin_client, make_user, db):
    clerk = make_user("clerk", full_name="Phạm Văn Minh")
    inspector = make_user("inspector", full_name="Vũ Thị Hạnh")
    inspector.active = False
    locked = make_user("manager", full_name="Nguyễn Thị Lan")
    locked.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()
    _client_for(app, clerk)

    html = admin_client.get("/admin/users", headers=EN).get_data(as_text=True)
    rows = {m.group(1): m.group(0) for m in re.finditer(r"<tr>.*?>([^<]+)</a>.*?</tr>", html, re.S)}
    assert {"Phạm Văn Minh", "Vũ Thị Hạnh", "Nguyễn Thị Lan", "Trần Quốc Quản"} <= set(rows)
    assert "Clerk" in rows["Phạm Văn Minh"] and "Active" in rows["Phạm Văn Minh"]
    assert "Never" not in rows["Phạm Văn Minh"]  # signed in above
    assert "Inactive" in rows["Vũ Thị Hạnh"] and "Never" in rows["Vũ Thị Hạnh"]
    assert "Locked" in rows["Nguyễn Thị Lan"]
    assert clerk.username in rows["Phạm Văn Minh"]


def test_list_filters_by_role_state_and_accent_free_search(admin_client, make_user, db):
    make_user("clerk", full_name="Phạm Văn Minh")
    hanh = make_user("inspector", full_name="Vũ Thị Hạnh")
    hanh.active = False
    db.session.commit()

    def names(query):
        html = admin_client.get(f"/admin/users?{query}", headers=EN).get_data(as_text=True)
        return set(re.findall(r'class="fw-semibold"[^>]*>([^<]+)<', html))

    assert names("q=hanh") == {"Vũ Thị Hạnh"}
    assert names("role=clerk") == {"Phạm Văn Minh"}
    assert names("state=inactive") == {"Vũ Thị Hạnh"}
    assert "Vũ Thị Hạnh" not in names("state=active")
    assert names("q=nobody-like-this") == set()
    assert admin_client.get("/admin/users?role=%00&state=<x>&q=" + "x" * 10000).status_code == 200


def test_list_pages_by_username(app, admin_client, make_user):
    app.config["PAGE_SIZE"] = 2
    for i in range(3):
        make_user("clerk", username=f"zz-page-{i}")
    first = admin_client.get("/admin/users?q=zz-page", headers=EN).get_data(as_text=True)
    assert "zz-page-0" in first and "zz-page-1" in first and "zz-page-2" not in first
    after = re.search(r'href="([^"]*after=zz-page-1[^"]*)"', first).group(1).replace("&amp;", "&")
    second = admin_client.get(after, headers=EN).get_data(as_text=True)
    assert "zz-page-2" in second and "zz-page-0" not in second


def test_the_users_link_shows_for_administrators_only(admin_client, client, login):
    assert 'href="/admin/users"' in admin_client.get("/").get_data(as_text=True)
    login("clerk")
    assert 'href="/admin/users"' not in client.get("/").get_data(as_text=True)


# ---------------------------------------------------------------- create
def _new_user_data(**overrides):
    data = {"username": "lan.nt", "full_name": "Nguyễn Thị Lan", "email": "lan.nt@example.gov.vn",
            "phone": "0225 3 842 123", "role": "manager", "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    data.update(overrides)
    return data


def test_admin_creates_an_account_that_can_sign_in(app, admin_client, db):
    response = admin_client.post("/admin/users/new", data=_new_user_data(), headers=EN)
    assert response.status_code == 302
    user = _user(db, "lan.nt")
    assert (user.full_name, user.role, user.email, user.phone) == (
        "Nguyễn Thị Lan", Role.MANAGER, "lan.nt@example.gov.vn", "0225 3 842 123")
    created = events(db, "user.create", entity_id=user.id)
    assert len(created) == 1 and created[0].actor_id == admin_client.user.id
    assert "Account lan.nt created" in admin_client.get("/admin/users", headers=EN).get_data(as_text=True)
    assert sign_in(app.test_client(), "lan.nt", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"new_password": "short pass", "confirm": "short pass"}, "new_password", "at least 12 characters"),
    ({"new_password": "Password2026!", "confirm": "Password2026!"}, "new_password", "too common"),
    ({"new_password": "lan.nt is my name", "confirm": "lan.nt is my name"}, "new_password", "username"),
    ({"confirm": "something else entirely"}, "confirm", "differ"),
    ({"username": "Lan Nguyễn"}, "username", "without accents"),
    ({"username": "ab"}, "username", "between 3 and 80"),
    ({"full_name": "Lan\x00"}, "full_name", "not allowed"),
    ({"full_name": "L" * 10000}, "full_name", "200"),
    ({"full_name": "   "}, "full_name", "required"),
    ({"email": "not-an-address"}, "email", "e-mail address"),
    ({"phone": "call me maybe"}, "phone", "digits"),
    ({"role": "superuser"}, "role", "Not a valid choice"),
])
def test_create_refuses_bad_input_next_to_the_field(admin_client, db, overrides, field, message):
    response = admin_client.post("/admin/users/new", data=_new_user_data(**overrides), headers=EN)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    errors = re.findall(rf'data-field="{field}">([^<]*)<', html)
    assert errors and message.lower() in " ".join(errors).lower(), errors
    assert db.session.execute(select(User).where(User.username == "lan.nt")).first() is None


def test_create_refuses_a_taken_username_whatever_its_case(admin_client, make_user, db):
    make_user("clerk", username="minh.pv")
    response = admin_client.post("/admin/users/new", data=_new_user_data(username="Minh.PV"), headers=EN)
    assert response.status_code == 200
    assert "already taken" in response.get_data(as_text=True)
    assert len(db.session.execute(select(User).where(User.full_name == "Nguyễn Thị Lan")).all()) == 0


# ---------------------------------------------------------------- edit
def test_edit_saves_name_contact_and_records_the_diff(admin_client, make_user, db):
    clerk = make_user("clerk", full_name="Phạm Văn Minh", email="minh@example.org")
    response = admin_client.post(f"/admin/users/{clerk.id}", headers=EN, data=_edit_data(
        clerk, full_name="Phạm Văn Minh Tuấn", email="", phone="0912 345 678"))
    assert response.status_code == 302
    db.session.refresh(clerk)
    assert (clerk.full_name, clerk.email, clerk.phone) == ("Phạm Văn Minh Tuấn", None, "0912 345 678")
    (event,) = events(db, "user.update", entity_id=clerk.id)
    assert event.changes == {"full_name": ["Phạm Văn Minh", "Phạm Văn Minh Tuấn"],
                             "email": ["minh@example.org", None], "phone": [None, "0912 345 678"]}
    assert event.actor_id == admin_client.user.id


def test_role_change_signs_the_user_out_everywhere_and_is_audited(app, admin_client, make_user, db):
    clerk = make_user("clerk")
    clerk_client = _client_for(app, clerk)
    assert signed_in(clerk_client)

    response = admin_client.post(f"/admin/users/{clerk.id}", data=_edit_data(clerk, role="inspector"), headers=EN)
    assert response.status_code == 302
    assert "signed out everywhere" in admin_client.get(response.location, headers=EN).get_data(as_text=True)
    db.session.refresh(clerk)
    assert clerk.role == Role.INSPECTOR
    assert not signed_in(clerk_client)
    (event,) = events(db, "user.role_change", entity_id=clerk.id)
    assert event.changes == {"role": ["clerk", "inspector"]}
    assert (event.actor_id, event.actor_role) == (admin_client.user.id, "admin")


def test_a_stale_form_is_refused_with_409_and_keeps_the_input(app, admin_client, make_user, db):
    clerk = make_user("clerk", full_name="Phạm Văn Minh")
    stale = _edit_data(clerk, full_name="Typed by the first administrator", phone="0225 111 222")
    other_admin = _client_for(app, make_user("admin"))
    assert other_admin.post(f"/admin/users/{clerk.id}", data=_edit_data(clerk, full_name="Saved by the second"),
                            headers=EN).status_code == 302

    response = admin_client.post(f"/admin/users/{clerk.id}", data=stale, headers=EN)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "changed this record after you opened it" in html
    assert 'value="Typed by the first administrator"' in html and 'value="0225 111 222"' in html
    assert "Saved by the second" in html  # the current value is shown next to the input
    db.session.expire_all()
    assert db.session.get(User, clerk.id).full_name == "Saved by the second"

    # The form now carries the current version: saving again is a deliberate overwrite.
    version = re.search(r'name="version_id" type="hidden" value="(\d+)"', html).group(1)
    resend = admin_client.post(f"/admin/users/{clerk.id}", data=dict(stale, version_id=version), headers=EN)
    assert resend.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, clerk.id).full_name == "Typed by the first administrator"


def test_signing_in_and_out_does_not_make_an_open_form_stale(app, admin_client, make_user, db):
    clerk = make_user("clerk")
    data = _edit_data(clerk, phone="0225 999 000")
    clerk_client = app.test_client()
    sign_in(clerk_client, clerk.username, "wrong password!!")
    sign_in(clerk_client, clerk.username)
    clerk_client.post("/auth/logout")
    response = admin_client.post(f"/admin/users/{clerk.id}", data=data, headers=EN)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, clerk.id).phone == "0225 999 000"


def test_edit_without_a_version_is_refused(admin_client, make_user):
    clerk = make_user("clerk")
    response = admin_client.post(f"/admin/users/{clerk.id}", data=_edit_data(clerk, version_id="abc"), headers=EN)
    assert response.status_code == 409


def test_an_administrator_cannot_change_their_own_role(admin_client, db):
    me = admin_client.user
    page = admin_client.get(f"/admin/users/{me.id}", headers=EN).get_data(as_text=True)
    assert '<select id="role"' not in page and "Ask another administrator" in page
    response = admin_client.post(f"/admin/users/{me.id}", data=_edit_data(me, role="clerk"), headers=EN)
    assert response.status_code == 200
    assert "cannot change your own role" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, me.id).role == Role.ADMIN
    assert signed_in(admin_client)


def test_edit_of_an_unknown_account_is_404(admin_client):
    assert admin_client.get("/admin/users/999999").status_code == 404
    assert admin_client.post("/admin/users/999999/unlock").status_code == 404


# ---------------------------------------------------------------- deactivate / reactivate
def test_deactivation_asks_for_confirmation_then_signs_the_user_out(app, admin_client, make_user, db):
    clerk = make_user("clerk", full_name="Phạm Văn Minh")
    clerk_client = _client_for(app, clerk)

    confirm = admin_client.get(f"/admin/users/{clerk.id}/deactivate", headers=EN)
    assert confirm.status_code == 200
    assert "Deactivate Phạm Văn Minh?" in confirm.get_data(as_text=True)
    db.session.refresh(clerk)
    assert clerk.active  # looking at the confirmation changes nothing

    assert admin_client.post(f"/admin/users/{clerk.id}/deactivate").status_code == 302
    db.session.refresh(clerk)
    assert not clerk.active
    assert not signed_in(clerk_client)
    refused = sign_in(app.test_client(), clerk.username)
    assert refused.status_code == 200 and "Wrong username or password" in refused.get_data(as_text=True)
    assert len(events(db, "user.deactivate", entity_id=clerk.id)) == 1

    assert admin_client.get(f"/admin/users/{clerk.id}/activate", headers=EN).status_code == 200
    assert admin_client.post(f"/admin/users/{clerk.id}/activate").status_code == 302
    db.session.refresh(clerk)
    assert clerk.active
    assert sign_in(app.test_client(), clerk.username).status_code == 302
    assert len(events(db, "user.activate", entity_id=clerk.id)) == 1


def test_an_administrator_cannot_deactivate_themselves(admin_client, db):
    me = admin_client.user
    page = admin_client.get(f"/admin/users/{me.id}/deactivate", headers=EN).get_data(as_text=True)
    assert "You cannot deactivate your own account." in page
    assert "Yes, deactivate" not in page
    response = admin_client.post(f"/admin/users/{me.id}/deactivate", headers=EN)
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(User, me.id).active
    assert signed_in(admin_client)
    assert events(db, "user.deactivate") == []


def test_the_last_active_administrator_cannot_be_removed(app, db, make_user):
    from registry.auth import services

    only_admin = make_user("admin")
    with pytest.raises(services.AccountError, match="last active administrator"):
        services.set_active(only_admin, False)
    with pytest.raises(services.AccountError, match="last active administrator"):
        services.change_role(only_admin, Role.MANAGER)
    second = make_user("admin")
    services.change_role(only_admin, Role.MANAGER)  # another admin exists now
    db.session.commit()
    with pytest.raises(services.AccountError, match="last active administrator"):
        services.set_active(second, False)


# ---------------------------------------------------------------- password reset and unlock
def test_reset_password_applies_the_policy_and_ends_sessions(app, admin_client, make_user, db):
    clerk = make_user("clerk")
    clerk_client = _client_for(app, clerk)
    weak = admin_client.post(f"/admin/users/{clerk.id}/password", headers=EN,
                             data={"new_password": "matkhau123456", "confirm": "matkhau123456"})
    assert weak.status_code == 200 and "too common" in weak.get_data(as_text=True)
    assert signed_in(clerk_client)

    response = admin_client.post(f"/admin/users/{clerk.id}/password",
                                 data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert not signed_in(clerk_client)
    assert sign_in(app.test_client(), clerk.username).status_code == 200  # the old password no longer works
    assert sign_in(app.test_client(), clerk.username, NEW_PASSWORD).status_code == 302
    (event,) = events(db, "user.password_reset", entity_id=clerk.id)
    assert event.actor_id == admin_client.user.id


def test_admin_unlocks_a_locked_account(app, admin_client, make_user, db):
    clerk = make_user("clerk", full_name="Phạm Văn Minh")
    attacker = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        sign_in(attacker, clerk.username, "not the password at all")
    locked = sign_in(app.test_client(), clerk.username)
    assert locked.status_code == 200 and "locked" in locked.get_data(as_text=True)

    page = admin_client.get(f"/admin/users/{clerk.id}", headers=EN).get_data(as_text=True)
    assert "Unlock now" in page and "Locked" in page
    assert admin_client.post(f"/admin/users/{clerk.id}/unlock").status_code == 302
    assert sign_in(app.test_client(), clerk.username).status_code == 302
    (event,) = events(db, "user.unlock", entity_id=clerk.id)
    assert event.actor_id == admin_client.user.id
    assert "Unlock now" not in admin_client.get(f"/admin/users/{clerk.id}", headers=EN).get_data(as_text=True)


# ---------------------------------------------------------------- history
def test_history_lists_the_accounts_own_events_newest_first(app, admin_client, make_user, db):
    clerk = make_user("clerk", full_name="Phạm Văn Minh")
    other = make_user("clerk", full_name="Đỗ Thu Trang")
    sign_in(app.test_client(), clerk.username, "wrong password here")
    sign_in(app.test_client(), clerk.username)
    sign_in(app.test_client(), other.username)
    admin_client.post(f"/admin/users/{clerk.id}", data=_edit_data(clerk, role="inspector"))

    html = admin_client.get(f"/admin/users/{clerk.id}/history", headers=EN).get_data(as_text=True)
    table = html[html.index('data-testid="history"'):]
    labels = re.findall(r"<td>\s*([A-Z][^<\n]+?)\s*<div", table)
    assert labels == ["Role changed", "Signed in", "Failed sign-in", "Account created"]
    role_row = table.split("<tr>")[2]
    assert re.search(r"Role:</span>\s*Clerk .*→</span> Inspector", role_row, re.S)
    failed_row = table.split("<tr>")[4]
    assert "wrong password" in failed_row and re.search(r"Account locked:</span>\s*No", failed_row)
    assert admin_client.user.username in table
    assert other.full_name not in table


def test_history_pages_through_long_histories(app, admin_client, make_user, db):
    from registry.auth import admin_views
    from registry.common import audit

    clerk = make_user("clerk")
    for _ in range(admin_views.HISTORY_PAGE_SIZE + 5):
        audit.record("auth.login", clerk)
    db.session.commit()
    first = admin_client.get(f"/admin/users/{clerk.id}/history", headers=EN).get_data(as_text=True)
    assert first.count("<tr>") == admin_views.HISTORY_PAGE_SIZE + 1  # header row + a full page
    older = re.search(r'href="([^"]*before=\d+)"', first).group(1)
    second = admin_client.get(older, headers=EN).get_data(as_text=True)
    assert second.count("<tr>") == 1 + 6  # 5 more sign-ins and the creation
    assert "Account created" in second


# ---------------------------------------------------------------- fresh sign-in
def test_a_remembered_session_must_confirm_the_password_first(app, make_user, db):
    admin = make_user("admin")
    browser = app.test_client()
    sign_in(browser, admin.username, remember="y")
    remember = browser.get_cookie("remember_token")
    assert remember is not None

    later = app.test_client()  # the browser was closed: only the remember cookie is left
    later.set_cookie("remember_token", remember.value)
    response = later.get("/admin/users")
    assert response.status_code == 302
    assert response.location.startswith("/auth/confirm?next=/admin/users")

    wrong = later.post("/auth/confirm", data={"password": "not my password!", "next": "/admin/users"},
                       headers=EN)
    assert wrong.status_code == 200 and "not your current password" in wrong.get_data(as_text=True)
    right = later.post("/auth/confirm", data={"password": PASSWORD, "next": "/admin/users"})
    assert right.status_code == 302 and right.location == "/admin/users"
    assert later.get("/admin/users").status_code == 200
    assert len(events(db, "auth.reauth_failed", entity_id=admin.id)) == 1


def test_guessing_at_the_confirmation_locks_and_signs_out(app, make_user, db):
    admin = make_user("admin")
    client = app.test_client()
    sign_in(client, admin.username)
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert client.post("/auth/confirm", data={"password": "guess guess guess"}).status_code == 200
    last = client.post("/auth/confirm", data={"password": "guess guess guess"})
    assert last.status_code == 302 and last.location == "/auth/login"
    assert not signed_in(client)
    assert sign_in(app.test_client(), admin.username).status_code == 200  # locked for a while
