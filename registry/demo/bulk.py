"""Synthetic venues in bulk (``flask demo --venues N``): realistic shape, city-sized volume, for benchmarks.

Rows are written with bulk INSERTs of plain dicts in batches (no per-row ORM objects, no per-row audit events);
each batch is committed on its own so a long run can be interrupted without leaving half a venue. One audit event
records the whole run. Ids of venues and operators are reserved up front per batch so rooms can point at them:
``max(id) + 1 …`` inside the SQLite write transaction (``BEGIN IMMEDIATE`` keeps other writers out), and
``nextval`` of the sequence on PostgreSQL.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from faker.providers.person.vi_VN import Provider as VietnameseNames
from sqlalchemy import func, insert, select, text

from registry.common.text import fold
from registry.demo import names
from registry.demo.foundation import CITY, citizen_id, house_number, landline, mobile
from registry.extensions import db

SYNTHETIC_REF_PREFIX = "SV-"
SYNTHETIC_REG_PREFIX = "029"  # enterprise codes of the realistic set start 020; these never collide with them
FIRST_DAY, LAST_DAY = date(2015, 1, 5), date(2026, 10, 30)
ALL_STREETS = tuple(sorted({s for streets in names.STREETS_BY_DISTRICT.values() for s in streets}))
KINDS = (("karaoke", 60), ("sports", 25), ("club", 9), ("dance_hall", 6))
STATUSES = (("operating", 90), ("temporarily_closed", 6), ("closed", 4))


@dataclass
class Ward:
    id: int
    name: str
    district_id: int | None
    district_code: str | None
    district_name: str | None
    first_day: date
    last_day: date


@dataclass
class BulkResult:
    venues: int = 0
    operators: int = 0
    rooms: int = 0
    sports: int = 0
    first_ref: str | None = None
    last_ref: str | None = None


def _wards() -> list[Ward]:
    """Every ward or commune of the preset with the days it existed, clipped to the demo period."""
    from sqlalchemy.orm import aliased

    from registry.reference.models import AdminUnit, UnitLevel

    parent = aliased(AdminUnit)
    rows = db.session.execute(
        select(AdminUnit.id, AdminUnit.name, AdminUnit.valid_from, AdminUnit.valid_to, parent.id, parent.code,
               parent.name, parent.level)
        .outerjoin(parent, AdminUnit.parent_id == parent.id)
        .where(AdminUnit.level == UnitLevel.COMMUNE).order_by(AdminUnit.code)).all()
    wards = []
    for unit_id, name, valid_from, valid_to, parent_id, parent_code, parent_name, parent_level in rows:
        first, last = max(valid_from or FIRST_DAY, FIRST_DAY), min(valid_to or LAST_DAY, LAST_DAY)
        if first > last:
            continue
        in_district = parent_level == UnitLevel.DISTRICT
        wards.append(Ward(unit_id, name, parent_id if in_district else None, parent_code if in_district else None,
                          parent_name if in_district else None, first, last))
    if not wards:
        raise RuntimeError("The preset is not loaded (no wards): run `flask preset load` first.")
    return wards


def next_number() -> int:
    """The number of the next synthetic venue (``SV-0000001`` is 1)."""
    from registry.venues.models import Venue

    last = db.session.execute(select(func.max(Venue.ref)).where(
        Venue.ref.like(f"{SYNTHETIC_REF_PREFIX}%"))).scalar_one_or_none()
    return int(last[len(SYNTHETIC_REF_PREFIX):]) + 1 if last else 1


def reserve_ids(table: str, count: int) -> list[int]:
    """``count`` fresh primary keys for ``table`` (call inside the write transaction that inserts them)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return list(db.session.execute(
            text(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, :n)"),  # noqa: S608
            {"n": count}).scalars())
    start = (db.session.execute(text(f"SELECT max(id) FROM {table}")).scalar() or 0) + 1  # noqa: S608
    return list(range(start, start + count))


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


def _person(rng: random.Random) -> tuple[str, bool]:
    female = rng.random() < 0.45
    middle = rng.choice(names.FEMALE_MIDDLE if female else names.MALE_MIDDLE)
    given = rng.choice(VietnameseNames.first_names_female if female else VietnameseNames.first_names_male)
    return f"{rng.choice(VietnameseNames.last_names)} {middle} {given}", female


def _stamp(day: date, rng: random.Random) -> datetime:
    return datetime(day.year, day.month, day.day, rng.randrange(1, 10), rng.randrange(60), tzinfo=UTC)


def _operator_row(rng: random.Random, op_id: int, number: int, day: date) -> dict:
    from registry.venues.models import OperatorKind
    from registry.venues.services import operator_search_text

    rep, female = _person(rng)
    household = rng.random() < 0.4
    if household:
        name = f"Hộ kinh doanh {rep}"
    else:
        name = (f"{rng.choice(names.COMPANY_FORMS)} {rng.choice(names.COMPANY_TRADES)} "
                f"{rng.choice(names.SYNTHETIC_WORDS_A)} {rng.choice(names.SYNTHETIC_WORDS_B)}")
    registration = f"{SYNTHETIC_REG_PREFIX}{number:07d}"
    birth = date(rng.randrange(1960, 1998), rng.randrange(1, 13), rng.randrange(1, 29))
    stamp = _stamp(day, rng)
    head_office = f"{house_number(rng)} {rng.choice(ALL_STREETS)}, {CITY}"
    return dict(id=op_id, kind=OperatorKind.HOUSEHOLD if household else OperatorKind.ENTERPRISE, name=name,
                name_key=fold(name), registration_number=registration,
                registration_date=day - timedelta(days=rng.randrange(30, 900)),
                registration_issuer="Sở Kế hoạch và Đầu tư thành phố Hải Phòng",
                head_office=head_office, legal_rep_name=rep,
                legal_rep_id_number=citizen_id(rng, birth, female), legal_rep_birth_date=birth,
                phone=mobile(rng), language="vi", version_id=1,
                search_text=operator_search_text(name, registration, head_office, rep),
                created_at=stamp, updated_at=stamp)


def _hours(rng: random.Random, kind: str) -> tuple[time, time]:
    if kind == "karaoke":
        return rng.choice(((time(8), time(0)), (time(8), time(0)), (time(9), time(23)), (time(10), time(23, 30))))
    if kind == "dance_hall":
        return time(20), time(2)
    if kind == "club":
        return time(18), time(23)
    return rng.choice(((time(5, 30), time(21, 30)), (time(6), time(22))))


def _rooms(rng: random.Random, kind: str, venue_id: int, stamp: datetime) -> list[dict]:
    if kind == "karaoke":
        count, low, high = rng.randrange(3, 11), 20, 40
    elif kind == "dance_hall":
        count, low, high = rng.choice((1, 1, 2)), 80, 300
    else:
        return []
    rows = []
    for i in range(1, count + 1):
        area = Decimal(rng.randrange(low * 2, high * 2 + 1)) / 2
        if rng.random() < 0.01:  # about one room in a hundred is too small: something for checks to find
            area = Decimal(low - rng.randrange(1, 4))
        rows.append(dict(venue_id=venue_id, code=f"VIP{i}" if kind == "karaoke" else f"P{i}", area_m2=area,
                         active=True, valid_from=stamp))
    return rows


def _batch(rng: random.Random, first_number: int, count: int, wards: list[Ward], sport_ids: list[int]):
    """Rows for ``count`` venues numbered from ``first_number``: one operator for every two venues."""
    from registry.venues.models import VenueKind, VenueStatus
    from registry.venues.services import venue_search_text

    venue_ids = reserve_ids("venues", count)
    operator_ids = reserve_ids("operators", (count + 1) // 2)
    operators, venues, rooms, sports = [], [], [], []
    for i in range(count):
        number = first_number + i
        ward = rng.choice(wards)
        day = ward.first_day + timedelta(days=rng.randrange((ward.last_day - ward.first_day).days + 1))
        if i % 2 == 0:
            operators.append(_operator_row(rng, operator_ids[i // 2], number, day))
        operator = operators[i // 2]
        kind = _weighted(rng, KINDS)
        name = (f"{names.SYNTHETIC_PREFIX[kind]} {rng.choice(names.SYNTHETIC_WORDS_A)} "
                f"{rng.choice(names.SYNTHETIC_WORDS_B)}")
        street = rng.choice(names.STREETS_BY_DISTRICT.get(ward.district_code or "", ALL_STREETS))
        status = _weighted(rng, STATUSES)
        stamp = _stamp(day, rng)
        centre = names.CENTRES.get(ward.district_code or "", (20.84, 106.69))
        opens_at, closes_at = _hours(rng, kind)
        venue_rooms = _rooms(rng, kind, venue_ids[i], stamp)
        ref, number_on_street = f"{SYNTHETIC_REF_PREFIX}{number:07d}", house_number(rng)
        venues.append(dict(
            id=venue_ids[i], ref=ref, name=name, name_key=fold(name),
            kind=VenueKind(kind), status=VenueStatus(status), operator_id=operator["id"],
            house_number=number_on_street, street=street, ward_id=ward.id, district_id=ward.district_id, city=CITY,
            latitude=Decimal(f"{min(max(centre[0] + rng.uniform(-0.02, 0.02), 20.80), 20.88):.6f}"),
            longitude=Decimal(f"{min(max(centre[1] + rng.uniform(-0.02, 0.02), 106.64), 106.74):.6f}"),
            phone=landline(rng), capacity=sum(int(r["area_m2"]) for r in venue_rooms) or rng.randrange(30, 300),
            opens_at=opens_at, closes_at=closes_at, notes=None,
            closed_on=day + timedelta(days=rng.randrange(100, 700)) if status == "closed" else None,
            search_text=venue_search_text(name=name, ref=ref, house_number=number_on_street, street=street,
                                          ward_name=ward.name, district_name=ward.district_name,
                                          operator_name=operator["name"],
                                          registration_number=operator["registration_number"]),
            version_id=1, created_at=stamp, updated_at=stamp))
        rooms += venue_rooms
        if kind == "sports" and sport_ids:
            for sport_id in rng.sample(sport_ids, min(rng.choice((1, 1, 2, 3)), len(sport_ids))):
                sports.append(dict(venue_id=venue_ids[i], sport_id=sport_id, sells_instruction=rng.random() < 0.3,
                                   open_water=False))
    return operators, venues, rooms, sports


def generate_venues(count: int, *, seed: int = 2026, batch_size: int = 5000,
                    on_batch: Callable[[int], None] | None = None) -> BulkResult:
    """Add ``count`` synthetic venues (with operators, rooms and sports), committing every ``batch_size``.

    :param on_batch: called with the number of venues written after each committed batch (progress bars).
    :raises RuntimeError: if the preset is not loaded.
    """
    from registry.reference.models import Sport
    from registry.venues.models import Operator, Room, Venue, VenueSport

    rng = random.Random(seed)
    wards = _wards()
    sport_ids = list(db.session.execute(select(Sport.id).where(Sport.adventure.is_(False)).order_by(Sport.id))
                     .scalars())
    result = BulkResult()
    done = 0
    while done < count:
        size = min(batch_size, count - done)
        first = next_number()
        operators, venues, rooms, sports = _batch(rng, first, size, wards, sport_ids)
        db.session.execute(insert(Operator), operators)
        db.session.execute(insert(Venue), venues)
        if rooms:
            db.session.execute(insert(Room), rooms)
        if sports:
            db.session.execute(insert(VenueSport), sports)
        db.session.commit()
        result.venues += len(venues)
        result.operators += len(operators)
        result.rooms += len(rooms)
        result.sports += len(sports)
        result.first_ref = result.first_ref or venues[0]["ref"]
        result.last_ref = venues[-1]["ref"]
        done += size
        if on_batch is not None:
            on_batch(size)
    return result
