"""The production configuration refuses insecure settings and demo data (a ``check --deploy`` in tests)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from registry import create_app
from registry.config import ProductionConfig
from tests.auth.helpers import fresh_g_per_request

STRONG_KEY = "k7Q9vR2mX4pL8sT1wZ6yB3nH5jF0cD2gA9eU4iO7"


def production_app(database_uri, monkeypatch, **overrides):
    """An app built from ProductionConfig, as ``REGISTRY_ENV=production`` would, on this test's database."""
    monkeypatch.setenv("DATABASE_URL", database_uri)
    settings = {"SECRET_KEY": STRONG_KEY, "SQLALCHEMY_DATABASE_URI": database_uri, **overrides}
    app = create_app(type("ProductionUnderTest", (ProductionConfig,), settings))
    fresh_g_per_request(app)
    return app


def test_a_proper_production_configuration_starts(database_uri, monkeypatch):
    app = production_app(database_uri, monkeypatch)
    assert app.config["ENV_NAME"] == "production"
    assert not app.debug and not app.testing
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert app.config["DEMO_ALLOWED"] is False


@pytest.mark.parametrize("key", ["development-only-not-secret", "change-me", "", "short-but-random-9f3k"])
def test_refuses_a_default_or_short_secret_key(database_uri, monkeypatch, key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        production_app(database_uri, monkeypatch, SECRET_KEY=key)


def test_refuses_debug(database_uri, monkeypatch):
    with pytest.raises(RuntimeError, match="DEBUG"):
        production_app(database_uri, monkeypatch, DEBUG=True)


def test_refuses_to_start_without_a_database_url(database_uri, monkeypatch):
    production_app(database_uri, monkeypatch)  # sanity: starts with one
    monkeypatch.delenv("DATABASE_URL")
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app(type("NoDatabase", (ProductionConfig,), {"SECRET_KEY": STRONG_KEY}))


def test_registry_env_production_selects_the_checked_configuration(monkeypatch):
    from registry.config import config_from_env

    monkeypatch.setenv("REGISTRY_ENV", "production")
    assert config_from_env() is ProductionConfig
    monkeypatch.setenv("REGISTRY_ENV", "prod")
    with pytest.raises(RuntimeError, match="REGISTRY_ENV"):
        config_from_env()


def test_demo_data_is_refused_in_production(database_uri, monkeypatch):
    from registry.auth.models import User
    from registry.extensions import db

    app = production_app(database_uri, monkeypatch)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["setup"])
        assert result.exit_code == 1
        assert "refused" in result.output
        assert db.session.execute(select(func.count()).select_from(User)).scalar_one() == 0
        from registry.demo import DemoRefused, build_demo

        with pytest.raises(DemoRefused):
            build_demo()
