"""Fees from the versioned schedule: every row, the cap, the owner-change fee, tiers and the effective-date boundary."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from registry.extensions import db
from registry.licences import fees, services
from registry.licences.models import ApplicationKind as K
from registry.licences.models import FeeRule, FeeSchedule, FeeUnit
from registry.licences.models import LicenceCategory as C
from registry.reference.models import FeeTier
from tests.factories import make_operator, make_venue
from tests.licences.conftest import issue, receive

ON = date(2026, 3, 2)


def total(category, kind, tier, on=ON, **units):
    counts = {FeeUnit[k.upper()]: v for k, v in units.items()}
    return fees.quote(category, kind, tier, counts, on).total


@pytest.mark.parametrize(("rooms", "city", "other"), [
    (1, 4_000_000, 2_000_000), (2, 4_000_000, 2_000_000), (3, 4_000_000, 2_000_000),
    (4, 6_000_000, 3_000_000), (5, 6_000_000, 3_000_000),
    (6, 12_000_000, 6_000_000), (7, 12_000_000, 6_000_000), (20, 12_000_000, 6_000_000),
])
def test_karaoke_new_licence_by_rooms_and_tier(app, rooms, city, other):
    assert total(C.KARAOKE, K.NEW, FeeTier.CITY, rooms=rooms) == city
    assert total(C.KARAOKE, K.NEW, FeeTier.OTHER, rooms=rooms) == other


def test_dance_hall_new_licence(app):
    assert total(C.DANCE_HALL, K.NEW, FeeTier.CITY, rooms=1) == 15_000_000
    assert total(C.DANCE_HALL, K.NEW, FeeTier.OTHER, rooms=3) == 10_000_000


@pytest.mark.parametrize(("added", "city", "other"), [
    (1, 2_000_000, 1_000_000), (2, 4_000_000, 2_000_000), (5, 10_000_000, 5_000_000),
    (6, 12_000_000, 6_000_000), (7, 12_000_000, 6_000_000), (15, 12_000_000, 6_000_000),
])
def test_added_rooms_two_million_each_capped(app, added, city, other):
    assert total(C.KARAOKE, K.ADJUST_ROOMS, FeeTier.CITY, added_rooms=added) == city
    assert total(C.KARAOKE, K.ADJUST_ROOMS, FeeTier.OTHER, added_rooms=added) == other


def test_cap_is_marked_and_other_area_rate_is_unverified(app):
    quote = fees.quote(C.KARAOKE, K.ADJUST_ROOMS, FeeTier.CITY, {FeeUnit.ADDED_ROOMS: 7}, ON)
    assert quote.lines[0].capped and quote.verified
    assert quote.schedule_code == "TT-01-2021-BTC" and "01/2021/TT-BTC" in quote.legal_basis("en")
    other = fees.quote(C.KARAOKE, K.ADJUST_ROOMS, FeeTier.OTHER, {FeeUnit.ADDED_ROOMS: 1}, ON)
    assert not other.verified


def test_removing_rooms_only_costs_nothing(app):
    assert total(C.KARAOKE, K.ADJUST_ROOMS, FeeTier.CITY, added_rooms=0) == 0


@pytest.mark.parametrize("tier", [FeeTier.CITY, FeeTier.OTHER])
def test_change_of_owner_is_500_000_everywhere(app, tier):
    assert total(C.KARAOKE, K.ADJUST_OWNER, tier) == 500_000
    assert total(C.DANCE_HALL, K.ADJUST_OWNER, tier) == 500_000


@pytest.mark.parametrize(("kind", "units", "amount"), [
    (K.NEW, {"sports": 1}, 2_000_000), (K.NEW, {"sports": 2}, 3_000_000), (K.NEW, {"sports": 5}, 3_000_000),
    (K.REISSUE_COPY, {}, 200_000),
    (K.SPORTS_CHANGE, {"added_sports": 0}, 300_000), (K.SPORTS_CHANGE, {"added_sports": 3}, 1_200_000),
    (K.SPORTS_CHANGE, {"added_sports": 5}, 2_000_000), (K.SPORTS_CHANGE, {"added_sports": 9}, 2_000_000),
])
def test_sports_placeholder_schedule_is_labelled_unverified(app, kind, units, amount):
    quote = fees.quote(C.SPORTS, kind, FeeTier.CITY, {FeeUnit[k.upper()]: v for k, v in units.items()}, ON)
    assert quote.total == amount
    assert not quote.verified and quote.schedule_code == "HP-SPORTS-PLACEHOLDER"
    assert "PLACEHOLDER" in quote.schedule_name("en")


def test_event_permits_carry_no_fee(app):
    quote = fees.quote(C.EVENT, K.NEW, FeeTier.CITY, {}, ON)
    assert quote.total == 0 and quote.schedule_id is None


def test_effective_date_boundary(app):
    """The schedule in force on the day the dossier was received applies; the day before, the old one."""
    old = db.session.execute(db.select(FeeSchedule).where(FeeSchedule.code == "TT-01-2021-BTC")).scalar_one()
    old.effective_to = date(2025, 12, 31)
    new = FeeSchedule(code="TT-NEW-2026", name_vi="Mới", name_en="New", effective_from=date(2026, 1, 1),
                      verified=True)
    new.rules.append(FeeRule(category=C.KARAOKE, kind=K.NEW, tier=FeeTier.CITY, unit=FeeUnit.ROOMS, min_units=1,
                             amount=15_000_000, label_vi="Karaoke", label_en="Karaoke"))
    db.session.add(new)
    db.session.flush()
    assert total(C.KARAOKE, K.NEW, FeeTier.CITY, on=date(2025, 12, 31), rooms=6) == 12_000_000
    assert total(C.KARAOKE, K.NEW, FeeTier.CITY, on=date(2026, 1, 1), rooms=6) == 15_000_000
    assert fees.quote(C.KARAOKE, K.NEW, FeeTier.CITY, {FeeUnit.ROOMS: 6}, date(2026, 1, 1)).schedule_code \
        == "TT-NEW-2026"
    # before Circular 01/2021 came into force (25/02/2021) no schedule applies
    assert fees.quote(C.KARAOKE, K.NEW, FeeTier.CITY, {FeeUnit.ROOMS: 6}, date(2021, 2, 24)).schedule_id is None
    assert total(C.KARAOKE, K.NEW, FeeTier.CITY, on=date(2021, 2, 25), rooms=6) == 12_000_000


# ------------------------------------------------------------------------------------------------ on applications
def test_application_records_fee_and_breakdown(app, clerk):
    venue = make_venue(rooms=[Decimal("25")] * 6)
    application = receive(venue, clerk)
    assert application.fee_due == 12_000_000 and isinstance(application.fee_due, int)
    breakdown = application.fee_breakdown
    assert breakdown["total"] == 12_000_000 and breakdown["tier"] == "CITY"
    assert breakdown["lines"][0]["label_en"] == "Karaoke, 6 rooms or more"


def test_tier_comes_from_the_venues_district_or_ward(app, clerk):
    venue = make_venue(rooms=[Decimal("25")] * 4)
    venue.ward.fee_tier = FeeTier.OTHER
    assert receive(venue, clerk).fee_due == 3_000_000


def test_adjustment_fee_and_owner_fee_on_applications(app, clerk, manager):
    venue = make_venue(rooms=[Decimal("25")] * 6)
    licence = issue(venue, clerk, manager)
    application = receive(venue, clerk, kind="adjust_rooms", subject_licence=licence,
                          changes={"add_rooms": [{"code": "VIP7", "area_m2": "30"}, {"code": "VIP8", "area_m2": "28"}]})
    assert application.fee_due == 4_000_000
    services.transition(application, "withdrawn", by=clerk, reason="test")
    owner = receive(venue, clerk, kind="adjust_owner", subject_licence=licence, operator=make_operator())
    assert owner.fee_due == 500_000


def test_fee_is_recalculated_when_rooms_change_and_frozen_after_payment(app, clerk):
    venue = make_venue(rooms=[Decimal("25")] * 3)
    application = receive(venue, clerk)
    assert application.fee_due == 4_000_000
    from registry.venues.models import Room

    db.session.add(Room(venue_id=venue.id, code="VIP9", area_m2=Decimal("30")))
    db.session.flush()
    db.session.expire(venue)
    services.recalculate_fee(application)
    assert application.fee_due == 6_000_000
    services.record_payment(application, receipt_number="R-1", paid_on=application.received_on, amount=1_000_000,
                            by=clerk)
    with pytest.raises(services.LicensingError, match="payment is already recorded"):
        services.recalculate_fee(application)
