"""Fixtures for the venue register tests."""
from __future__ import annotations

import flask_babel
import pytest

from tests.factories import current_ward, make_operator, make_venue


@pytest.fixture(autouse=True)
def english(app, client):
    """Messages in English (the msgids) whatever the catalogue holds: requests ask for English, and code run
    outside a request (services, queries) uses English too, as the default locale is Vietnamese."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with flask_babel.force_locale("en"):
        yield


@pytest.fixture
def clerk(login):
    """A signed-in clerk (may view, edit, import and export venues)."""
    return login("clerk")


@pytest.fixture
def operator(db):
    op = make_operator(name="Công ty TNHH Giải trí Hòa Sen", registration_number="0201234567")
    db.session.commit()
    return op


@pytest.fixture
def venue(db, operator):
    v = make_venue(operator, name="Karaoke Hòa Sen")
    db.session.commit()
    return v


def venue_form(operator, **overrides) -> dict:
    """A valid 'register a venue' submission (karaoke with two rooms)."""
    data = {
        "name": "Karaoke Hoa Sen Lê Chân", "kind": "karaoke", "operator_number": operator.registration_number,
        "house_number": "25", "street": "Tô Hiệu", "ward_id": str(current_ward().id), "latitude": "20.844912",
        "longitude": "106.688084", "phone": "0912 345 678", "capacity": "120", "opens_at": "08:00",
        "closes_at": "23:30", "status": "operating", "notes": "",
        "rooms-0-code": "VIP1", "rooms-0-area_m2": "24.5", "rooms-0-active": "y",
        "rooms-1-code": "VIP2", "rooms-1-area_m2": "30", "rooms-1-active": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
