"""The risk queue: venues due for a visit, ordered by a transparent score whose parts are listed.

Weights are configuration (``checklists.json`` → ``settings.risk``), never code. Parts: violations in the window
(operating-duty ones weigh more), open and overdue remedies, complaints in the window, time since the last visit
(or never visited), venue kind, and size (rooms and capacity). Everything is computed with one grouped query per
part, whatever the number of venues.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from registry.extensions import db
from registry.inspections.models import (
    Complaint,
    Inspection,
    InspectionItem,
    InspectionKind,
    InspectionStatus,
    Violation,
)

DEFAULT_WEIGHTS = {
    "violation_window_months": 24, "violation_points": 8, "operating_duty_extra_points": 6, "violation_cap": 40,
    "open_remedy_points": 10, "overdue_remedy_points": 20, "complaint_window_months": 12, "complaint_points": 12,
    "complaint_cap": 36, "points_per_month_since_visit": 2, "months_since_visit_cap": 30, "never_visited_points": 30,
    "kind_points": {}, "points_per_room": 1, "room_cap": 10, "points_per_100_capacity": 2, "capacity_cap": 10,
    "due_threshold": 30,
}


@dataclass
class Part:
    """One reason the score is what it is."""

    key: str
    text: str
    points: int


@dataclass
class Entry:
    venue: object
    score: int
    parts: list[Part] = field(default_factory=list)
    last_visit_on: date | None = None
    open_visit: Inspection | None = None
    planned_this_year: int = 0

    @property
    def reason(self) -> str:
        return "; ".join(f"{p.text} (+{p.points})" for p in self.parts if p.points)


def weights() -> dict:
    from registry.inspections.services import setting

    return {**DEFAULT_WEIGHTS, **(setting("risk", {}) or {})}


def _months_between(start: date, end: date) -> int:
    return max(0, (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0))


def _cutoff(today: date, months: int) -> datetime:
    return datetime.combine(today - timedelta(days=round(months * 30.44)), datetime.min.time(), tzinfo=UTC)


def risk_queue(today: date, *, kind: str | None = None, district_id: int | None = None,
               include_planned: bool = False, limit: int = 50) -> tuple[list[Entry], int]:
    """Venues by descending risk score (ties: longest since the last visit first); returns (entries, total)."""
    from registry.inspections.services import local_time, venue_kind_label
    from registry.venues.models import Room, Venue, VenueKind, VenueStatus

    w = weights()
    venue_query = select(Venue).where(Venue.status != VenueStatus.CLOSED).options(
        joinedload(Venue.operator), joinedload(Venue.ward), joinedload(Venue.district))
    if kind in {k.value for k in VenueKind}:
        venue_query = venue_query.where(Venue.kind == VenueKind(kind))
    if district_id:
        venue_query = venue_query.where(Venue.district_id == district_id)
    venues = db.session.execute(venue_query).unique().scalars().all()
    if not venues:
        return [], 0

    done = Inspection.status == InspectionStatus.COMPLETED
    v_cut = _cutoff(today, w["violation_window_months"])
    violations = {r.venue_id: r for r in db.session.execute(
        select(Inspection.venue_id, func.count(Violation.id).label("n"),
               func.sum(case((Violation.operating_duty, 1), else_=0)).label("duty"))
        .join(Inspection, Inspection.id == Violation.inspection_id)
        .where(done, Inspection.ended_at >= v_cut).group_by(Inspection.venue_id))}
    remedies = {r.venue_id: r for r in db.session.execute(
        select(Inspection.venue_id, func.count(Violation.id).label("open"),
               func.sum(case((Violation.remedy_due_on < today, 1), else_=0)).label("overdue"))
        .join(Inspection, Inspection.id == Violation.inspection_id)
        .join(InspectionItem, InspectionItem.id == Violation.item_id)
        .where(done, Violation.remedy_due_on.is_not(None), InspectionItem.resolved_in_id.is_(None))
        .group_by(Inspection.venue_id))}
    c_cut = today - timedelta(days=round(w["complaint_window_months"] * 30.44))
    complaints = dict(db.session.execute(
        select(Complaint.venue_id, func.count(Complaint.id)).where(Complaint.received_on >= c_cut)
        .group_by(Complaint.venue_id)).all())
    last_visits = dict(db.session.execute(
        select(Inspection.venue_id, func.max(Inspection.ended_at)).where(done).group_by(Inspection.venue_id)).all())
    rooms = dict(db.session.execute(
        select(Room.venue_id, func.count(Room.id)).where(Room.valid_to.is_(None), Room.active)
        .group_by(Room.venue_id)).all())
    open_visits: dict[int, Inspection] = {}
    for inspection in db.session.execute(
            select(Inspection).where(Inspection.status.in_([InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS]))
            .order_by(Inspection.scheduled_on)).scalars():
        open_visits.setdefault(inspection.venue_id, inspection)
    planned = dict(db.session.execute(
        select(Inspection.operator_id, func.count(Inspection.id))
        .where(Inspection.kind == InspectionKind.PERIODIC, Inspection.status != InspectionStatus.CANCELLED,
               Inspection.scheduled_on.between(date(today.year, 1, 1), date(today.year, 12, 31)))
        .group_by(Inspection.operator_id)).all())

    entries = []
    for venue in venues:
        parts: list[Part] = []
        row = violations.get(venue.id)
        if row and row.n:
            points = min(w["violation_cap"], row.n * w["violation_points"] + int(row.duty or 0) *
                         w["operating_duty_extra_points"])
            text = ngettext("%(num)d violation in %(months)d months", "%(num)d violations in %(months)d months",
                            row.n, months=w["violation_window_months"])
            if row.duty:
                text += " " + _("(%(n)d of operating duties)", n=int(row.duty))
            parts.append(Part("violations", text, points))
        row = remedies.get(venue.id)
        if row and row.open:
            overdue = int(row.overdue or 0)
            not_yet = int(row.open) - overdue
            points = not_yet * w["open_remedy_points"] + overdue * w["overdue_remedy_points"]
            text = ngettext("%(num)d open remedy", "%(num)d open remedies", int(row.open))
            if overdue:
                text += " " + _("(%(n)d overdue)", n=overdue)
            parts.append(Part("remedies", text, points))
        n = complaints.get(venue.id, 0)
        if n:
            parts.append(Part("complaints", ngettext("%(num)d complaint in %(months)d months",
                                                     "%(num)d complaints in %(months)d months", n,
                                                     months=w["complaint_window_months"]),
                              min(w["complaint_cap"], n * w["complaint_points"])))
        last = last_visits.get(venue.id)
        last_day = local_time(last).date() if last else None
        if last_day is None:
            parts.append(Part("last_visit", _("never inspected"), w["never_visited_points"]))
        else:
            months = _months_between(last_day, today)
            parts.append(Part("last_visit", ngettext("last visit %(num)d month ago", "last visit %(num)d months ago",
                                                     months),
                              min(w["months_since_visit_cap"], months * w["points_per_month_since_visit"])))
        kind_points = int((w.get("kind_points") or {}).get(venue.kind.value, 0))
        if kind_points:
            parts.append(Part("kind", venue_kind_label(venue.kind), kind_points))
        n_rooms = rooms.get(venue.id, 0)
        if n_rooms:
            parts.append(Part("rooms", ngettext("%(num)d room", "%(num)d rooms", n_rooms),
                              min(w["room_cap"], n_rooms * w["points_per_room"])))
        if venue.capacity:
            points = min(w["capacity_cap"], (venue.capacity // 100) * w["points_per_100_capacity"])
            if points:
                parts.append(Part("capacity", _("capacity %(n)d", n=venue.capacity), points))
        open_visit = open_visits.get(venue.id)
        if open_visit is not None and not include_planned:
            continue
        entries.append(Entry(venue, sum(p.points for p in parts), parts, last_day, open_visit,
                             planned.get(venue.operator_id, 0)))
    entries.sort(key=lambda e: (-e.score, e.last_visit_on or date.min, e.venue.name_key))
    return entries[:limit], len(entries)
