"""State changes of the register: operators, venues, rooms (with history), sports and staff.

Every function checks the current state, raises ``VenueError`` (translated) on refusal, flushes and writes an audit
event in the caller's transaction. None of them commits: the view (or CLI) does, once.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from registry.common import audit
from registry.common.text import clean, fold, search_key
from registry.db import today_local, utcnow
from registry.extensions import db
from registry.reference.models import AdminUnit, Sport, UnitLevel
from registry.venues import bulk
from registry.venues.models import (
    Operator,
    OperatorKind,
    Room,
    Venue,
    VenueKind,
    VenueSport,
    VenueStaff,
    VenueStatus,
)

OPERATOR_FIELDS = (
    "kind", "name", "registration_number", "registration_date", "registration_issuer", "head_office",
    "legal_rep_name", "legal_rep_id_number", "legal_rep_birth_date", "security_person_name",
    "security_person_phone", "phone", "email", "language",
)
VENUE_FIELDS = (
    "name", "kind", "operator_id", "house_number", "street", "ward_id", "district_id", "city", "latitude",
    "longitude", "phone", "capacity", "opens_at", "closes_at", "status", "notes",
)
_REF_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O or U to misread


class VenueError(ValueError):
    """A change the register refuses; the message is translated and meant for the user."""


# ----------------------------------------------------------------------------------------------- helpers
def new_ref() -> str:
    """A short, stable, unguessable venue reference such as ``CS-7K3M9Q2X`` (used in open data and exports)."""
    bits = int.from_bytes(secrets.token_bytes(5))  # 40 random bits, 5 per character
    return "CS-" + "".join(_REF_ALPHABET[(bits >> shift) & 31] for shift in range(35, -1, -5))


SEARCH_TEXT_BYTES = 1000  # kept in an index: well under PostgreSQL's 2,704-byte limit for an index entry


def _capped(text: str) -> str:
    return text.encode()[:SEARCH_TEXT_BYTES].decode(errors="ignore")


def operator_search_text(name: str, registration_number: str, head_office: str | None = None,
                         legal_rep_name: str | None = None) -> str:
    """Folded text the operator list searches (name, registration number, head office, representative)."""
    return _capped(search_key(name, registration_number, legal_rep_name, head_office))


def venue_search_text(*, name: str, ref: str, house_number: str | None, street: str | None,
                      ward_name: str | None, district_name: str | None, operator_name: str,
                      registration_number: str, folder=fold) -> str:
    """Folded text the venue list searches: name, reference, address, operator name and registration number.

    :param folder: ``fold`` or a cached version of it (imports fold the same street and ward many times).
    """
    street_line = " ".join(p for p in (house_number, street) if p)
    parts = (name, ref, registration_number, operator_name, street_line, ward_name, district_name)
    return _capped(" | ".join(folder(p) for p in parts if p))  # what common.text.search_key builds


def refresh_venue_search(venue: Venue) -> None:
    """Recompute a venue's folded search keys after any of their sources changed."""
    venue.name_key = fold(venue.name)[:255]
    venue.search_text = venue_search_text(
        name=venue.name, ref=venue.ref, house_number=venue.house_number, street=venue.street,
        ward_name=venue.ward.name if venue.ward else None,
        district_name=venue.district.name if venue.district else None,
        operator_name=venue.operator.name, registration_number=venue.operator.registration_number)


def place_of(ward: AdminUnit) -> tuple[AdminUnit | None, str]:
    """The district a ward belonged to (None after the district level was abolished) and the city's name."""
    district = ward.parent if ward.parent is not None and ward.parent.level == UnitLevel.DISTRICT else None
    top = ward
    while top.parent is not None:
        top = top.parent
    return district, top.short_name


def _current_ward(ward_id: int | None, *, keep_id: int | None = None) -> AdminUnit:
    ward = db.session.get(AdminUnit, ward_id) if ward_id else None
    if ward is None or ward.level != UnitLevel.COMMUNE:
        raise VenueError(_("Choose a ward or commune from the list."))
    if ward.id != keep_id and not ward.valid_on(today_local()):
        raise VenueError(_("%(ward)s no longer exists; choose a ward or commune valid today.", ward=ward.name))
    return ward


def _clean(data: dict, fields: tuple[str, ...]) -> dict:
    out = {}
    for field in fields:
        if field in data:
            value = data[field]
            out[field] = clean(value) if isinstance(value, str) else value
    return out


def _created(obj, fields: tuple[str, ...]) -> dict:
    """Changes of a creation: every field that has a value, as ``[None, value]``."""
    snap = audit.snapshot(obj, fields)
    return {k: [None, val] for k, val in snap.items() if val not in (None, "")}


# ----------------------------------------------------------------------------------------------- operators
def create_operator(data: dict) -> Operator:
    """Register an operator.

    :param data: values of ``OPERATOR_FIELDS`` (``kind`` and ``name`` and ``registration_number`` required).
    :raises VenueError: if the registration number is already used.
    """
    values = _clean(data, OPERATOR_FIELDS)
    values["kind"] = OperatorKind(values["kind"])
    values.setdefault("language", "vi")
    _check_registration_free(values["registration_number"])
    operator = Operator(**values, name_key=fold(values["name"])[:255],
                        search_text=operator_search_text(values["name"], values["registration_number"],
                                                         values.get("head_office"), values.get("legal_rep_name")))
    db.session.add(operator)
    db.session.flush()
    audit.record("operator.create", operator, _created(operator, OPERATOR_FIELDS))
    return operator


def _check_registration_free(number: str, *, except_id: int | None = None) -> None:
    found = db.session.execute(
        select(Operator.id, Operator.name).where(Operator.registration_number == number)).first()
    if found is not None and found.id != except_id:
        raise VenueError(_("Registration number %(number)s is already used by %(name)s.", number=number,
                           name=found.name))


def update_operator(operator: Operator, data: dict) -> dict:
    """Change an operator's details; the search keys of its venues follow a change of name or number.

    :returns: the field-level changes (empty if nothing changed; then nothing is written).
    :raises VenueError: if the new registration number is already used.
    """
    values = _clean(data, OPERATOR_FIELDS)
    if "registration_number" in values:
        _check_registration_free(values["registration_number"], except_id=operator.id)
    before = audit.snapshot(operator, OPERATOR_FIELDS)
    for field, value in values.items():
        setattr(operator, field, OperatorKind(value) if field == "kind" else value)
    changes = audit.diff(before, audit.snapshot(operator, OPERATOR_FIELDS))
    if not changes:
        return {}
    operator.name_key = fold(operator.name)[:255]
    operator.search_text = operator_search_text(operator.name, operator.registration_number,
                                                operator.head_office, operator.legal_rep_name)
    if {"name", "registration_number"} & changes.keys():
        venues = db.session.execute(select(Venue).where(Venue.operator_id == operator.id).options(
            selectinload(Venue.ward), selectinload(Venue.district))).scalars()
        for venue in venues:
            refresh_venue_search(venue)
    db.session.flush()
    audit.record("operator.update", operator, changes)
    return changes


def close_operator(operator: Operator, closed_on: date, reason: str) -> None:
    """Record that an operator stopped trading (dissolved, deregistered).

    :raises VenueError: if it is already closed or still runs a venue that is not closed.
    """
    if operator.closed_on is not None:
        raise VenueError(_("This operator is already closed."))
    open_count = sum(1 for v in operator.venues if v.status != VenueStatus.CLOSED)
    if open_count:
        raise VenueError(_("This operator still runs %(n)d venue(s) that are not closed. Close them first.",
                           n=open_count))
    operator.closed_on, operator.closed_reason = closed_on, clean(reason)
    db.session.flush()
    audit.record("operator.close", operator, {"closed_on": [None, closed_on],
                                              "closed_reason": [None, operator.closed_reason]})


def reopen_operator(operator: Operator) -> None:
    """Undo a closure recorded by mistake or a business that resumed.

    :raises VenueError: if the operator is not closed.
    """
    if operator.closed_on is None:
        raise VenueError(_("This operator is not closed."))
    changes = {"closed_on": [operator.closed_on, None], "closed_reason": [operator.closed_reason, None]}
    operator.closed_on = operator.closed_reason = None
    db.session.flush()
    audit.record("operator.reopen", operator, changes)


# ----------------------------------------------------------------------------------------------- venues
def create_venue(data: dict, rooms: list[dict] | tuple = (), *, by_user_id: int | None = None) -> Venue:
    """Register a venue (and its rooms) for an existing operator, at a ward valid today.

    :param data: values of ``VENUE_FIELDS`` plus ``operator`` (an Operator); ``district_id`` and ``city`` are
        derived from the ward.
    :param rooms: ``[{"code", "area_m2", "active"}]`` for karaoke and dance halls.
    :raises VenueError: closed operator, unknown or expired ward, rooms for a kind that has none, bad rooms.
    """
    values = _clean(data, VENUE_FIELDS)
    operator: Operator = data["operator"]
    if operator.closed_on is not None:
        raise VenueError(_("%(name)s is closed; a venue cannot be added to a closed operator.", name=operator.name))
    ward = _current_ward(values.pop("ward_id", None))
    district, city = place_of(ward)
    kind = VenueKind(values.pop("kind"))
    status = VenueStatus(values.pop("status", None) or VenueStatus.OPERATING)
    if status == VenueStatus.CLOSED:
        raise VenueError(_("Register the venue first, then close it with a date and a reason."))
    for derived in ("operator_id", "district_id", "city"):
        values.pop(derived, None)
    venue = Venue(**values, ref=new_ref(), kind=kind, status=status, operator=operator, ward=ward,
                  district=district, city=city, name_key="", search_text="")
    refresh_venue_search(venue)
    db.session.add(venue)
    db.session.flush()
    changes = _created(venue, VENUE_FIELDS)
    if rooms:
        room_events = set_rooms(venue, rooms, by_user_id=by_user_id, record=False)
        changes["rooms"] = [[c["room"], c["area_m2"][1]] for _action, c in room_events]
    audit.record("venue.create", venue, changes)
    return venue


def update_venue(venue: Venue, data: dict) -> dict:
    """Change a venue's facts. The ward may stay a historic one; a new ward must be valid today.

    :param data: values of ``VENUE_FIELDS``; ``operator`` (an Operator) to move the venue to another operator.
    :returns: the field-level changes (empty if nothing changed).
    :raises VenueError: closed operator, expired ward, a kind without rooms while rooms exist, status closed.
    """
    values = _clean(data, VENUE_FIELDS)
    before = audit.snapshot(venue, VENUE_FIELDS)
    operator: Operator | None = data.get("operator")
    if operator is not None and operator.id != venue.operator_id:
        if operator.closed_on is not None:
            raise VenueError(_("%(name)s is closed; a venue cannot be moved to a closed operator.",
                               name=operator.name))
        venue.operator, venue.operator_id = operator, operator.id  # the id too, for the diff below
    if "ward_id" in values and values["ward_id"] != venue.ward_id:
        ward = _current_ward(values["ward_id"], keep_id=venue.ward_id)
        district, city = place_of(ward)
        venue.ward, venue.ward_id, venue.city = ward, ward.id, city
        venue.district, venue.district_id = district, district.id if district else None
    if "kind" in values:
        kind = VenueKind(values["kind"])
        if not kind.has_rooms and venue.active_rooms:
            raise VenueError(_("A %(kind)s has no rooms: remove the rooms first.", kind=_kind_label(kind)))
        venue.kind = kind
    if "status" in values and values["status"] is not None:
        status = VenueStatus(values["status"])
        if venue.status == VenueStatus.CLOSED and status != VenueStatus.CLOSED:
            raise VenueError(_("This venue is closed; reopen it instead."))
        if status == VenueStatus.CLOSED and venue.status != VenueStatus.CLOSED:
            raise VenueError(_("Use “Close venue” to close it, with a date and a reason."))
        venue.status = status
    for field in ("name", "house_number", "street", "latitude", "longitude", "phone", "capacity", "opens_at",
                  "closes_at", "notes"):
        if field in values:
            setattr(venue, field, values[field])
    changes = audit.diff(before, audit.snapshot(venue, VENUE_FIELDS))
    if not changes:
        return {}
    refresh_venue_search(venue)
    db.session.flush()
    audit.record("venue.update", venue, changes)
    return changes


def _kind_label(kind: VenueKind) -> str:
    from registry.common.labels import label

    return label(kind).lower()


def close_venue(venue: Venue, closed_on: date, reason: str) -> None:
    """Record that a venue stopped trading on ``closed_on``, and why.

    :raises VenueError: if it is already closed or the date is in the future.
    """
    if venue.status == VenueStatus.CLOSED:
        raise VenueError(_("This venue is already closed."))
    if closed_on > today_local():
        raise VenueError(_("The closing date cannot be in the future."))
    changes = {"status": [venue.status.value, VenueStatus.CLOSED.value], "closed_on": [None, closed_on],
               "closed_reason": [None, clean(reason)]}
    venue.status, venue.closed_on, venue.closed_reason = VenueStatus.CLOSED, closed_on, clean(reason)
    db.session.flush()
    audit.record("venue.close", venue, changes)


def reopen_venue(venue: Venue) -> None:
    """A closed venue trades again (or was closed by mistake).

    :raises VenueError: if it is not closed, or its operator is closed.
    """
    if venue.status != VenueStatus.CLOSED:
        raise VenueError(_("This venue is not closed."))
    if venue.operator.closed_on is not None:
        raise VenueError(_("Its operator is closed; reopen the operator or move the venue first."))
    changes = {"status": [VenueStatus.CLOSED.value, VenueStatus.OPERATING.value],
               "closed_on": [venue.closed_on, None], "closed_reason": [venue.closed_reason, None]}
    venue.status, venue.closed_on, venue.closed_reason = VenueStatus.OPERATING, None, None
    db.session.flush()
    audit.record("venue.reopen", venue, changes)


def _touch(venue: Venue) -> None:
    """Bump the venue's version so a concurrent edit of its rooms, sports or staff is detected."""
    venue.updated_at = utcnow()


# ----------------------------------------------------------------------------------------------- rooms
def set_rooms(venue: Venue, rooms: list[dict] | tuple, *, by_user_id: int | None = None,
              record: bool = True) -> list[tuple[str, dict]]:
    """Make the venue's current rooms those of ``rooms``, keeping history.

    A changed room's current row is closed (``valid_to``) and a new row inserted; a room absent from ``rooms``
    is closed (removed); a room without ``id`` is added. Unchanged rooms are left alone.

    :param rooms: the complete wanted list ``[{"id": current row id or None, "code", "area_m2", "active"}]``.
    :param record: write one audit event per change (``room.add``/``room.update``/``room.remove``).
    :returns: the ``(action, changes)`` of each change.
    :raises VenueError: rooms for a kind without rooms, duplicate codes, bad areas, unknown room ids.
    """
    rooms = list(rooms)
    if rooms and not venue.kind.has_rooms:
        raise VenueError(_("Only karaoke and dance-hall venues have rooms."))
    seen = set()
    for item in rooms:
        key = fold(item["code"])
        if not item["code"] or key in seen:
            raise VenueError(_("Room code %(code)s is used twice.", code=item["code"]))
        seen.add(key)
        area = Decimal(item["area_m2"])
        if not Decimal(0) < area < Decimal(10000) or area.as_tuple().exponent < -2:
            raise VenueError(_("An area must be more than 0 and less than 10,000 m²."))
    current = {r.id: r for r in db.session.execute(
        select(Room).where(Room.venue_id == venue.id, Room.valid_to.is_(None))).scalars()}
    now, to_close, to_add, events = utcnow(), [], [], []
    for item in rooms:
        code, area, active = item["code"], Decimal(item["area_m2"]), bool(item.get("active", True))
        if item.get("id"):
            old = current.pop(item["id"], None)
            if old is None:
                raise VenueError(_("A room on the form no longer exists; reload the page and try again."))
            changes = {f: [getattr(old, f), new] for f, new in (("code", code), ("area_m2", area),
                                                                 ("active", active))
                       if getattr(old, f) != new}
            if not changes:
                continue
            to_close.append(old)
            new_row = Room(venue_id=venue.id, code=code, area_m2=area, active=active, valid_from=now,
                           changed_by_id=by_user_id)
            to_add.append(new_row)
            events.append(("room.update", new_row, {"room": old.code, **changes}))
        else:
            new_row = Room(venue_id=venue.id, code=code, area_m2=area, active=active, valid_from=now,
                           changed_by_id=by_user_id)
            to_add.append(new_row)
            events.append(("room.add", new_row, {"room": code, "area_m2": [None, area]}))
    for old in current.values():
        to_close.append(old)
        events.append(("room.remove", old, {"room": old.code, "area_m2": [old.area_m2, None]}))
    if not events:
        return []
    for old in to_close:
        old.valid_to = now
    db.session.flush()  # close first: the partial unique index allows one current row per code
    db.session.add_all(to_add)
    _touch(venue)
    db.session.flush()
    db.session.expire(venue, ["rooms", "room_history"])
    if record:
        for action, row, changes in events:
            audit.record(action, row, changes)
    return [(action, changes) for action, _row, changes in events]


# ----------------------------------------------------------------------------------------------- sports
def set_sports(venue: Venue, sports: list[dict]) -> dict:
    """Make the sports a facility offers those of ``sports`` (catalogue ids with two flags each).

    :param sports: ``[{"sport_id", "sells_instruction", "open_water"}]``.
    :returns: ``{"added": [...], "removed": [...], "changed": [...]}`` by sport name (empty if nothing changed).
    :raises VenueError: for a venue that is not a sports facility, or an unknown sport.
    """
    if sports and venue.kind != VenueKind.SPORTS:
        raise VenueError(_("Only sports facilities offer sports."))
    wanted = {int(s["sport_id"]): s for s in sports}
    catalogue = {s.id: s for s in db.session.execute(select(Sport).where(Sport.id.in_(wanted))).scalars()}
    if set(wanted) - set(catalogue):
        raise VenueError(_("Unknown sport; reload the page."))
    added, removed, changed = [], [], []
    for row in list(venue.sports):
        if row.sport_id not in wanted:
            removed.append(row.sport.code)
            venue.sports.remove(row)
            continue
        item = wanted.pop(row.sport_id)
        flags = {"sells_instruction": bool(item.get("sells_instruction")), "open_water": bool(item.get("open_water"))}
        diff = {k: [getattr(row, k), val] for k, val in flags.items() if getattr(row, k) != val}
        if diff:
            for k, (_old, val) in diff.items():
                setattr(row, k, val)
            changed.append({"sport": row.sport.code, **diff})
    for sport_id, item in wanted.items():
        venue.sports.append(VenueSport(sport_id=sport_id, sells_instruction=bool(item.get("sells_instruction")),
                                       open_water=bool(item.get("open_water"))))
        added.append(catalogue[sport_id].code)
    changes = {k: val for k, val in (("added", added), ("removed", removed), ("changed", changed)) if val}
    if not changes:
        return {}
    _touch(venue)
    db.session.flush()
    audit.record("venue.sports", venue, changes)
    return changes


# ----------------------------------------------------------------------------------------------- staff
STAFF_FIELDS = ("full_name", "role", "qualification", "document_number", "sport_id", "active")


def set_staff(venue: Venue, staff: list[dict]) -> dict:
    """Make the facility's staff list that of ``staff`` (rows with ``id`` are updated, others added, absent
    ones removed).

    :returns: ``{"added": [names], "removed": [names], "changed": [{"person", field: [old, new]}]}``.
    :raises VenueError: for a venue that is not a sports facility, an unknown row id, or a sport not offered.
    """
    if staff and venue.kind != VenueKind.SPORTS:
        raise VenueError(_("Only sports facilities record sports staff."))
    offered = {s.sport_id for s in venue.sports}
    current = {s.id: s for s in venue.staff}
    added, removed, changed = [], [], []
    for item in staff:
        values = _clean(item, STAFF_FIELDS)
        if not values.get("full_name"):
            raise VenueError(_("Enter the person's name."))
        if values.get("sport_id") is not None and values["sport_id"] not in offered:
            raise VenueError(_("The facility does not offer this sport."))
        if item.get("id"):
            row = current.pop(item["id"], None)
            if row is None:
                raise VenueError(_("A person on the form is no longer listed; reload the page and try again."))
            before = audit.snapshot(row, STAFF_FIELDS)
            for field, value in values.items():
                setattr(row, field, value)
            diff = audit.diff(before, audit.snapshot(row, STAFF_FIELDS))
            if diff:
                changed.append({"person": row.full_name, **diff})
        else:
            venue.staff.append(VenueStaff(**values))
            added.append(values["full_name"])
    for row in current.values():
        removed.append(row.full_name)
        venue.staff.remove(row)
    changes = {k: val for k, val in (("added", added), ("removed", removed), ("changed", changed)) if val}
    if not changes:
        return {}
    _touch(venue)
    db.session.flush()
    audit.record("venue.staff", venue, changes)
    return changes


# ----------------------------------------------------------------------------------------------- import
@dataclass
class ImportResult:
    """What an import created."""

    venues: int
    operators: int
    rooms: int


def import_rows(rows: list, *, filename: str, by_user_id: int | None = None) -> ImportResult:
    """Insert checked import rows (``imports.check_rows``) in bulk: new operators, venues, rooms and one audit
    event per operator and venue (so each timeline shows where the record came from), plus a summary event.

    Everything goes into the caller's transaction: the caller commits once, or rolls back and nothing is kept.

    :param rows: ``imports.ImportRow`` objects from a preview without errors.
    :raises VenueError: if an operator the file introduces was registered since the preview.
    """
    now = utcnow()
    numbers = sorted({r.registration_number for r in rows})
    operators: dict[str, tuple[int, str]] = {}
    for i in range(0, len(numbers), 500):
        for op_id, number, name in db.session.execute(select(Operator.id, Operator.registration_number,
                                                             Operator.name)
                                                      .where(Operator.registration_number.in_(numbers[i:i + 500]))):
            operators[number] = (op_id, name)
    new_ops = [r for r in rows if r.operator is not None]
    clash = [r.registration_number for r in new_ops if r.registration_number in operators]
    if clash:
        raise VenueError(_("Operator %(number)s was registered after the preview; check the file again.",
                           number=clash[0]))
    introduced = {r.registration_number for r in new_ops}
    missing = [n for n in numbers if n not in operators and n not in introduced]
    if missing:
        raise VenueError(_("Operator %(number)s is not registered; check the file again.", number=missing[0]))
    op_values = [{**r.operator, "name_key": fold(r.operator["name"])[:255], "language": "vi",
                  "search_text": operator_search_text(r.operator["name"], r.registration_number,
                                                      r.operator.get("head_office"),
                                                      r.operator.get("legal_rep_name")),
                  "created_at": now, "updated_at": now, "version_id": 1} for r in new_ops]
    # Plain executemany on the tables, then the new ids read back by unique key: an ordered RETURNING makes
    # SQLite insert row by row, and the ORM's per-row bookkeeping is what costs at 100,000 rows.
    if op_values:
        db.session.execute(insert(Operator.__table__), op_values)
    new_ids = list(bulk.ids_by(Operator.registration_number, Operator.id,
                           [r.registration_number for r in new_ops]).values())
    for r, op_id in zip(new_ops, new_ids, strict=True):
        operators[r.registration_number] = (op_id, r.operator["name"])
    folded = {}  # fold() of the same streets, wards and operators, once; venue names are folded already

    def fold_once(text: str) -> str:
        value = folded.get(text)
        if value is None:
            value = folded[text] = fold(text)
        return value

    places: dict[int, tuple[AdminUnit | None, str]] = {}
    refs: set[str] = set()
    venue_values = []
    for r in rows:
        ward = r.venue["ward"]
        if ward.id not in places:
            places[ward.id] = place_of(ward)
        district, city = places[ward.id]
        op_id, op_name = operators[r.registration_number]
        ref = new_ref()
        while ref in refs:
            ref = new_ref()
        refs.add(ref)
        values = {k: val for k, val in r.venue.items() if k not in ("ward", "name_key")}
        if r.venue.get("name_key"):
            folded[values["name"]] = r.venue["name_key"]
        folded[ref] = ref.lower()
        venue_values.append({
            **values, "ref": ref, "name_key": (r.venue.get("name_key") or fold(values["name"]))[:255],
            "status": VenueStatus.OPERATING,
            "operator_id": op_id, "ward_id": ward.id, "district_id": district.id if district else None,
            "city": city, "created_at": now, "updated_at": now, "version_id": 1,
            "search_text": venue_search_text(name=values["name"], ref=ref, house_number=values["house_number"],
                                             street=values["street"], ward_name=ward.name,
                                             district_name=district.name if district else None,
                                             operator_name=op_name, registration_number=r.registration_number,
                                             folder=fold_once)})
    if venue_values:
        db.session.execute(insert(Venue.__table__), venue_values)
    venue_ids = list(bulk.ids_by(Venue.ref, Venue.id, [v["ref"] for v in venue_values]).values())
    room_values = [{"venue_id": venue_id, "code": code, "area_m2": area, "active": True, "valid_from": now,
                    "changed_by_id": by_user_id}
                   for r, venue_id in zip(rows, venue_ids, strict=True) for code, area in r.rooms]
    if room_values:
        db.session.execute(insert(Room.__table__), room_values)
    events = [("operator.import", "operators", op_id, None, op_id, {"file": filename, "line": r.line})
              for r, op_id in zip(new_ops, new_ids, strict=True)]
    events += [("venue.import", "venues", venue_id, venue_id, operators[r.registration_number][0],
                {"file": filename, "line": r.line, "rooms": [[c, str(a)] for c, a in r.rooms]} if r.rooms
                else {"file": filename, "line": r.line})
               for r, venue_id in zip(rows, venue_ids, strict=True)]
    events.append(("import.commit", None, None, None, None, {"file": filename, "venues": len(venue_ids),
                                                              "operators": len(new_ids), "rooms": len(room_values)}))
    bulk.record_many(events)
    return ImportResult(venues=len(venue_ids), operators=len(new_ids), rooms=len(room_values))
