"""Timeline entries read like sentences: labels, names instead of ids, local formats; other features' events too."""
from __future__ import annotations

from decimal import Decimal

from registry.common import audit
from registry.venues import services
from registry.venues.queries import timeline
from registry.venues.timeline import describe, register_field_labels
from tests.factories import current_ward, make_operator, make_venue, unit


def lines(entry) -> dict[str, tuple]:
    return {c.label: (c.old, c.new) for c in entry.changes}


def test_ids_and_codes_are_shown_by_name(app, db):
    venue = make_venue(ward=unit("HP-W-HONGBANG-MINHKHAI"))
    other = make_operator(name="Công ty Mới")
    services.update_venue(venue, {"ward_id": current_ward().id, "operator": other, "status": "temporarily_closed"})
    with app.test_request_context(headers={"Accept-Language": "en"}):
        [entry] = describe(timeline(venue_id=venue.id)[0])
        got = lines(entry)
    assert entry.title == "Venue details changed"
    assert got["Ward or commune"] == ("Phường Minh Khai", current_ward().name)
    assert got["District"] == ("Quận Hồng Bàng", None)
    assert got["Operator"][1] == "Công ty Mới"
    assert got["Status"] == ("Operating", "Temporarily closed")
    assert [c.label for c in entry.changes][:1] == ["Status"]  # what the event is about comes first


def test_room_changes_read_naturally(app, db):
    venue = make_venue(rooms=[20])
    room = venue.rooms[0]
    services.set_rooms(venue, [{"id": room.id, "code": "VIP1", "area_m2": Decimal("24.5"), "active": False}])
    with app.test_request_context(headers={"Accept-Language": "en"}):
        [entry] = describe(timeline(venue_id=venue.id)[0])
        got = lines(entry)
    assert [c.label for c in entry.changes][0] == "Room"
    assert got["Room"] == (None, "VIP1") and got["Area"] == ("20 m²", "24.5 m²") and got["In use"] == ("Yes", "No")


def test_events_of_other_features_show_with_their_own_labels(app, db):
    venue = make_venue()
    register_field_labels({"licence_number": "Licence number"})
    audit.record("example.checked", changes={"licence_number": [None, "12/GP-SVHTT"], "extra": {"a": 1}},
                 venue_id=venue.id)
    with app.test_request_context():
        [entry] = describe(timeline(venue_id=venue.id)[0])
    got = lines(entry)
    assert entry.title == "example.checked"  # no label registered: the action itself
    assert got["Licence number"] == (None, "12/GP-SVHTT") and got["extra"] == (None, "{'a': 1}")


def test_timeline_pages_backwards(app, db):
    venue = make_venue()
    for i in range(60):
        services.update_venue(venue, {"capacity": i})
    first, older = timeline(venue_id=venue.id)
    assert len(first) == 50 and older == first[-1].id
    rest, none = timeline(venue_id=venue.id, before=older)
    assert len(rest) == 10 and none is None and rest[0].id < first[-1].id
