"""Fixtures for the inspection tests: inspectors, a manager, venues with licences built directly (realistic
snapshots), and visits at any stage."""
from __future__ import annotations

import itertools
import json
import secrets
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from registry.db import today_local
from registry.extensions import db
from tests.conftest import PASSWORD
from tests.factories import make_operator, make_venue

_numbers = itertools.count(100)
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def local(day: date, hh: int, mm: int = 0) -> datetime:
    """An aware UTC datetime for a local (Asia/Ho_Chi_Minh) wall-clock time."""
    return datetime.combine(day, time(hh, mm), tzinfo=HCM).astimezone(UTC)


def authority():
    from registry.licences.models import IssuingAuthority

    found = db.session.execute(select(IssuingAuthority).where(IssuingAuthority.abbreviation == "SVHTT")
                               .order_by(IssuingAuthority.id)).scalars().first()
    if found is None:  # the licensing preset ships it; keep the tests independent of that section
        found = IssuingAuthority(code="T-SVHTT", parent_body="UBND THÀNH PHỐ HẢI PHÒNG",
                                 parent_body_en="HAI PHONG CITY PEOPLE'S COMMITTEE", name="SỞ VĂN HÓA VÀ THỂ THAO",
                                 name_en="DEPARTMENT OF CULTURE AND SPORTS", abbreviation="SVHTT",
                                 place_name="Hải Phòng")
        db.session.add(found)
        db.session.flush()
    return found


def licence_type(category: str):
    from registry.licences.models import LicenceCategory, LicenceType

    found = db.session.execute(select(LicenceType).where(LicenceType.category == LicenceCategory(category))
                               .order_by(LicenceType.id)).scalars().first()
    if found is None:
        found = LicenceType(code=f"T-{category}", category=LicenceCategory(category), name_vi=category,
                            name_en=category, title_vi=category, title_en=category, symbol="GP-SVHTT",
                            authority_id=authority().id)
        db.session.add(found)
        db.session.flush()
    return found


def make_licence(venue, *, rooms: list[tuple[str, str]] | None = None, hours: tuple[str, str] | None = None,
                 sports: list[dict] | None = None, status: str = "active", issued_on: date | None = None):
    """A licence row with a realistic snapshot (as the licensing service writes it), built directly."""
    from registry.licences.models import Licence, LicenceStatus

    category = {"karaoke": "karaoke", "dance_hall": "dance_hall", "sports": "sports"}.get(venue.kind.value, "karaoke")
    if rooms is None:
        rooms = [(r.code, f"{r.area_m2:.2f}") for r in venue.active_rooms]
    issued_on = issued_on or today_local() - timedelta(days=400)
    number = next(_numbers)
    auth = authority()
    operator = venue.operator
    snapshot = {
        "number_display": f"{number}/GP-SVHTT", "issued_on": issued_on.isoformat(),
        "authority": {"parent_body": auth.parent_body, "name": auth.name, "abbreviation": auth.abbreviation,
                      "place_name": auth.place_name},
        "licence_type": {"category": category},
        "operator": {"name": operator.name, "kind": operator.kind.value,
                     "registration_number": operator.registration_number, "legal_rep_name": operator.legal_rep_name},
        "venue": {"id": venue.id, "name": venue.name, "address": venue.address, "kind": venue.kind.value},
        "rooms": [{"code": code, "area_m2": area} for code, area in rooms], "room_count": len(rooms),
        "hours": {"opens_at": hours[0], "closes_at": hours[1]} if hours else None,
        "sports": sports or [],
    }
    licence = Licence(licence_type_id=licence_type(category).id, authority_id=auth.id, venue_id=venue.id,
                      operator_id=operator.id, number=number, year=issued_on.year, symbol="GP-SVHTT",
                      number_display=f"{number}/GP-SVHTT", issued_on=issued_on, valid_from=issued_on,
                      status=LicenceStatus(status), verify_token=secrets.token_urlsafe(24),
                      snapshot_json=json.dumps(snapshot, ensure_ascii=False))
    db.session.add(licence)
    db.session.flush()
    return licence


@pytest.fixture
def inspector(make_user):
    return make_user("inspector", full_name="Lê Hoàng Nam")


@pytest.fixture
def other_inspector(make_user):
    return make_user("inspector", full_name="Vũ Thị Hạnh")


@pytest.fixture
def manager(make_user):
    return make_user("manager", full_name="Nguyễn Thị Lan")


@pytest.fixture
def household(db):
    from registry.venues.models import OperatorKind

    return make_operator(kind=OperatorKind.HOUSEHOLD, name="Hộ kinh doanh Karaoke Hoa Sen")


@pytest.fixture
def karaoke(household, db):
    """A six-room karaoke of a household business, with a six-room licence."""
    venue = make_venue(household, rooms=["24.5", "20", "28.75", "32", "35", "22.4"], name="Karaoke Hoa Sen")
    make_licence(venue, hours=("08:00", "24:00"))
    db.session.commit()
    return venue


@pytest.fixture
def enterprise_karaoke(db):
    venue = make_venue(make_operator(), name="Karaoke Biển Xanh")
    make_licence(venue)
    db.session.commit()
    return venue


def plan(venue, lead, *, kind="unannounced", on: date | None = None, **kw):
    from registry.inspections import services
    from registry.inspections.models import InspectionKind

    return services.plan_inspection(venue=venue, kind=InspectionKind(kind), scheduled_on=on or today_local(),
                                    lead=lead, planned_by=kw.pop("planned_by", lead), **kw)


def started(venue, lead, *, at: datetime | None = None, **kw):
    from registry.inspections import services

    inspection = plan(venue, lead, **kw)
    services.start_visit(inspection, at=at or local(today_local(), 21, 30))
    db.session.commit()
    return inspection


def answer_all(inspection, result="pass", **overrides):
    """Answer every item (``overrides``: item code → result)."""
    from registry.inspections import services
    from registry.inspections.models import ItemResult

    answers = {i.id: {"result": ItemResult(overrides.get(i.code, result))} for i in inspection.items}
    services.save_visit(inspection, {}, answers, version=inspection.version_id)
    db.session.commit()


@pytest.fixture
def sign_in(client):
    """Sign an existing user in through the real form."""

    def do(user):
        client.post("/auth/logout")
        response = client.post("/auth/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.data[:300]
        return user

    return do


@pytest.fixture
def app_config(app_config):
    """Messages in English, so assertions read the msgids whatever the Vietnamese catalogue says."""
    return {**app_config, "BABEL_DEFAULT_LOCALE": "en"}
