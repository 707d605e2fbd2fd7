"""Password policy (length, common passwords, long Vietnamese passphrases) and argon2id storage with upgrade."""
from __future__ import annotations

import unicodedata

import pytest
from argon2 import PasswordHasher, extract_parameters
from argon2.low_level import Type

from registry.auth import passwords, services
from tests.auth.helpers import sign_in

PASSPHRASE = ("Chiều nay trời Hải Phòng mưa phùn, tôi đi dọc đường Lạch Tray nghe tiếng còi tàu "
              "và nhớ mùa hoa phượng đỏ")


def _problems(password, username=None):
    return passwords.policy_problems(password, username=username)


def test_fewer_than_12_characters_are_refused(app):
    assert any("at least 12" in p for p in _problems("Hải Phòng 1"))
    assert _problems("twelve chars") == []


@pytest.mark.parametrize("password", [
    "password1234", "Password2026!", "123456789012", "qwertyuiop123", "matkhau123456", "anhyeuem2025",
    "@123matkhau123", "abcabcabcabc", "aaaaaaaaaaaaaaaa", "Registry2026!!", "haiphong12345", "1q2w3e4r5t6y",
])
def test_listed_and_predictable_passwords_are_refused(app, password):
    assert any("too common" in p for p in _problems(password)), password


def test_the_common_list_is_offline_and_substantial(app):
    words = passwords.common_passwords()
    assert len(words) >= 1500
    assert {"matkhau", "anhyeuem", "password", "haiphong"} <= words


def test_a_long_vietnamese_passphrase_is_accepted_and_matches_however_it_was_typed(app, make_user, db):
    assert len(PASSPHRASE) >= 64
    assert _problems(PASSPHRASE) == []
    decomposed = unicodedata.normalize("NFD", PASSPHRASE)  # e.g. typed with a combining-accent keyboard
    assert decomposed != PASSPHRASE
    user = make_user("clerk", password=decomposed)
    assert sign_in(app.test_client(), user.username, unicodedata.normalize("NFC", PASSPHRASE)).status_code == 302
    assert sign_in(app.test_client(), user.username, decomposed).status_code == 302


def test_a_passphrase_of_common_words_with_spaces_is_accepted(app):
    assert _problems("correct horse battery staple") == []


def test_the_password_may_not_contain_the_username(app):
    assert any("username" in p for p in _problems("i am lan.nt at work", username="lan.nt"))


def test_very_long_passwords_are_bounded(app):
    assert any("at most" in p for p in _problems("x" * 1000 + "unique tail"))


def test_hashes_are_argon2id_with_the_configured_parameters(app, make_user):
    user = make_user("clerk")
    cfg = app.config
    assert user.password_hash.startswith("$argon2id$v=19$")
    stored = extract_parameters(user.password_hash)
    assert stored.type is Type.ID
    assert (stored.memory_cost, stored.time_cost, stored.parallelism) == (
        cfg["ARGON2_MEMORY_KIB"], cfg["ARGON2_TIME_COST"], cfg["ARGON2_PARALLELISM"])


def test_production_defaults_meet_the_owasp_minimum():
    from registry.config import ProductionConfig

    assert ProductionConfig.ARGON2_MEMORY_KIB >= 19 * 1024
    assert ProductionConfig.ARGON2_TIME_COST >= 2
    assert ProductionConfig.ARGON2_PARALLELISM >= 1


def test_a_weaker_hash_is_upgraded_at_the_next_successful_sign_in(app, make_user, db):
    from tests.conftest import PASSWORD

    user = make_user("clerk")
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    user.password_hash = weak
    db.session.commit()

    assert sign_in(app.test_client(), user.username, "wrong password guess").status_code == 200
    db.session.refresh(user)
    assert user.password_hash == weak  # a failed attempt does not touch it

    assert sign_in(app.test_client(), user.username).status_code == 302
    db.session.refresh(user)
    assert user.password_hash != weak and not passwords.needs_rehash(user.password_hash)
    assert passwords.verify_password(user.password_hash, PASSWORD)


def test_passwords_are_checked_by_the_services_too(app, make_user):
    user = make_user("clerk")
    with pytest.raises(services.AccountError, match="too common"):
        services.set_password(user, "password1234")
    with pytest.raises(services.AccountError, match="at least 12"):
        services.create_user(username="x.y", full_name="X Y", role="clerk", password="short")


def test_the_change_password_form_applies_the_policy(app, make_user):
    from tests.conftest import PASSWORD

    user = make_user("clerk")
    client = app.test_client()
    sign_in(client, user.username)
    response = client.post("/auth/password", headers={"Accept-Language": "en"},
                           data={"current_password": PASSWORD, "new_password": "matkhau2026!",
                                 "confirm": "matkhau2026!"})
    assert response.status_code == 200
    assert "too common" in response.get_data(as_text=True)
