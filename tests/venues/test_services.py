"""Register services: what they write, what they refuse, and what they put on the audit trail."""
from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from registry.common.audit import AuditEvent, verify_chain
from registry.common.text import fold
from registry.db import today_local
from registry.reference.models import Sport
from registry.venues import services
from registry.venues.models import OperatorKind, QualificationType, Room, StaffRole, VenueKind, VenueStatus
from registry.venues.services import VenueError
from tests.factories import current_ward, make_operator, make_venue, unit


def events(db, action=None, **where):
    stmt = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    for key, value in where.items():
        stmt = stmt.where(getattr(AuditEvent, key) == value)
    return list(db.session.execute(stmt).scalars())


def operator_data(**kw):
    data = {"kind": OperatorKind.HOUSEHOLD, "name": "Hộ kinh doanh Karaoke Ánh Dương",
            "registration_number": "02A8012345", "registration_date": date(2021, 3, 1),
            "head_office": "12 Lạch Tray", "legal_rep_name": "Lê Thị Hoa", "phone": "0912 000 111"}
    data.update(kw)
    return data


def venue_data(operator, **kw):
    data = {"name": "Karaoke Ánh Dương", "kind": VenueKind.KARAOKE, "operator": operator, "house_number": "5",
            "street": "Văn Cao", "ward_id": current_ward().id, "capacity": 80, "opens_at": time(8),
            "closes_at": time(23, 30)}
    data.update(kw)
    return data


ROOMS = [{"code": f"VIP{i}", "area_m2": Decimal(20 + i), "active": True} for i in range(1, 7)]


def test_create_operator_records_every_given_field(db):
    op = services.create_operator(operator_data())
    assert op.name_key == "ho kinh doanh karaoke anh duong"
    assert "02a8012345" in op.search_text
    [event] = events(db, "operator.create")
    assert event.operator_id == op.id and event.entity_id == op.id
    assert event.changes["registration_number"] == [None, "02A8012345"]
    assert event.changes["kind"] == [None, "household"]
    assert "email" not in event.changes  # empty fields are not listed


def test_registration_numbers_are_unique(db):
    services.create_operator(operator_data())
    with pytest.raises(VenueError, match="02A8012345 is already used by Hộ kinh doanh"):
        services.create_operator(operator_data(name="Another"))


def test_update_operator_records_a_diff_and_refreshes_its_venues_search_keys(db):
    op = make_operator(name="Công ty Cũ")
    venue = make_venue(op)
    changes = services.update_operator(op, {"name": "Công ty Mới Hòa Bình", "phone": op.phone})
    assert changes == {"name": ["Công ty Cũ", "Công ty Mới Hòa Bình"]}
    assert "hoa binh" in venue.search_text
    [event] = events(db, "operator.update")
    assert event.changes == {"name": ["Công ty Cũ", "Công ty Mới Hòa Bình"]}


def test_update_operator_without_change_writes_nothing(db):
    op = make_operator()
    before = len(events(db))
    assert services.update_operator(op, {"name": op.name}) == {}
    assert len(events(db)) == before


def test_create_venue_with_rooms_derives_place_and_audits_once(db):
    op = make_operator()
    venue = services.create_venue(venue_data(op), ROOMS, by_user_id=None)
    assert venue.ref.startswith("CS-") and len(venue.ref) == 11
    assert venue.city == "Hải Phòng" and venue.district_id is None  # wards valid today have no district
    assert [r.code for r in venue.rooms] == [f"VIP{i}" for i in range(1, 7)]
    assert "anh duong" in venue.search_text and op.registration_number.lower() in venue.search_text
    [event] = events(db, "venue.create")
    assert event.venue_id == venue.id and event.operator_id == op.id
    assert event.changes["name"] == [None, "Karaoke Ánh Dương"]
    assert event.changes["rooms"][0] == ["VIP1", "21"]
    assert events(db, "room.add") == []  # the creation event lists the rooms


def test_create_venue_refuses_a_ward_that_no_longer_exists(db):
    op = make_operator()
    old_ward = unit("HP-W-HONGBANG-MINHKHAI")
    with pytest.raises(VenueError, match="no longer exists"):
        services.create_venue(venue_data(op, ward_id=old_ward.id))


def test_create_venue_refuses_rooms_for_a_sports_facility_and_a_closed_operator(db):
    op = make_operator()
    with pytest.raises(VenueError, match="Only karaoke and dance-hall"):
        services.create_venue(venue_data(op, kind=VenueKind.SPORTS), ROOMS)
    op.closed_on = date(2024, 1, 1)
    with pytest.raises(VenueError, match="closed"):
        services.create_venue(venue_data(op))


def test_a_venue_keeps_its_historic_ward_and_district(db):
    old_ward = unit("HP-W-HONGBANG-MINHKHAI")
    venue = make_venue(ward=old_ward)
    assert venue.district.name == "Quận Hồng Bàng"
    changes = services.update_venue(venue, {"ward_id": old_ward.id, "capacity": 90})
    assert changes == {"capacity": [120, 90]}
    assert venue.ward_id == old_ward.id and venue.district is not None
    other_old = unit("HP-W-HONGBANG-HOANGVANTHU")
    with pytest.raises(VenueError, match="no longer exists"):
        services.update_venue(venue, {"ward_id": other_old.id})


def test_moving_to_a_current_ward_drops_the_abolished_district(db):
    venue = make_venue(ward=unit("HP-W-HONGBANG-MINHKHAI"))
    ward = current_ward()
    changes = services.update_venue(venue, {"ward_id": ward.id})
    assert changes["ward_id"][1] == ward.id and changes["district_id"][1] is None
    assert fold(ward.name) in venue.search_text and "hong bang" not in venue.search_text


def test_update_venue_records_field_level_changes(db):
    venue = make_venue(name="Karaoke Cũ")
    changes = services.update_venue(venue, {"name": "Karaoke Mới", "closes_at": time(2, 0), "opens_at": time(20)})
    assert changes["name"] == ["Karaoke Cũ", "Karaoke Mới"]
    assert changes["closes_at"] == ["23:30:00", "02:00:00"]
    assert venue.name_key == "karaoke moi" and venue.closes_next_day
    [event] = events(db, "venue.update")
    assert event.changes == changes


def test_status_changes_go_through_close_and_reopen(db):
    venue = make_venue()
    with pytest.raises(VenueError, match="Close venue"):
        services.update_venue(venue, {"status": VenueStatus.CLOSED})
    services.close_venue(venue, today_local(), "Chủ cơ sở ngừng kinh doanh")
    assert venue.status == VenueStatus.CLOSED and venue.closed_reason == "Chủ cơ sở ngừng kinh doanh"
    with pytest.raises(VenueError, match="already closed"):
        services.close_venue(venue, today_local(), "again")
    with pytest.raises(VenueError, match="reopen"):
        services.update_venue(venue, {"status": VenueStatus.OPERATING})
    services.reopen_venue(venue)
    assert venue.status == VenueStatus.OPERATING and venue.closed_on is None
    assert [e.action for e in events(db, venue_id=venue.id)][-2:] == ["venue.close", "venue.reopen"]
    close_event = events(db, "venue.close")[0]
    assert close_event.changes["closed_reason"] == [None, "Chủ cơ sở ngừng kinh doanh"]


def test_closing_date_cannot_be_in_the_future(db):
    with pytest.raises(VenueError, match="future"):
        services.close_venue(make_venue(), today_local() + timedelta(days=1), "x")


def test_operator_closes_only_after_its_venues(db):
    op = make_operator()
    venue = make_venue(op)
    with pytest.raises(VenueError, match="still runs 1 venue"):
        services.close_operator(op, today_local(), "Giải thể")
    services.close_venue(venue, today_local(), "Giải thể")
    services.close_operator(op, today_local(), "Giải thể")
    assert op.closed_on == today_local()
    with pytest.raises(VenueError, match="Its operator is closed"):
        services.reopen_venue(venue)
    services.reopen_operator(op)
    assert op.closed_on is None


def current_rooms(db, venue):
    return {r.code: r for r in db.session.execute(
        select(Room).where(Room.venue_id == venue.id, Room.valid_to.is_(None))).scalars()}


def test_set_rooms_keeps_history_of_every_change(db):
    venue = make_venue()  # VIP1..VIP6, 20–35 m²
    rooms = current_rooms(db, venue)
    wanted = [{"id": r.id, "code": r.code, "area_m2": r.area_m2, "active": True} for r in rooms.values()
              if r.code not in ("VIP2", "VIP6")]
    wanted.append({"id": rooms["VIP2"].id, "code": "VIP2", "area_m2": Decimal("18.5"), "active": True})
    wanted.append({"id": None, "code": "VIP7", "area_m2": Decimal("40"), "active": True})
    version = venue.version_id
    result = services.set_rooms(venue, wanted, by_user_id=None)
    assert sorted(a for a, _c in result) == ["room.add", "room.remove", "room.update"]
    now = current_rooms(db, venue)
    assert sorted(now) == ["VIP1", "VIP2", "VIP3", "VIP4", "VIP5", "VIP7"]
    assert now["VIP2"].area_m2 == Decimal("18.50") and now["VIP2"].id != rooms["VIP2"].id
    history = db.session.execute(select(Room).where(Room.venue_id == venue.id, Room.code == "VIP2")
                                 .order_by(Room.valid_from, Room.id)).scalars().all()
    assert [h.area_m2 for h in history] == [Decimal("23.00"), Decimal("18.50")]
    assert history[0].valid_to == history[1].valid_from
    assert rooms["VIP6"].valid_to is not None  # removed, not deleted
    assert venue.version_id > version  # a concurrent rooms edit will be detected
    update = events(db, "room.update")[0]
    assert update.venue_id == venue.id and update.changes == {"room": "VIP2", "area_m2": ["23.00", "18.5"]}
    assert now["VIP2"].below_minimum and [r.code for r in venue.small_rooms] == ["VIP2"]


def test_set_rooms_can_swap_codes_and_ignores_unchanged_rooms(db):
    venue = make_venue(rooms=[20, 30])
    r = current_rooms(db, venue)
    assert services.set_rooms(venue, [{"id": r["VIP1"].id, "code": "VIP1", "area_m2": Decimal("20"),
                                       "active": True},
                                      {"id": r["VIP2"].id, "code": "VIP2", "area_m2": Decimal("30.00"),
                                       "active": True}]) == []
    services.set_rooms(venue, [{"id": r["VIP1"].id, "code": "VIP2", "area_m2": Decimal("20"), "active": True},
                               {"id": r["VIP2"].id, "code": "VIP1", "area_m2": Decimal("30"), "active": False}])
    now = current_rooms(db, venue)
    assert now["VIP2"].area_m2 == 20 and now["VIP1"].area_m2 == 30 and not now["VIP1"].active


@pytest.mark.parametrize("rooms, message", [
    ([{"code": "VIP1", "area_m2": Decimal(20)}, {"code": "vip1", "area_m2": Decimal(25)}], "used twice"),
    ([{"code": "VIP1", "area_m2": Decimal(0)}], "more than 0"),
    ([{"code": "VIP1", "area_m2": Decimal(10000)}], "less than 10,000"),
    ([{"code": "VIP1", "area_m2": Decimal("20.125")}], "less than 10,000|more than 0"),
    ([{"id": 999999, "code": "VIP1", "area_m2": Decimal(20)}], "no longer exists"),
])
def test_set_rooms_refuses_bad_rooms(db, rooms, message):
    with pytest.raises(VenueError, match=message):
        services.set_rooms(make_venue(rooms=[]), rooms)


def test_sports_and_staff_of_a_sports_facility(db):
    venue = make_venue(kind="sports")
    swim, climb = (db.session.execute(select(Sport).where(Sport.code == code)).scalar_one()
                   for code in ("swimming", "artificial_climbing"))
    changes = services.set_sports(venue, [{"sport_id": swim.id, "open_water": True},
                                          {"sport_id": climb.id, "sells_instruction": True}])
    assert sorted(changes["added"]) == ["artificial_climbing", "swimming"]
    changes = services.set_staff(venue, [{"full_name": "Phạm Văn Cường", "role": StaffRole.RESCUE,
                                          "qualification": QualificationType.RESCUE_CERTIFICATE,
                                          "document_number": "CN-123", "sport_id": swim.id}])
    assert changes == {"added": ["Phạm Văn Cường"]}
    person = venue.staff[0]
    changes = services.set_staff(venue, [{"id": person.id, "full_name": "Phạm Văn Cường", "role": StaffRole.RESCUE,
                                          "qualification": QualificationType.RESCUE_CERTIFICATE,
                                          "document_number": "CN-456", "sport_id": swim.id}])
    assert changes["changed"][0]["document_number"] == ["CN-123", "CN-456"]
    assert services.set_sports(venue, [{"sport_id": swim.id, "open_water": True}]) == {
        "removed": ["artificial_climbing"]}
    with pytest.raises(VenueError, match="does not offer"):
        services.set_staff(venue, [{"full_name": "X", "role": StaffRole.INSTRUCTOR,
                                    "qualification": QualificationType.SPORTS_DEGREE, "sport_id": climb.id}])


def test_sports_belong_to_sports_facilities_only(db):
    swim = db.session.execute(select(Sport).where(Sport.code == "swimming")).scalar_one()
    with pytest.raises(VenueError, match="Only sports facilities"):
        services.set_sports(make_venue(), [{"sport_id": swim.id}])


def test_the_audit_chain_still_verifies(db):
    venue = make_venue()
    services.update_venue(venue, {"name": "Karaoke X"})
    services.close_venue(venue, today_local(), "x")
    db.session.commit()
    assert verify_chain().ok


def test_rooms_as_they_were_at_a_moment(db):
    from registry.db import utcnow
    from registry.venues.queries import rooms_on

    venue = make_venue(rooms=[20, 30])
    before = utcnow()
    r = current_rooms(db, venue)
    services.set_rooms(venue, [{"id": r["VIP1"].id, "code": "VIP1", "area_m2": Decimal("25"), "active": True}])
    assert [(x.code, x.area_m2) for x in rooms_on(venue.id, before)] == [("VIP1", 20), ("VIP2", 30)]
    assert [(x.code, x.area_m2) for x in rooms_on(venue.id, utcnow())] == [("VIP1", 25)]
