"""Test data factories: plain functions that build valid records with sensible defaults (flushed, not committed)."""
from __future__ import annotations

import itertools
from datetime import date, time
from decimal import Decimal

from sqlalchemy import select

from registry.extensions import db

_seq = itertools.count(1)


def unit(code: str):
    """An administrative unit of the loaded preset by code."""
    from registry.reference.models import AdminUnit

    return db.session.execute(select(AdminUnit).where(AdminUnit.code == code)).scalar_one()


def current_ward():
    """A ward valid today (after the 2025-07-01 reorganisation)."""
    from registry.reference.models import AdminUnit, UnitLevel

    return db.session.execute(
        select(AdminUnit).where(AdminUnit.level == UnitLevel.COMMUNE, AdminUnit.valid_to.is_(None))
        .order_by(AdminUnit.code)).scalars().first()


def make_operator(**kw):
    """An enterprise operator."""
    from registry.common.text import fold
    from registry.venues.models import Operator, OperatorKind
    from registry.venues.services import operator_search_text

    n = next(_seq)
    values = dict(kind=OperatorKind.ENTERPRISE, name=f"Công ty TNHH Giải trí Số {n}",
                  registration_number=f"0200{n:06d}", registration_date=date(2020, 1, 15),
                  registration_issuer="Sở Kế hoạch và Đầu tư Hải Phòng", head_office=f"{n} Lạch Tray, Hải Phòng",
                  legal_rep_name="Nguyễn Văn An", legal_rep_id_number="031090001234", phone="0225 3 800 000",
                  email=f"op{n}@example.org", security_person_name="Trần Văn Bảo")
    values.update(kw)
    op = Operator(**values, name_key=fold(values["name"]),
                  search_text=operator_search_text(values["name"], values["registration_number"],
                                                   values.get("head_office"), values.get("legal_rep_name")))
    db.session.add(op)
    db.session.flush()
    return op


def make_venue(operator=None, *, rooms: list | None = None, kind: str = "karaoke", **kw):
    """A venue with rooms (karaoke: 6 rooms of 20–35 m² by default)."""
    from registry.common.text import fold
    from registry.reference.models import AdminUnit
    from registry.venues.models import Room, Venue, VenueKind
    from registry.venues.services import refresh_venue_search

    operator = operator or make_operator()
    n = next(_seq)
    ward = kw.pop("ward", None) or current_ward()
    values = dict(name=f"Karaoke Hoa Sen {n}", kind=VenueKind(kind), house_number=str(n), street="Tô Hiệu",
                  ward_id=ward.id, district_id=ward.parent_id if ward.parent and ward.parent.level == "district"
                  else None, city="Hải Phòng", capacity=120, opens_at=time(8, 0), closes_at=time(23, 30),
                  phone="0912 345 678")
    values.update(kw)
    ward_row = db.session.get(AdminUnit, values["ward_id"])
    district_row = db.session.get(AdminUnit, values["district_id"]) if values.get("district_id") else None
    venue = Venue(ref=f"T-{n:06d}", operator=operator, name_key=fold(values["name"]), search_text="", **values)
    db.session.add(venue)
    venue.ward, venue.district = ward_row, district_row
    refresh_venue_search(venue)  # the same search keys the services write
    db.session.flush()
    if rooms is None:
        rooms = [Decimal("20.0") + i * 3 for i in range(6)] if VenueKind(kind) == VenueKind.KARAOKE else (
            [Decimal("120.0")] if VenueKind(kind) == VenueKind.DANCE_HALL else [])
    for i, area in enumerate(rooms, 1):
        db.session.add(Room(venue_id=venue.id, code=f"VIP{i}", area_m2=Decimal(str(area))))
    db.session.flush()
    db.session.refresh(venue)
    return venue
