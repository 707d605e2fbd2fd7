"""Read-only queries: the inspector's day, the inspection list (keyset pages), workload, the original-vs-follow-up
comparison, the manager's suspension prompts, complaints and the violation catalogue. Lists load what they show in
a fixed number of queries.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, case, distinct, exists, func, or_, select, tuple_
from sqlalchemy.orm import joinedload, selectinload

from registry.common.permissions import Permission, can
from registry.common.text import fold, has_forbidden_chars, parse_id
from registry.extensions import db
from registry.inspections.models import (
    Complaint,
    ComplaintStatus,
    Inspection,
    InspectionItem,
    InspectionKind,
    InspectionMember,
    InspectionStatus,
    ItemResult,
    Violation,
    ViolationType,
)

PAGE_SIZE = 50
OPEN = (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS)


def _with_venue(query):
    from registry.venues.models import Venue

    return query.options(joinedload(Inspection.venue).joinedload(Venue.ward),
                         joinedload(Inspection.venue).joinedload(Venue.district),
                         joinedload(Inspection.operator), joinedload(Inspection.lead),
                         selectinload(Inspection.attempts))


def _on_team(user_id: int):
    member = exists().where(InspectionMember.inspection_id == Inspection.id, InspectionMember.user_id == user_id)
    return or_(Inspection.lead_id == user_id, member)


def load_inspection(inspection_id: int) -> Inspection | None:
    """One visit with what its pages show."""
    from registry.venues.models import Venue

    return db.session.execute(
        _with_venue(select(Inspection)).where(Inspection.id == inspection_id)
        .options(selectinload(Inspection.members), selectinload(Inspection.items).selectinload(
            InspectionItem.violations), selectinload(Inspection.violations), selectinload(Inspection.photos),
                 selectinload(Inspection.attempts), selectinload(Inspection.amendments),
                 selectinload(Inspection.follow_ups), joinedload(Inspection.original),
                 joinedload(Inspection.venue).selectinload(Venue.sports))).unique().scalar_one_or_none()


# ----------------------------------------------------------------------------------------------- my day
@dataclass
class Day:
    """The inspector's home page: what is under way, today's visits, overdue ones and the coming days."""

    in_progress: list = field(default_factory=list)
    today: list = field(default_factory=list)
    overdue: list = field(default_factory=list)
    upcoming: list = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.in_progress or self.today or self.overdue or self.upcoming)


def my_day(user_id: int, today: date, *, days_ahead: int = 14) -> Day:
    """Open visits the user leads or belongs to, up to ``days_ahead`` days from today."""
    rows = db.session.execute(
        _with_venue(select(Inspection)).where(Inspection.status.in_(OPEN), _on_team(user_id),
                                              Inspection.scheduled_on <= today + timedelta(days=days_ahead))
        .order_by(Inspection.scheduled_on, Inspection.window_from, Inspection.id)).unique().scalars().all()
    day = Day()
    for inspection in rows:
        if inspection.status == InspectionStatus.IN_PROGRESS:
            day.in_progress.append(inspection)
        elif inspection.scheduled_on == today:
            day.today.append(inspection)
        elif inspection.scheduled_on < today:
            day.overdue.append(inspection)
        else:
            day.upcoming.append(inspection)
    return day


# ----------------------------------------------------------------------------------------------- the list
@dataclass
class Filters:
    status: str | None = None
    kind: str | None = None
    lead_id: int | None = None
    mine: bool = False
    overdue: bool = False
    q: str = ""

    @classmethod
    def from_args(cls, args: Mapping) -> Filters:
        status = args.get("status") if args.get("status") in {s.value for s in InspectionStatus} | {"open"} else None
        kind = args.get("kind") if args.get("kind") in {k.value for k in InspectionKind} else None
        lead = args.get("lead", "")
        q = (args.get("q") or "")[:100]
        return cls(status=status, kind=kind, lead_id=parse_id(lead),
                   mine=args.get("mine") == "1", overdue=args.get("overdue") == "1",
                   q="" if has_forbidden_chars(q) else q.strip())

    def as_args(self) -> dict:
        return {k: v for k, v in {"status": self.status, "kind": self.kind, "lead": self.lead_id,
                                  "mine": "1" if self.mine else None, "overdue": "1" if self.overdue else None,
                                  "q": self.q or None}.items() if v is not None}


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    has_previous: bool


def _cursor(inspection: Inspection) -> str:
    raw = json.dumps([inspection.scheduled_on.isoformat(), inspection.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str | None) -> tuple[date, int] | None:
    if not cursor or len(cursor) > 100:
        return None
    try:
        day, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return date.fromisoformat(day), int(row_id)
    except (ValueError, TypeError):
        return None


def list_inspections(filters: Filters, user, today: date, after: str | None = None) -> Page:
    """Visits newest date first, ``PAGE_SIZE`` per page. People who conduct but do not plan see only their own."""
    from registry.venues.models import Venue

    query = _with_venue(select(Inspection))
    if (can(Permission.INSPECTION_CONDUCT, user) and not can(Permission.INSPECTION_PLAN, user)) or filters.mine:
        query = query.where(_on_team(user.id))
    if filters.status == "open":
        query = query.where(Inspection.status.in_(OPEN))
    elif filters.status:
        query = query.where(Inspection.status == InspectionStatus(filters.status))
    if filters.kind:
        query = query.where(Inspection.kind == InspectionKind(filters.kind))
    if filters.lead_id:
        query = query.where(Inspection.lead_id == filters.lead_id)
    if filters.overdue:
        query = query.where(Inspection.status.in_(OPEN), Inspection.scheduled_on < today)
    if filters.q:
        term = f"%{fold(filters.q)}%"
        query = query.where(Inspection.venue_id.in_(select(Venue.id).where(Venue.search_text.like(term))))
    key = _decode(after)
    if key is not None:
        query = query.where(tuple_(Inspection.scheduled_on, Inspection.id) < tuple_(*key))
    rows = db.session.execute(query.order_by(Inspection.scheduled_on.desc(), Inspection.id.desc())
                              .limit(PAGE_SIZE + 1)).unique().scalars().all()
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return Page(rows, _cursor(rows[-1]) if more else None, key is not None)


# ----------------------------------------------------------------------------------------------- workload
@dataclass
class Load:
    user: object
    open: int
    this_week: int
    overdue: int
    in_progress: int


def workload(today: date) -> list[Load]:
    """Open, this week's and overdue visits per person who can conduct visits (one grouped query)."""
    from registry.auth.models import User
    from registry.common.permissions import PERMISSIONS

    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    is_open = Inspection.status.in_(OPEN)
    counts = {row.lead_id: row for row in db.session.execute(
        select(Inspection.lead_id,
               func.sum(case((is_open, 1), else_=0)).label("open"),
               func.sum(case((and_(is_open, Inspection.scheduled_on.between(monday, sunday)), 1), else_=0))
               .label("this_week"),
               func.sum(case((and_(is_open, Inspection.scheduled_on < today), 1), else_=0)).label("overdue"),
               func.sum(case((Inspection.status == InspectionStatus.IN_PROGRESS, 1), else_=0)).label("in_progress"))
        .group_by(Inspection.lead_id))}
    roles = list(PERMISSIONS[Permission.INSPECTION_CONDUCT])
    users = db.session.execute(select(User).where(User.active, User.role.in_(roles))
                               .order_by(User.full_name)).scalars().all()
    loads = []
    for user in users:
        row = counts.get(user.id)
        loads.append(Load(user, int(row.open or 0) if row else 0, int(row.this_week or 0) if row else 0,
                          int(row.overdue or 0) if row else 0, int(row.in_progress or 0) if row else 0))
    return sorted(loads, key=lambda load: (-load.overdue, -load.open, load.user.full_name))


def conductor_choices() -> list[tuple[int, str]]:
    """Active users who may lead a visit, for select boxes."""
    from registry.auth.models import User
    from registry.common.labels import label
    from registry.common.permissions import PERMISSIONS

    roles = list(PERMISSIONS[Permission.INSPECTION_CONDUCT])
    return [(u.id, f"{u.full_name} ({label(u.role)})") for u in db.session.execute(
        select(User).where(User.active, User.role.in_(roles)).order_by(User.full_name)).scalars()]


def user_choices() -> list[tuple[int, str]]:
    """Active staff, for team members who have an account."""
    from registry.auth.models import User

    return [(u.id, u.full_name) for u in db.session.execute(
        select(User).where(User.active).order_by(User.full_name)).scalars()]


# ----------------------------------------------------------------------------------------------- comparison
@dataclass
class Comparison:
    """One finding of the original visit next to what the follow-up found."""

    original: InspectionItem
    follow_up_item: InspectionItem | None
    follow_up: Inspection | None


def comparison(inspection: Inspection) -> list[Comparison]:
    """Rows of "original vs follow-up" for a follow-up (its carried items) or an original (its follow-ups)."""
    if inspection.original_id is not None:
        return [Comparison(item.origin, item, inspection) for item in inspection.items if item.carried and item.origin]
    if not inspection.follow_ups:
        return []
    ids = [f.id for f in inspection.follow_ups]
    carried = db.session.execute(
        select(InspectionItem).where(InspectionItem.inspection_id.in_(ids), InspectionItem.origin_item_id.is_not(None))
        .options(joinedload(InspectionItem.inspection))).scalars().all()
    by_origin: dict[int, list[InspectionItem]] = {}
    for item in carried:
        by_origin.setdefault(item.origin_item_id, []).append(item)
    rows = []
    for item in inspection.items:
        if item.result != ItemResult.FAIL:
            continue
        later = by_origin.get(item.id) or [None]
        for follow_item in later:
            rows.append(Comparison(item, follow_item, follow_item.inspection if follow_item else None))
    return rows


# ----------------------------------------------------------------------------------------------- prompts
@dataclass
class DutyPrompt:
    licence: object
    count: int
    last_inspection_id: int


def suspension_prompts(limit: int = 20) -> list[DutyPrompt]:
    """Valid licences with operating-duty violations recorded at two or more visits (Decree 54/2019 Art. 15(1)(b))."""
    from registry.licences.models import Licence, LicenceStatus

    rows = db.session.execute(
        select(Violation.licence_id, func.count(distinct(Violation.inspection_id)).label("visits"),
               func.max(Violation.inspection_id).label("last"))
        .join(Inspection, Inspection.id == Violation.inspection_id)
        .join(Licence, Licence.id == Violation.licence_id)
        .where(Violation.operating_duty, Inspection.status != InspectionStatus.CANCELLED,
               Licence.status == LicenceStatus.ACTIVE)
        .group_by(Violation.licence_id).having(func.count(distinct(Violation.inspection_id)) >= 2)
        .order_by(func.max(Violation.inspection_id).desc()).limit(limit)).all()
    if not rows:
        return []
    licences = {lic.id: lic for lic in db.session.execute(
        select(Licence).where(Licence.id.in_([r.licence_id for r in rows])).options(joinedload(Licence.venue)))
        .scalars()}
    return [DutyPrompt(licences[r.licence_id], r.visits, r.last) for r in rows if r.licence_id in licences]


def duty_violation_minutes(licence_id: int) -> list[str]:
    """Numbers of the minutes that recorded an operating-duty violation against the licence, sorted."""
    numbers = db.session.execute(
        select(Inspection.minutes_number).join(Violation, Violation.inspection_id == Inspection.id)
        .where(Violation.licence_id == licence_id, Violation.operating_duty).distinct()).scalars()
    return sorted(number for number in numbers if number)


def complaints(status: str | None = None, limit: int = 100) -> list[Complaint]:
    """Complaints, newest first (open ones when ``status`` is "open")."""
    from registry.venues.models import Venue

    query = select(Complaint).options(joinedload(Complaint.venue).joinedload(Venue.ward),
                                      joinedload(Complaint.venue).joinedload(Venue.district),
                                      selectinload(Complaint.inspections))
    if status in {s.value for s in ComplaintStatus}:
        query = query.where(Complaint.status == ComplaintStatus(status))
    return list(db.session.execute(query.order_by(Complaint.received_on.desc(), Complaint.id.desc()).limit(limit))
                .unique().scalars())


def search_venues(q: str, limit: int = 20) -> list:
    """Venues whose name, reference, address or operator matches ``q`` (diacritics ignored)."""
    from registry.venues.models import Venue

    terms = [t for t in fold(q).split() if t][:5]
    if not terms:
        return []
    query = select(Venue).options(joinedload(Venue.ward), joinedload(Venue.district), joinedload(Venue.operator))
    for term in terms:
        query = query.where(Venue.search_text.like(f"%{term}%"))
    return list(db.session.execute(query.order_by(Venue.name_key, Venue.id).limit(limit)).unique().scalars())


def venue_applications(venue_id: int) -> list:
    """Applications of a venue that an appraisal visit can belong to (not decided yet)."""
    from registry.licences.models import Application, ApplicationStatus

    return list(db.session.execute(
        select(Application).where(Application.venue_id == venue_id, Application.status.in_(
            [ApplicationStatus.RECEIVED, ApplicationStatus.ACCEPTED, ApplicationStatus.APPRAISAL,
             ApplicationStatus.NEEDS_COMPLETION])).order_by(Application.received_on.desc())).scalars())


# ----------------------------------------------------------------------------------------------- violations
def violation_types_for(venue_kind: str) -> list[ViolationType]:
    """Catalogue rows in use that apply to a venue of ``venue_kind`` (a row naming no kind applies to all)."""
    rows = db.session.execute(select(ViolationType).where(ViolationType.active)
                              .order_by(ViolationType.position, ViolationType.id)).scalars().all()
    return [v for v in rows if not v.venue_kinds or venue_kind in v.venue_kinds]
