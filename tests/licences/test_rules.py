"""Eligibility rules from the preset, with passing, failing and borderline data."""
from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from registry.db import today_local
from registry.extensions import db
from registry.licences import dossier, rules, services
from registry.licences.models import ProtectedSite, ProtectedSiteKind
from registry.licences.rules import Outcome, hours_inside, parse_clock
from tests.factories import make_venue
from tests.licences.conftest import add_documents, licence_type, receive


def result(application, kind, nth=0):
    found = [r for r in dossier.verdict(application).results if r.kind == kind]
    return found[nth]


# ------------------------------------------------------------------------------------------------ room areas
@pytest.mark.parametrize(("area", "outcome"), [("20.0", Outcome.PASS), ("20.00", Outcome.PASS),
                                               ("19.9", Outcome.FAIL), ("19.99", Outcome.FAIL),
                                               ("45", Outcome.PASS)])
def test_karaoke_rooms_need_20_square_metres(app, clerk, area, outcome):
    venue = make_venue(rooms=[Decimal(area)] + [Decimal("30")] * 3)
    r = result(receive(venue, clerk), "min_room_area")
    assert r.outcome == outcome
    assert r.blocking == (outcome == Outcome.FAIL)
    assert "Decree 54/2019" in r.legal_basis("en") and "Nghị định 54/2019" in r.legal_basis("vi")


def test_failing_room_is_named_with_its_area(app, clerk):
    venue = make_venue(rooms=[Decimal("18"), Decimal("25"), Decimal("26")])
    r = result(receive(venue, clerk), "min_room_area")
    assert r.outcome == Outcome.FAIL
    assert r.lines == ["Room VIP1: 18 m², below 20 m²"]


@pytest.mark.parametrize(("area", "outcome"), [("80.0", Outcome.PASS), ("79.9", Outcome.FAIL)])
def test_dance_rooms_need_80_square_metres(app, clerk, area, outcome):
    venue = make_venue(kind="dance_hall", rooms=[Decimal(area)])
    assert result(receive(venue, clerk, code="HP-DANCE"), "min_room_area").outcome == outcome


def test_a_venue_without_rooms_fails(app, clerk):
    venue = make_venue(rooms=[])
    assert result(receive(venue, clerk), "min_room_area").outcome == Outcome.FAIL


# ------------------------------------------------------------------------------------------------ distance
FAR_LAT, FAR_LNG = Decimal("21.500000"), Decimal("105.500000")  # far from every preset site


def site(lat, lng, kind=ProtectedSiteKind.SCHOOL, name="Trường Tiểu học Thử"):
    row = ProtectedSite(code=f"T-{lat}-{lng}-{kind}", name=name, kind=kind, latitude=Decimal(lat),
                        longitude=Decimal(lng), active=True)
    db.session.add(row)
    db.session.flush()
    return row


def dance_application(clerk, lat=FAR_LAT, lng=FAR_LNG):
    venue = make_venue(kind="dance_hall", rooms=[Decimal("120")], latitude=lat, longitude=lng,
                       opens_at=time(20), closes_at=time(2))
    return receive(venue, clerk, code="HP-DANCE")


@pytest.mark.parametrize(("offset", "measured", "outcome"), [
    ("0.001790", 199.0, Outcome.FAIL),   # 199 m fails
    ("0.001799", 200.0, Outcome.PASS),   # 200 m passes
    ("0.000900", 100.1, Outcome.FAIL),
    ("0.020000", 2223.9, Outcome.PASS),
])
def test_dance_hall_200_metres_from_protected_sites(app, clerk, offset, measured, outcome):
    site(FAR_LAT + Decimal(offset), FAR_LNG)
    r = result(dance_application(clerk), "protected_distance")
    assert r.measured["distance_m"] == measured
    assert r.outcome == outcome
    assert "Trường Tiểu học Thử" in r.detail and f"{measured:,.1f} m" in r.detail


def test_distance_names_the_nearest_site(app, clerk):
    site(FAR_LAT + Decimal("0.003"), FAR_LNG, ProtectedSiteKind.HOSPITAL, "Bệnh viện Xa")
    site(FAR_LAT, FAR_LNG + Decimal("0.0015"), ProtectedSiteKind.RELIGIOUS, "Chùa Gần")
    r = result(dance_application(clerk), "protected_distance")
    assert r.measured["site"] == "Chùa Gần" and r.measured["site_kind"] == "religious"
    assert r.outcome == Outcome.FAIL  # about 155 m at this latitude


def test_inactive_sites_do_not_count(app, clerk):
    row = site(FAR_LAT + Decimal("0.0005"), FAR_LNG)
    row.active = False
    site(FAR_LAT + Decimal("0.01"), FAR_LNG, name="Trường Xa")
    assert result(dance_application(clerk), "protected_distance").outcome == Outcome.PASS


def test_distance_cannot_be_measured_without_coordinates_and_blocks(app, clerk):
    r = result(dance_application(clerk, lat=None, lng=None), "protected_distance")
    assert r.outcome == Outcome.UNKNOWN and r.blocking


def test_karaoke_has_no_distance_rule(app, clerk):
    kinds = {r["kind"] for r in licence_type("HP-KARAOKE").rules}
    assert "protected_distance" not in kinds and "min_room_area" in kinds


def test_haversine_matches_a_known_distance():
    # one thousandth of a degree of latitude is about 111.2 m
    assert rules.haversine_m(20.0, 106.0, 20.001, 106.0) == pytest.approx(111.19, abs=0.01)
    assert rules.haversine_m(20.0, 106.0, 20.0, 106.0) == 0


# ------------------------------------------------------------------------------------------------ hours
@pytest.mark.parametrize(("opens", "closes", "ok"), [
    (time(8), time(0), True),          # 08:00–24:00 exactly
    (time(10), time(23, 30), True),
    (time(7, 59), time(22), False),    # opens before 08:00
    (time(9), time(0, 30), False),     # runs past midnight
    (time(0), time(2), False),
    (time(23), time(23, 59), True),
])
def test_karaoke_hours_inside_08_to_24(app, clerk, opens, closes, ok):
    venue = make_venue(opens_at=opens, closes_at=closes)
    assert result(receive(venue, clerk), "opening_hours").outcome == (Outcome.PASS if ok else Outcome.FAIL)


@pytest.mark.parametrize(("opens", "closes", "ok"), [
    (time(20), time(2), True),         # across midnight, to the limit
    (time(8), time(2), True),          # the whole window
    (time(22), time(1), True),
    (time(20), time(2, 30), False),    # past 02:00
    (time(6), time(12), False),        # before 08:00
    (time(1), time(3), False),
])
def test_dance_hall_hours_inside_08_to_02_across_midnight(app, clerk, opens, closes, ok):
    venue = make_venue(kind="dance_hall", rooms=[Decimal("100")], opens_at=opens, closes_at=closes,
                       latitude=FAR_LAT, longitude=FAR_LNG)
    r = result(receive(venue, clerk, code="HP-DANCE"), "opening_hours")
    assert r.outcome == (Outcome.PASS if ok else Outcome.FAIL)
    assert r.measured["window"] == "08:00–02:00"


def test_undeclared_hours_warn_without_blocking(app, clerk):
    venue = make_venue(opens_at=None, closes_at=None)
    r = result(receive(venue, clerk), "opening_hours")
    assert r.outcome == Outcome.UNKNOWN and not r.blocking


def test_hours_arithmetic():
    assert parse_clock("24:00") == 1440 and parse_clock("02:00") == 120
    with pytest.raises(ValueError):
        parse_clock("25:00")
    assert hours_inside(time(8), time(0), 480, 1440)
    assert not hours_inside(time(8), time(0, 1), 480, 1440)
    assert hours_inside(time(0), time(0), 0, 1440)  # round the clock inside a round-the-clock window


# ------------------------------------------------------------------------------------------------ documents
def test_prerequisites_missing_then_present(app, clerk):
    venue = make_venue()
    application = receive(venue, clerk)
    r = result(application, "prerequisites")
    assert r.outcome == Outcome.FAIL and len(r.lines) == 2
    add_documents(venue)
    assert result(application, "prerequisites").outcome == Outcome.PASS


def test_expired_document_fails_and_one_expiring_today_passes(app, clerk):
    venue = make_venue()
    application = receive(venue, clerk)
    add_documents(venue, expires_on=today_local())
    r = result(application, "prerequisites")
    assert r.outcome == Outcome.PASS and "expires within 30 days" in " ".join(r.lines)
    add_documents(venue, expires_on=today_local() - timedelta(days=1))
    r = result(application, "prerequisites")
    assert r.outcome == Outcome.FAIL and "expired on" in " ".join(r.lines)


def test_a_newer_document_replaces_the_older_one(app, clerk):
    from registry.licences.models import PrerequisiteDocument

    venue = make_venue()
    add_documents(venue, expires_on=today_local() - timedelta(days=1))
    add_documents(venue)
    older = db.session.execute(select(PrerequisiteDocument).where(
        PrerequisiteDocument.venue_id == venue.id, PrerequisiteDocument.expires_on.is_not(None))).scalars().all()
    assert all(d.superseded_by_id is not None for d in older)
    assert result(receive(venue, clerk), "prerequisites").outcome == Outcome.PASS


def test_revoked_document_fails(app, clerk):
    venue = make_venue()
    add_documents(venue)
    application = receive(venue, clerk)
    for doc in dossier.venue_documents(venue.id):
        doc.revoked = True
    assert result(application, "prerequisites").outcome == Outcome.FAIL


def test_document_dates_are_checked(app):
    venue = make_venue()
    with pytest.raises(services.LicensingError, match="future"):
        services.add_prerequisite(venue, kind="fire_safety", number="1", issued_on=today_local() + timedelta(days=1),
                                  issuer="PC07")
    with pytest.raises(services.LicensingError, match="expire before"):
        services.add_prerequisite(venue, kind="fire_safety", number="1", issued_on=today_local(), issuer="PC07",
                                  expires_on=today_local() - timedelta(days=1))


# ------------------------------------------------------------------------------------------------ latch / alarm
@pytest.mark.parametrize(("value", "outcome", "blocking"), [(True, Outcome.PASS, False), (False, Outcome.FAIL, True),
                                                            (None, Outcome.UNKNOWN, False)])
def test_declared_latch_and_alarm(app, clerk, value, outcome, blocking):
    application = receive(make_venue(), clerk)
    application.no_inner_latch = application.no_non_fire_alarm = value
    for nth in (0, 1):
        r = result(application, "declared", nth)
        assert (r.outcome, r.blocking) == (outcome, blocking)


# ------------------------------------------------------------------------------------------------ sports staff
def sports_venue(*sports, staff=()):
    from registry.reference.models import Sport
    from registry.venues.models import StaffRole, VenueSport, VenueStaff

    venue = make_venue(kind="sports", name="Trung tâm Thể thao Thử")
    by_code = {s.code: s for s in db.session.execute(select(Sport)).scalars()}
    for code, sells in sports:
        venue.sports.append(VenueSport(sport_id=by_code[code].id, sells_instruction=sells))
    for role, code in staff:
        venue.staff.append(VenueStaff(full_name=f"Người {role}", role=StaffRole(role),
                                      qualification="training_certificate",
                                      sport_id=by_code[code].id if code else None))
    db.session.flush()
    db.session.refresh(venue)
    add = services.add_prerequisite
    add(venue, kind="enterprise_registration", number="0201", issued_on=today_local(), issuer="Sở KH&ĐT")
    return venue


@pytest.mark.parametrize(("sports", "staff", "outcome"), [
    ([("football", False)], [], Outcome.PASS),                                    # no staff required
    ([("football", True)], [], Outcome.FAIL),                                     # sells instruction
    ([("football", True)], [("instructor", "football")], Outcome.PASS),
    ([("archery", False)], [("instructor", "football")], Outcome.FAIL),           # instructor of another sport
    ([("archery", False)], [("instructor", "archery")], Outcome.PASS),            # mandatory-instructor list
    ([("swimming", False)], [], Outcome.FAIL),                                     # water: rescue staff
    ([("swimming", False)], [("rescue", None)], Outcome.PASS),
    ([("paragliding", False)], [("instructor", "paragliding"), ("rescue", None)], Outcome.FAIL),  # no medical
    ([("paragliding", False)], [("instructor", "paragliding"), ("rescue", None), ("medical", None)],
     Outcome.PASS),
])
def test_sports_staffing(app, clerk, sports, staff, outcome):
    venue = sports_venue(*sports, staff=staff)
    application = receive(venue, clerk, code="HP-SPORTS")
    assert result(application, "sports_staffing").outcome == outcome
    assert result(application, "prerequisites").outcome == Outcome.PASS


def test_sports_facility_without_sports_fails(app, clerk):
    assert result(receive(sports_venue(), clerk, code="HP-SPORTS"), "sports_staffing").outcome == Outcome.FAIL


# ------------------------------------------------------------------------------------------------ configuration
def test_every_preset_rule_is_valid(app):
    from registry.licences.queries import licence_types

    for ltype in licence_types():
        assert rules.validate_rules(ltype.rules) == [], ltype.code


def test_rule_configuration_errors_are_explained(app):
    problems = rules.validate_rules([{"kind": "min_room_area", "params": {}}, {"kind": "teleport"},
                                     {"kind": "opening_hours", "params": {"opens": "8", "closes": "26:00"}},
                                     {"kind": "declared", "params": {"field": "x"}, "on_missing": "maybe"}])
    text = " ".join(problems)
    assert "parameter min_m2 is missing" in text and "unknown kind teleport" in text
    assert "parameter opens is not valid" in text and "parameter closes is not valid" in text
    assert "on_missing" in text and "parameter field is not valid" in text
    assert rules.validate_rules({"kind": "x"}) == ["The rules must be a JSON list."]


def test_obsolete_2009_rules_note_is_configured(app):
    for code in ("HP-KARAOKE", "HP-DANCE"):
        note = licence_type(code).eligibility_note_en
        assert "colourless glass" in note and "200 m distance for karaoke" in note and "neighbouring" in note
