"""The dashboard filters licences, documents and suspensions on their own copy of the venue's district, ward, kind
and closure (kept by database triggers, migration 0007). These tests move, re-kind and close venues the way any path
would (an UPDATE of the venue) and check that the counts and lists follow at once."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text

from registry.db import today_local
from registry.extensions import db as database
from registry.licences.models import Licence, PrerequisiteDocument, Sanction
from registry.oversight.queries import bucket_counts, iter_due, window_query
from registry.oversight.sources import DueFilters, DueQuery
from registry.reference.models import AdminUnit
from registry.venues.models import VenueKind, VenueStatus
from tests.factories import make_venue, unit
from tests.oversight import helpers

KINDS = ["licence_expiry", "document_expiry", "suspension_end"]


def _wards(district_code: str) -> list:
    district = unit(district_code)
    return list(database.session.execute(select(AdminUnit).where(AdminUnit.parent_id == district.id)
                                         .order_by(AdminUnit.code)).scalars())


def _due(today, **filters) -> set[tuple[str, int]]:
    q = window_query(DueQuery(today=today, filters=DueFilters(**filters)), "due90")
    return {(i.kind, i.item_id) for i in iter_due(q, KINDS)}


def _counted(today, **filters) -> dict[str, int]:
    """Items due within 90 days per source, as the dashboard counts them."""
    return {c.kind: c.within[90] for c in bucket_counts(DueQuery(today=today, filters=DueFilters(**filters)), KINDS)}


def _records(venue, today):
    licence = helpers.make_licence(venue, type_code="HP-EVENT", expires_on=today + timedelta(days=20))
    document = helpers.make_document(venue, expires_on=today + timedelta(days=25))
    suspension = helpers.make_suspension(helpers.make_licence(venue), ends_on=today + timedelta(days=10))
    return licence, document, suspension


def _copies(model, record_id) -> tuple:
    return database.session.execute(select(model.venue_district_id, model.venue_ward_id, model.venue_kind)
                                .where(model.id == record_id)).one()


def test_new_records_carry_their_venues_place_and_kind(db):
    today = today_local()
    ward = _wards("HP-D-LECHAN")[0]
    venue = make_venue(ward=ward, district_id=ward.parent_id, kind="dance_hall")
    licence, document, suspension = _records(venue, today)
    expected = (ward.parent_id, ward.id, "dance_hall")
    assert _copies(Licence, licence.id) == expected
    assert _copies(PrerequisiteDocument, document.id) == expected
    assert _copies(Sanction, suspension.id) == expected


def test_a_venue_that_moves_takes_its_records_to_the_new_districts_dashboard(db):
    today = today_local()
    le_chan, ngo_quyen = _wards("HP-D-LECHAN")[0], _wards("HP-D-NGOQUYEN")[0]
    venue = make_venue(ward=le_chan, district_id=le_chan.parent_id)
    licence, document, suspension = _records(venue, today)
    mine = {("licence_expiry", licence.id), ("document_expiry", document.id), ("suspension_end", suspension.id)}
    before_elsewhere = _counted(today, district_id=ngo_quyen.parent_id)
    assert _due(today, district_id=le_chan.parent_id) >= mine
    assert _due(today, ward_id=le_chan.id) >= mine

    # an address correction: the venue's ward and district change (the edit form and the import do this UPDATE)
    venue.ward_id, venue.district_id = ngo_quyen.id, ngo_quyen.parent_id
    db.session.flush()

    assert not _due(today, district_id=le_chan.parent_id) & mine
    assert not _due(today, ward_id=le_chan.id) & mine
    assert _due(today, district_id=ngo_quyen.parent_id) >= mine
    assert _due(today, ward_id=ngo_quyen.id) >= mine
    after_elsewhere = _counted(today, district_id=ngo_quyen.parent_id)
    assert {k: after_elsewhere[k] - before_elsewhere[k] for k in KINDS} == dict.fromkeys(KINDS, 1)


def test_a_venue_that_changes_kind_is_counted_under_its_new_kind(db):
    today = today_local()
    venue = make_venue(kind="karaoke")
    licence, _document, _suspension = _records(venue, today)
    assert ("licence_expiry", licence.id) in _due(today, venue_kind="karaoke")
    venue.kind = VenueKind.DANCE_HALL
    db.session.flush()
    assert ("licence_expiry", licence.id) not in _due(today, venue_kind="karaoke")
    assert ("licence_expiry", licence.id) in _due(today, venue_kind="dance_hall")


def test_documents_of_a_closed_venue_leave_the_dashboard_and_return_when_it_reopens(db):
    today = today_local()
    venue = make_venue()
    document = helpers.make_document(venue, expires_on=today + timedelta(days=25))
    before = _counted(today)["document_expiry"]
    assert ("document_expiry", document.id) in _due(today)

    venue.status = VenueStatus.CLOSED
    db.session.flush()
    assert ("document_expiry", document.id) not in _due(today)
    assert _counted(today)["document_expiry"] == before - 1

    venue.status = VenueStatus.OPERATING
    db.session.flush()
    assert ("document_expiry", document.id) in _due(today)
    assert _counted(today)["document_expiry"] == before


def test_the_copies_follow_a_raw_update_too(db):
    """No application path is needed: the database itself keeps the copies (a script, a console fix)."""
    today = today_local()
    le_chan, ngo_quyen = _wards("HP-D-LECHAN")[0], _wards("HP-D-NGOQUYEN")[0]
    venue = make_venue(ward=le_chan, district_id=le_chan.parent_id)
    licence, document, suspension = _records(venue, today)
    db.session.execute(text("UPDATE venues SET ward_id = :w, district_id = :d WHERE id = :v"),
                       {"w": ngo_quyen.id, "d": ngo_quyen.parent_id, "v": venue.id})
    expected = (ngo_quyen.parent_id, ngo_quyen.id, "karaoke")
    assert _copies(Licence, licence.id) == expected
    assert _copies(PrerequisiteDocument, document.id) == expected
    assert _copies(Sanction, suspension.id) == expected
