"""Password hashing (argon2id) and the password policy."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 256
_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(time_cost=cfg["ARGON2_TIME_COST"], memory_cost=cfg["ARGON2_MEMORY_KIB"],
                          parallelism=cfg["ARGON2_PARALLELISM"])


def normalise(password: str) -> str:
    """NFKC-normalise so the same Vietnamese passphrase typed on two keyboards matches."""
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    """Return an argon2id hash of ``password``."""
    return _hasher().hash(normalise(password))


def verify_password(stored_hash: str, password: str) -> bool:
    """True if ``password`` matches ``stored_hash``."""
    try:
        return _hasher().verify(stored_hash, normalise(password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True if the hash was made with weaker parameters than configured now."""
    try:
        return _hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def dummy_verify() -> None:
    """Spend the same time as a real check, so unknown usernames are not revealed by timing."""
    verify_password(_dummy_hash(), "not-the-password")


@lru_cache(maxsize=4)
def _dummy_hash_for(params: tuple) -> str:
    return PasswordHasher(*params).hash("dummy-password-for-timing")


def _dummy_hash() -> str:
    cfg = current_app.config
    return _dummy_hash_for((cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_KIB"], cfg["ARGON2_PARALLELISM"]))


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The offline list of common passwords and predictable words (lower-cased)."""
    words = _COMMON_FILE.read_text(encoding="utf-8").split()
    return frozenset(w.strip().lower() for w in words if w.strip())


#: What people append to a word to "strengthen" it: digits, years, ``!``, ``@123``, ``.``, ``#``.
_SUFFIX = re.compile(r"[\d!@#$%^&*.?_-]+$")
_PREFIX = re.compile(r"^[\d!@#$%^&*.?_-]+")
_REPEATED = re.compile(r"^(.{1,4})\1+$", re.DOTALL)


def is_common(password: str) -> bool:
    """True for a listed password, a listed word with digits or symbols around it, or a short unit repeated.

    ``Password2026!``, ``@123matkhau123``, ``123456789012`` and ``abcabcabcabc`` are all refused; spaces are kept,
    so a passphrase of listed words is still accepted.
    """
    lowered = password.lower()
    common = common_passwords()
    if lowered in common or len(set(lowered)) <= 2 or _REPEATED.match(lowered):
        return True
    core = _PREFIX.sub("", _SUFFIX.sub("", lowered))
    return core == "" or core in common or bool(_REPEATED.match(core))


def policy_problems(password: str, *, username: str | None = None) -> list[str]:
    """Reasons ``password`` is refused (empty list when acceptable). No composition rules (ASVS 6.2.5)."""
    password = normalise(password or "")
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        problems.append(_("Use at most %(n)d characters.", n=MAX_LENGTH))
    if password and is_common(password):
        problems.append(_("This password is too common. Choose a less predictable one, e.g. a phrase."))
    if username and username.lower() in password.lower():
        problems.append(_("The password must not contain the username."))
    return problems
