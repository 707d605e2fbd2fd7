"""Read-only queries of the register: searchable lists with keyset pagination, pickers, timelines.

Lists only ever sort on indexed keys — ``(name_key, id)`` or ``(created_at, id)`` — and page with a cursor
(the last row's key), never OFFSET, so page 2,000 costs what page 1 costs.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import lru_cache

from flask_babel import gettext as _
from sqlalchemy import Select, func, literal, select, tuple_
from sqlalchemy.orm import aliased, joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from registry.common.audit import AuditEvent
from registry.common.formatting import fmt_date
from registry.common.text import fold, has_forbidden_chars, parse_id
from registry.db import today_local
from registry.extensions import db
from registry.reference.models import AdminUnit, UnitLevel
from registry.venues.models import Operator, OperatorKind, Room, Venue, VenueKind, VenueSport, VenueStaff, VenueStatus

PAGE_SIZE = 50
MAX_QUERY = 200
SORTS = ("name", "newest")


#: A text search counts its matches up to this many, then says "more than": an exact count of a common word reads
#: every row of the register (60–90 ms at 100,000 venues), while the page itself stops after 51 rows.
COUNT_CAP = 1000


@dataclass
class Page:
    """One page of a list: its rows, the cursor of the next page, and how many rows match in all (``count``; when
    ``count_capped``, more than ``COUNT_CAP`` match and the exact number was not counted)."""

    rows: list
    next_cursor: str | None
    count: int
    has_previous: bool
    count_capped: bool = False


def count_matches(model, conditions: list, *, capped: bool) -> tuple[int, bool]:
    """``(count, capped)``: how many rows of ``model`` match, counting at most ``COUNT_CAP + 1`` when ``capped``."""
    if not capped:
        return db.session.execute(select(func.count()).select_from(model).where(*conditions)).scalar_one(), False
    first = select(literal(1)).select_from(model).where(*conditions).limit(COUNT_CAP + 1).subquery()
    count = db.session.execute(select(func.count()).select_from(first)).scalar_one()
    return (COUNT_CAP, True) if count > COUNT_CAP else (count, False)


def encode_cursor(key: list) -> str:
    """An opaque, URL-safe cursor for a sort key."""
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, sort: str) -> tuple | None:
    """The sort key in a cursor, or None for a missing or malformed one (the first page is shown)."""
    if not cursor or len(cursor) > 400:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        first, row_id = key
        if not isinstance(row_id, int) or not isinstance(first, str):
            return None
        return (datetime.fromisoformat(first), row_id) if sort == "newest" else (first, row_id)
    except (ValueError, TypeError):
        return None


def _int_arg(args: Mapping, name: str) -> int | None:
    value = (args.get(name) or "").strip()
    return parse_id(value)


def _enum_arg(args: Mapping, name: str, enum_cls):
    try:
        return enum_cls(args.get(name) or "")
    except ValueError:
        return None


def _query_arg(args: Mapping) -> str:
    q = (args.get("q") or "")[:MAX_QUERY]
    return "" if has_forbidden_chars(q) else " ".join(q.split())


def _terms(q: str) -> list[str]:
    return [t for t in fold(q).split(" ") if t][:8]


# ----------------------------------------------------------------------------------------------- venues
@dataclass
class VenueFilters:
    """What the venue list is narrowed to (from the query string; unknown values are ignored)."""

    q: str = ""
    kind: VenueKind | None = None
    status: VenueStatus | None = None
    district_id: int | None = None
    ward_id: int | None = None
    operator_id: int | None = None

    @classmethod
    def from_args(cls, args: Mapping) -> VenueFilters:
        return cls(q=_query_arg(args), kind=_enum_arg(args, "kind", VenueKind),
                   status=_enum_arg(args, "status", VenueStatus), district_id=_int_arg(args, "district"),
                   ward_id=_int_arg(args, "ward"), operator_id=_int_arg(args, "operator"))

    def as_args(self) -> dict:
        """Query-string arguments that reproduce these filters (for links, pages and exports)."""
        names = {"district_id": "district", "ward_id": "ward", "operator_id": "operator"}
        return {names.get(k, k): (v.value if hasattr(v, "value") else v)
                for k, v in asdict(self).items() if v not in (None, "")}

    @property
    def active(self) -> bool:
        return any(v not in (None, "") for v in asdict(self).values())


def _venue_conditions(filters: VenueFilters) -> list:
    conds = [Venue.search_text.contains(term, autoescape=True) for term in _terms(filters.q)]
    if filters.kind is not None:
        conds.append(Venue.kind == filters.kind)
    if filters.status is not None:
        conds.append(Venue.status == filters.status)
    if filters.district_id is not None:
        conds.append(Venue.district_id == filters.district_id)
    if filters.ward_id is not None:
        conds.append(Venue.ward_id == filters.ward_id)
    if filters.operator_id is not None:
        conds.append(Venue.operator_id == filters.operator_id)
    return conds


def _venue_order(sort: str):
    if sort == "newest":
        return (Venue.created_at, Venue.id), (Venue.created_at.desc(), Venue.id.desc())
    return (Venue.name_key, Venue.id), (Venue.name_key, Venue.id)


def room_count_column():
    """Number of current, active rooms of each venue (a correlated count on ``ix_rooms_venue_current``)."""
    return (select(func.count(Room.id)).where(Room.venue_id == Venue.id, Room.valid_to.is_(None),
                                              Room.active.is_(True))
            .correlate(Venue).scalar_subquery().label("room_count"))


def _venue_rows(filters: VenueFilters, sort: str) -> Select:
    return (select(Venue, room_count_column()).where(*_venue_conditions(filters))
            .options(joinedload(Venue.operator), joinedload(Venue.ward), joinedload(Venue.district)))


def search_venues(filters: VenueFilters, sort: str = "name", after: str | None = None,
                  limit: int = PAGE_SIZE) -> Page:
    """A page of venues matching ``filters`` with a count of all matches.

    :param sort: ``"name"`` (A→Z) or ``"newest"`` (most recently registered first).
    :param after: cursor from the previous page's ``next_cursor``.
    :returns: ``Page`` whose rows are ``(Venue, room_count)`` pairs.
    """
    sort = sort if sort in SORTS else "name"
    key_cols, order = _venue_order(sort)
    stmt = _venue_rows(filters, sort).order_by(*order).limit(limit + 1)
    position = decode_cursor(after, sort)
    if position is not None:
        stmt = stmt.where(tuple_(*key_cols) < position if sort == "newest" else tuple_(*key_cols) > position)
    rows = db.session.execute(stmt).unique().all()
    capped = False
    if position is None and len(rows) <= limit:
        count = len(rows)  # the first page holds every match: no need to scan again to count them
    else:
        count, capped = count_matches(Venue, _venue_conditions(filters), capped=bool(filters.q))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1][0]
        next_cursor = encode_cursor([last.created_at.isoformat(), last.id] if sort == "newest"
                                    else [last.name_key, last.id])
    return Page(rows=rows, next_cursor=next_cursor, count=count, has_previous=position is not None,
                count_capped=capped)


def export_venues(filters: VenueFilters, sort: str = "name", batch: int = 2000) -> Iterator:
    """Every matching venue as a plain row (no ORM objects: exports of 100,000 rows stay fast and flat),
    in list order, fetched in keyset batches.

    Row fields: id, ref, name, kind, status, operator_name, registration_number, house_number, street,
    ward_name, district_name, city, phone, capacity, opens_at, closes_at, room_count, latitude, longitude,
    created_at, closed_on (plus the sort key).
    """
    ward, district = aliased(AdminUnit), aliased(AdminUnit)
    key_cols, order = _venue_order(sort)
    stmt = (select(Venue.id, Venue.ref, Venue.name, Venue.kind, Venue.status, Operator.name.label("operator_name"),
                   Operator.registration_number, Venue.house_number, Venue.street, ward.name.label("ward_name"),
                   district.name.label("district_name"), Venue.city, Venue.phone, Venue.capacity, Venue.opens_at,
                   Venue.closes_at, room_count_column(), Venue.latitude, Venue.longitude, Venue.created_at,
                   Venue.closed_on, Venue.name_key)
            .join(Operator, Operator.id == Venue.operator_id).join(ward, ward.id == Venue.ward_id)
            .outerjoin(district, district.id == Venue.district_id)
            .where(*_venue_conditions(filters)).order_by(*order).limit(batch))
    position = None
    while True:
        page = stmt
        if position is not None:
            page = stmt.where(tuple_(*key_cols) < position if sort == "newest" else tuple_(*key_cols) > position)
        rows = db.session.execute(page).all()
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1]
        position = (last.created_at, last.id) if sort == "newest" else (last.name_key, last.id)


def load_venue(venue_id: int) -> Venue | None:
    """A venue with what its page shows: operator, ward, district, current rooms, sports and staff."""
    return db.session.execute(select(Venue).where(Venue.id == venue_id).options(
        joinedload(Venue.operator), joinedload(Venue.ward).joinedload(AdminUnit.parent),
        joinedload(Venue.district), selectinload(Venue.rooms),
        selectinload(Venue.sports).joinedload(VenueSport.sport),
        selectinload(Venue.staff).joinedload(VenueStaff.sport))).unique().scalar_one_or_none()


def room_history(venue_id: int) -> list[Room]:
    """Every version of every room of a venue, by code then date."""
    return list(db.session.execute(
        select(Room).where(Room.venue_id == venue_id).options(joinedload(Room.changed_by))
        .order_by(Room.code, Room.valid_from, Room.id)).scalars())


def rooms_on(venue_id: int, when: datetime) -> list[Room]:
    """The rooms a venue had at the moment ``when`` (for licences and inspections that look back in time)."""
    return list(db.session.execute(
        select(Room).where(Room.venue_id == venue_id, Room.valid_from <= when,
                           (Room.valid_to.is_(None)) | (Room.valid_to > when))
        .order_by(Room.code, Room.id)).scalars())


# ----------------------------------------------------------------------------------------------- operators
@dataclass
class OperatorFilters:
    """What the operator list is narrowed to."""

    q: str = ""
    kind: OperatorKind | None = None
    state: str | None = None  # "active" or "closed"

    @classmethod
    def from_args(cls, args: Mapping) -> OperatorFilters:
        state = args.get("state")
        return cls(q=_query_arg(args), kind=_enum_arg(args, "kind", OperatorKind),
                   state=state if state in ("active", "closed") else None)

    def as_args(self) -> dict:
        return {k: (v.value if hasattr(v, "value") else v) for k, v in asdict(self).items() if v not in (None, "")}

    @property
    def active(self) -> bool:
        return any(v not in (None, "") for v in asdict(self).values())


def _operator_conditions(filters: OperatorFilters) -> list:
    conds = [Operator.search_text.contains(term, autoescape=True) for term in _terms(filters.q)]
    if filters.kind is not None:
        conds.append(Operator.kind == filters.kind)
    if filters.state == "active":
        conds.append(Operator.closed_on.is_(None))
    elif filters.state == "closed":
        conds.append(Operator.closed_on.is_not(None))
    return conds


def venue_count_column():
    """Number of venues of each operator (a correlated count on ``ix_venues_operator_id``)."""
    return (select(func.count(Venue.id)).where(Venue.operator_id == Operator.id)
            .correlate(Operator).scalar_subquery().label("venue_count"))


def search_operators(filters: OperatorFilters, sort: str = "name", after: str | None = None,
                     limit: int = PAGE_SIZE) -> Page:
    """A page of operators matching ``filters``; rows are ``(Operator, venue_count)`` pairs."""
    sort = sort if sort in SORTS else "name"
    if sort == "newest":
        key_cols, order = (Operator.created_at, Operator.id), (Operator.created_at.desc(), Operator.id.desc())
    else:
        key_cols, order = (Operator.name_key, Operator.id), (Operator.name_key, Operator.id)
    stmt = (select(Operator, venue_count_column()).where(*_operator_conditions(filters))
            .order_by(*order).limit(limit + 1))
    position = decode_cursor(after, sort)
    if position is not None:
        stmt = stmt.where(tuple_(*key_cols) < position if sort == "newest" else tuple_(*key_cols) > position)
    rows = db.session.execute(stmt).all()
    capped = False
    if position is None and len(rows) <= limit:
        count = len(rows)
    else:
        count, capped = count_matches(Operator, _operator_conditions(filters), capped=bool(filters.q))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1][0]
        next_cursor = encode_cursor([last.created_at.isoformat(), last.id] if sort == "newest"
                                    else [last.name_key, last.id])
    return Page(rows=rows, next_cursor=next_cursor, count=count, has_previous=position is not None,
                count_capped=capped)


def operator_venues(operator_id: int) -> list[tuple[Venue, int]]:
    """All venues of an operator with their room counts, by name."""
    return list(db.session.execute(
        select(Venue, room_count_column()).where(Venue.operator_id == operator_id)
        .options(joinedload(Venue.ward), joinedload(Venue.district)).order_by(Venue.name_key, Venue.id)).all())


# ----------------------------------------------------------------------------------------------- pickers
_unit_key = lru_cache(maxsize=4096)(fold)  # unit names are sorted on every list page: fold each once


def _until(unit: AdminUnit | _Unit) -> str:
    return _("until %(date)s", date=fmt_date(unit.valid_to)) if unit.valid_to else ""


def ward_choices(keep_id: int | None = None) -> list[SelectChoice]:
    """Wards and communes valid today, by name; plus ``keep_id`` (a venue's historic ward) marked with its end."""
    today = today_local()
    units = db.session.execute(
        select(AdminUnit).where(AdminUnit.level == UnitLevel.COMMUNE).options(joinedload(AdminUnit.parent))
    ).scalars().all()
    current = sorted((u for u in units if u.valid_on(today)), key=lambda u: _unit_key(u.short_name))
    choices = [SelectChoice(str(u.id), u.label) for u in current]
    kept = next((u for u in units if u.id == keep_id and not u.valid_on(today)), None)
    if kept is not None:
        choices.insert(0, SelectChoice(str(kept.id), f"{kept.label} ({_until(kept)})"))
    return choices


@dataclass
class AreaChoices:
    """Options of the district and ward filters (historic units included, marked with their end date)."""

    districts: list[SelectChoice] = field(default_factory=list)
    ward_groups: list[tuple[str, list[SelectChoice]]] = field(default_factory=list)


@dataclass(frozen=True)
class _Unit:
    """The fields of an administrative unit the filter options show."""

    id: int
    name: str
    short_name: str
    level: UnitLevel
    parent_id: int | None
    valid_from: date | None
    valid_to: date | None

    valid_on = AdminUnit.valid_on  # reads only valid_from and valid_to


def area_choices() -> AreaChoices:
    """District and ward filter options: wards valid today first, then each former district's wards."""
    today = today_local()
    # plain rows, not ORM objects: hydrating ~150 units cost more than the rest of the list's queries together
    units = db.session.execute(select(
        AdminUnit.id, AdminUnit.name, AdminUnit.short_name, AdminUnit.level, AdminUnit.parent_id,
        AdminUnit.valid_from, AdminUnit.valid_to).where(
        AdminUnit.level.in_([UnitLevel.DISTRICT, UnitLevel.COMMUNE]))).all()
    units = [_Unit(*row) for row in units]
    districts = sorted((u for u in units if u.level == UnitLevel.DISTRICT),
                       key=lambda u: (not u.valid_on(today), _unit_key(u.short_name), u.id))
    out = AreaChoices()
    for d in districts:
        out.districts.append(SelectChoice(str(d.id), d.name if d.valid_on(today) else f"{d.name} ({_until(d)})"))
    wards = [u for u in units if u.level == UnitLevel.COMMUNE]
    current = sorted((u for u in wards if u.valid_on(today)), key=lambda u: _unit_key(u.short_name))
    if current:
        out.ward_groups.append((_("Valid today"), [SelectChoice(str(u.id), u.name) for u in current]))
    for d in districts:
        former = sorted((u for u in wards if u.parent_id == d.id and not u.valid_on(today)),
                        key=lambda u: _unit_key(u.short_name))
        if former:
            group = f"{d.name} ({_until(d)})" if d.valid_to else d.name
            out.ward_groups.append((group, [SelectChoice(str(u.id), u.name) for u in former]))
    return out


# ----------------------------------------------------------------------------------------------- timelines
TIMELINE_SIZE = 50


def timeline(*, venue_id: int | None = None, operator_id: int | None = None, before: int | None = None,
             limit: int = TIMELINE_SIZE) -> tuple[list[AuditEvent], int | None]:
    """Audit events on a venue's or an operator's timeline, newest first, and the cursor of older ones."""
    stmt = select(AuditEvent)
    if venue_id is not None:
        stmt = stmt.where(AuditEvent.venue_id == venue_id)
    else:
        stmt = stmt.where(AuditEvent.operator_id == operator_id)
    if before is not None:
        stmt = stmt.where(AuditEvent.id < before)
    events = list(db.session.execute(stmt.order_by(AuditEvent.id.desc()).limit(limit + 1)).scalars())
    older = None
    if len(events) > limit:
        events = events[:limit]
        older = events[-1].id
    return events, older
