"""Read-only queries for the licensing pages: application and licence lists (filters, keyset pages), the clerk's
desk, a venue's licences. Lists sort on indexed keys and page with a cursor, never OFFSET.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, func, literal, or_, select, tuple_
from sqlalchemy.orm import joinedload, selectinload

from registry.common.text import fold, has_forbidden_chars, parse_id
from registry.db import today_local
from registry.extensions import db
from registry.licences.models import (
    OPEN_STATUSES,
    Application,
    ApplicationStatus,
    Licence,
    LicenceStatus,
    LicenceType,
    Sanction,
)
from registry.licences.workdays import calendar
from registry.venues.models import Venue

PAGE_SIZE = 50
FAR_FUTURE = date(9999, 12, 31)  # sorts applications without a due date (clock paused, decided) last
DUE_SOON_DAYS = 3


@dataclass
class Page:
    """One page of a list: its rows, the cursor of the next page, the number of matches."""

    rows: list
    next_cursor: str | None
    count: int
    has_previous: bool


def encode_cursor(key: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[date, int] | None:
    """``(date, id)`` from a cursor, or None when missing or malformed (the first page is shown)."""
    if not cursor or len(cursor) > 200:
        return None
    try:
        first, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(row_id, int) or not isinstance(first, str):
            return None
        return date.fromisoformat(first), row_id
    except (ValueError, TypeError):
        return None


def _text_arg(args: Mapping, name: str, limit: int = 200) -> str:
    value = (args.get(name) or "")[:limit]
    return "" if has_forbidden_chars(value) else " ".join(value.split())


def _int_arg(args: Mapping, name: str) -> int | None:
    value = (args.get(name) or "").strip()
    return parse_id(value)


def _enum_arg(args: Mapping, name: str, enum_cls):
    try:
        return enum_cls(args.get(name) or "")
    except ValueError:
        return None


def _date_arg(args: Mapping, name: str) -> date | None:
    try:
        value = date.fromisoformat((args.get(name) or "").strip()[:10])
    except ValueError:
        return None
    return value if value.year >= 1900 else None


def _terms(q: str) -> list[str]:
    return [t for t in fold(q).split(" ") if t][:8]


class _Filters:
    """Shared helpers of the filter dataclasses."""

    def as_args(self) -> dict:
        return {k: (v.value if hasattr(v, "value") else v.isoformat() if isinstance(v, date) else v)
                for k, v in asdict(self).items() if v not in (None, "", False)}

    @property
    def active(self) -> bool:
        return bool(self.as_args())


# ------------------------------------------------------------------------------------------------ applications
@dataclass
class ApplicationFilters(_Filters):
    """What the application list shows: open dossiers unless ``closed`` (or a closed status) is asked for."""

    q: str = ""
    status: ApplicationStatus | None = None
    type: int | None = None
    officer: int | None = None
    closed: bool = False
    overdue: bool = False

    @classmethod
    def from_args(cls, args: Mapping) -> ApplicationFilters:
        return cls(q=_text_arg(args, "q"), status=_enum_arg(args, "status", ApplicationStatus),
                   type=_int_arg(args, "type"), officer=_int_arg(args, "officer"), closed=args.get("closed") == "1",
                   overdue=args.get("overdue") == "1")


PAUSED_KEY = FAR_FUTURE - timedelta(days=1)


def _due_key():
    """Sort key: open dossiers by legal deadline, then those waiting for papers, then decided ones."""
    return case((Application.status == ApplicationStatus.NEEDS_COMPLETION, literal(PAUSED_KEY)),
                (and_(Application.status.in_(OPEN_STATUSES), Application.due_on.is_not(None)), Application.due_on),
                else_=literal(FAR_FUTURE))


def due_key_of(application: Application) -> date:
    if application.status == ApplicationStatus.NEEDS_COMPLETION:
        return PAUSED_KEY
    return application.due_on if application.is_open and application.due_on else FAR_FUTURE


def _application_conditions(filters: ApplicationFilters) -> list:
    conds = []
    for term in _terms(filters.q):
        conds.append(or_(func.lower(Application.ref).contains(term, autoescape=True),
                         Application.venue.has(Venue.search_text.contains(term, autoescape=True))))
    if filters.status is not None:
        conds.append(Application.status == filters.status)
    if filters.type is not None:
        conds.append(Application.licence_type_id == filters.type)
    if filters.officer is not None:
        conds.append(or_(Application.assigned_to_id == filters.officer,
                         Application.prepared_by_id == filters.officer))
    if filters.overdue or (filters.status is None and not filters.closed):
        conds.append(Application.status.in_(OPEN_STATUSES))
    if filters.overdue:
        conds.append(Application.due_on < today_local())
    return conds


def search_applications(filters: ApplicationFilters, after: str | None = None, limit: int = PAGE_SIZE) -> Page:
    """A page of applications, most urgent first (by due date; those waiting for papers, then decided ones last).

    :returns: ``Page`` of ``Application`` rows with venue, type and officer loaded.
    """
    stmt = (select(Application).where(*_application_conditions(filters))
            .options(joinedload(Application.venue).joinedload(Venue.district), joinedload(Application.licence_type),
                     joinedload(Application.assigned_to))
            .order_by(_due_key(), Application.id).limit(limit + 1))
    position = decode_cursor(after)
    if position is not None:
        stmt = stmt.where(tuple_(_due_key(), Application.id) > position)
    rows = list(db.session.execute(stmt).unique().scalars())
    count = db.session.execute(select(func.count()).select_from(Application)
                               .where(*_application_conditions(filters))).scalar_one()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor([due_key_of(last).isoformat(), last.id])
    return Page(rows=rows, next_cursor=next_cursor, count=count, has_previous=position is not None)


def days_left(application: Application, today: date | None = None) -> int | None:
    """Working days to the legal deadline (0 = due today, negative = overdue); None when no clock runs."""
    if application.due_on is None or not application.is_open:
        return None
    return calendar().between(today or today_local(), application.due_on)


def desk(user, today: date | None = None) -> dict:
    """The clerk's start page: open applications overdue, due within a few working days, waiting for papers."""
    today = today or today_local()
    soon = calendar().add(today, DUE_SOON_DAYS)
    base = (select(Application).where(Application.status.in_(OPEN_STATUSES))
            .options(joinedload(Application.venue), joinedload(Application.licence_type),
                     joinedload(Application.assigned_to)))
    overdue = list(db.session.execute(base.where(Application.due_on < today)
                                      .order_by(Application.due_on, Application.id).limit(100)).unique().scalars())
    due_soon = list(db.session.execute(base.where(Application.due_on >= today, Application.due_on <= soon)
                                       .order_by(Application.due_on, Application.id).limit(100)).unique().scalars())
    waiting = list(db.session.execute(base.where(Application.status == ApplicationStatus.NEEDS_COMPLETION)
                                      .order_by(Application.received_on, Application.id).limit(100))
                   .unique().scalars())
    mine = db.session.execute(select(func.count()).select_from(Application).where(
        Application.status.in_(OPEN_STATUSES), Application.assigned_to_id == user.id)).scalar_one()
    open_count = db.session.execute(select(func.count()).select_from(Application).where(
        Application.status.in_(OPEN_STATUSES))).scalar_one()
    return {"overdue": overdue, "due_soon": due_soon, "waiting": waiting, "mine": mine, "open": open_count,
            "soon_until": soon}


# ------------------------------------------------------------------------------------------------ licences
@dataclass
class LicenceFilters(_Filters):
    q: str = ""
    type: int | None = None
    status: LicenceStatus | None = None
    district: int | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    expires_from: date | None = None
    expires_to: date | None = None

    @classmethod
    def from_args(cls, args: Mapping) -> LicenceFilters:
        return cls(q=_text_arg(args, "q"), type=_int_arg(args, "type"),
                   status=_enum_arg(args, "status", LicenceStatus), district=_int_arg(args, "district"),
                   issued_from=_date_arg(args, "issued_from"), issued_to=_date_arg(args, "issued_to"),
                   expires_from=_date_arg(args, "expires_from"), expires_to=_date_arg(args, "expires_to"))


def _licence_conditions(filters: LicenceFilters) -> list:
    conds = []
    terms = _terms(filters.q)
    if terms:
        number = fold(filters.q).replace(" ", "")
        conds.append(or_(func.lower(Licence.number_display).contains(number, autoescape=True),
                         and_(*[Licence.venue.has(Venue.search_text.contains(t, autoescape=True)) for t in terms])))
    if filters.type is not None:
        conds.append(Licence.licence_type_id == filters.type)
    if filters.status is not None:
        conds.append(Licence.status == filters.status)
    if filters.district is not None:
        conds.append(Licence.venue.has(or_(Venue.district_id == filters.district,
                                           Venue.ward.has(parent_id=filters.district))))
    if filters.issued_from is not None:
        conds.append(Licence.issued_on >= filters.issued_from)
    if filters.issued_to is not None:
        conds.append(Licence.issued_on <= filters.issued_to)
    if filters.expires_from is not None:
        conds.append(Licence.expires_on >= filters.expires_from)
    if filters.expires_to is not None:
        conds.append(Licence.expires_on <= filters.expires_to)
    return conds


def _licence_rows():
    return select(Licence).options(joinedload(Licence.venue).joinedload(Venue.district),
                                   joinedload(Licence.venue).joinedload(Venue.ward),
                                   joinedload(Licence.licence_type), joinedload(Licence.operator))


def search_licences(filters: LicenceFilters, after: str | None = None, limit: int = PAGE_SIZE) -> Page:
    """A page of licences, newest issue first (keyset on ``(issued_on, id)``)."""
    stmt = (_licence_rows().where(*_licence_conditions(filters))
            .order_by(Licence.issued_on.desc(), Licence.id.desc()).limit(limit + 1))
    position = decode_cursor(after)
    if position is not None:
        stmt = stmt.where(tuple_(Licence.issued_on, Licence.id) < position)
    rows = list(db.session.execute(stmt).unique().scalars())
    count = db.session.execute(select(func.count()).select_from(Licence)
                               .where(*_licence_conditions(filters))).scalar_one()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1].issued_on.isoformat(), rows[-1].id])
    return Page(rows=rows, next_cursor=next_cursor, count=count, has_previous=position is not None)


def iter_licences(filters: LicenceFilters, batch: int = 1000) -> Iterator[Licence]:
    """Every matching licence in list order, fetched in keyset batches (for exports)."""
    position = None
    while True:
        stmt = (_licence_rows().where(*_licence_conditions(filters))
                .order_by(Licence.issued_on.desc(), Licence.id.desc()).limit(batch))
        if position is not None:
            stmt = stmt.where(tuple_(Licence.issued_on, Licence.id) < position)
        rows = list(db.session.execute(stmt).unique().scalars())
        yield from rows
        if len(rows) < batch:
            return
        position = (rows[-1].issued_on, rows[-1].id)
        db.session.expunge_all()


def load_licence(licence_id: int) -> Licence | None:
    """A licence with what its page shows."""
    return db.session.execute(select(Licence).where(Licence.id == licence_id).options(
        joinedload(Licence.licence_type), joinedload(Licence.venue), joinedload(Licence.operator),
        joinedload(Licence.predecessor), selectinload(Licence.successors),
        selectinload(Licence.sanctions).joinedload(Sanction.created_by),
        joinedload(Licence.application))).unique().scalar_one_or_none()


def licences_for_venue(venue_id: int) -> dict[str, list[Licence]]:
    """A venue's licences: ``{"current": valid or suspended, "past": superseded, revoked, ceased, expired}``, each
    newest first (for the venue page)."""
    rows = db.session.execute(
        select(Licence).where(Licence.venue_id == venue_id)
        .options(joinedload(Licence.licence_type), selectinload(Licence.sanctions))
        .order_by(Licence.issued_on.desc(), Licence.id.desc())).unique().scalars().all()
    current = [lic for lic in rows if lic.in_force]
    return {"current": current, "past": [lic for lic in rows if not lic.in_force]}


def applications_for_venue(venue_id: int) -> list[Application]:
    """A venue's applications, newest first."""
    return list(db.session.execute(
        select(Application).where(Application.venue_id == venue_id).options(joinedload(Application.licence_type))
        .order_by(Application.received_on.desc(), Application.id.desc())).unique().scalars())


def licence_types(active_only: bool = False) -> list[LicenceType]:
    query = select(LicenceType).order_by(LicenceType.category, LicenceType.code)
    if active_only:
        query = query.where(LicenceType.active.is_(True))
    return list(db.session.execute(query).scalars())
