"""The checklist is generated from the venue kind, the licence's conditions and the time of the visit."""
from __future__ import annotations

from datetime import time

import pytest

from registry.db import today_local
from registry.inspections.checklists import within_hours
from tests.factories import make_operator, make_venue
from tests.inspections.conftest import local, make_licence, started


def codes(inspection) -> list[str]:
    return [i.code for i in inspection.items]


def test_six_room_licence_yields_six_room_checks_with_licensed_areas(karaoke, inspector):
    inspection = started(karaoke, inspector)
    rooms = [i for i in inspection.items if i.section == "rooms"]
    assert [i.code for i in rooms] == ["room:VIP1", "room:VIP2", "room:VIP3", "room:VIP4", "room:VIP5", "room:VIP6"]
    assert "24.5 m²" in rooms[0].label_en and "minimum 20 m²" in rooms[0].label_en
    assert "24,5 m²" in rooms[0].label_vi  # Vietnamese decimal comma
    room_count = next(i for i in inspection.items if i.code == "room_count")
    assert "(6 rooms)" in room_count.label_en


def test_room_checks_follow_the_licence_not_the_register(household, inspector, db):
    """The venue now uses 7 rooms but its licence covers 4: four room checks, and the count check shows both."""
    venue = make_venue(household, rooms=["25"] * 7)
    make_licence(venue, rooms=[("A1", "25.00"), ("A2", "25.00"), ("A3", "25.00"), ("A4", "25.00")])
    db.session.commit()
    inspection = started(venue, inspector)
    assert [c for c in codes(inspection) if c.startswith("room:")] == ["room:A1", "room:A2", "room:A3", "room:A4"]
    count = next(i for i in inspection.items if i.code == "room_count")
    assert "(4 rooms)" in count.label_en and "7 rooms in use" in count.expected_en


def test_karaoke_items(karaoke, inspector):
    found = set(codes(inspection := started(karaoke, inspector)))
    assert {"licence_on_site", "room_count", "security_order_certificate", "fire_acceptance", "escape_routes",
            "no_inner_latch", "no_other_alarm", "hours", "screen_images", "songs_licensed", "staff_uniforms",
            "soundproofing"} <= found
    assert not found & {"under_18", "distance_200m", "first_aid"}
    licence_item = next(i for i in inspection.items if i.code == "licence_on_site")
    assert karaoke.operator.name in licence_item.expected_en and "6 rooms" in licence_item.expected_en
    hours = next(i for i in inspection.items if i.code == "hours")
    assert "08:00–24:00" in hours.label_en
    no_latch = next(i for i in inspection.items if i.code == "no_inner_latch")
    assert no_latch.violation_code == "inner_latch"


def test_dance_hall_items(inspector, db):
    venue = make_venue(make_operator(), kind="dance_hall", rooms=["120"], name="Vũ trường Sao Đêm")
    make_licence(venue)
    db.session.commit()
    found = set(codes(inspection := started(venue, inspector, kind="periodic")))
    assert {"under_18", "distance_200m", "performing_arts", "hours", "room:VIP1", "no_inner_latch"} <= found
    assert "screen_images" not in found
    assert "minimum 80 m²" in next(i for i in inspection.items if i.code == "room:VIP1").label_en
    assert next(i for i in inspection.items if i.code == "hours").violation_code == "dance_hall_hours"


def test_sports_items_follow_the_sports_offered(inspector, db):
    from sqlalchemy import select

    from registry.reference.models import Sport
    from registry.venues.models import VenueSport

    venue = make_venue(make_operator(), kind="sports", rooms=[], name="Trung tâm thể thao Phượng Vĩ")
    sports = {s.code: s for s in db.session.execute(select(Sport)).scalars()}
    swimming = next(s for code, s in sports.items() if s.water and not s.adventure)
    climbing = next(s for s in sports.values() if s.instructor_required and not s.water)
    db.session.add_all([VenueSport(venue_id=venue.id, sport_id=swimming.id, open_water=True),
                        VenueSport(venue_id=venue.id, sport_id=climbing.id)])
    db.session.flush()
    db.session.refresh(venue)
    make_licence(venue, rooms=[], sports=[{"code": swimming.code, "name_vi": swimming.name_vi,
                                           "name_en": swimming.name_en}])
    db.session.commit()
    found = set(codes(inspection := started(venue, inspector)))
    assert f"instructor:{climbing.code}" in found
    assert f"rescue:{swimming.code}" in found and f"rescue_boat:{swimming.code}" in found
    assert {"first_aid", "posted_rules", "changing_toilets", "sports_match", "licence_on_site"} <= found
    assert not any(c.startswith("room") for c in found) and "hours" not in found
    match = next(i for i in inspection.items if i.code == "sports_match")
    assert swimming.name_en in match.label_en and climbing.name_en in match.expected_en


def test_appraisal_checks_the_declared_rooms_without_licence_or_hours(household, inspector, db, make_user):
    from tests.licences.conftest import receive

    venue = make_venue(household, rooms=["22", "18"], name="Karaoke Mới")
    db.session.commit()
    application = receive(venue, make_user("clerk"))
    inspection = started(venue, inspector, kind="appraisal_visit", application=application)
    found = codes(inspection)
    assert "room:VIP1" in found and "room:VIP2" in found
    assert not {"licence_on_site", "room_count", "hours", "staff_uniforms"} & set(found)
    assert inspection.application_id == application.id
    assert "As declared in the application" in next(i for i in inspection.items if i.code == "room:VIP2").expected_en


def test_no_licence_on_record_is_stated(household, inspector, db):
    venue = make_venue(household, name="Karaoke Chưa Phép")
    db.session.commit()
    item = next(i for i in started(venue, inspector).items if i.code == "licence_on_site")
    assert item.expected_en == "No valid licence on record for this venue"
    assert item.violation_code == "trading_without_licence"


@pytest.mark.parametrize(("moment", "inside"), [
    (time(1, 30), True), (time(2, 30), False), (time(1, 59), True), (time(2, 0), False), (time(7, 59), False),
    (time(8, 0), True), (time(23, 59), True), (time(0, 0), True)])
def test_dance_hall_window_runs_past_midnight(moment, inside):
    assert within_hours(moment, time(8, 0), time(2, 0)) is inside


@pytest.mark.parametrize(("moment", "inside"), [
    (time(8, 0), True), (time(23, 59), True), (time(0, 0), False), (time(0, 30), False), (time(7, 0), False)])
def test_karaoke_window_ends_at_midnight(moment, inside):
    assert within_hours(moment, time(8, 0), time(0, 0)) is inside


def _dance_hall(db):
    venue = make_venue(make_operator(), kind="dance_hall", rooms=["150"], name="Vũ trường Nửa Đêm")
    make_licence(venue, hours=("08:00", "02:00"))
    db.session.commit()
    return venue


def test_visit_at_0130_local_is_inside_dance_hall_hours(inspector, db):
    """01:30 in Hải Phòng is 18:30 UTC the day before: the local time decides."""
    at = local(today_local(), 1, 30)
    assert at.hour == 18
    item = next(i for i in started(_dance_hall(db), inspector, at=at).items if i.code == "hours")
    assert item.result.value == "pass"
    assert "Visit at 01:30: inside" in item.expected_en
    assert "08:00–02:00" in item.label_en


def test_visit_at_0230_local_is_outside_dance_hall_hours(inspector, db):
    item = next(i for i in started(_dance_hall(db), inspector, at=local(today_local(), 2, 30)).items
                if i.code == "hours")
    assert item.result.value == "fail"
    assert "Visit at 02:30: outside the permitted hours" in item.expected_en


def test_licence_hours_narrower_than_the_law_also_count(karaoke, inspector, db):
    """A karaoke licensed 08:00–23:00 visited at 23:30: inside the decree's hours, outside the licence's."""
    from registry.inspections.services import current_licence

    licence = current_licence(karaoke.id)
    licence.status = "ceased"
    make_licence(karaoke, hours=("08:00", "23:00"))
    db.session.commit()
    item = next(i for i in started(karaoke, inspector, at=local(today_local(), 23, 30)).items if i.code == "hours")
    assert item.result.value == "fail" and "(licence: 08:00–23:00)" in item.expected_en


def test_editing_the_preset_does_not_rewrite_past_checklists(karaoke, inspector, db):
    from sqlalchemy import select

    from registry.inspections.models import ChecklistDefinition

    inspection = started(karaoke, inspector)
    definition = db.session.execute(select(ChecklistDefinition).where(ChecklistDefinition.code == "escape_routes")
                                    ).scalar_one()
    definition.label_en = "Changed wording"
    db.session.commit()
    assert next(i for i in inspection.items if i.code == "escape_routes").label_en.startswith("Two escape routes")
