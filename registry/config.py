"""Configuration classes, read from environment variables."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WEAK_SECRET_KEYS = {"", "dev", "change-me", "secret", "development-only-not-secret"}


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings shared by every environment; values come from the environment."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-not-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{PROJECT_ROOT / 'instance' / 'registry.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    DATA_DIR = os.environ.get("DATA_DIR", str(PROJECT_ROOT / "instance" / "data"))
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    PRESET = os.environ.get("PRESET", "haiphong")
    BACKUP_DIR = os.environ.get("BACKUP_DIR", str(PROJECT_ROOT / "instance" / "backups"))

    # Languages and time: stored in UTC, shown in the city's time zone.
    LANGUAGES = ("vi", "en")
    BABEL_DEFAULT_LOCALE = os.environ.get("BABEL_DEFAULT_LOCALE", "vi")
    BABEL_DEFAULT_TIMEZONE = os.environ.get("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh")
    BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "registry" / "translations")

    # Sessions and cookies.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # Inspectors fill long forms on site: the CSRF token lives as long as the session.
    WTF_CSRF_TIME_LIMIT = None

    # Uploads and requests.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 32 * 1024 * 1024))
    IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 32 * 1024 * 1024))
    INSPECTION_PHOTO_MAX_BYTES = int(os.environ.get("INSPECTION_PHOTO_MAX_BYTES", 8 * 1024 * 1024))
    INSPECTION_PHOTO_MAX_PIXELS = int(os.environ.get("INSPECTION_PHOTO_MAX_PIXELS", 40_000_000))
    INSPECTION_PHOTO_MAX_EDGE = int(os.environ.get("INSPECTION_PHOTO_MAX_EDGE", 2560))

    # Login throttling: per IP (Flask-Limiter) and per account (database counter).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "20 per 5 minutes")
    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", 5))
    LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", 15))
    # Public pages, per client address: QR verification (HTML and JSON share it), register search, open data.
    VERIFY_RATE_LIMIT = os.environ.get("VERIFY_RATE_LIMIT", "120 per minute")
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "120 per minute")
    OPEN_DATA_RATE_LIMIT = os.environ.get("OPEN_DATA_RATE_LIMIT", "30 per minute")
    PROXY_FIX_COUNT = int(os.environ.get("PROXY_FIX_COUNT", 0))

    # Password hashing (argon2id; OWASP minimum is 19 MiB, t=2, p=1).
    ARGON2_MEMORY_KIB = int(os.environ.get("ARGON2_MEMORY_KIB", 46 * 1024))
    ARGON2_TIME_COST = int(os.environ.get("ARGON2_TIME_COST", 2))
    ARGON2_PARALLELISM = int(os.environ.get("ARGON2_PARALLELISM", 1))

    # Mail (reminders, notices).
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 8025))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "registry@localhost")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", 30))
    REMINDER_CLAIM_LEASE_SECONDS = int(os.environ.get("REMINDER_CLAIM_LEASE_SECONDS", 600))
    REMINDER_MAX_ATTEMPTS = int(os.environ.get("REMINDER_MAX_ATTEMPTS", 3))
    OVERSIGHT_OVERDUE_DAYS = int(os.environ.get("OVERSIGHT_OVERDUE_DAYS", 365))
    OVERSIGHT_CHART_CACHE_SECONDS = int(os.environ.get("OVERSIGHT_CHART_CACHE_SECONDS", 900))

    BOOTSTRAP_SERVE_LOCAL = True
    DEMO_ALLOWED = True
    PAGE_SIZE = 50


class DevelopmentConfig(Config):
    """Local development: SQLite file under instance/, demo data allowed."""

    ENV_NAME = "development"


class TestConfig(Config):
    """Test runs: CSRF off unless a test turns it on, cheap password hashing."""

    ENV_NAME = "test"
    TESTING = True
    WTF_CSRF_ENABLED = False
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105 (tests only)
    ARGON2_MEMORY_KIB = 1024
    ARGON2_TIME_COST = 1
    # Tests read English unless they ask for Vietnamese (Accept-Language or the language switch).
    BABEL_DEFAULT_LOCALE = "en"
    RATELIMIT_ENABLED = True
    SERVER_NAME = None


class ProductionConfig(Config):
    """Production: secrets must come from the environment; no demo data."""

    ENV_NAME = "production"
    DEMO_ALLOWED = False
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def check(cls, config: dict) -> None:
        """Refuse to start with insecure settings.

        :raises RuntimeError: on a default or short SECRET_KEY, DEBUG on, or no DATABASE_URL.
        """
        key = config.get("SECRET_KEY") or ""
        if key in WEAK_SECRET_KEYS or len(key) < 32:
            raise RuntimeError("SECRET_KEY must be set to a random value of at least 32 characters.")
        if config.get("DEBUG"):
            raise RuntimeError("DEBUG must be off in production.")
        if not os.environ.get("DATABASE_URL"):
            raise RuntimeError("DATABASE_URL must be set in production.")


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """Pick the config class named by REGISTRY_ENV (development by default)."""
    name = os.environ.get("REGISTRY_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"REGISTRY_ENV must be one of {', '.join(CONFIGS)}, not {name!r}.")
    return CONFIGS[name]
