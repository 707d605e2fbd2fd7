"""The JSON autosave endpoint is protected like every form: without the CSRF header it is refused."""
from __future__ import annotations

import re

import pytest

from tests.inspections.conftest import started


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def test_autosave_needs_the_csrf_header(karaoke, inspector, client, db):
    from tests.conftest import PASSWORD

    inspection = started(karaoke, inspector)
    login_page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/auth/login", data={"username": inspector.username, "password": PASSWORD, "csrf_token": token})
    page = client.get(f"/inspections/{inspection.id}/visit").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    url = f"/inspections/{inspection.id}/autosave"
    body = {"version": inspection.version_id, "fields": {"customers_count": "9"}}
    refused = client.post(url, json=body, headers={"Accept": "application/json"})
    assert refused.status_code == 400 and refused.is_json
    assert client.post(url, json=body, headers={"X-CSRFToken": token}).status_code == 200
