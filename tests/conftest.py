"""Test fixtures: a migrated database per test (SQLite by default, PostgreSQL when DATABASE_URL points to one).

The schema is built once per run with the real migrations and the Hải Phòng preset is loaded into that template;
each test then gets its own copy (a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL), so tests
are isolated even when they start other processes or threads (live server, concurrent writers).
"""
from __future__ import annotations

import itertools
import os
import shutil
import socket
import threading
import uuid
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from flask import g, request_started
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from registry import create_app
from registry.config import TestConfig
from registry.extensions import db as _db

PG_URL = os.environ.get("DATABASE_URL", "")
USE_PG = PG_URL.startswith("postgresql")
_counter = itertools.count()


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _build_schema(uri: str) -> None:
    """Run the migrations and load the preset into ``uri``."""
    from flask_migrate import upgrade

    from registry.presets.loader import load_preset

    app = create_app(type("BuildConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": uri}))
    with app.app_context():
        upgrade()
        load_preset("haiphong")
        _db.session.commit()
        _db.engine.dispose()


def _pg_admin_engine():
    url = make_url(PG_URL).set(database="postgres")
    return create_engine(url, isolation_level="AUTOCOMMIT", poolclass=None)


def drop_pg_database(admin, name: str) -> None:
    """Drop a test database. ``WITH (FORCE)`` may not terminate a backend of another role (an autovacuum worker,
    say) when the test role is not a superuser; such a backend goes away by itself, so try again briefly."""
    import time

    from sqlalchemy.exc import DBAPIError

    for attempt in range(20):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError:
            if attempt == 19:
                raise
            time.sleep(0.25)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    """Name (PostgreSQL) or path (SQLite) of the migrated, preset-loaded template database."""
    if USE_PG:
        name = f"registry_tpl_{_worker()}_{uuid.uuid4().hex[:6]}"
        admin = _pg_admin_engine()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        _build_schema(make_url(PG_URL).set(database=name).render_as_string(hide_password=False))
        yield name
        drop_pg_database(admin, name)
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        _build_schema(f"sqlite:///{path}")
        yield path


@pytest.fixture
def database_uri(template_db, tmp_path):
    """A fresh copy of the template database for one test."""
    if USE_PG:
        name = f"registry_t_{_worker()}_{next(_counter)}_{uuid.uuid4().hex[:4]}"
        admin = _pg_admin_engine()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"'))
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        drop_pg_database(admin, name)
        admin.dispose()
    else:
        path = tmp_path / "test.db"
        shutil.copyfile(template_db, path)
        yield f"sqlite:///{path}"


def make_config(uri: str, **overrides):
    """A TestConfig subclass pointing at ``uri``."""
    return type("TestRunConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": uri,
                                                 "DATA_DIR": overrides.pop("DATA_DIR", None), **overrides})


@pytest.fixture
def app_config(database_uri, tmp_path):
    """Overrides a test can extend before ``app`` is built (e.g. ``app_config['WTF_CSRF_ENABLED'] = True``)."""
    return {"DATA_DIR": str(tmp_path / "data")}


def _fresh_g(sender, **extra):
    g.__dict__.clear()


@pytest.fixture
def app(database_uri, app_config):
    """The application bound to this test's database, inside an app context."""
    application = create_app(make_config(database_uri, **dict(app_config)))
    # the test client reuses this app context; a real server gives each request a fresh g
    request_started.connect(_fresh_g, application)
    with application.app_context():
        yield application
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    """The Flask-SQLAlchemy handle (session bound to this test's database)."""
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_user(db):
    """Create a user with a role: ``make_user("clerk")``."""
    from registry.auth import services

    def factory(role: str, username: str | None = None, password: str = PASSWORD, **kw):
        user = services.create_user(username=username or f"{role}{next(_counter)}", full_name=kw.pop(
            "full_name", f"Test {role.title()}"), role=role, password=password, **kw)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def login(client, make_user):
    """Sign in as a new user of ``role`` through the real form; returns the user."""

    def do_login(role: str, **kw):
        user = make_user(role, **kw)
        response = client.post("/auth/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.data[:500]
        return user

    return do_login


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(app):
    """The app served over HTTP on a free local port (threaded), for browser journeys."""
    from werkzeug.serving import make_server

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{port}"
    yield server
    server.shutdown()
    thread.join(timeout=5)


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test` (it installs Debian's chromium).")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"])
        yield instance
        instance.close()


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture
def page_factory(browser, live_server):
    """Open a browser page on the live server: ``page_factory(width=375, lang="vi")``.

    Fails the test on any console error (CSP violations included).
    """
    contexts = []
    errors: list[str] = []

    def factory(width: int = 1280, height: int = 900, lang: str = "en"):
        # reduced motion: Bootstrap then opens panels and menus without a transition, so a step never acts on an
        # element that is still sliding into place (an audit filter click was lost that way under CI load)
        context = browser.new_context(viewport={"width": width, "height": height}, locale=lang,
                                      extra_http_headers={"Accept-Language": lang}, accept_downloads=True,
                                      reduced_motion="reduce")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.base = live_server.url
        return page

    yield factory
    for context in contexts:
        context.close()
    assert not errors, f"browser console errors: {errors}"


def screenshot(page, name: str) -> Path:
    """Save a screenshot under test-artifacts/ (looked at by humans; not compared)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def browser_login(page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real form."""
    page.goto(page.base + "/")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]:has-text('Sign in'), button[type=submit]:has-text('Đăng nhập')")
    page.wait_for_load_state()


# --------------------------------------------------------------------------- a real local SMTP server
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
def inbox(smtp_server):
    """The messages received during this test."""
    _controller, box = smtp_server
    box.clear()
    yield box
    box.clear()
