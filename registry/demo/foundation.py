"""Demo operators and venues for Hải Phòng: ~40 operators and ~80 venues with rooms, sports, staff and hours.

``plan(rng, …)`` decides everything as plain data (deterministic for a given ``rng``); ``build(rng)`` writes it and
records each creation in the audit log as the demo clerk, so venue and operator timelines are not empty.
A few venues break the rules on purpose (an 18 m² karaoke room, a 70 m² dance hall, karaoke open until 01:00,
a pool without rescue staff) so that checks and inspections have something to find.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from faker import Faker
from sqlalchemy import select

from registry.demo import names

CITY = "Hải Phòng"
REF_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # the alphabet of ``venues.services.new_ref``
#: The deliberately non-compliant venues (name → what is wrong), so tests and demos can find them.
NON_COMPLIANT = {
    "Karaoke Ánh Dương": "room VIP3 is 18 m² (karaoke rooms need at least 20 m²)",
    "Vũ trường Nhịp Sóng": "its only room is 70 m² (dance halls need at least 80 m²)",
    "Karaoke Đêm Vàng": "open until 01:00 (karaoke may open 08:00–24:00)",
    "Bể bơi Phượng Vĩ": "swimming without rescue staff",
}


@dataclass
class OperatorPlan:
    key: int
    kind: str
    name: str
    registration_number: str
    registration_date: date
    registration_issuer: str
    head_office: str
    legal_rep_name: str
    legal_rep_id_number: str
    legal_rep_birth_date: date
    security_person_name: str
    security_person_phone: str
    phone: str
    email: str


@dataclass
class VenuePlan:
    ref: str
    name: str
    kind: str
    operator_key: int
    status: str
    house_number: str
    street: str
    ward_code: str
    district_code: str | None
    latitude: Decimal
    longitude: Decimal
    phone: str
    capacity: int
    opens_at: time
    closes_at: time
    recorded_on: date
    closed_on: date | None = None
    rooms: list[tuple[str, Decimal]] = field(default_factory=list)
    sports: list[tuple[str, bool, bool]] = field(default_factory=list)  # (code, sells_instruction, open_water)
    staff: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # name, role, qualif., doc no, sport


# ------------------------------------------------------------------ small generators
def person_name(fake: Faker, rng: random.Random, female: bool | None = None) -> str:
    """A Vietnamese full name in Vietnamese order: family, middle, given (e.g. "Nguyễn Thị Lan")."""
    female = rng.random() < 0.45 if female is None else female
    family = fake.last_name()
    middle = rng.choice([m for m in (names.FEMALE_MIDDLE if female else names.MALE_MIDDLE) if m != family])
    given = fake.first_name_female() if female else fake.first_name_male()
    while given in (family, middle):
        given = fake.first_name_female() if female else fake.first_name_male()
    return f"{family} {middle} {given}"


def citizen_id(rng: random.Random, birth: date, female: bool) -> str:
    """A 12-digit citizen ID (CCCD): province of birth 031 (Hải Phòng), century/sex digit, year, 6 digits."""
    century_sex = (0 if birth.year < 2000 else 2) + (1 if female else 0)
    return f"031{century_sex}{birth.year % 100:02d}{rng.randrange(1_000_000):06d}"


def mobile(rng: random.Random) -> str:
    """A Vietnamese mobile number, e.g. ``0912 345 678``."""
    return f"0{rng.choice((9, 3, 8, 7))}{rng.randrange(10)}{rng.randrange(10)} {rng.randrange(1000):03d} " \
           f"{rng.randrange(1000):03d}"


def landline(rng: random.Random) -> str:
    """A Hải Phòng landline (area code 0225)."""
    return f"0225 3{rng.randrange(100, 1000)} {rng.randrange(1000):03d}"


def random_day(rng: random.Random, start: date, end: date) -> date:
    """A day between ``start`` and ``end`` inclusive."""
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def house_number(rng: random.Random) -> str:
    n = rng.randrange(1, 480)
    roll = rng.random()
    if roll < 0.15:
        return f"{n}{rng.choice('ABC')}"
    if roll < 0.25:
        return f"{n}/{rng.randrange(2, 60)}"
    return str(n)


def near(rng: random.Random, centre: tuple[float, float]) -> tuple[Decimal, Decimal]:
    """A point within about 1.5 km of ``centre``, clamped to the city box 20.80–20.88 N, 106.64–106.74 E."""
    lat = min(max(centre[0] + rng.uniform(-0.012, 0.012), 20.801), 20.879)
    lng = min(max(centre[1] + rng.uniform(-0.012, 0.012), 106.641), 106.739)
    return Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}")


def room_area(rng: random.Random, low: int, high: int) -> Decimal:
    """An area in m² between ``low`` and ``high``, in half square metres."""
    return Decimal(rng.randrange(low * 2, high * 2 + 1)) / 2


# ------------------------------------------------------------------ planning
def plan(rng: random.Random, wards_by_district: dict[str, list[str]], sports: dict[str, tuple[bool, bool, bool]]
         ) -> tuple[list[OperatorPlan], list[VenuePlan]]:
    """Decide every operator and venue of the demo set as plain data.

    :param wards_by_district: pre-2025 ward codes (sorted) of each district code in ``names.DISTRICT_WEIGHTS``.
    :param sports: catalogue ``code → (instructor_required, adventure, water)``.
    """
    fake = Faker("vi_VN")
    fake.seed_instance(rng.randrange(2**32))

    venues = _plan_venues(rng, fake, wards_by_district, sports)
    operators = _plan_operators(rng, fake, venues, wards_by_district)
    return operators, venues


def _venue_kinds() -> list[tuple[str, str, tuple[str, ...]]]:
    """(kind, trading name, sports) for every demo venue: ~80, including a few second branches."""
    items = [("karaoke", n, ()) for n in names.KARAOKE_NAMES]
    items += [("karaoke", f"{n} – Cơ sở 2", ()) for n in ("Karaoke Sao Mai", "Karaoke Kim Cương",
                                                             "Karaoke Hoa Phượng", "Karaoke Hải Đăng")]
    items += [("dance_hall", n, ()) for n in names.DANCE_HALL_NAMES]
    items += [("club", n, ()) for n in names.CLUB_NAMES]
    items += [("sports", n, codes) for n, codes in names.SPORTS_VENUES]
    return items


def _place(rng: random.Random, recent: bool, wards_by_district: dict[str, list[str]]):
    """Ward, district, street and coordinates: old ward + district before 2025-07, a new ward after."""
    if recent:
        ward = rng.choice(sorted(names.STREETS_BY_NEW_WARD))
        return ward, None, rng.choice(names.STREETS_BY_NEW_WARD[ward]), names.CENTRES[ward]
    districts = list(names.DISTRICT_WEIGHTS)
    district = rng.choices(districts, weights=[names.DISTRICT_WEIGHTS[d] for d in districts])[0]
    return (rng.choice(wards_by_district[district]), district, rng.choice(names.STREETS_BY_DISTRICT[district]),
            names.CENTRES[district])


def _plan_venues(rng, fake, wards_by_district, sports) -> list[VenuePlan]:
    venues: list[VenuePlan] = []
    for kind, name, sport_codes in _venue_kinds():
        recent = rng.random() < 0.12 and name not in NON_COMPLIANT
        recorded_on = (random_day(rng, date(2025, 7, 5), date(2026, 10, 30)) if recent
                       else random_day(rng, date(2018, 1, 8), date(2025, 6, 20)))
        ward, district, street, centre = _place(rng, recent, wards_by_district)
        lat, lng = near(rng, centre)
        ref = "CS-" + "".join(rng.choice(REF_ALPHABET) for _ in range(8))
        venue = VenuePlan(ref=ref, name=name, kind=kind, operator_key=0, status="operating",
                          house_number=house_number(rng), street=street, ward_code=ward, district_code=district,
                          latitude=lat, longitude=lng, phone=landline(rng) if rng.random() < 0.5 else mobile(rng),
                          capacity=0, opens_at=time(8), closes_at=time(0), recorded_on=recorded_on)
        if kind == "karaoke":
            _karaoke(rng, venue)
        elif kind == "dance_hall":
            _dance_hall(rng, venue)
        elif kind == "club":
            venue.opens_at, venue.closes_at = rng.choice([(time(18), time(23)), (time(17), time(22, 30))])
            venue.capacity = rng.randrange(40, 160, 10)
        else:
            _sports(rng, fake, venue, sport_codes, sports)
        venues.append(venue)
    _set_statuses(rng, venues)
    return venues


def _karaoke(rng: random.Random, venue: VenuePlan) -> None:
    count = rng.choice((3, 4, 5, 6, 6, 7, 8, 8))
    venue.rooms = [(f"VIP{i}", room_area(rng, 20, 40)) for i in range(1, count + 1)]
    venue.capacity = sum(int(area) // 2 for _, area in venue.rooms)
    venue.opens_at, venue.closes_at = rng.choice([(time(8), time(0))] * 3 + [(time(9), time(23)),
                                                                             (time(10), time(23, 30))])
    if venue.name == "Karaoke Ánh Dương":
        venue.rooms = [(f"VIP{i}", Decimal("18.0") if i == 3 else room_area(rng, 22, 35)) for i in range(1, 7)]
    if venue.name == "Karaoke Đêm Vàng":
        venue.opens_at, venue.closes_at = time(10), time(1)


def _dance_hall(rng: random.Random, venue: VenuePlan) -> None:
    count = rng.choice((1, 2))
    venue.rooms = [(f"P{i}", room_area(rng, 80, 300)) for i in range(1, count + 1)]
    if venue.name == "Vũ trường Nhịp Sóng":
        venue.rooms = [("P1", Decimal("70.0"))]
    venue.capacity = sum(int(area) for _, area in venue.rooms)
    venue.opens_at, venue.closes_at = time(20), time(2)


def _sports(rng, fake, venue: VenuePlan, codes: tuple[str, ...], catalogue: dict) -> None:
    venue.opens_at, venue.closes_at = rng.choice([(time(5, 30), time(21, 30)), (time(6), time(22)),
                                                  (time(7), time(21))])
    venue.capacity = rng.randrange(30, 250, 10)
    teaching = {"swimming", "karate", "taekwondo", "vovinam", "yoga", "boxing", "muay", "dancesport", "archery"}
    for code in codes:
        if code not in catalogue:
            continue
        instructor_required, adventure, water = catalogue[code]
        sells = code in teaching
        venue.sports.append((code, sells, False))
        if venue.name == "Bể bơi Phượng Vĩ":
            continue  # non-compliant on purpose: no rescue staff
        if instructor_required or sells or adventure:
            qualification = rng.choice(("coach_or_athlete", "sports_degree", "training_certificate"))
            venue.staff.append((person_name(fake, rng), "instructor", qualification,
                                f"HLV {rng.randrange(10, 999):03d}/{rng.randrange(2016, 2025)}", code))
        if water or adventure:
            for _ in range(rng.choice((1, 2))):
                venue.staff.append((person_name(fake, rng), "rescue", "rescue_certificate",
                                    f"CH {rng.randrange(100, 9999):04d}/{rng.randrange(2018, 2025)}", code))
        if adventure:
            venue.staff.append((person_name(fake, rng), "medical", "medical_qualification",
                                f"YT {rng.randrange(100, 9999):04d}", code))


def _set_statuses(rng: random.Random, venues: list[VenuePlan]) -> None:
    """Mostly operating; a few temporarily closed or closed (never the deliberately non-compliant ones)."""
    showcase = {"Karaoke Hoa Sen", "Karaoke Hòa Sen"}  # the diacritic-insensitive search demo: keep them open
    candidates = [v for v in venues if v.name not in NON_COMPLIANT and v.name not in showcase
                  and v.recorded_on < date(2025, 1, 1)]
    picked = rng.sample(candidates, 7)
    for venue in picked[:4]:
        venue.status = "temporarily_closed"
    for venue in picked[4:]:
        venue.status = "closed"
        venue.closed_on = random_day(rng, venue.recorded_on + timedelta(days=200), date(2026, 9, 30))


def _plan_operators(rng, fake, venues: list[VenuePlan], wards_by_district) -> list[OperatorPlan]:
    """About 40 operators: households run one small venue, enterprises one to four."""
    order = list(range(len(venues)))
    rng.shuffle(order)
    chains = {v.name.split(" – ")[0] for v in venues if " – " in v.name}
    small = [i for i in order if venues[i].kind == "karaoke" and " – " not in venues[i].name
             and venues[i].name not in chains
             or venues[i].sports and venues[i].sports[0][0] in {"billiards", "badminton", "yoga", "table_tennis"}]
    households = small[:15]
    rest = [i for i in order if i not in households]
    # branches ("– Cơ sở 2") belong to the operator of the first venue of the same name
    groups: list[list[int]] = [[i] for i in households]
    enterprise_groups: list[list[int]] = []
    by_name = {venues[i].name: i for i in rest}
    for i in rest:
        if " – " in venues[i].name:
            continue
        group = [i]
        branch = by_name.get(f"{venues[i].name} – Cơ sở 2")
        if branch is not None:
            group.append(branch)
        enterprise_groups.append(group)
    # merge enterprise groups until there are about 25 of them
    while len(enterprise_groups) > 25:
        a = enterprise_groups.pop(rng.randrange(len(enterprise_groups)))
        target = rng.choice([g for g in enterprise_groups if len(g) < 4] or enterprise_groups)
        target.extend(a)
    groups += enterprise_groups

    company_words = list(names.COMPANY_WORDS)
    rng.shuffle(company_words)
    operators = []
    for key, group in enumerate(groups, 1):
        household = key <= len(households)
        first = venues[group[0]]
        female = rng.random() < 0.45
        rep = person_name(fake, rng, female)
        birth = random_day(rng, date(1962, 1, 1), date(1996, 12, 31))
        district = first.district_code or "HP-D-LECHAN"
        district_name = _DISTRICT_NAMES.get(district, "")
        if household:
            kind = "household"
            name = f"Hộ kinh doanh {rep}" if rng.random() < 0.6 else f"Hộ kinh doanh {first.name}"
            number = f"02{rng.choice('ABCDE')}8{rng.randrange(10**6):06d}"
            issuer = f"Phòng Tài chính – Kế hoạch {district_name}".strip()
        else:
            kind = "enterprise"
            word = company_words[(key - 1) % len(company_words)]
            trades = names.SPORTS_TRADES if first.kind == "sports" else names.COMPANY_TRADES
            name = f"{rng.choice(names.COMPANY_FORMS)} {rng.choice(trades)} {word}"
            number = f"020{rng.randrange(10**7):07d}"
            issuer = "Phòng Đăng ký kinh doanh – Sở Kế hoạch và Đầu tư thành phố Hải Phòng"
        earliest = min(venues[i].recorded_on for i in group)
        head_street = rng.choice(names.STREETS_BY_DISTRICT.get(district, ("Lạch Tray",)))
        operators.append(OperatorPlan(
            key=key, kind=kind, name=name, registration_number=number,
            registration_date=random_day(rng, earliest - timedelta(days=900), earliest - timedelta(days=30)),
            registration_issuer=issuer,
            head_office=f"{house_number(rng)} {head_street}, {district_name}, {CITY}".replace(", ,", ","),
            legal_rep_name=rep, legal_rep_id_number=citizen_id(rng, birth, female), legal_rep_birth_date=birth,
            security_person_name=person_name(fake, rng), security_person_phone=mobile(rng),
            phone=landline(rng) if kind == "enterprise" else mobile(rng),
            email=f"lienhe{key:02d}@example.vn"))
        for i in group:
            venues[i].operator_key = key
    _unique_numbers(rng, operators)
    return operators


_DISTRICT_NAMES = {"HP-D-LECHAN": "Quận Lê Chân", "HP-D-NGOQUYEN": "Quận Ngô Quyền",
                   "HP-D-HONGBANG": "Quận Hồng Bàng", "HP-D-HAIAN": "Quận Hải An", "HP-D-KIENAN": "Quận Kiến An"}


def _unique_numbers(rng: random.Random, operators: list[OperatorPlan]) -> None:
    seen: set[str] = set()
    for op in operators:
        while op.registration_number in seen:
            op.registration_number = op.registration_number[:-6] + f"{rng.randrange(10**6):06d}"
        seen.add(op.registration_number)


# ------------------------------------------------------------------ writing
def _local_morning(day: date) -> datetime:
    """09:00 in Hải Phòng (02:00 UTC) on ``day``: when a record made that day is stamped."""
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)


def demo_actor():
    """The demo clerk, to whom demo records are attributed (``system`` if there is no clerk)."""
    from registry.auth.models import User
    from registry.common.audit import Actor
    from registry.common.permissions import Role
    from registry.extensions import db

    clerk = db.session.execute(select(User).where(User.username == "clerk")).scalar_one_or_none()
    if clerk is None:
        clerk = db.session.execute(select(User).where(User.role == Role.CLERK).order_by(User.id)).scalars().first()
    if clerk is None:
        return Actor(None, "system", None)
    return Actor(clerk.id, clerk.username, str(clerk.role))


def reference_data() -> tuple[dict[str, list[str]], dict[str, tuple[bool, bool, bool]]]:
    """Pre-2025 wards of the demo districts and the sports catalogue, from the loaded preset.

    :raises RuntimeError: when the preset (administrative units) has not been loaded.
    """
    from registry.extensions import db
    from registry.reference.models import AdminUnit, Sport

    district_ids = dict(db.session.execute(
        select(AdminUnit.code, AdminUnit.id).where(AdminUnit.code.in_(list(names.DISTRICT_WEIGHTS)))).all())
    wards: dict[str, list[str]] = {}
    for district in names.DISTRICT_WEIGHTS:
        wards[district] = list(db.session.execute(
            select(AdminUnit.code).where(AdminUnit.parent_id == district_ids.get(district, -1))
            .order_by(AdminUnit.code)).scalars())
        if not wards[district]:
            raise RuntimeError("The Hải Phòng preset is not loaded: run `flask preset load` first.")
    sports = {code: (req, adv, water) for code, req, adv, water in db.session.execute(
        select(Sport.code, Sport.instructor_required, Sport.adventure, Sport.water).order_by(Sport.code))}
    return wards, sports


def _created(snapshot: dict) -> dict:
    """Changes of a creation in the form the venue services record: ``{field: [None, value]}``."""
    return {k: [None, v] for k, v in snapshot.items() if v not in (None, "")}


def build(rng: random.Random) -> dict[str, int]:
    """Write the demo operators and venues (skipping any already present) and audit each creation.

    The caller commits. Returns how many operators and venues were added.
    """
    from registry.common import audit
    from registry.common.text import fold
    from registry.extensions import db
    from registry.reference.models import AdminUnit, Sport
    from registry.venues.models import (
        Operator,
        OperatorKind,
        QualificationType,
        Room,
        StaffRole,
        Venue,
        VenueKind,
        VenueSport,
        VenueStaff,
        VenueStatus,
    )
    from registry.venues.services import OPERATOR_FIELDS, VENUE_FIELDS, operator_search_text, venue_search_text

    wards, catalogue = reference_data()
    operator_plans, venue_plans = plan(rng, wards, catalogue)
    actor = demo_actor()
    units = {u.code: u for u in db.session.execute(select(AdminUnit)).scalars()}
    sport_ids = dict(db.session.execute(select(Sport.code, Sport.id)).all())
    known_refs = set(db.session.execute(select(Venue.ref).where(
        Venue.ref.in_([v.ref for v in venue_plans]))).scalars())
    existing = {op.registration_number: op for op in db.session.execute(select(Operator).where(
        Operator.registration_number.in_([p.registration_number for p in operator_plans]))).scalars()}

    operators: dict[int, Operator] = {}
    added = {"operators": 0, "venues": 0}
    for p in operator_plans:
        if p.registration_number in existing:
            operators[p.key] = existing[p.registration_number]
            continue
        stamp = _local_morning(min(v.recorded_on for v in venue_plans if v.operator_key == p.key))
        values = {f: getattr(p, f) for f in OPERATOR_FIELDS if hasattr(p, f)}
        values["kind"] = OperatorKind(p.kind)
        op = Operator(**values, language="vi", name_key=fold(p.name)[:255],
                      search_text=operator_search_text(p.name, p.registration_number, p.head_office,
                                                       p.legal_rep_name),
                      created_at=stamp, updated_at=stamp)
        db.session.add(op)
        db.session.flush()
        audit.record("operator.create", op, _created(audit.snapshot(op, OPERATOR_FIELDS)), actor=actor)
        operators[p.key] = op
        added["operators"] += 1

    for p in venue_plans:
        if p.ref in known_refs:
            continue
        operator = operators[p.operator_key]
        ward = units[p.ward_code]
        district = units[p.district_code] if p.district_code else None
        stamp = _local_morning(p.recorded_on)
        venue = Venue(ref=p.ref, name=p.name, name_key=fold(p.name)[:255], kind=VenueKind(p.kind),
                      status=VenueStatus(p.status), operator=operator, house_number=p.house_number, street=p.street,
                      ward_id=ward.id, district_id=district.id if district else None, city=CITY,
                      latitude=p.latitude, longitude=p.longitude, phone=p.phone, capacity=p.capacity,
                      opens_at=p.opens_at, closes_at=p.closes_at, closed_on=p.closed_on,
                      closed_reason="Chủ cơ sở ngừng kinh doanh" if p.closed_on else None,
                      search_text=venue_search_text(
                          name=p.name, ref=p.ref, house_number=p.house_number, street=p.street,
                          ward_name=ward.name, district_name=district.name if district else None,
                          operator_name=operator.name, registration_number=operator.registration_number),
                      created_at=stamp, updated_at=stamp)
        db.session.add(venue)
        db.session.flush()
        for code, area in p.rooms:
            db.session.add(Room(venue_id=venue.id, code=code, area_m2=area, valid_from=stamp,
                                changed_by_id=actor.id))
        for code, sells, open_water in p.sports:
            db.session.add(VenueSport(venue_id=venue.id, sport_id=sport_ids[code], sells_instruction=sells,
                                      open_water=open_water))
        for full_name, role, qualification, number, code in p.staff:
            db.session.add(VenueStaff(venue_id=venue.id, full_name=full_name, role=StaffRole(role),
                                      qualification=QualificationType(qualification), document_number=number,
                                      sport_id=sport_ids.get(code)))
        changes = _created(audit.snapshot(venue, VENUE_FIELDS))
        if p.rooms:
            changes["rooms"] = [[code, str(area)] for code, area in p.rooms]
        audit.record("venue.create", venue, changes, actor=actor)
        # sports and staff are recorded the way the venue pages record them: one event each
        if p.sports:
            audit.record("venue.sports", venue, {"added": [code for code, _, _ in p.sports]}, actor=actor)
        if p.staff:
            audit.record("venue.staff", venue, {"added": [name for name, *_ in p.staff]}, actor=actor)
        added["venues"] += 1
    db.session.flush()
    return added
