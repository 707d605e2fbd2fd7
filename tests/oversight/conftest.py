"""Fixtures of the oversight tests: the mail settings that point at the local SMTP server of ``tests/conftest.py``
(it receives the reminders), a frozen clock, and the record builders of ``helpers.py``."""
from __future__ import annotations

import sys
from datetime import UTC, datetime

import pytest


@pytest.fixture
def app_config(app_config, smtp_server):
    """Send mail to the test SMTP server; no caches (each test has its own database); English where no user or
    operator language applies (CLI output, pages without a language choice), so assertions read the msgids."""
    controller, _inbox = smtp_server
    app_config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_DEFAULT_SENDER="registry@test.local",
                      OVERSIGHT_CHART_CACHE_SECONDS=0, OVERSIGHT_CHOICES_CACHE_SECONDS=0, BABEL_DEFAULT_LOCALE="en")
    return app_config


@pytest.fixture
def freeze_utc(monkeypatch):
    """``freeze_utc(datetime(…, tzinfo=UTC))``: the clock of ``registry.db`` (``today_local``) reads that instant."""

    def freeze(instant: datetime):
        class Frozen(datetime):
            @classmethod
            def now(cls, tz=None):
                return instant.astimezone(tz) if tz else instant.astimezone(UTC).replace(tzinfo=None)

        # ``registry.db`` the module (the package's ``db`` attribute is the SQLAlchemy handle)
        monkeypatch.setattr(sys.modules["registry.db"], "datetime", Frozen)

    return freeze


@pytest.fixture
def staff(make_user):
    """A clerk and an inspector to prepare applications and lead visits."""
    return {"clerk": make_user("clerk", full_name="Phạm Văn Minh"),
            "inspector": make_user("inspector", full_name="Lê Hoàng Nam")}
