"""Unexpected errors: a generic page in the user's language with a reference, never a traceback."""
from __future__ import annotations

import pytest


@pytest.fixture
def broken_route(app):
    def explode():
        raise RuntimeError("database password is hunter2 at /srv/registry/secret.py line 42")

    explode.access = "public"
    app.add_url_rule("/_explode", "explode", explode)
    return "/_explode"


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_forced_exception_shows_the_generic_page_with_a_reference(client, broken_route, lang, caplog):
    response = client.get(broken_route, headers={"Accept-Language": lang, "X-Request-ID": "req-7f3a9c"})
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert "req-7f3a9c" in html
    for leak in ("Traceback", "RuntimeError", "hunter2", "secret.py", "line 42"):
        assert leak not in html
    if lang == "en":
        assert "Something went wrong on our side" in html
    # The details go to the log, under the same reference.
    assert any("req-7f3a9c" in r.getMessage() and r.exc_info for r in caplog.records)


def test_each_request_gets_its_own_reference(client, broken_route):
    import re

    refs = {re.search(r"<code>([^<]+)</code>", client.get(broken_route).get_data(as_text=True)).group(1)
            for _ in range(3)}
    assert len(refs) == 3


def test_a_json_client_gets_json_without_details(client, broken_route):
    response = client.get(broken_route, headers={"Accept": "application/json"})
    assert response.status_code == 500 and response.is_json
    body = response.get_json()
    assert body["status"] == 500 and body["request_id"]
    assert "hunter2" not in response.get_data(as_text=True)


def test_a_failed_request_leaves_the_database_usable(client, broken_route, login):
    client.get(broken_route)
    login("clerk")
    assert client.get("/").status_code == 200
