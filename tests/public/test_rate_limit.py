"""Public pages are rate-limited per client address (Flask-Limiter), with configurable limits."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from registry.documents.models import VerificationScan


@pytest.fixture
def app_config(app_config):
    app_config.update(VERIFY_RATE_LIMIT="3 per minute", OPEN_DATA_RATE_LIMIT="2 per minute",
                      REGISTER_RATE_LIMIT="2 per minute")
    return app_config


def test_verification_is_rate_limited(db, client, licence):
    path = f"/verify/{licence.verify_token}"
    assert [client.get(path).status_code for _ in range(3)] == [200, 200, 200]
    assert client.get(path).status_code == 429
    limited = client.get(path + ".json")  # HTML and JSON share the limit
    assert limited.status_code == 429 and limited.get_json()["status"] == 429
    assert "Retry-After" in limited.headers
    assert client.get(path, environ_base={"REMOTE_ADDR": "198.51.100.20"}).status_code == 200
    assert db.session.execute(select(func.count()).select_from(VerificationScan)).scalar_one() == 4


def test_open_data_and_register_are_rate_limited(db, client):
    assert [client.get("/open-data/venues.csv").status_code for _ in range(3)] == [200, 200, 429]
    assert [client.get("/register/").status_code for _ in range(3)] == [200, 200, 429]


def test_local_windows_count_per_client_and_reset_with_the_window():
    from limits import parse

    from registry.common.ratelimit import LocalWindows

    windows, item = LocalWindows(), parse("2 per minute")
    start = 1_800_000_000.0  # a multiple of 60: a window starts here
    assert windows.hit(item, "verify", "a", now=start) is None
    assert windows.hit(item, "verify", "a", now=start + 1) is None
    assert windows.hit(item, "verify", "a", now=start + 50) == 10  # seconds until the window ends
    assert windows.hit(item, "verify", "b", now=start + 50) is None  # another client has its own count
    assert windows.hit(item, "register", "a", now=start + 50) is None  # and another scope
    assert windows.hit(item, "verify", "a", now=start + 60) is None  # a new window


def test_local_windows_forget_finished_windows():
    from limits import parse

    from registry.common.ratelimit import LocalWindows

    windows, item = LocalWindows(), parse("1 per minute")
    for n in range(100):
        windows.hit(item, "verify", f"10.0.0.{n}", now=1_800_000_000.0)
    windows._swept_at -= LocalWindows.SWEEP_SECONDS + 1  # a minute has gone by
    windows.hit(item, "verify", "10.0.1.1", now=1_800_000_061.0)
    assert len(windows._counts) == 1


def test_with_rate_limiting_switched_off_the_app_starts_and_nothing_is_limited(database_uri, app_config, db):
    from registry import create_app
    from tests.conftest import make_config

    other = create_app(make_config(database_uri, **{**app_config, "RATELIMIT_ENABLED": False}))
    client = other.test_client()
    assert [client.get("/register/").status_code for _ in range(3)] == [200, 200, 200]
