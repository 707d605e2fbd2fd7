"""Bad input never gives a 500: junk query strings, NUL bytes, huge strings, wrong JSON shapes."""
from __future__ import annotations

import pytest

from tests.inspections.conftest import started

JUNK_GETS = [
    "/inspections/?after=%00%ff", "/inspections/?after=" + "A" * 500, "/inspections/?lead=99999999999999999",
    "/inspections/?status=%00&kind=nope&q=" + "x" * 5000, "/inspections/?q=%00", "/inspections/queue?limit=abc",
    "/inspections/queue?limit=-5&kind=%00", "/inspections/new?venue_id=abc", "/inspections/new?venue_id=99999999",
    "/inspections/new?q=%00", "/inspections/new?venue_id=1&complaint_id=99999999999",
    "/inspections/complaints?status=x",
    "/inspections/complaints/new?venue_id=-1", "/inspections/999999", "/inspections/999999/minutes.pdf",
    "/inspections/999999/photos/1",
]


@pytest.mark.parametrize("path", JUNK_GETS)
def test_junk_query_strings(client, sign_in, manager, karaoke, path):
    sign_in(manager)
    assert client.get(path).status_code in (200, 400, 404)


@pytest.mark.parametrize("body", [
    [], {"version": 1}, {"version": 1, "fields": []}, {"version": 1.5, "fields": {}},
    {"version": True, "fields": {"customers_count": "1"}}, {"version": 1, "fields": {"x" * 100: "y"}},
    {"version": 1, "fields": {f"item-{n}-note": "z" for n in range(3000)}},
    {"version": 1, "fields": {"customers_count": {"nested": 1}}}, {"version": 1, "fields": {"item-1-result": None}},
])
def test_junk_autosave_payloads(client, sign_in, inspector, karaoke, body):
    inspection = started(karaoke, inspector)
    sign_in(inspector)
    response = client.post(f"/inspections/{inspection.id}/autosave", json=body)
    assert response.status_code in (200, 400, 409, 422) and response.is_json


@pytest.mark.parametrize("value", ["\x00", "a" * 10_000, "-1", "31/02/2026", "𝔘" * 3])
def test_junk_complaint_form(client, sign_in, manager, karaoke, value):
    sign_in(manager)
    for field in ("received_on", "source", "complainant", "summary"):
        data = {"venue_id": karaoke.id, "received_on": "2026-01-05", "source": "public", "summary": "Ồn", field: value}
        assert client.post("/inspections/complaints/new", data=data).status_code in (302, 400), field


def test_junk_close_and_amend_forms(client, sign_in, inspector, karaoke):
    inspection = started(karaoke, inspector)
    sign_in(inspector)
    for data in ({"outcome": "\x00"}, {"outcome": "exploded"}, {"outcome": "no_access", "next_date": "99/99/9999"},
                 {"outcome": "venue_closed", "next_date": "2026-12-01", "attempt_note": "n" * 10_000},
                 {"version_id": "abc", "outcome": "compliant"}):
        assert client.post(f"/inspections/{inspection.id}/close", data=data).status_code in (400, 409)
