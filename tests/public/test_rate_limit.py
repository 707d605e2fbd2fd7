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
