"""Fixtures of the oversight tests: a real local SMTP server (aiosmtpd) receiving the reminders, a frozen clock,
and the record builders of ``helpers.py``."""
from __future__ import annotations

import sys
import threading
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest

from tests.conftest import free_port


class Inbox:
    """Messages the local SMTP server accepted, parsed."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "message": message})
        return "250 Message accepted for delivery"

    def clear(self):
        with self.lock:
            self.messages.clear()

    def to(self, address: str) -> list:
        return [m["message"] for m in self.messages if address in m["to"]]

    @staticmethod
    def text(message) -> str:
        """The plain-text part, with the CRLF line ends of the SMTP transport turned back into LF."""
        return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on 127.0.0.1 and a free port, for the whole run."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def app_config(app_config, smtp_server):
    """Send mail to the test SMTP server; no caches (each test has its own database); English where no user or
    operator language applies (CLI output, pages without a language choice), so assertions read the msgids."""
    controller, _inbox = smtp_server
    app_config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_DEFAULT_SENDER="registry@test.local",
                      OVERSIGHT_CHART_CACHE_SECONDS=0, OVERSIGHT_CHOICES_CACHE_SECONDS=0, BABEL_DEFAULT_LOCALE="en")
    return app_config


@pytest.fixture
def inbox(smtp_server):
    """The messages received during this test."""
    _controller, box = smtp_server
    box.clear()
    yield box
    box.clear()


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
