"""State changes of inspections: plan, start, save the checklist, record violations, close or attempt, follow up,
amend; complaints. Every function checks the current state, raises ``InspectionError`` (translated) on refusal,
flushes and writes an audit event in the caller's transaction. None of them commits.

Data-level access (an inspector only works on visits they lead or belong to) is decided here by ``can_view`` and
``can_conduct``; views and templates call them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import select

from registry.common import audit
from registry.common.concurrency import check_version
from registry.common.permissions import Permission, can
from registry.common.text import clean
from registry.db import today_local, utcnow
from registry.extensions import db
from registry.inspections import checklists
from registry.inspections.models import (
    AttemptReason,
    ChecklistDefinition,
    Complaint,
    ComplaintStatus,
    Inspection,
    InspectionAmendment,
    InspectionAttempt,
    InspectionItem,
    InspectionKind,
    InspectionMember,
    InspectionOutcome,
    InspectionSetting,
    InspectionStatus,
    ItemResult,
)

VISIT_FIELDS = ("customers_count", "staff_count", "representative_name", "representative_role",
                "operator_statement", "witness_statement", "remarks", "refused_to_sign", "refusal_reason")
AMENDABLE_FIELDS = ("customers_count", "staff_count", "representative_name", "representative_role",
                    "operator_statement", "witness_statement", "remarks")


class InspectionError(ValueError):
    """A change the registry refuses; the message is translated and meant for the user.

    ``field`` names the form field the message belongs next to, when there is one.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class LockedError(InspectionError):
    """The visit is completed or cancelled: it is corrected by an amendment, never edited in place."""


class PlanLimitError(InspectionError):
    """Directive 20/CT-TTg: a second planned inspection of the operator in the year needs a stated reason."""

    def __init__(self, message: str, existing: list[Inspection]):
        super().__init__(message, "override_reason")
        self.existing = existing


# ----------------------------------------------------------------------------------------------- settings
def fmt_money(value: int | None) -> str:
    """Integer VND in the user's locale (``15.000.000 ₫`` in vi)."""
    from babel.numbers import format_currency
    from flask_babel import get_locale

    if value is None:
        return ""
    return format_currency(value, "VND", locale=str(get_locale() or "vi"))



def venue_kind_label(kind) -> str:
    """The venue kind in the user's language.

    Looked up here rather than with ``|label`` because enum labels are keyed by value and ``VenueKind.KARAOKE``
    collides with ``LicenceCategory.KARAOKE`` (reported to the lead); same msgids as the venue feature.
    """
    from flask_babel import gettext

    names = {"karaoke": "Karaoke", "dance_hall": "Dance hall", "club": "Club", "sports": "Sports facility"}
    value = getattr(kind, "value", kind)
    return gettext(names[value]) if value in names else str(value)


def setting(key: str, default=None):
    """A block of inspection configuration loaded from the preset (``checklists.json`` → ``settings``)."""
    row = db.session.execute(select(InspectionSetting).where(InspectionSetting.key == key)).scalar_one_or_none()
    return row.value if row is not None else default


def city_zone() -> ZoneInfo:
    """The city's time zone (Asia/Ho_Chi_Minh unless configured otherwise)."""
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or "Asia/Ho_Chi_Minh")


def local_time(moment: datetime) -> datetime:
    """``moment`` (aware) in the city's time zone."""
    return moment.astimezone(city_zone())


def _stamp(moment: datetime | None) -> str | None:
    """Local wall-clock time for people reading the audit trail, e.g. ``2026-10-16 22:05``."""
    return local_time(moment).strftime("%Y-%m-%d %H:%M") if moment is not None else None


# ----------------------------------------------------------------------------------------------- access
def is_on_team(user, inspection: Inspection) -> bool:
    """True if ``user`` leads the visit or is one of its team members."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if inspection.lead_id == user.id:
        return True
    return any(m.user_id == user.id for m in inspection.members)


def _related_team(user, inspection: Inspection) -> bool:
    """On the team of this visit, of its original, or of one of its follow-ups (a re-check shows the original)."""
    related = [inspection, *inspection.follow_ups]
    if inspection.original is not None:
        related.append(inspection.original)
    return any(is_on_team(user, i) for i in related)


def can_view(user, inspection: Inspection) -> bool:
    """Read access to one visit (page, photos, minutes).

    Planners (managers) and read-only roles (clerk, administrator) see every visit; people who conduct visits but do
    not plan them (inspectors) see the visits they are on, plus the original or follow-up of such a visit.
    """
    if not can(Permission.INSPECTION_VIEW, user):
        return False
    if can(Permission.INSPECTION_PLAN, user) or not can(Permission.INSPECTION_CONDUCT, user):
        return True
    return _related_team(user, inspection)


def can_conduct(user, inspection: Inspection) -> bool:
    """Write access to the visit itself: planners, or the lead and team members."""
    if not can(Permission.INSPECTION_CONDUCT, user):
        return False
    return can(Permission.INSPECTION_PLAN, user) or is_on_team(user, inspection)


def can_plan(user) -> bool:
    return can(Permission.INSPECTION_PLAN, user)


# ----------------------------------------------------------------------------------------------- licence facts
def current_licence(venue_id: int):
    """The venue's licence in force (valid or suspended), newest first; None if it has none."""
    from registry.licences.models import Licence, LicenceStatus

    return db.session.execute(
        select(Licence).where(Licence.venue_id == venue_id,
                              Licence.status.in_([LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED]))
        .order_by(Licence.issued_on.desc(), Licence.id.desc()).limit(1)).scalar_one_or_none()


def _licence_fact(licence) -> checklists.LicenceFact | None:
    if licence is None:
        return None
    snap = licence.snapshot
    rooms = []
    for room in snap.get("rooms") or []:
        try:
            area = Decimal(str(room.get("area_m2")))
        except Exception:  # a malformed snapshot still yields a check, with the area unknown
            area = None
        rooms.append(checklists.RoomFact(str(room.get("code") or "?"), area))
    hours = snap.get("hours") or {}
    sports = []
    for sport in snap.get("sports") or []:
        if isinstance(sport, dict):
            name_vi = sport.get("name_vi") or sport.get("name") or sport.get("code") or "?"
            sports.append((name_vi, sport.get("name_en") or name_vi))
        else:
            sports.append((str(sport), str(sport)))
    holder = (snap.get("operator") or {}).get("name") or (licence.operator.name if licence.operator else "")
    issued = licence.issued_on.strftime("%d/%m/%Y") if licence.issued_on else None
    return checklists.LicenceFact(
        number=licence.number_display, issued_on=issued, holder=holder, status=str(licence.status.value),
        rooms=rooms, room_count=int(snap.get("room_count") or len(rooms)), opens_at=hours.get("opens_at"),
        closes_at=hours.get("closes_at"), sports=sports)


def visit_facts(inspection: Inspection, at: datetime | None = None) -> checklists.VisitFacts:
    """Plain facts the checklist of ``inspection`` is generated from (``at``: when the visit started, UTC)."""
    venue = inspection.venue
    sports = [checklists.SportFact(code=vs.sport.code, name_vi=vs.sport.name_vi, name_en=vs.sport.name_en,
                                   instructor_required=vs.sport.instructor_required, adventure=vs.sport.adventure,
                                   water=vs.sport.water, sells_instruction=vs.sells_instruction,
                                   open_water=vs.open_water) for vs in venue.sports]
    licence = inspection.licence if inspection.kind != InspectionKind.APPRAISAL else None
    return checklists.VisitFacts(
        venue_kind=str(venue.kind.value), inspection_kind=str(inspection.kind.value),
        venue_rooms=[checklists.RoomFact(r.code, r.area_m2) for r in venue.active_rooms], sports=sports,
        licence=_licence_fact(licence), statutory_hours=setting("permitted_hours", {}) or {},
        local_time=local_time(at).time() if at is not None else None)


def generate_items(inspection: Inspection, at: datetime | None = None) -> list[InspectionItem]:
    """Create the visit's checklist from the active definitions (does nothing if it already has items)."""
    if inspection.items:
        return inspection.items
    definitions = db.session.execute(select(ChecklistDefinition).where(ChecklistDefinition.active)).scalars().all()
    specs = checklists.build_checklist(definitions, visit_facts(inspection, at))
    for position, spec in enumerate(specs, 1):
        inspection.items.append(InspectionItem(
            position=position * 10, code=spec.code, section=spec.section, label_vi=spec.label_vi,
            label_en=spec.label_en, expected_vi=spec.expected_vi, expected_en=spec.expected_en,
            legal_ref=spec.legal_ref, violation_code=spec.violation_code,
            result=ItemResult(spec.result) if spec.result else None))
    db.session.flush()
    return inspection.items


# ----------------------------------------------------------------------------------------------- planning
def planned_in_year(operator_id: int, year: int, *, exclude_id: int | None = None) -> list[Inspection]:
    """The operator's planned (periodic) inspections in ``year`` that are not cancelled (Directive 20/CT-TTg)."""
    kinds = (setting("planning", {}) or {}).get("planned_kinds") or [InspectionKind.PERIODIC.value]
    query = (select(Inspection).where(Inspection.operator_id == operator_id,
                                      Inspection.kind.in_([InspectionKind(k) for k in kinds]),
                                      Inspection.status != InspectionStatus.CANCELLED,
                                      Inspection.scheduled_on >= date(year, 1, 1),
                                      Inspection.scheduled_on <= date(year, 12, 31))
             .order_by(Inspection.scheduled_on))
    if exclude_id is not None:
        query = query.where(Inspection.id != exclude_id)
    return list(db.session.execute(query).scalars())


def check_plan_limit(operator_id: int, kind: InspectionKind, scheduled_on: date, override_reason: str | None,
                     *, exclude_id: int | None = None) -> list[Inspection]:
    """Refuse a planned inspection beyond the yearly limit unless a reason is given; returns those already planned.

    :raises PlanLimitError: when the limit is reached and ``override_reason`` is empty.
    """
    planning = setting("planning", {}) or {}
    kinds = planning.get("planned_kinds") or [InspectionKind.PERIODIC.value]
    limit = int(planning.get("max_planned_per_operator_per_year", 1))
    if kind.value not in kinds:
        return []
    existing = planned_in_year(operator_id, scheduled_on.year, exclude_id=exclude_id)
    if len(existing) >= limit and not clean(override_reason):
        dates = ", ".join(i.scheduled_on.strftime("%d/%m/%Y") for i in existing)
        raise PlanLimitError(_("This operator already has %(n)d planned inspection(s) in %(year)d (%(dates)s). "
                               "Directive 20/CT-TTg allows one planned inspection of an enterprise a year: give "
                               "the reason for another one, or plan an unannounced or complaint visit instead.",
                               n=len(existing), year=scheduled_on.year, dates=dates), existing)
    return existing


@dataclass
class MemberData:
    full_name: str
    agency: str
    user_id: int | None = None
    position: str | None = None


def plan_inspection(*, venue, kind: InspectionKind, scheduled_on: date, lead, planned_by,
                    window_from: time | None = None, window_to: time | None = None,
                    members: list[MemberData] | tuple = (), decision_number: str | None = None,
                    purpose: str | None = None, application=None, complaint: Complaint | None = None,
                    override_reason: str | None = None, original: Inspection | None = None) -> Inspection:
    """Plan a visit to ``venue``.

    :raises PlanLimitError: a second planned (periodic) inspection of the operator this year without a reason.
    :raises InspectionError: the lead cannot conduct visits, an appraisal has no application, or the venue is closed.
    """
    from registry.common.permissions import role_has
    from registry.venues.models import VenueStatus

    if not role_has(lead.role, Permission.INSPECTION_CONDUCT) or not lead.active:
        raise InspectionError(_("The lead must be an active inspector or manager."), "lead_id")
    if venue.status == VenueStatus.CLOSED and kind != InspectionKind.APPRAISAL:
        raise InspectionError(_("This venue is closed; reopen it in the register before planning a visit."))
    if kind == InspectionKind.APPRAISAL and application is None:
        raise InspectionError(_("An appraisal visit belongs to an application: choose the application."),
                              "application_id")
    existing = check_plan_limit(venue.operator_id, kind, scheduled_on, override_reason)
    reason = clean(override_reason) if existing else None
    licence = current_licence(venue.id) if kind != InspectionKind.APPRAISAL else None
    inspection = Inspection(
        kind=kind, status=InspectionStatus.PLANNED, venue_id=venue.id, operator_id=venue.operator_id,
        licence_id=licence.id if licence else None, application_id=application.id if application else None,
        complaint=complaint, original=original,
        scheduled_on=scheduled_on, window_from=window_from, window_to=window_to, lead_id=lead.id,
        planned_by_id=getattr(planned_by, "id", None), decision_number=clean(decision_number),
        purpose=clean(purpose), plan_override_reason=reason)
    db.session.add(inspection)
    for m in members:
        if m.user_id == lead.id:
            continue
        inspection.members.append(InspectionMember(user_id=m.user_id, full_name=m.full_name[:200],
                                                   agency=m.agency, position=clean(m.position)))
    db.session.flush()
    if complaint is not None and complaint.status == ComplaintStatus.OPEN:
        complaint.status = ComplaintStatus.PLANNED
    details = {"inspection_kind": kind, "scheduled_on": scheduled_on, "lead": lead.full_name,
               "team": ", ".join(f"{m.full_name} ({m.agency.value if hasattr(m.agency, 'value') else m.agency})"
                                 for m in inspection.members),
               "decision_number": inspection.decision_number, "complaint_id": inspection.complaint_id,
               "original_id": inspection.original_id, "application_id": inspection.application_id}
    audit.record("inspection.plan", inspection, {k: v for k, v in details.items() if v not in (None, "")})
    if reason:
        audit.record("inspection.plan_override", inspection, {
            "reason": reason, "already_planned": [i.id for i in existing], "year": scheduled_on.year})
    return inspection


def _require_open(inspection: Inspection) -> None:
    if inspection.is_locked:
        raise LockedError(_("This visit is closed and can no longer be changed. Record a correction as an "
                            "amendment."))


def reschedule(inspection: Inspection, new_date: date, reason: str, *, version: int | None) -> None:
    """Move a planned visit to another day.

    :raises InspectionError: if the visit is not planned or the date is in the past.
    """
    check_version(inspection, version)
    if inspection.status != InspectionStatus.PLANNED:
        raise InspectionError(_("Only a planned visit can be rescheduled."))
    if new_date < today_local():
        raise InspectionError(_("The new date cannot be in the past."), "scheduled_on")
    if inspection.kind in (InspectionKind.PERIODIC,) and new_date.year != inspection.scheduled_on.year:
        check_plan_limit(inspection.operator_id, inspection.kind, new_date, reason, exclude_id=inspection.id)
    old = inspection.scheduled_on
    inspection.scheduled_on = new_date
    db.session.flush()
    audit.record("inspection.reschedule", inspection, {"scheduled_on": [old, new_date], "reason": clean(reason)})


def assign(inspection: Inspection, lead, *, version: int | None) -> None:
    """Give the visit to another lead (the previous lead stays on the team).

    :raises InspectionError: if the visit is closed or the new lead cannot conduct visits.
    """
    from registry.common.permissions import role_has

    check_version(inspection, version)
    _require_open(inspection)
    if not role_has(lead.role, Permission.INSPECTION_CONDUCT) or not lead.active:
        raise InspectionError(_("The lead must be an active inspector or manager."), "lead_id")
    if lead.id == inspection.lead_id:
        return
    old = inspection.lead
    inspection.members = [m for m in inspection.members if m.user_id != lead.id]
    if old is not None and not any(m.user_id == old.id for m in inspection.members):
        inspection.members.append(InspectionMember(user_id=old.id, full_name=old.full_name, agency="culture"))
    inspection.lead_id = lead.id
    db.session.flush()
    audit.record("inspection.assign", inspection, {"lead": [old.full_name if old else None, lead.full_name]})


def cancel(inspection: Inspection, reason: str, *, version: int | None) -> None:
    """Cancel a planned visit (never one that started).

    :raises InspectionError: if the visit is not planned or no reason is given.
    """
    check_version(inspection, version)
    if inspection.status != InspectionStatus.PLANNED:
        raise InspectionError(_("Only a planned visit can be cancelled."))
    if not clean(reason):
        raise InspectionError(_("Give the reason for cancelling."), "reason")
    inspection.status = InspectionStatus.CANCELLED
    inspection.cancelled_reason = clean(reason)
    db.session.flush()
    audit.record("inspection.cancel", inspection, {"reason": inspection.cancelled_reason})


# ----------------------------------------------------------------------------------------------- the visit
def start_visit(inspection: Inspection, *, at: datetime | None = None, latitude: float | None = None,
                longitude: float | None = None, accuracy: float | None = None) -> None:
    """Start the visit: record the time (and the location, if the inspector agreed) and build the checklist.

    :raises InspectionError: if the visit is not planned.
    """
    if inspection.status != InspectionStatus.PLANNED:
        raise InspectionError(_("This visit has already been started or closed."))
    at = at or utcnow()
    if inspection.kind != InspectionKind.APPRAISAL and inspection.licence_id is None:
        licence = current_licence(inspection.venue_id)
        inspection.licence_id = licence.id if licence else None
        db.session.flush()
        db.session.refresh(inspection, ["licence"])
    inspection.status = InspectionStatus.IN_PROGRESS
    inspection.started_at = at
    located = latitude is not None and longitude is not None
    inspection.start_latitude = Decimal(f"{latitude:.6f}") if located else None
    inspection.start_longitude = Decimal(f"{longitude:.6f}") if located else None
    inspection.start_accuracy_m = int(min(accuracy, 1_000_000)) if located and accuracy is not None else None
    generate_items(inspection, at)
    db.session.flush()
    audit.record("inspection.start", inspection, {
        "started_at": at, "started_local": _stamp(at), "location_recorded": located, "items": len(inspection.items)})


def items_by_id(inspection: Inspection) -> dict[int, InspectionItem]:
    return {item.id: item for item in inspection.items}


def save_visit(inspection: Inspection, values: dict, items: dict[int, dict], *, version: int | None) -> dict:
    """Apply what the inspector typed (autosave or plain submit): visit fields and item answers and notes.

    :param values: clean values of ``VISIT_FIELDS`` present in the request (absent fields are left alone).
    :param items: ``{item_id: {"result": ItemResult | None, "note": str | None}}`` (keys present only).
    :returns: the field-level changes.
    :raises LockedError: if the visit is closed. :raises ConcurrentEditError: on a stale version.
    """
    _require_open(inspection)
    check_version(inspection, version)
    if inspection.status != InspectionStatus.IN_PROGRESS:
        raise InspectionError(_("Start the visit before filling in the checklist."))
    changes: dict = {}
    for name, value in values.items():
        if name not in VISIT_FIELDS:
            continue
        old = getattr(inspection, name)
        if old != value:
            setattr(inspection, name, value)
            changes[name] = [audit._jsonable(old), audit._jsonable(value)]
    known = items_by_id(inspection)
    for item_id, answer in items.items():
        item = known.get(item_id)
        if item is None:
            raise InspectionError(_("A checklist item does not belong to this visit. Reload the page."))
        for key in ("result", "note"):
            if key not in answer:
                continue
            old, new = getattr(item, key), answer[key]
            if key == "result" and old == ItemResult.FAIL and new != ItemResult.FAIL and item.violations:
                raise InspectionError(_("“%(item)s” has a violation recorded: remove the violation before "
                                        "changing its answer.", item=item.label_en), f"item-{item.id}-result")
            if old != new:
                setattr(item, key, new)
                changes[f"{item.code}.{key}"] = [audit._jsonable(old), audit._jsonable(new)]
    inspection.draft_saved_at = utcnow()  # also bumps the version: the next save must carry the new one
    db.session.flush()
    if changes:
        audit.record("inspection.checklist_save", entity_type="inspections", entity_id=inspection.id,
                     changes=changes)
    return changes


# ----------------------------------------------------------------------------------------------- closing
@dataclass
class CloseResult:
    minutes: object | None
    follow_up: Inspection | None


def unanswered(inspection: Inspection) -> list[InspectionItem]:
    return [i for i in inspection.items if i.result is None]


def close_visit(inspection: Inspection, outcome: InspectionOutcome, *, by, version: int | None,
                at: datetime | None = None) -> CloseResult:
    """Close the visit with its outcome, issue the minutes and schedule the follow-up of any remedy.

    :raises InspectionError: visit not in progress, unanswered items, or an outcome that contradicts the findings.
    :raises ConcurrentEditError: on a stale version (checked once the visit is known to be under way).
    """
    from registry.inspections.minutes import issue_minutes

    _require_open(inspection)
    if inspection.status != InspectionStatus.IN_PROGRESS:
        raise InspectionError(_("Start the visit before closing it."), "outcome")
    check_version(inspection, version)
    missing = unanswered(inspection)
    if missing:
        raise InspectionError(_("%(n)d checklist item(s) are not answered yet. Answer each one (pass, fail or not "
                                "applicable) before closing.", n=len(missing)), "outcome")
    failed = [i for i in inspection.items if i.result == ItemResult.FAIL]
    if outcome == InspectionOutcome.COMPLIANT and failed:
        raise InspectionError(_("%(n)d item(s) failed: choose “Violations found”, or correct the checklist.",
                                n=len(failed)), "outcome")
    if outcome == InspectionOutcome.VIOLATIONS and not failed:
        raise InspectionError(_("No item failed and no violation is recorded: choose “Compliant”."), "outcome")
    if inspection.refused_to_sign and not clean(inspection.refusal_reason):
        raise InspectionError(_("The representative refused to sign: record the reason they gave."), "outcome")
    at = at or utcnow()
    inspection.status = InspectionStatus.COMPLETED
    inspection.outcome = outcome
    inspection.ended_at = max(at, inspection.started_at)
    for violation in inspection.violations:  # from now on its remedy deadlines are awaited (the dashboard's)
        violation.remedy_pending = violation.remedy_due_on is not None and violation.item.resolved_in_id is None
    db.session.flush()
    _resolve_carried(inspection, at)
    audit.record("inspection.close", inspection, {
        "outcome": outcome, "ended_at": inspection.ended_at, "ended_local": _stamp(inspection.ended_at),
        "failed_items": len(failed), "violations": len(inspection.violations),
        "customers_count": inspection.customers_count, "staff_count": inspection.staff_count,
        "refused_to_sign": inspection.refused_to_sign})
    if inspection.complaint is not None and inspection.complaint.status != ComplaintStatus.CLOSED:
        inspection.complaint.status = ComplaintStatus.CLOSED
        inspection.complaint.closed_note = _("Visit on %(day)s: %(outcome)s",
                                             day=local_time(at).strftime("%d/%m/%Y"),
                                             outcome=_("compliant") if outcome == InspectionOutcome.COMPLIANT
                                             else _("violations found"))
        audit.record("complaint.close", inspection.complaint, {"inspection_id": inspection.id},
                     venue_id=inspection.venue_id)
    minutes = issue_minutes(inspection, issued_by=by)
    follow_up = None
    deadlines = [v.remedy_due_on for v in inspection.violations if v.remedy_due_on is not None]
    if deadlines and not any(f.is_open for f in inspection.follow_ups):
        follow_up = schedule_follow_up(inspection, scheduled_on=max(deadlines), lead=inspection.lead, planned_by=by)
    return CloseResult(minutes, follow_up)


def _root(item: InspectionItem) -> InspectionItem:
    seen = set()
    while item.origin is not None and item.id not in seen:
        seen.add(item.id)
        item = item.origin
    return item


def _resolve_carried(inspection: Inspection, at: datetime) -> None:
    """At a follow-up: mark each carried finding resolved (pass) or not (fail) on the original visit."""
    day = local_time(at).date()
    for item in inspection.items:
        if not item.carried or item.result == ItemResult.NA:
            continue
        root = _root(item)
        resolved = item.result == ItemResult.PASS
        targets = {root.id: root, item.origin.id: item.origin}
        for target in targets.values():
            if resolved:
                target.resolved_in_id, target.resolved_on = inspection.id, day
                for violation in target.violations:
                    violation.remedy_pending = False
        audit.record("inspection.finding_resolved" if resolved else "inspection.finding_unresolved", inspection, {
            "finding": root.label_vi, "original_id": root.inspection_id, "note": item.note})


def record_attempt(inspection: Inspection, reason: AttemptReason, new_date: date | None, *, note: str | None,
                   by, version: int | None, at: datetime | None = None) -> InspectionAttempt:
    """Record that the visit could not be carried out; it stays open and moves to ``new_date``.

    :raises InspectionError: visit closed, or no new date (or one in the past).
    """
    _require_open(inspection)
    check_version(inspection, version)
    at = at or utcnow()
    if new_date is None:
        raise InspectionError(_("An attempted visit stays open: choose the date of the next visit."), "next_date")
    if new_date < local_time(at).date():
        raise InspectionError(_("The next visit cannot be in the past."), "next_date")
    attempt = InspectionAttempt(inspection_id=inspection.id, attempted_at=at, reason=reason, note=clean(note),
                                previous_date=inspection.scheduled_on, rescheduled_to=new_date,
                                by_id=getattr(by, "id", None))
    db.session.add(attempt)
    inspection.status = InspectionStatus.PLANNED
    inspection.started_at = None
    inspection.scheduled_on = new_date
    db.session.flush()
    audit.record("inspection.attempt", inspection, {
        "reason": reason, "note": attempt.note, "scheduled_on": [attempt.previous_date, new_date]})
    return attempt


# ----------------------------------------------------------------------------------------------- follow-up
def open_findings(inspection: Inspection) -> list[InspectionItem]:
    """Failed items of ``inspection`` not yet verified as resolved (a carried item counts through its origin)."""
    found = []
    for item in inspection.items:
        if item.result != ItemResult.FAIL:
            continue
        if _root(item).resolved_in_id is not None:
            continue
        found.append(item)
    return found


def schedule_follow_up(original: Inspection, *, scheduled_on: date, lead, planned_by) -> Inspection:
    """Plan a follow-up of a completed visit that carries its open findings forward.

    :raises InspectionError: the original is not completed or has no open finding.
    """
    if original.status != InspectionStatus.COMPLETED:
        raise InspectionError(_("A follow-up is scheduled after the visit is closed."))
    findings = open_findings(original)
    if not findings:
        raise InspectionError(_("This visit has no open finding to follow up."))
    follow_up = plan_inspection(
        venue=original.venue, kind=InspectionKind.FOLLOW_UP, scheduled_on=scheduled_on, lead=lead,
        planned_by=planned_by, decision_number=original.decision_number, original=original,
        purpose=_("Re-check of the findings of the visit on %(day)s", day=original.scheduled_on.strftime("%d/%m/%Y")))
    follow_up.licence_id = original.licence_id
    violations_by_item = {}
    for v in original.violations:
        violations_by_item.setdefault(v.item_id, []).append(v)
    for position, item in enumerate(findings, 1):
        root = _root(item)
        remedies = violations_by_item.get(item.id) or [v for v in root.violations]
        remedy_vi = "; ".join(filter(None, (v.remedy for v in remedies)))
        due = max((v.remedy_due_on for v in remedies if v.remedy_due_on), default=None)
        due_text = due.strftime("%d/%m/%Y") if due else None
        follow_up.items.append(InspectionItem(
            position=position * 10, code=f"carried:{root.id}", section="carried",
            label_vi=root.label_vi, label_en=root.label_en,
            expected_vi=" — ".join(filter(None, [f"Biện pháp khắc phục: {remedy_vi}" if remedy_vi else None,
                                                 f"hạn {due_text}" if due_text else None])) or None,
            expected_en=" — ".join(filter(None, [f"Remedy: {remedy_vi}" if remedy_vi else None,
                                                 f"due {due_text}" if due_text else None])) or None,
            legal_ref=root.legal_ref, violation_code=root.violation_code, origin_item_id=item.id))
    db.session.flush()
    audit.record("inspection.follow_up", follow_up, {
        "original_id": original.id, "scheduled_on": scheduled_on,
        "findings": "; ".join(_root(i).label_vi for i in findings)})
    return follow_up


# ----------------------------------------------------------------------------------------------- amendments
def amend(inspection: Inspection, *, reason: str, values: dict, notes: dict[int, str | None], by,
          version: int | None) -> InspectionAmendment:
    """Correct a completed visit: the change is kept as an amendment with its reason, and audited.

    :raises InspectionError: visit not completed, no reason, or nothing changed.
    """
    check_version(inspection, version)
    if inspection.status != InspectionStatus.COMPLETED:
        raise InspectionError(_("Only a completed visit is amended; an open visit is simply edited."))
    reason = clean(reason)
    if not reason:
        raise InspectionError(_("Give the reason for the correction."), "reason")
    changes: dict = {}
    for name in AMENDABLE_FIELDS:
        if name in values and getattr(inspection, name) != values[name]:
            changes[name] = [audit._jsonable(getattr(inspection, name)), audit._jsonable(values[name])]
            setattr(inspection, name, values[name])
    known = items_by_id(inspection)
    for item_id, note in notes.items():
        item = known.get(item_id)
        if item is not None and item.note != note:
            changes[f"{item.code}.note"] = [item.note, note]
            item.note = note
    if not changes:
        raise InspectionError(_("Nothing was changed."), "reason")
    amendment = InspectionAmendment(inspection_id=inspection.id, by_id=getattr(by, "id", None), reason=reason,
                                    changes_json=json.dumps(changes, ensure_ascii=False, default=str))
    db.session.add(amendment)
    inspection.draft_saved_at = utcnow()
    db.session.flush()
    audit.record("inspection.amend", inspection, {"reason": reason, **changes})
    return amendment
