"""Open data: the public register as CSV and JSON, streamed, with one data dictionary for the files and the page.

Datasets (``/open-data/<name>.csv`` and ``.json``):

* ``licences`` — one row per licence (history included), keyed by ``licence_id`` and ``licence_number``.
* ``licence-events`` — one row per licence event: issue, adjust, suspend, revoke, cease, expire.
* ``venues`` — one row per licensed or registered venue, keyed by ``venue_id`` and ``venue_ref``.

Rows are read in keyset batches of :data:`BATCH` ids (three indexed queries per batch, never OFFSET, never the
whole table in memory) and written out as they come: a 100,000-venue export starts at once and stays flat in memory.
Nothing personal is published — no ID or registration numbers, phone numbers, e-mail addresses, head offices,
legal representatives or staff, and no operator name for household businesses. ``COLUMNS`` is the allow-list: a
column that is not in the dictionary cannot be exported.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from registry.db import today_local
from registry.extensions import db
from registry.licences.models import IssuingAuthority, Licence, LicenceStatus, LicenceType, Sanction, SanctionKind
from registry.public.queries import PUBLIC_STATUS
from registry.reference.models import AdminUnit
from registry.venues.models import Operator, OperatorKind, Room, Venue

BATCH = 2000
EVENT_TYPES = ("issue", "adjust", "suspend", "revoke", "cease", "expire")
STATUS_VALUES = tuple(PUBLIC_STATUS.values())


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: object  # lazy string
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dataset:
    name: str
    title: object
    description: object
    columns: tuple[Column, ...]

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name, type_, description, values=()):
    return Column(name, type_, description, tuple(values))


LICENCES = Dataset("licences", _l("Licences"), _l(
    "Every licence and certificate issued, including superseded and revoked ones, with its current status and "
    "what it licenses. One row per licence."), (
    _c("licence_id", "integer", _l("Stable internal identifier of the licence; never reused.")),
    _c("licence_number", "string", _l("Number and symbol printed on the licence, e.g. 15/GP-SVHTT. Numbers restart "
                                      "each year: with the year it is unique per issuing authority.")),
    _c("number", "integer", _l("The number part of the licence number.")),
    _c("year", "integer", _l("Year of the number series.")),
    _c("symbol", "string", _l("Symbol part of the licence number, e.g. GP-SVHTT.")),
    _c("issuing_authority", "string", _l("Code of the authority that issued the licence.")),
    _c("licence_type", "string", _l("Code of the licence type.")),
    _c("category", "enum", _l("What the licence covers."), ("karaoke", "dance_hall", "sports", "event")),
    _c("venue_id", "integer", _l("Internal identifier of the venue (see the venues dataset).")),
    _c("venue_ref", "string", _l("Reference of the venue in the register (see the venues dataset).")),
    _c("venue_name", "string", _l("Name of the business location as printed on the licence.")),
    _c("ward_code", "string", _l("Code of the ward or commune of the venue.")),
    _c("district_code", "string", _l("Code of the district of the venue (empty for units created after the "
                                     "1 July 2025 reorganisation).")),
    _c("issued_on", "date", _l("Date of issue (YYYY-MM-DD).")),
    _c("valid_from", "date", _l("Date from which the licence is valid.")),
    _c("expires_on", "date", _l("End of validity; empty when the licence has no term.")),
    _c("status", "enum", _l("Status today."), STATUS_VALUES),
    _c("status_since", "date", _l("Date the current status began (empty for a licence valid since issue).")),
    _c("first_event", "enum", _l("How the licence came about: issue (new) or adjust (replaces an earlier "
                                 "licence)."), ("issue", "adjust")),
    _c("supersedes_licence_id", "integer", _l("For an adjusted licence: the licence it replaced.")),
    _c("supersedes_licence_number", "string", _l("Number of the licence it replaced.")),
    _c("room_count", "integer", _l("Number of rooms licensed (karaoke and dance halls).")),
    _c("total_area_m2", "decimal", _l("Total area of the licensed rooms in square metres.")),
    _c("sports", "string", _l("Codes of the sports covered, separated by semicolons (sports certificates).")),
    _c("opens_at", "time", _l("Permitted opening time (HH:MM).")),
    _c("closes_at", "time", _l("Permitted closing time (HH:MM); earlier than opens_at means after midnight.")),
    _c("capacity", "integer", _l("Maximum number of persons, when licensed.")),
    _c("events", "events", _l("Licence events in date order. CSV: type:date or type:date/until joined by "
                              "\"|\"; JSON: a list of {type, on, until, document_number}."), EVENT_TYPES),
))

LICENCE_EVENTS = Dataset("licence-events", _l("Licence events"), _l(
    "One row per event in the life of a licence: issue, adjust (a new licence replacing an earlier one), suspend, "
    "revoke, cease, expire."), (
    _c("licence_id", "integer", _l("Stable internal identifier of the licence.")),
    _c("licence_number", "string", _l("Number and symbol of the licence.")),
    _c("venue_ref", "string", _l("Reference of the venue.")),
    _c("event", "enum", _l("What happened."), EVENT_TYPES),
    _c("event_on", "date", _l("Date the event took effect.")),
    _c("until_on", "date", _l("For a suspension: the day it ended or is due to end; empty if open-ended.")),
    _c("document_number", "string", _l("Number of the licence, notice or decision recording the event, if any.")),
))

VENUES = Dataset("venues", _l("Venues"), _l(
    "Every venue in the register with its location, operating hours, rooms and current licence. One row per "
    "venue."), (
    _c("venue_id", "integer", _l("Stable internal identifier of the venue; never reused.")),
    _c("venue_ref", "string", _l("Reference of the venue in the register.")),
    _c("name", "string", _l("Trading name.")),
    _c("kind", "enum", _l("Kind of venue."), ("karaoke", "dance_hall", "club", "sports")),
    _c("status", "enum", _l("Whether the venue trades."), ("operating", "temporarily_closed", "closed")),
    _c("street_address", "string", _l("House number and street.")),
    _c("ward_code", "string", _l("Code of the ward or commune.")),
    _c("ward_name", "string", _l("Name of the ward or commune.")),
    _c("district_code", "string", _l("Code of the district (empty after the 2025 reorganisation).")),
    _c("district_name", "string", _l("Name of the district.")),
    _c("city", "string", _l("City or province.")),
    _c("latitude", "decimal", _l("Latitude (WGS 84), when recorded.")),
    _c("longitude", "decimal", _l("Longitude (WGS 84), when recorded.")),
    _c("capacity", "integer", _l("Maximum number of persons, when recorded.")),
    _c("opens_at", "time", _l("Opening time (HH:MM).")),
    _c("closes_at", "time", _l("Closing time (HH:MM).")),
    _c("operator_kind", "enum", _l("Legal form of the operator."), ("enterprise", "household")),
    _c("operator_name", "string", _l("Name of the operating enterprise; empty for household businesses, whose "
                                     "name is usually a person's name.")),
    _c("room_count", "integer", _l("Number of rooms in use today (karaoke and dance halls).")),
    _c("total_area_m2", "decimal", _l("Total area of those rooms in square metres.")),
    _c("current_licence_id", "integer", _l("The venue's most recent licence that is not superseded.")),
    _c("current_licence_number", "string", _l("Its number.")),
    _c("current_licence_status", "enum", _l("Its status today."), STATUS_VALUES),
))

DATASETS = {d.name: d for d in (LICENCES, LICENCE_EVENTS, VENUES)}

#: Fields of the underlying records that are never published (personal data, free text, the QR token).
NEVER_PUBLISHED = ("registration_number", "registration_date", "registration_issuer", "head_office",
                   "legal_rep_name", "legal_rep_id_number", "legal_rep_birth_date", "security_person_name",
                   "security_person_phone", "phone", "email", "full_name", "reason", "notes", "closed_reason",
                   "status_reason", "verify_token", "snapshot_json")


# ----------------------------------------------------------------------------------------------- helpers

def _batches(stmt, id_col, size: int | None = None) -> Iterator[list]:
    """Rows of ``stmt`` in keyset batches on ``id_col`` (which must be the first selected column)."""
    size = size or BATCH
    last = 0
    while True:
        rows = db.session.execute(stmt.where(id_col > last).order_by(id_col).limit(size)).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _hhmm(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value)[:5]


def _num(value):
    if value is None or value == "":
        return None
    return float(value) if isinstance(value, Decimal) else value


def _public_status(status, expires_on, today):
    public = PUBLIC_STATUS[status]
    if status == LicenceStatus.ACTIVE and expires_on is not None and expires_on < today:
        return "expired"
    return public


# ----------------------------------------------------------------------------------------------- licences

def _licence_events(row, sanctions: list, today: date) -> list[dict]:
    (licence_id, number_display, status, changed_on, issued_on, expires_on, predecessor_id) = row
    events = [{"type": "adjust" if predecessor_id else "issue", "on": issued_on, "until": None,
               "document_number": number_display}]
    kinds = set()
    for kind, starts_on, ends_on, lifted_on, doc in sanctions:
        kinds.add(kind)
        if kind in (SanctionKind.SUSPENSION, SanctionKind.AGENCY_SUSPENSION):
            events.append({"type": "suspend", "on": starts_on, "until": lifted_on or ends_on, "document_number": doc})
        elif kind == SanctionKind.REVOCATION:
            events.append({"type": "revoke", "on": starts_on, "until": None, "document_number": doc})
        elif kind == SanctionKind.CESSATION:
            events.append({"type": "cease", "on": starts_on, "until": None, "document_number": doc})
    if status == LicenceStatus.REVOKED and SanctionKind.REVOCATION not in kinds and changed_on:
        events.append({"type": "revoke", "on": changed_on, "until": None, "document_number": None})
    if status == LicenceStatus.CEASED and SanctionKind.CESSATION not in kinds and changed_on:
        events.append({"type": "cease", "on": changed_on, "until": None, "document_number": None})
    if (status == LicenceStatus.EXPIRED or (status == LicenceStatus.ACTIVE and expires_on is not None
                                            and expires_on < today)) and (expires_on or changed_on):
        events.append({"type": "expire", "on": expires_on or changed_on, "until": None, "document_number": None})
    events.sort(key=lambda e: (e["on"] or date.min, EVENT_TYPES.index(e["type"])))
    return events


def _licence_statement():
    ward, district, pred = aliased(AdminUnit), aliased(AdminUnit), aliased(Licence)
    return (select(Licence.id, Licence.number_display, Licence.number, Licence.year, Licence.symbol,
                   IssuingAuthority.code, LicenceType.code, LicenceType.category, Licence.venue_id, Venue.ref,
                   ward.code, district.code, Licence.issued_on, Licence.valid_from, Licence.expires_on,
                   Licence.status, Licence.status_changed_on, Licence.predecessor_id, pred.number_display,
                   Licence.snapshot_json)
            .join(LicenceType, LicenceType.id == Licence.licence_type_id)
            .join(IssuingAuthority, IssuingAuthority.id == Licence.authority_id)
            .join(Venue, Venue.id == Licence.venue_id)
            .join(ward, ward.id == Venue.ward_id).outerjoin(district, district.id == Venue.district_id)
            .outerjoin(pred, pred.id == Licence.predecessor_id))


def _sanctions_of(ids: list[int]) -> dict[int, list]:
    out: dict[int, list] = {}
    rows = db.session.execute(
        select(Sanction.licence_id, Sanction.kind, Sanction.starts_on, Sanction.ends_on, Sanction.lifted_on,
               Sanction.document_number)
        .where(Sanction.licence_id.in_(ids)).order_by(Sanction.licence_id, Sanction.starts_on, Sanction.id)).all()
    for licence_id, *rest in rows:
        out.setdefault(licence_id, []).append(rest)
    return out


def _snapshot_facts(snapshot_json: str) -> dict:
    snap = json.loads(snapshot_json or "{}")
    rooms = snap.get("rooms") or []
    total = Decimal("0")
    for r in rooms:
        try:
            total += Decimal(str(r.get("area_m2")))
        except Exception:  # noqa: S112 (a malformed legacy room area is left out of the total)
            continue
    hours = snap.get("hours") or {}
    sports = ";".join(str(s.get("code") or s.get("name_vi") or "") for s in snap.get("sports") or [])
    return {"venue_name": (snap.get("venue") or {}).get("name"), "room_count": len(rooms) if rooms else None,
            "total_area_m2": total.quantize(Decimal("0.01")) if rooms else None, "sports": sports or None,
            "opens_at": _hhmm(hours.get("opens_at")), "closes_at": _hhmm(hours.get("closes_at")),
            "capacity": (snap.get("venue") or {}).get("capacity")}


def licence_records(today: date | None = None) -> Iterator[dict]:
    """Every licence as a dict keyed by the ``LICENCES`` columns (events as a list)."""
    today = today or today_local()
    for rows in _batches(_licence_statement(), Licence.id):
        sanctions = _sanctions_of([r[0] for r in rows])
        for (licence_id, number_display, number, year, symbol, authority_code, type_code, category, venue_id,
             venue_ref, ward_code, district_code, issued_on, valid_from, expires_on, status, changed_on,
             predecessor_id, predecessor_number, snapshot_json) in rows:
            facts = _snapshot_facts(snapshot_json)
            events = _licence_events((licence_id, number_display, status, changed_on, issued_on, expires_on,
                                      predecessor_id), sanctions.get(licence_id, []), today)
            yield {
                "licence_id": licence_id, "licence_number": number_display, "number": number, "year": year,
                "symbol": symbol, "issuing_authority": authority_code, "licence_type": type_code,
                "category": getattr(category, "value", category), "venue_id": venue_id, "venue_ref": venue_ref,
                "venue_name": facts["venue_name"], "ward_code": ward_code, "district_code": district_code,
                "issued_on": issued_on, "valid_from": valid_from, "expires_on": expires_on,
                "status": _public_status(status, expires_on, today),
                "status_since": changed_on if status != LicenceStatus.ACTIVE else (
                    expires_on if expires_on is not None and expires_on < today else None),
                "first_event": "adjust" if predecessor_id else "issue",
                "supersedes_licence_id": predecessor_id, "supersedes_licence_number": predecessor_number,
                "room_count": facts["room_count"], "total_area_m2": facts["total_area_m2"], "sports": facts["sports"],
                "opens_at": facts["opens_at"], "closes_at": facts["closes_at"], "capacity": facts["capacity"],
                "events": events,
            }


def licence_event_records(today: date | None = None) -> Iterator[dict]:
    """Every licence event as a dict keyed by the ``LICENCE_EVENTS`` columns."""
    for record in licence_records(today):
        for e in record["events"]:
            yield {"licence_id": record["licence_id"], "licence_number": record["licence_number"],
                   "venue_ref": record["venue_ref"], "event": e["type"], "event_on": e["on"],
                   "until_on": e["until"], "document_number": e["document_number"]}


# ----------------------------------------------------------------------------------------------- venues

def _venue_statement():
    ward, district = aliased(AdminUnit), aliased(AdminUnit)
    return (select(Venue.id, Venue.ref, Venue.name, Venue.kind, Venue.status, Venue.house_number, Venue.street,
                   ward.code, ward.name, district.code, district.name, Venue.city, Venue.latitude, Venue.longitude,
                   Venue.capacity, Venue.opens_at, Venue.closes_at, Operator.kind, Operator.name)
            .join(Operator, Operator.id == Venue.operator_id)
            .join(ward, ward.id == Venue.ward_id).outerjoin(district, district.id == Venue.district_id))


def _rooms_of(ids: list[int]) -> dict[int, tuple[int, Decimal]]:
    rows = db.session.execute(
        select(Room.venue_id, func.count(Room.id), func.sum(Room.area_m2))
        .where(Room.venue_id.in_(ids), Room.valid_to.is_(None), Room.active.is_(True))
        .group_by(Room.venue_id)).all()
    return {venue_id: (count, total) for venue_id, count, total in rows}


def _current_licences_of(ids: list[int]) -> dict[int, tuple]:
    rows = db.session.execute(
        select(Licence.venue_id, Licence.id, Licence.number_display, Licence.status, Licence.expires_on)
        .where(Licence.venue_id.in_(ids), Licence.status != LicenceStatus.SUPERSEDED)
        .order_by(Licence.venue_id, Licence.issued_on.desc(), Licence.id.desc())).all()
    out: dict[int, tuple] = {}
    for venue_id, *rest in rows:
        out.setdefault(venue_id, tuple(rest))
    return out


def venue_records(today: date | None = None) -> Iterator[dict]:
    """Every venue as a dict keyed by the ``VENUES`` columns."""
    today = today or today_local()
    for rows in _batches(_venue_statement(), Venue.id):
        ids = [r[0] for r in rows]
        rooms, licences = _rooms_of(ids), _current_licences_of(ids)
        for (venue_id, ref, name, kind, status, house_number, street, ward_code, ward_name, district_code,
             district_name, city, lat, lng, capacity, opens_at, closes_at, operator_kind, operator_name) in rows:
            room_count, total = rooms.get(venue_id, (None, None))
            lic = licences.get(venue_id)
            yield {
                "venue_id": venue_id, "venue_ref": ref, "name": name, "kind": kind.value, "status": status.value,
                "street_address": " ".join(p for p in (house_number, street) if p) or None,
                "ward_code": ward_code, "ward_name": ward_name, "district_code": district_code,
                "district_name": district_name, "city": city, "latitude": lat, "longitude": lng,
                "capacity": capacity, "opens_at": _hhmm(opens_at), "closes_at": _hhmm(closes_at),
                "operator_kind": operator_kind.value,
                "operator_name": operator_name if operator_kind == OperatorKind.ENTERPRISE else None,
                "room_count": room_count,
                "total_area_m2": Decimal(total).quantize(Decimal("0.01")) if total is not None else None,
                "current_licence_id": lic[0] if lic else None, "current_licence_number": lic[1] if lic else None,
                "current_licence_status": _public_status(lic[2], lic[3], today) if lic else None,
            }


RECORDS = {"licences": licence_records, "licence-events": licence_event_records, "venues": venue_records}


# ----------------------------------------------------------------------------------------------- serialisation

def _csv_value(value):
    if isinstance(value, list):  # licence events
        return "|".join(f"{e['type']}:{e['on'].isoformat() if e['on'] else ''}"
                        f"{'/' + e['until'].isoformat() if e['until'] else ''}" for e in value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def csv_rows(name: str) -> Iterator[list]:
    """Rows (lists in header order) of dataset ``name`` for ``common.exports.csv_rows``."""
    header = DATASETS[name].header
    for record in RECORDS[name]():
        yield [_csv_value(record[c]) for c in header]


def _json_default(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def json_chunks(name: str, chunk: int = 500) -> Iterator[str]:
    """Dataset ``name`` as a JSON array of objects, streamed in chunks of ``chunk`` records."""
    header = DATASETS[name].header
    yield "["
    buf: list[str] = []
    first = True
    for record in RECORDS[name]():
        obj = {c: _num(record[c]) if isinstance(record[c], Decimal) else record[c] for c in header}
        buf.append(("\n" if first else ",\n") + json.dumps(obj, ensure_ascii=False, separators=(",", ":"),
                                                           default=_json_default))
        first = False
        if len(buf) >= chunk:
            yield "".join(buf)
            buf.clear()
    yield "".join(buf) + "\n]\n"
