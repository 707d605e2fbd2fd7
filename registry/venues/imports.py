"""Checking the rows of an import file (read by ``import_files.read_table``) before anything is written.

``check_rows`` validates every row with the same parsers the forms use and resolves wards and operators,
collecting line-numbered errors; nothing is written. The rows it returns go to ``services.import_rows``, which
writes them all or nothing.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from registry.common.text import fold
from registry.db import today_local
from registry.extensions import db
from registry.reference.models import AdminUnit, UnitLevel
from registry.venues import validation as v
from registry.venues.import_files import Table
from registry.venues.models import Operator, OperatorKind, Venue, VenueKind

MAX_ERRORS = 1000

_fold = lru_cache(maxsize=65536)(fold)  # the same streets, wards and operators come back on many lines

_KIND_WORDS = {
    "karaoke": VenueKind.KARAOKE, "dance_hall": VenueKind.DANCE_HALL, "dance hall": VenueKind.DANCE_HALL,
    "vu truong": VenueKind.DANCE_HALL, "club": VenueKind.CLUB, "cau lac bo": VenueKind.CLUB,
    "sports": VenueKind.SPORTS, "sport": VenueKind.SPORTS, "the thao": VenueKind.SPORTS,
    "co so the thao": VenueKind.SPORTS,
}
_OPERATOR_WORDS = {
    "enterprise": OperatorKind.ENTERPRISE, "doanh nghiep": OperatorKind.ENTERPRISE,
    "household": OperatorKind.HOUSEHOLD, "ho kinh doanh": OperatorKind.HOUSEHOLD,
}


# ----------------------------------------------------------------------------------------------- checking
@dataclass
class ImportRow:
    """One valid line, ready to insert."""

    line: int
    registration_number: str
    operator: dict | None  # values of a new operator (None: the operator is already registered)
    venue: dict
    rooms: list[tuple[str, object]] = field(default_factory=list)


@dataclass
class Issue:
    """An error on one line (``column`` may be None for the whole line)."""

    line: int
    column: str | None
    message: str


@dataclass
class Preview:
    """The outcome of checking a file: valid rows, errors, and what committing would create."""

    rows: list[ImportRow]
    issues: list[Issue]
    total: int
    new_operators: int = 0
    existing_operators: int = 0
    room_count: int = 0
    more_issues: int = 0

    @property
    def ok(self) -> bool:
        return not self.issues


class _Wards:
    """Resolve a ward given by code or name (optionally with its former district), from one query."""

    def __init__(self):
        units = db.session.execute(select(AdminUnit).where(AdminUnit.level == UnitLevel.COMMUNE)
                                   .options(joinedload(AdminUnit.parent))).scalars().all()
        self.by_code = {u.code.upper(): u for u in units}
        self.by_name: dict[str, list[AdminUnit]] = defaultdict(list)
        for u in units:
            for name in {fold(u.name), fold(u.short_name)}:
                self.by_name[name].append(u)
        self.today = today_local()
        self._cache: dict[tuple[str, str], AdminUnit | str] = {}

    def resolve(self, text: str, district: str) -> AdminUnit | str:
        """The unit, or an error message."""
        key = (text, district)
        if key not in self._cache:
            self._cache[key] = self._resolve(text, district)
        return self._cache[key]

    def _resolve(self, text: str, district: str) -> AdminUnit | str:
        unit = self.by_code.get(text.strip().upper())
        if unit is not None:
            return unit
        candidates = self.by_name.get(_fold(text), [])
        if district:
            d = _fold(district)
            candidates = [u for u in candidates if u.parent is not None and d in (fold(u.parent.name),
                                                                                   fold(u.parent.short_name))]
        if len(candidates) > 1:
            current = [u for u in candidates if u.valid_on(self.today)]
            candidates = current if len(current) == 1 else candidates
        if not candidates:
            return _("Unknown ward or commune “%(ward)s”; use a name or code from the list of administrative "
                     "units.", ward=text)
        if len(candidates) > 1:
            return _("“%(ward)s” is ambiguous (%(options)s); fill in the district or use the unit's code.",
                     ward=text, options=", ".join(u.label for u in candidates[:4]))
        return candidates[0]


def _parse_rooms(text: str) -> list[tuple[str, object]]:
    rooms = []
    for part in (p.strip() for p in text.replace("\n", ";").split(";")):
        if not part:
            continue
        code, sep, area = part.rpartition(":")
        if not sep:
            raise ValueError(_("Write each room as code:area, e.g. VIP1:24.5; “%(part)s” is not.", part=part))
        rooms.append((v.parse_room_code(code), v.parse_area(area)))
    if len(rooms) > 300:
        raise ValueError(_("At most %(n)d rooms per venue.", n=300))
    codes = [fold(c) for c, _a in rooms]
    if len(set(codes)) != len(codes):
        raise ValueError(_("A room code appears twice."))
    return rooms


_TEXT_LIMITS = {"operator_name": 255, "operator_head_office": 500, "operator_legal_rep": 200,
                "operator_security_person": 200, "venue_name": 255, "house_number": 50, "street": 200,
                "ward": 120, "district": 120, "notes": 5000}


def _check_line(cells: dict[str, str], wards: _Wards, today: date) -> tuple[dict, list[tuple[str, str]]]:
    """Parse one line; returns the typed values and ``(column, message)`` errors."""
    values, errors = {}, []

    def take(column, parse, *, required=False):
        raw = cells.get(column, "")
        try:
            text = v.check_text(raw, _TEXT_LIMITS.get(column, 200))
            if text is None:
                if required:
                    errors.append((column, _("This field is required.")))
                values[column] = None
                return
            values[column] = parse(text) if parse else text
        except ValueError as exc:
            errors.append((column, str(exc)))
            values[column] = None

    take("operator_registration_number", v.parse_registration_number, required=True)
    take("operator_name", None, required=True)
    take("operator_kind", lambda t: _word(t, _OPERATOR_WORDS, _l("Write enterprise or household.")))
    take("operator_registration_date", v.parse_date)
    if values["operator_registration_date"] and values["operator_registration_date"] > today:
        errors.append(("operator_registration_date", _("The date is in the future.")))
    for column in ("operator_head_office", "operator_legal_rep", "operator_security_person", "venue_name",
                   "house_number", "street", "district", "notes"):
        take(column, None, required=column == "venue_name")
    take("operator_phone", v.parse_phone)
    take("venue_kind", lambda t: _word(t, _KIND_WORDS, _l("Write karaoke, dance_hall, club or sports.")),
         required=True)
    take("ward", None, required=True)
    take("phone", v.parse_phone)
    take("capacity", v.parse_capacity)
    take("opens_at", v.parse_hhmm)
    take("closes_at", v.parse_hhmm)
    take("latitude", lambda t: v.parse_coordinate(t, 90))
    take("longitude", lambda t: v.parse_coordinate(t, 180))
    rooms_text = cells.get("rooms", "")
    values["rooms"] = []
    if rooms_text.strip():
        try:
            if v.check_text(rooms_text, 20000):
                values["rooms"] = _parse_rooms(rooms_text)
        except ValueError as exc:
            errors.append(("rooms", str(exc)))
    if values.get("opens_at") or values.get("closes_at"):
        try:
            v.check_hours(values.get("opens_at"), values.get("closes_at"))
        except ValueError as exc:
            errors.append(("closes_at", str(exc)))
    if (values.get("latitude") is None) != (values.get("longitude") is None) and not any(
            c in ("latitude", "longitude") for c, _m in errors):
        errors.append(("longitude", _("Give both latitude and longitude, or neither.")))
    if values["rooms"] and values.get("venue_kind") and not values["venue_kind"].has_rooms:
        errors.append(("rooms", _("Only karaoke and dance-hall venues have rooms.")))
    if values.get("ward"):
        unit = wards.resolve(values["ward"], values.get("district") or "")
        if isinstance(unit, str):
            errors.append(("ward", unit))
        values["ward_unit"] = unit if not isinstance(unit, str) else None
    return values, errors


def _word(text: str, words: dict, message):
    key = _fold(text)
    found = words.get(key) or words.get(key.replace("-", " "))
    if found is None:
        raise ValueError(str(message))
    return found



def check_rows(table: Table) -> Preview:
    """Validate every row and resolve wards and operators; nothing is written.

    Checks per line (values, lengths, control characters, hours, rooms) and across lines and the register:
    one operator described consistently, operators already registered under another name, closed operators,
    venues listed twice or already registered.
    """
    wards = _Wards()
    preview = Preview(rows=[], issues=[], total=len(table.rows))
    parsed = []
    for line, cells in table.rows:
        if "__extra__" in cells:
            _issue(preview, line, None, _("This line has more cells than the header has columns."))
            continue
        values, errors = _check_line(cells, wards, wards.today)
        for column, message in errors:
            _issue(preview, line, column, message)
        if not errors:
            parsed.append((line, values))
    numbers = sorted({values["operator_registration_number"] for _line, values in parsed})
    existing = _existing_operators(numbers)
    existing_venues = _existing_venues([op.id for op in existing.values()])
    first_seen: dict[str, tuple[int, dict]] = {}
    seen_venues: dict[tuple, int] = {}
    for line, values in parsed:
        number = values["operator_registration_number"]
        operator = existing.get(number)
        bad = False
        if operator is not None:
            if _fold(values["operator_name"]) != operator.name_key:
                _issue(preview, line, "operator_name", _("Registration number %(number)s belongs to “%(name)s” in "
                                                         "the register.", number=number, name=operator.name))
                bad = True
            elif operator.closed_on is not None:
                _issue(preview, line, "operator_registration_number", _("Operator %(name)s is closed.",
                                                                        name=operator.name))
                bad = True
        elif number in first_seen:
            first_line, first = first_seen[number]
            if _fold(first["operator_name"]) != _fold(values["operator_name"]):
                _issue(preview, line, "operator_name", _("Line %(line)d gives another name for the same "
                                                         "registration number.", line=first_line))
                bad = True
        elif values.get("operator_kind") is None:
            _issue(preview, line, "operator_kind", _("Required for an operator not yet registered: write "
                                                     "enterprise or household."))
            bad = True
        venue_key = (number, fold(values["venue_name"]), values["ward_unit"].id, _fold(values.get("street")),
                     _fold(values.get("house_number")))
        if venue_key in seen_venues:
            _issue(preview, line, "venue_name", _("The same venue is on line %(line)d.", line=seen_venues[venue_key]))
            bad = True
        ref = existing_venues.get((operator.id if operator else None, venue_key[1], venue_key[2]))
        if ref is not None:
            _issue(preview, line, "venue_name", _("Already registered as %(ref)s.", ref=ref))
            bad = True
        if bad:
            continue
        seen_venues[venue_key] = line
        new_operator = None
        if operator is None and number not in first_seen:
            first_seen[number] = (line, values)
            new_operator = {"kind": values["operator_kind"], "name": values["operator_name"],
                            "registration_number": number,
                            "registration_date": values.get("operator_registration_date"),
                            "head_office": values.get("operator_head_office"),
                            "legal_rep_name": values.get("operator_legal_rep"),
                            "security_person_name": values.get("operator_security_person"),
                            "phone": values.get("operator_phone")}
        venue = {"name": values["venue_name"], "name_key": venue_key[1], "kind": values["venue_kind"],
                 "house_number": values.get("house_number"),
                 "street": values.get("street"), "ward": values["ward_unit"], "phone": values.get("phone"),
                 "capacity": values.get("capacity"), "opens_at": values.get("opens_at"),
                 "closes_at": values.get("closes_at"), "latitude": values.get("latitude"),
                 "longitude": values.get("longitude"), "notes": values.get("notes")}
        preview.rows.append(ImportRow(line, number, new_operator, venue, values["rooms"]))
    preview.new_operators = len(first_seen)
    preview.existing_operators = len({r.registration_number for r in preview.rows} & set(existing))
    preview.room_count = sum(len(r.rooms) for r in preview.rows)
    return preview


def _issue(preview: Preview, line: int, column: str | None, message: str) -> None:
    if len(preview.issues) < MAX_ERRORS:
        preview.issues.append(Issue(line, column, message))
    else:
        preview.more_issues += 1


def _chunks(items: list, size: int = 500):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _existing_operators(numbers: list[str]) -> dict[str, Operator]:
    found = {}
    for chunk in _chunks(numbers):
        for op in db.session.execute(select(Operator).where(Operator.registration_number.in_(chunk))).scalars():
            found[op.registration_number] = op
    return found


def _existing_venues(operator_ids: list[int]) -> dict[tuple, str]:
    found = {}
    for chunk in _chunks(operator_ids):
        rows = db.session.execute(select(Venue.operator_id, Venue.name_key, Venue.ward_id, Venue.ref)
                                  .where(Venue.operator_id.in_(chunk)))
        for operator_id, name_key, ward_id, ref in rows:
            found[(operator_id, name_key, ward_id)] = ref
    return found
