"""``flask users create|list|deactivate|activate|set-role|reset-password``."""
from __future__ import annotations

from sqlalchemy import select

from registry.auth.models import User
from registry.common.permissions import Role
from tests.auth.helpers import events, sign_in

PASSPHRASE = "đèn đỏ trên cầu Rào lúc nửa đêm"


def _user(db, username):
    db.session.expire_all()
    return db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def _create(runner, username="lan.nt", role="manager", password=PASSPHRASE, *extra):
    return runner.invoke(args=["users", "create", username, "--role", role, "--name", "Nguyễn Thị Lan",
                               "--email", "lan@example.gov.vn", "--password", password, *extra])


def test_create_then_sign_in(app, runner, db):
    result = _create(runner)
    assert result.exit_code == 0, result.output
    assert "created lan.nt (manager)" in result.output
    user = _user(db, "lan.nt")
    assert (user.role, user.full_name, user.email) == (Role.MANAGER, "Nguyễn Thị Lan", "lan@example.gov.vn")
    (event,) = events(db, "user.create", entity_id=user.id)
    assert event.actor_username.startswith("cli:") and event.actor_id is None
    assert sign_in(app.test_client(), "lan.nt", PASSPHRASE).status_code == 302


def test_create_asks_for_the_password_twice_when_not_given(runner, db):
    result = runner.invoke(args=["users", "create", "minh", "--role", "clerk", "--name", "Phạm Văn Minh"],
                           input=f"{PASSPHRASE}\n{PASSPHRASE}\n")
    assert result.exit_code == 0, result.output
    assert _user(db, "minh") is not None


def test_create_refuses_a_weak_password_or_a_taken_name(runner, db):
    weak = _create(runner, "weak", "clerk", "password1234")
    assert weak.exit_code == 1 and "too common" in weak.output
    assert _user(db, "weak") is None
    assert _create(runner).exit_code == 0
    again = _create(runner, "LAN.NT")
    assert again.exit_code == 1 and "already taken" in again.output
    bad_role = _create(runner, "x.y", "superuser")
    assert bad_role.exit_code == 2 and _user(db, "x.y") is None


def test_list_shows_username_role_state_and_name(runner, make_user, db):
    make_user("clerk", username="minh.pv", full_name="Phạm Văn Minh")
    hanh = make_user("inspector", username="hanh.vt", full_name="Vũ Thị Hạnh")
    hanh.active = False
    db.session.commit()
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0
    lines = {line.split()[0]: line.split() for line in result.output.splitlines()}
    assert lines["minh.pv"][1:3] == ["clerk", "active"] and "Phạm Văn Minh" in result.output
    assert lines["hanh.vt"][1:3] == ["inspector", "inactive"]


def test_deactivate_and_activate(app, runner, make_user, db):
    clerk = make_user("clerk", username="minh.pv")
    result = runner.invoke(args=["users", "deactivate", "minh.pv"])
    assert result.exit_code == 0 and "deactivated minh.pv" in result.output
    assert not _user(db, "minh.pv").active
    assert sign_in(app.test_client(), "minh.pv").status_code == 200
    result = runner.invoke(args=["users", "activate", "minh.pv"])
    assert result.exit_code == 0 and "activated minh.pv" in result.output
    assert _user(db, "minh.pv").active
    assert [e.action for e in events(db, entity_id=clerk.id) if e.action.startswith("user.")][-2:] == [
        "user.deactivate", "user.activate"]


def test_set_role_ends_sessions(app, runner, make_user, db):
    clerk = make_user("clerk", username="minh.pv")
    version = clerk.session_version
    result = runner.invoke(args=["users", "set-role", "minh.pv", "inspector"])
    assert result.exit_code == 0 and "minh.pv is now inspector" in result.output
    user = _user(db, "minh.pv")
    assert user.role == Role.INSPECTOR and user.session_version > version
    (event,) = events(db, "user.role_change", entity_id=clerk.id)
    assert event.changes == {"role": ["clerk", "inspector"]}


def test_reset_password(app, runner, make_user, db):
    make_user("clerk", username="minh.pv")
    result = runner.invoke(args=["users", "reset-password", "minh.pv", "--password", PASSPHRASE])
    assert result.exit_code == 0 and "password of minh.pv reset" in result.output
    assert sign_in(app.test_client(), "minh.pv", PASSPHRASE).status_code == 302
    weak = runner.invoke(args=["users", "reset-password", "minh.pv", "--password", "short"])
    assert weak.exit_code == 1 and "at least 12 characters" in weak.output


def test_unknown_username_fails_cleanly(runner):
    for args in (["deactivate", "nobody"], ["activate", "nobody"], ["set-role", "nobody", "clerk"],
                 ["reset-password", "nobody", "--password", PASSPHRASE]):
        result = runner.invoke(args=["users", *args])
        assert result.exit_code == 1 and "no user 'nobody'" in result.output, args


def test_the_last_administrator_cannot_be_removed_from_the_command_line(runner, make_user, db):
    make_user("admin", username="root.admin")
    for args in (["deactivate", "root.admin"], ["set-role", "root.admin", "clerk"]):
        result = runner.invoke(args=["users", *args])
        assert result.exit_code == 1
        assert "last active administrator" in result.output + str(result.exception)
    user = _user(db, "root.admin")
    assert user.active and user.role == Role.ADMIN
