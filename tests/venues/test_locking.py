"""Concurrent edits: the second writer is told (409), nothing is overwritten, and their input stays on the form."""
from __future__ import annotations

from sqlalchemy import func, select

from registry.common.audit import AuditEvent
from registry.venues import services
from tests.venues.test_views import edit_data, operator_form, rooms_data

CONFLICT = "Someone else changed this record after you opened it"


def audit_count(db) -> int:
    return db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


def someone_else_renames(db, venue, name="Karaoke Người Khác"):
    services.update_venue(venue, {"name": name})
    db.session.commit()


def test_stale_venue_form_is_refused_with_409_and_keeps_the_input(client, clerk, db, venue):
    stale = edit_data(venue, name="Karaoke Của Tôi", capacity="99")
    someone_else_renames(db, venue)
    before = audit_count(db)
    response = client.post(f"/venues/{venue.id}/edit", data=stale)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert CONFLICT in html
    assert 'value="Karaoke Của Tôi"' in html and 'value="99"' in html  # the user's input is kept
    assert "Karaoke Người Khác" in html  # and the saved value that differs is shown
    db.session.refresh(venue)
    assert venue.name == "Karaoke Người Khác" and venue.capacity == 120 and audit_count(db) == before
    # The re-rendered form carries the current version: saving again (after checking) goes through.
    resubmit = edit_data(venue, name="Karaoke Của Tôi", capacity="99")
    assert f'name="version_id" type="hidden" value="{venue.version_id}"' in html
    assert client.post(f"/venues/{venue.id}/edit", data=resubmit).status_code == 302


def test_a_form_without_version_is_refused(client, clerk, db, venue):
    data = edit_data(venue, name="X")
    data.pop("version_id")
    assert client.post(f"/venues/{venue.id}/edit", data=data).status_code == 409
    data["version_id"] = "not-a-number"
    assert client.post(f"/venues/{venue.id}/edit", data=data).status_code == 409
    db.session.refresh(venue)
    assert venue.name == "Karaoke Hòa Sen"


def test_stale_rooms_form_is_refused(client, clerk, db, venue):
    stale = rooms_data(venue, {"rooms-0-area_m2": "50"})
    someone_else_renames(db, venue)
    response = client.post(f"/venues/{venue.id}/rooms", data=stale)
    assert response.status_code == 409 and CONFLICT in response.get_data(as_text=True)
    assert 'value="50"' in response.get_data(as_text=True)
    db.session.refresh(venue)
    assert min(r.area_m2 for r in venue.rooms) == 20


def test_a_rooms_edit_makes_an_open_venue_form_stale(client, clerk, db, venue):
    stale = edit_data(venue, name="Karaoke Sau")
    assert client.post(f"/venues/{venue.id}/rooms", data=rooms_data(venue, {"rooms-0-area_m2": "21"})
                       ).status_code == 302
    assert client.post(f"/venues/{venue.id}/edit", data=stale).status_code == 409


def test_stale_close_and_reopen_are_refused(client, clerk, db, venue):
    version = venue.version_id
    someone_else_renames(db, venue)
    response = client.post(f"/venues/{venue.id}/close", data={"closed_on": "2025-01-01", "reason": "Lý do",
                                                               "version_id": version})
    assert response.status_code == 409 and "Lý do" in response.get_data(as_text=True)
    db.session.refresh(venue)
    assert not venue.is_closed
    assert client.post(f"/venues/{venue.id}/reopen", data={"version_id": version}).status_code == 409


def test_stale_operator_form_is_refused(client, clerk, db, operator):
    stale = operator_form(name=operator.name, registration_number=operator.registration_number,
                          head_office="Địa chỉ của tôi", version_id=operator.version_id)
    services.update_operator(operator, {"head_office": "Địa chỉ người khác"})
    db.session.commit()
    response = client.post(f"/operators/{operator.id}/edit", data=stale)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert CONFLICT in html and 'value="Địa chỉ của tôi"' in html and "Địa chỉ người khác" in html
    db.session.refresh(operator)
    assert operator.head_office == "Địa chỉ người khác"
