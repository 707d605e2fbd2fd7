"""Read-only queries of the public site: licence verification, the public register, processing times.

Everything returned here is plain, public data (dicts and dataclasses of str/int/date): no ID numbers, no phone
numbers, no head-office address, no legal representative, no operator name for household businesses (which is
usually the householder's own name). Tests assert this field by field.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import statistics
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from flask import current_app, url_for
from sqlalchemy import Connection, bindparam, exists, insert, or_, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from registry.common.direct import DirectStatement, Runner
from registry.common.text import fold, has_forbidden_chars, parse_id
from registry.db import today_local, utcnow
from registry.documents.licences import token_looks_valid
from registry.documents.models import LicencePublicPage, ScanSalt, VerificationScan
from registry.extensions import db
from registry.licences.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    Licence,
    LicenceStatus,
    LicenceType,
    Sanction,
    SanctionKind,
)
from registry.reference.models import AdminUnit, UnitLevel
from registry.venues.models import Operator, OperatorKind, Venue, VenueKind

#: Public status of a licence (the stored status, except an ACTIVE licence past its expiry date shows "expired").
PUBLIC_STATUS = {
    LicenceStatus.ACTIVE: "valid",
    LicenceStatus.SUSPENDED: "suspended",
    LicenceStatus.REVOKED: "revoked",
    LicenceStatus.CEASED: "ceased",
    LicenceStatus.SUPERSEDED: "superseded",
    LicenceStatus.EXPIRED: "expired",
}
#: Banner tone per public status: green, amber or red.
STATUS_TONE = {"valid": "valid", "suspended": "warning", "superseded": "warning", "revoked": "danger",
               "ceased": "danger", "expired": "danger"}


# ----------------------------------------------------------------------------------------------- verification

def _area(value) -> str | None:
    try:
        return str(Decimal(str(value)).quantize(Decimal("0.01")))
    except (InvalidOperation, ValueError, TypeError):
        return None


def public_snapshot(snapshot_json: str) -> dict:
    """The public part of a licence snapshot: venue name and address, rooms, sports, hours, capacity, event."""
    snap = json.loads(snapshot_json or "{}")
    venue = snap.get("venue") or {}
    hours = snap.get("hours") or {}
    rooms = [{"code": str(r.get("code", "")), "area_m2": _area(r.get("area_m2"))} for r in snap.get("rooms") or []]
    total = sum((Decimal(r["area_m2"]) for r in rooms if r["area_m2"] is not None), Decimal("0"))
    event = snap.get("event")
    authority = snap.get("authority") or {}
    operator = snap.get("operator") or {}
    return {
        "venue": {"name": venue.get("name", ""), "address": venue.get("address", "")},
        "operator_name": operator.get("name") if operator.get("kind") == OperatorKind.ENTERPRISE.value else None,
        "operator_kind": operator.get("kind"),
        "issuer": {"vi": authority.get("name", ""), "en": authority.get("name_en", "")},
        "rooms": rooms,
        "room_count": len(rooms),
        "total_area_m2": str(total.quantize(Decimal("0.01"))) if rooms else None,
        "sports": [{"code": s.get("code"), "name_vi": s.get("name_vi", ""), "name_en": s.get("name_en", "")}
                   for s in snap.get("sports") or []],
        "hours": ({"opens_at": hours.get("opens_at"), "closes_at": hours.get("closes_at")}
                  if hours.get("opens_at") else None),
        "capacity": venue.get("capacity"),
        "event": ({"name": event.get("name", ""), "starts_on": event.get("starts_on"),
                   "ends_on": event.get("ends_on")} if event else None),
    }


#: Compiled once per dialect and run on the DBAPI cursor (``registry.common.direct``): the verification page is the
#: hottest path of the public site, and Core's per-statement execution was a third of its CPU.
_VERIFY_COLUMNS = (Licence.id, Licence.status, Licence.status_changed_on, Licence.number_display, Licence.issued_on,
                   Licence.valid_from, Licence.expires_on, Licence.snapshot_json,
                   LicenceType.code, LicenceType.category, LicenceType.name_vi, LicenceType.name_en, Operator.kind)
_VERIFY_FROM = (select(*_VERIFY_COLUMNS)
                .join(LicenceType, LicenceType.id == Licence.licence_type_id)
                .join(Operator, Operator.id == Licence.operator_id))
_VERIFY_STMT = DirectStatement(_VERIFY_FROM.where(Licence.verify_token == bindparam("token")))
#: The same with the licence's stored public page in one language (``registry.public.pages``), if any.
_VERIFY_PAGE_STMT = DirectStatement(
    _VERIFY_FROM.add_columns(LicencePublicPage.template_key, LicencePublicPage.html)
    .outerjoin(LicencePublicPage, (LicencePublicPage.licence_id == Licence.id)
               & (LicencePublicPage.lang == bindparam("lang")))
    .where(Licence.verify_token == bindparam("token")))
_SCAN_INSERT = DirectStatement(
    insert(VerificationScan.__table__).values(licence_id=bindparam("licence_id"), scanned_at=bindparam("scanned_at"),
                                              client_hash=bindparam("client_hash"), channel=bindparam("channel")))


def verification(token: str, run: Runner, today: date | None = None, *, page_key: tuple[str, str] | None = None,
                 ) -> dict | None:
    """Everything the public verification page shows for ``token``, or None for an unknown or malformed token.

    One indexed query for the licence; one more only for a suspended (its open suspension), revoked (the
    revocation) or superseded licence (its successor). ``run``: the scan's own transaction
    (``registry.common.direct.direct_transaction``).

    ``page_key``: ``(language, current template key)`` of the HTML page. When the licence's stored public page in
    that language is current, the result carries it as ``facts_html`` and nothing from the snapshot (which is not
    even parsed); otherwise ``facts_html`` is None and the snapshot's facts are there to render it.
    """
    if not token_looks_valid(token):
        return None
    if page_key is None:
        row = run.first(_VERIFY_STMT, token=token)
        page = None
    else:
        row = run.first(_VERIFY_PAGE_STMT, token=token, lang=page_key[0])
        if row is not None:
            row, (stored_key, html) = row[:-2], row[-2:]
            page = html if stored_key == page_key[1] else None
    if row is None:
        return None
    data = _public_data(row, today or today_local(), with_snapshot=page is None)
    if page_key is not None:
        data["facts_html"] = page
    licence_id, status, changed_on = row[0], row[1], row[2]
    if status == LicenceStatus.SUSPENDED:
        data["suspension"] = _open_suspension(run, licence_id)
    elif status == LicenceStatus.REVOKED:
        data["revocation"] = _revocation(run, licence_id, changed_on)
    elif status == LicenceStatus.SUPERSEDED:
        data["successor"] = _successor(run, licence_id)
    return data


def verification_of(licence: Licence, today: date | None = None) -> dict:
    """``verification`` for a licence already loaded (at issue: it has no suspension, revocation or successor)."""
    ltype, operator = licence.licence_type, licence.operator
    row = (licence.id, licence.status, licence.status_changed_on, licence.number_display, licence.issued_on,
           licence.valid_from, licence.expires_on, licence.snapshot_json, ltype.code, ltype.category, ltype.name_vi,
           ltype.name_en, operator.kind)
    return _public_data(row, today or today_local(), with_snapshot=True)


def _public_data(row: tuple, today: date, *, with_snapshot: bool) -> dict:
    (licence_id, status, changed_on, number, issued_on, valid_from, expires_on, snapshot_json,
     type_code, category, name_vi, name_en, operator_kind) = row
    public = PUBLIC_STATUS[status]
    if status == LicenceStatus.ACTIVE and expires_on is not None and expires_on < today:
        public = "expired"
    data = {
        "licence_id": licence_id,
        "licence_number": number,
        "licence_type": {"code": type_code, "category": getattr(category, "value", category),
                         "name_vi": name_vi, "name_en": name_en},
        "status": public,
        "valid": public == "valid",
        "status_since": changed_on if public != "expired" else (changed_on or expires_on),
        "issued_on": issued_on,
        "valid_from": valid_from,
        "expires_on": expires_on,
        "suspension": None,
        "revocation": None,
        "successor": None,
    }
    if with_snapshot:
        data.update(public_snapshot(snapshot_json))
        if operator_kind != OperatorKind.ENTERPRISE:
            data["operator_name"] = None
    data["operator_kind"] = getattr(operator_kind, "value", operator_kind)
    return data


#: The extra look-up of a suspended, revoked or superseded licence.
_SUSPENSION_STMT = DirectStatement(
    select(Sanction.kind, Sanction.starts_on, Sanction.ends_on, Sanction.issuing_body)
    .where(Sanction.licence_id == bindparam("licence_id"),
           or_(Sanction.kind == SanctionKind.SUSPENSION, Sanction.kind == SanctionKind.AGENCY_SUSPENSION),
           Sanction.lifted_on.is_(None))
    .order_by(Sanction.id.desc()).limit(1))
_REVOCATION_STMT = DirectStatement(
    select(Sanction.starts_on)
    .where(Sanction.licence_id == bindparam("licence_id"), Sanction.kind == SanctionKind.REVOCATION)
    .order_by(Sanction.id.desc()).limit(1))
_SUCCESSOR_STMT = DirectStatement(
    select(Licence.number_display, Licence.verify_token, Licence.status, Licence.issued_on)
    .where(Licence.predecessor_id == bindparam("licence_id")).order_by(Licence.id.desc()).limit(1))


def _open_suspension(run: Runner, licence_id: int) -> dict | None:
    row = run.first(_SUSPENSION_STMT, licence_id=licence_id)
    if row is None:
        return None
    kind, starts_on, ends_on, body = row
    by_agency = kind == SanctionKind.AGENCY_SUSPENSION
    return {"from": starts_on, "until": ends_on, "by_other_agency": by_agency,
            "issuing_body": body if by_agency else None}


def _revocation(run: Runner, licence_id: int, changed_on: date | None) -> dict:
    starts_on = run.scalar(_REVOCATION_STMT, licence_id=licence_id)
    return {"on": starts_on or changed_on}


def _successor(run: Runner, licence_id: int) -> dict | None:
    row = run.first(_SUCCESSOR_STMT, licence_id=licence_id)
    if row is None:
        return None
    number, token, status, issued_on = row
    return {"licence_number": number, "verify_path": url_for("public.verify", token=token),
            "status": PUBLIC_STATUS[status], "issued_on": issued_on}


# ----------------------------------------------------------------------------------------------- scan log

def cached_salt(today: date | None = None) -> str | None:
    """Today's salt if this process already has it (``daily_salt`` fetches or creates it)."""
    cache = current_app.extensions.get("public_scan_salt") or {}
    return cache["salt"] if cache.get("day") == (today or today_local()) else None


def daily_salt(today: date | None = None, conn: Connection | None = None) -> str:
    """Today's random salt (created on first use of the day; earlier days' salts are deleted, so old client hashes
    can never be linked back to an IP address). Cached per process and application for the day."""
    today = today or today_local()
    cache = current_app.extensions.setdefault("public_scan_salt", {})
    if cache.get("day") == today:
        return cache["salt"]
    conn = conn or db.session.connection()
    salt = conn.execute(select(ScanSalt.salt).where(ScanSalt.day == today)).scalar_one_or_none()
    if salt is None:
        try:
            with conn.begin_nested():
                conn.execute(insert(ScanSalt).values(day=today, salt=secrets.token_hex(32)))
        except IntegrityError:  # another worker created it a moment ago
            pass
        conn.execute(ScanSalt.__table__.delete().where(ScanSalt.day < today))
        salt = conn.execute(select(ScanSalt.salt).where(ScanSalt.day == today)).scalar_one()
    cache.clear()
    cache.update(day=today, salt=salt)
    return salt


def client_hash(ip: str | None, salt: str) -> str:
    """First 16 hex digits of SHA-256(salt + IP): counts distinct visitors of a day, identifies nobody."""
    return hashlib.sha256((salt + (ip or "")).encode()).hexdigest()[:16]


def log_scan(run: Runner, licence_id: int, ip: str | None, channel: str, salt: str) -> None:
    """Record one look-up (a single INSERT in the scan's transaction)."""
    run.execute(_SCAN_INSERT, licence_id=licence_id, scanned_at=utcnow(), client_hash=client_hash(ip, salt),
                channel=channel)


# ----------------------------------------------------------------------------------------------- public register

REGISTER_PAGE_SIZE = 25
MAX_QUERY = 100
#: Licence statuses a visitor can filter on (public names) and the stored status each means.
STATUS_FILTERS = {"valid": LicenceStatus.ACTIVE, "suspended": LicenceStatus.SUSPENDED,
                  "revoked": LicenceStatus.REVOKED, "ceased": LicenceStatus.CEASED,
                  "expired": LicenceStatus.EXPIRED}


@dataclass
class RegisterFilters:
    """What the public register is narrowed to (parsed from the query string; invalid values are reported)."""

    q: str = ""
    area_id: int | None = None
    kind: VenueKind | None = None
    status: str | None = None
    errors: dict = field(default_factory=dict)

    @classmethod
    def from_args(cls, args: Mapping, areas: dict) -> RegisterFilters:
        from flask_babel import gettext as _

        f = cls()
        q = args.get("q") or ""
        if len(q) > MAX_QUERY:
            f.errors["q"] = _("Type at most %(n)d characters.", n=MAX_QUERY)
        elif has_forbidden_chars(q):
            f.errors["q"] = _("This field contains characters that are not allowed.")
        else:
            f.q = " ".join(q.split())
        area = (args.get("area") or "").strip()
        if area:
            if parse_id(area) in areas:
                f.area_id = parse_id(area)
            else:
                f.errors["area"] = _("Choose an area from the list.")
        kind = args.get("kind") or ""
        if kind:
            try:
                f.kind = VenueKind(kind)
            except ValueError:
                f.errors["kind"] = _("Choose a kind from the list.")
        status = args.get("status") or ""
        if status:
            if status in STATUS_FILTERS:
                f.status = status
            else:
                f.errors["status"] = _("Choose a status from the list.")
        return f

    def as_args(self) -> dict:
        args = {"q": self.q or None, "area": self.area_id, "kind": self.kind.value if self.kind else None,
                "status": self.status}
        return {k: v for k, v in args.items() if v is not None}


@dataclass
class RegisterRow:
    venue_id: int
    name: str
    kind: VenueKind
    address: str
    licences: list[dict] = field(default_factory=list)


@dataclass
class RegisterPage:
    rows: list[RegisterRow]
    next_after: int | None
    is_first: bool


@dataclass(frozen=True)
class Area:
    """A district, ward or commune a visitor can filter on (plain data, cached per process)."""

    id: int
    name: str
    level: UnitLevel
    parent_id: int | None


def _area_cache() -> dict:
    """Areas by id and their grouping for the <select>, rebuilt every ten minutes (the preset changes rarely)."""
    cache = current_app.extensions.setdefault("public_area_cache", {})
    if cache.get("at", -1e9) < time.monotonic() - 600:
        rows = db.session.execute(select(AdminUnit.id, AdminUnit.name, AdminUnit.level, AdminUnit.parent_id)
                                  .where(AdminUnit.level.in_((UnitLevel.DISTRICT, UnitLevel.COMMUNE)))).all()
        units = {r.id: Area(r.id, r.name, r.level, r.parent_id) for r in rows}
        cache.update(at=time.monotonic(), units=units, groups=_group(units))
    return cache


def area_units() -> dict[int, Area]:
    """Districts and communes a visitor can filter on."""
    return _area_cache()["units"]


def area_groups(units: dict[int, Area] | None = None) -> list[tuple[str, list[Area]]]:
    """Area options grouped for a <select>: each district with its wards (until 2025), then today's communes."""
    return _group(units) if units is not None else _area_cache()["groups"]


def _group(units: dict[int, Area]) -> list[tuple[str, list[Area]]]:
    districts = sorted((u for u in units.values() if u.level == UnitLevel.DISTRICT), key=lambda u: fold(u.name))
    district_ids = {d.id for d in districts}
    children: dict[int, list[Area]] = {}
    current = []
    for u in units.values():
        if u.level != UnitLevel.COMMUNE:
            continue
        if u.parent_id in district_ids:
            children.setdefault(u.parent_id, []).append(u)
        else:
            current.append(u)
    groups = [(d.name, [d, *sorted(children.get(d.id, []), key=lambda u: fold(u.name))]) for d in districts]
    if current:
        groups.append(("", sorted(current, key=lambda u: fold(u.name))))
    return groups


def _licence_condition(status: str | None):
    cond = [Licence.venue_id == Venue.id]
    if status:
        cond.append(Licence.status == STATUS_FILTERS[status])
    else:
        cond.append(Licence.status != LicenceStatus.SUPERSEDED)
    return exists().where(*cond)


def search_register(filters: RegisterFilters, after: int | None = None,
                    limit: int = REGISTER_PAGE_SIZE) -> RegisterPage:
    """A page of licensed venues (A→Z by folded name, keyset on ``(name_key, id)``) with their licences.

    Three queries per page whatever its size: the cursor's key, the venues, their licences.
    """
    units = area_units()
    ward, district = aliased(AdminUnit), aliased(AdminUnit)
    stmt = (select(Venue.id, Venue.name, Venue.name_key, Venue.kind, Venue.house_number, Venue.street, Venue.city,
                   ward.name, district.name)
            .join(ward, ward.id == Venue.ward_id).outerjoin(district, district.id == Venue.district_id)
            .where(_licence_condition(filters.status)))
    for term in fold(filters.q).split(" ")[:8] if filters.q else []:
        stmt = stmt.where(Venue.name_key.contains(term, autoescape=True))
    if filters.kind is not None:
        stmt = stmt.where(Venue.kind == filters.kind)
    if filters.area_id is not None:
        unit = units[filters.area_id]
        stmt = stmt.where((Venue.district_id if unit.level == UnitLevel.DISTRICT else Venue.ward_id)
                          == filters.area_id)
    if after is not None:
        key = db.session.execute(select(Venue.name_key).where(Venue.id == after)).scalar_one_or_none()
        if key is not None:
            stmt = stmt.where(tuple_(Venue.name_key, Venue.id) > tuple_(key, after))
        else:
            after = None
    rows = db.session.execute(stmt.order_by(Venue.name_key, Venue.id).limit(limit + 1)).all()
    next_after = rows[limit - 1][0] if len(rows) > limit else None
    rows = rows[:limit]
    out = [RegisterRow(venue_id=r[0], name=r[1], kind=r[3],
                       address=", ".join(p for p in (" ".join(x for x in (r[4], r[5]) if x), r[7], r[8], r[6]) if p))
           for r in rows]
    if out:
        by_id = {r.venue_id: r for r in out}
        licence_rows = db.session.execute(
            select(Licence.venue_id, Licence.number_display, Licence.status, Licence.issued_on, Licence.expires_on,
                   LicenceType.name_vi, LicenceType.name_en)
            .join(LicenceType, LicenceType.id == Licence.licence_type_id)
            .where(Licence.venue_id.in_(by_id), Licence.status != LicenceStatus.SUPERSEDED)
            .order_by(Licence.venue_id, Licence.issued_on.desc(), Licence.id.desc())).all()
        today = today_local()
        for venue_id, number, status, issued_on, expires_on, name_vi, name_en in licence_rows:
            public = PUBLIC_STATUS[status]
            if status == LicenceStatus.ACTIVE and expires_on is not None and expires_on < today:
                public = "expired"
            by_id[venue_id].licences.append({"number": number, "status": public, "issued_on": issued_on,
                                             "expires_on": expires_on, "type_vi": name_vi, "type_en": name_en})
    return RegisterPage(rows=out, next_after=next_after, is_first=after is None)


# ----------------------------------------------------------------------------------------------- processing times

@dataclass
class ProcessingTime:
    licence_type: str
    licence_type_en: str
    kind: ApplicationKind
    decided: int
    median_days: float
    legal_days: int

    @property
    def median_text(self) -> str:
        """``"4"`` or ``"4.5"``: a median of working days is a whole or half number."""
        return f"{self.median_days:g}"


def processing_times(days: int = 365) -> list[ProcessingTime]:
    """Median working days from receipt to decision of the applications approved or refused in the last ``days``
    days, per licence type and procedure (cached for ten minutes per process)."""
    cache = current_app.extensions.setdefault("public_processing_cache", {})
    entry = cache.get(days)
    if entry is not None and entry[0] > time.monotonic() - 600:
        return entry[1]
    from registry.licences.workdays import calendar

    since = today_local() - timedelta(days=days)
    rows = db.session.execute(
        select(LicenceType.id, LicenceType.name_vi, LicenceType.name_en, LicenceType.processing_days,
               LicenceType.adjustment_processing_days, Application.kind, Application.received_on,
               Application.decided_on)
        .join(LicenceType, LicenceType.id == Application.licence_type_id)
        .where(Application.decided_on.is_not(None), Application.decided_on >= since,
               Application.status.in_((ApplicationStatus.APPROVED, ApplicationStatus.REFUSED,
                                       ApplicationStatus.RESULT_DELIVERED)))).all()
    cal = calendar()
    groups: dict[tuple, list[int]] = {}
    meta: dict[tuple, tuple] = {}
    for type_id, name_vi, name_en, legal, legal_adjust, kind, received_on, decided_on in rows:
        key = (type_id, kind)
        groups.setdefault(key, []).append(max(cal.between(received_on, decided_on), 0))
        meta[key] = (name_vi, name_en, legal if kind == ApplicationKind.NEW else legal_adjust)
    result = [ProcessingTime(licence_type=meta[k][0], licence_type_en=meta[k][1], kind=k[1], decided=len(v),
                             median_days=float(statistics.median(v)), legal_days=meta[k][2])
              for k, v in groups.items()]
    result.sort(key=lambda p: (fold(p.licence_type), p.kind.value))
    cache[days] = (time.monotonic(), result)
    return result
