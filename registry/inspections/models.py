"""Inspections: planned and conducted visits, their team, checklist, photos, violations, attempts and amendments;
complaints that lead to visits; the checklist definitions, violation catalogue and settings loaded from the preset.
"""
from __future__ import annotations

import enum
import json
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import TimestampMixin, VersionedMixin, enum_column, utcnow
from registry.extensions import db


class InspectionKind(enum.StrEnum):
    """Why the visit happens (DOMAIN.md §5, §9.1)."""

    APPRAISAL = "appraisal_visit"
    PERIODIC = "periodic"
    UNANNOUNCED = "unannounced"
    INTERAGENCY = "interagency"
    COMPLAINT = "complaint"
    FOLLOW_UP = "follow_up"


class InspectionStatus(enum.StrEnum):
    """Where the visit stands. An attempted visit goes back to PLANNED with a new date: it is never done."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        return self in (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS)


class InspectionOutcome(enum.StrEnum):
    """Result of a completed visit."""

    COMPLIANT = "compliant"
    VIOLATIONS = "violations"


class AttemptReason(enum.StrEnum):
    """Why a visit could not be carried out."""

    NO_ACCESS = "no_access"
    CLOSED = "venue_closed"


class ItemResult(enum.StrEnum):
    """Answer to one checklist item (on a carried-forward item: pass = resolved, fail = not resolved)."""

    PASS = "pass"  # noqa: S105 (a checklist answer, not a password)
    FAIL = "fail"
    NA = "na"


class Agency(enum.StrEnum):
    """Agency a team member comes from (inter-agency teams, DOMAIN.md §1.6)."""

    CULTURE = "culture"
    POLICE = "police"
    FIRE = "fire"
    CONSTRUCTION = "construction"
    OTHER = "other_agency"


class SubjectKind(enum.StrEnum):
    """Who is fined: a household business is an individual, an enterprise an organisation (×2)."""

    INDIVIDUAL = "individual"
    ORGANISATION = "organisation"


class ComplaintSource(enum.StrEnum):
    """Where a complaint came from."""

    PUBLIC = "public"
    AGENCY = "agency"
    POLICE = "police_report"
    FIRE = "fire_report"
    MEDIA = "media"
    OTHER = "other_source"


class ComplaintStatus(enum.StrEnum):
    """A complaint is open until a visit is planned for it, and closed when handled."""

    OPEN = "open"
    PLANNED = "visit_planned"
    CLOSED = "handled"


# ------------------------------------------------------------------------------------------ configuration
class InspectionSetting(db.Model):
    """A named block of inspection configuration from the preset (risk weights, permitted hours, minutes)."""

    __tablename__ = "inspection_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    value_json: Mapped[str] = mapped_column(Text, default="{}")

    @property
    def value(self):
        return json.loads(self.value_json or "null")


class ChecklistDefinition(db.Model):
    """One line of the checklist template; ``generator`` says how it expands (per room, per sport, …)."""

    __tablename__ = "checklist_definitions"
    __table_args__ = (Index("ix_checklist_definitions_active_position", "active", "position", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    section: Mapped[str] = mapped_column(String(30))
    venue_kinds_json: Mapped[str] = mapped_column(Text, default="[]")
    inspection_kinds_json: Mapped[str] = mapped_column(Text, default="[]")
    generator: Mapped[str] = mapped_column(String(40), default="static")
    label_vi: Mapped[str] = mapped_column(Text)
    label_en: Mapped[str] = mapped_column(Text)
    legal_ref: Mapped[str | None] = mapped_column(String(200))
    violation_codes_json: Mapped[str] = mapped_column(Text, default="{}")
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def venue_kinds(self) -> list[str]:
        return json.loads(self.venue_kinds_json or "[]")

    @property
    def inspection_kinds(self) -> list[str]:
        return json.loads(self.inspection_kinds_json or "[]")

    def violation_code(self, venue_kind: str) -> str | None:
        """The catalogue row suggested when this item fails at a venue of ``venue_kind``."""
        codes = json.loads(self.violation_codes_json or "{}")
        return codes.get(venue_kind) or codes.get("*")


class ViolationType(db.Model):
    """A row of the violation catalogue (Decree 38/2021 Art. 15, Decree 46/2019), kept as data.

    Fines are for individuals in integer VND; organisations pay ``organisation_multiplier`` times as much.
    ``fine_min``/``fine_max`` are None when the amounts are not known (then ``amount_verified`` is false).
    """

    __tablename__ = "violation_types"
    __table_args__ = (
        CheckConstraint("fine_min IS NULL OR fine_min >= 0", name="fine_min_nonnegative"),
        CheckConstraint("fine_max IS NULL OR fine_min IS NULL OR fine_max >= fine_min", name="fine_range"),
        CheckConstraint("organisation_multiplier >= 1", name="multiplier_positive"),
        Index("ix_violation_types_active_position", "active", "position", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    domain: Mapped[str] = mapped_column(String(20))
    decree: Mapped[str] = mapped_column(String(60))
    article: Mapped[str | None] = mapped_column(String(10))
    clause: Mapped[str | None] = mapped_column(String(10))
    point: Mapped[str | None] = mapped_column(String(10))
    description_vi: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text)
    fine_min: Mapped[int | None]
    fine_max: Mapped[int | None]
    organisation_multiplier: Mapped[int] = mapped_column(default=2)
    warning_allowed: Mapped[bool] = mapped_column(default=False)
    remedy_vi: Mapped[str] = mapped_column(Text, default="")
    remedy_en: Mapped[str] = mapped_column(Text, default="")
    operating_duty: Mapped[bool] = mapped_column(default=False)
    venue_kinds_json: Mapped[str] = mapped_column(Text, default="[]")
    amount_verified: Mapped[bool] = mapped_column(default=False)
    reference_verified: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def venue_kinds(self) -> list[str]:
        return json.loads(self.venue_kinds_json or "[]")

    def description(self, lang: str) -> str:
        return self.description_vi if lang == "vi" else self.description_en

    def remedy(self, lang: str) -> str:
        return self.remedy_vi if lang == "vi" else self.remedy_en


# ------------------------------------------------------------------------------------------ complaints
class Complaint(TimestampMixin, db.Model):
    """A complaint about a venue from the public or another agency; it may be turned into a visit."""

    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_status_received", "status", "received_on", "id"),
                      Index("ix_complaints_venue_received", "venue_id", "received_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"))
    received_on: Mapped[date]
    source: Mapped[ComplaintSource] = mapped_column(enum_column(ComplaintSource, 20))
    complainant: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    status: Mapped[ComplaintStatus] = mapped_column(enum_column(ComplaintStatus, 20), default=ComplaintStatus.OPEN)
    closed_note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    venue = relationship("Venue")
    recorded_by = relationship("User")
    inspections: Mapped[list[Inspection]] = relationship(back_populates="complaint")


# ------------------------------------------------------------------------------------------ inspections
class Inspection(TimestampMixin, VersionedMixin, db.Model):
    """One visit to a venue: planned, started, closed with an outcome (or attempted and rescheduled)."""

    __tablename__ = "inspections"
    __table_args__ = (
        CheckConstraint("status <> 'completed' OR (ended_at IS NOT NULL AND outcome IS NOT NULL "
                        "AND started_at IS NOT NULL)", name="completed_has_result"),
        CheckConstraint("customers_count IS NULL OR customers_count >= 0", name="customers_nonnegative"),
        CheckConstraint("staff_count IS NULL OR staff_count >= 0", name="staff_nonnegative"),
        CheckConstraint("start_latitude IS NULL OR (start_latitude BETWEEN -90 AND 90)", name="latitude_range"),
        CheckConstraint("start_longitude IS NULL OR (start_longitude BETWEEN -180 AND 180)", name="longitude_range"),
        Index("ix_inspections_status_scheduled", "status", "scheduled_on", "id"),
        Index("ix_inspections_lead_status", "lead_id", "status", "scheduled_on"),
        Index("ix_inspections_venue", "venue_id", "scheduled_on"),
        Index("ix_inspections_operator_kind", "operator_id", "kind", "scheduled_on"),
        Index("ix_inspections_original", "original_id"),
        Index("ix_inspections_licence", "licence_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[InspectionKind] = mapped_column(enum_column(InspectionKind, 20))
    status: Mapped[InspectionStatus] = mapped_column(enum_column(InspectionStatus, 20),
                                                     default=InspectionStatus.PLANNED)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"))
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    licence_id: Mapped[int | None] = mapped_column(ForeignKey("licences.id"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    original_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"))
    scheduled_on: Mapped[date]
    window_from: Mapped[time | None]
    window_to: Mapped[time | None]
    lead_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    planned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_number: Mapped[str | None] = mapped_column(String(80))
    purpose: Mapped[str | None] = mapped_column(Text)
    plan_override_reason: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None]
    start_latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    start_longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    start_accuracy_m: Mapped[int | None]
    ended_at: Mapped[datetime | None]
    outcome: Mapped[InspectionOutcome | None] = mapped_column(enum_column(InspectionOutcome, 20))
    customers_count: Mapped[int | None]
    staff_count: Mapped[int | None]
    representative_name: Mapped[str | None] = mapped_column(String(200))
    representative_role: Mapped[str | None] = mapped_column(String(120))
    operator_statement: Mapped[str | None] = mapped_column(Text)
    witness_statement: Mapped[str | None] = mapped_column(Text)
    remarks: Mapped[str | None] = mapped_column(Text)
    refused_to_sign: Mapped[bool] = mapped_column(default=False)
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    minutes_number: Mapped[str | None] = mapped_column(String(60))
    minutes_document_id: Mapped[int | None] = mapped_column(ForeignKey("issued_documents.id"))
    cancelled_reason: Mapped[str | None] = mapped_column(Text)
    draft_saved_at: Mapped[datetime | None]

    venue = relationship("Venue")
    operator = relationship("Operator")
    licence = relationship("Licence")
    application = relationship("Application")
    complaint: Mapped[Complaint | None] = relationship(back_populates="inspections")
    lead = relationship("User", foreign_keys=[lead_id])
    planned_by = relationship("User", foreign_keys=[planned_by_id])
    minutes_document = relationship("IssuedDocument", foreign_keys=[minutes_document_id])
    original: Mapped[Inspection | None] = relationship(remote_side=[id], back_populates="follow_ups")
    follow_ups: Mapped[list[Inspection]] = relationship(back_populates="original", order_by="Inspection.id")
    members: Mapped[list[InspectionMember]] = relationship(back_populates="inspection", cascade="all, delete-orphan",
                                                           order_by="InspectionMember.id")
    items: Mapped[list[InspectionItem]] = relationship(back_populates="inspection", cascade="all, delete-orphan",
                                                       order_by="(InspectionItem.position, InspectionItem.id)",
                                                       foreign_keys="InspectionItem.inspection_id")
    photos: Mapped[list[InspectionPhoto]] = relationship(back_populates="inspection", order_by="InspectionPhoto.id")
    violations: Mapped[list[Violation]] = relationship(back_populates="inspection", order_by="Violation.id")
    attempts: Mapped[list[InspectionAttempt]] = relationship(back_populates="inspection",
                                                             order_by="InspectionAttempt.id")
    amendments: Mapped[list[InspectionAmendment]] = relationship(back_populates="inspection",
                                                                 order_by="InspectionAmendment.id")

    @property
    def is_open(self) -> bool:
        return self.status.is_open

    @property
    def is_locked(self) -> bool:
        """Completed and cancelled visits are never edited in place (corrections are amendments)."""
        return not self.status.is_open

    @property
    def amended_after_minutes(self) -> bool:
        """Corrected since its minutes were issued: the minutes can be re-issued with the amendments."""
        return bool(self.amendments and self.minutes_document is not None and
                    self.amendments[-1].amended_at > self.minutes_document.issued_at)

    def __repr__(self) -> str:
        return f"<Inspection {self.id} {self.kind} {self.status}>"


class InspectionMember(db.Model):
    """A team member besides the lead: a user of the registry or a person from another agency."""

    __tablename__ = "inspection_members"
    __table_args__ = (Index("ix_inspection_members_user", "user_id", "inspection_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    full_name: Mapped[str] = mapped_column(String(200))
    agency: Mapped[Agency] = mapped_column(enum_column(Agency, 20))
    position: Mapped[str | None] = mapped_column(String(120))

    inspection: Mapped[Inspection] = relationship(back_populates="members")
    user = relationship("User")


class InspectionItem(db.Model):
    """One line of a visit's checklist, generated from the definitions, the venue and its licence.

    Labels are stored, so editing the preset never rewrites a past visit. A follow-up's carried item points to the
    first visit's item (``origin_item_id``); when it passes, that item gets ``resolved_in_id``.
    """

    __tablename__ = "inspection_items"
    __table_args__ = (UniqueConstraint("inspection_id", "code", name="uq_inspection_items_code"),
                      Index("ix_inspection_items_origin", "origin_item_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(String(100))
    section: Mapped[str] = mapped_column(String(30))
    label_vi: Mapped[str] = mapped_column(Text)
    label_en: Mapped[str] = mapped_column(Text)
    expected_vi: Mapped[str | None] = mapped_column(Text)
    expected_en: Mapped[str | None] = mapped_column(Text)
    legal_ref: Mapped[str | None] = mapped_column(String(200))
    violation_code: Mapped[str | None] = mapped_column(String(60))
    result: Mapped[ItemResult | None] = mapped_column(enum_column(ItemResult, 10))
    note: Mapped[str | None] = mapped_column(Text)
    origin_item_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_items.id"))
    resolved_in_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"))
    resolved_on: Mapped[date | None]

    inspection: Mapped[Inspection] = relationship(back_populates="items", foreign_keys=[inspection_id])
    origin: Mapped[InspectionItem | None] = relationship(remote_side=[id], foreign_keys=[origin_item_id])
    violations: Mapped[list[Violation]] = relationship(back_populates="item", order_by="Violation.id")

    @property
    def carried(self) -> bool:
        return self.origin_item_id is not None

    def label(self, lang: str) -> str:
        return self.label_vi if lang == "vi" else self.label_en

    def expected(self, lang: str) -> str | None:
        return self.expected_vi if lang == "vi" else self.expected_en


class InspectionPhoto(db.Model):
    """A photo taken during a visit: re-encoded, stored under DATA_DIR/photos with a generated name."""

    __tablename__ = "inspection_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_items.id"))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(30))
    size: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    kept_location: Mapped[bool] = mapped_column(default=False)
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    caption: Mapped[str | None] = mapped_column(String(300))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    inspection: Mapped[Inspection] = relationship(back_populates="photos")
    item = relationship("InspectionItem")


class Violation(db.Model):
    """A violation recorded at a visit, with its legal reference and fine range copied from the catalogue.

    Every violation hangs off a failed checklist item (a free finding gets its own item), so "open findings" are
    failed items and a follow-up carries them forward.
    """

    __tablename__ = "violations"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_nonnegative"),
        Index("ix_violations_licence_duty", "licence_id", "operating_duty", "inspection_id"),
        Index("ix_violations_remedy_due", "remedy_due_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("inspection_items.id"), index=True)
    violation_type_id: Mapped[int | None] = mapped_column(ForeignKey("violation_types.id"))
    licence_id: Mapped[int | None] = mapped_column(ForeignKey("licences.id"))
    code: Mapped[str] = mapped_column(String(60))
    decree: Mapped[str] = mapped_column(String(60))
    article: Mapped[str | None] = mapped_column(String(10))
    clause: Mapped[str | None] = mapped_column(String(10))
    point: Mapped[str | None] = mapped_column(String(10))
    description_vi: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text)
    operating_duty: Mapped[bool] = mapped_column(default=False)
    subject: Mapped[SubjectKind] = mapped_column(enum_column(SubjectKind, 20))
    fine_min: Mapped[int | None]
    fine_max: Mapped[int | None]
    amount: Mapped[int] = mapped_column(default=0)
    warning: Mapped[bool] = mapped_column(default=False)
    remedy: Mapped[str | None] = mapped_column(Text)
    remedy_due_on: Mapped[date | None]
    #: True while the remedy is awaited: set when the visit closes with a deadline, cleared when a follow-up finds the
    #: item resolved (``services.close_visit``). Kept on the row so "remedies due" is a range of one partial index.
    remedy_pending: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    inspection: Mapped[Inspection] = relationship(back_populates="violations")
    item: Mapped[InspectionItem] = relationship(back_populates="violations")
    violation_type = relationship("ViolationType")

    def description(self, lang: str) -> str:
        return self.description_vi if lang == "vi" else self.description_en


class InspectionAttempt(db.Model):
    """A visit that could not be carried out (no access, venue closed) and the new date it was moved to."""

    __tablename__ = "inspection_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[datetime]
    reason: Mapped[AttemptReason] = mapped_column(enum_column(AttemptReason, 20))
    note: Mapped[str | None] = mapped_column(Text)
    previous_date: Mapped[date]
    rescheduled_to: Mapped[date]
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    inspection: Mapped[Inspection] = relationship(back_populates="attempts")
    by = relationship("User")


class InspectionAmendment(db.Model):
    """A correction to a completed visit: who, when, why and the field-level changes."""

    __tablename__ = "inspection_amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    amended_at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    changes_json: Mapped[str] = mapped_column(Text, default="{}")

    inspection: Mapped[Inspection] = relationship(back_populates="amendments")
    by = relationship("User")

    @property
    def changes(self) -> dict:
        return json.loads(self.changes_json or "{}")


def _labels():
    from flask_babel import lazy_gettext as _l

    from registry.common.labels import register_action_labels, register_labels

    register_labels({
        InspectionKind.APPRAISAL: _l("Appraisal (before licensing)"), InspectionKind.PERIODIC: _l("Periodic"),
        InspectionKind.UNANNOUNCED: _l("Unannounced"), InspectionKind.INTERAGENCY: _l("Inter-agency"),
        InspectionKind.COMPLAINT: _l("Complaint"), InspectionKind.FOLLOW_UP: _l("Follow-up"),
        InspectionStatus.PLANNED: _l("Planned"), InspectionStatus.IN_PROGRESS: _l("In progress"),
        InspectionStatus.COMPLETED: _l("Completed"), InspectionStatus.CANCELLED: _l("Cancelled"),
        InspectionOutcome.COMPLIANT: _l("Compliant"), InspectionOutcome.VIOLATIONS: _l("Violations found"),
        AttemptReason.NO_ACCESS: _l("Attempted — no access"), AttemptReason.CLOSED: _l("Attempted — venue closed"),
        ItemResult.PASS: _l("Pass"), ItemResult.FAIL: _l("Fail"), ItemResult.NA: _l("Not applicable"),
        Agency.CULTURE: _l("Culture and sports"), Agency.POLICE: _l("Police"), Agency.FIRE: _l("Fire police"),
        Agency.CONSTRUCTION: _l("Construction"), Agency.OTHER: _l("Other agency"),
        SubjectKind.INDIVIDUAL: _l("Individual"), SubjectKind.ORGANISATION: _l("Organisation"),
        ComplaintSource.PUBLIC: _l("Member of the public"), ComplaintSource.AGENCY: _l("Another agency"),
        ComplaintSource.POLICE: _l("Police"), ComplaintSource.FIRE: _l("Fire police"),
        ComplaintSource.MEDIA: _l("Press or media"), ComplaintSource.OTHER: _l("Other"),
        ComplaintStatus.OPEN: _l("Open"), ComplaintStatus.PLANNED: _l("Visit planned"),
        ComplaintStatus.CLOSED: _l("Closed"),
    })
    register_action_labels({
        "inspection.plan": _l("Inspection planned"),
        "inspection.plan_override": _l("Second planned inspection of the year approved (Directive 20/CT-TTg)"),
        "inspection.assign": _l("Inspection assigned"),
        "inspection.reschedule": _l("Inspection rescheduled"),
        "inspection.cancel": _l("Inspection cancelled"),
        "inspection.start": _l("Inspection visit started"),
        "inspection.checklist_save": _l("Inspection checklist saved"),
        "inspection.attempt": _l("Inspection attempted (no access or closed), rescheduled"),
        "inspection.close": _l("Inspection closed"),
        "inspection.minutes": _l("Inspection minutes issued"),
        "inspection.follow_up": _l("Follow-up inspection scheduled"),
        "inspection.finding_resolved": _l("Finding verified as resolved at a follow-up"),
        "inspection.finding_unresolved": _l("Finding still not resolved at a follow-up"),
        "inspection.amend": _l("Completed inspection amended"),
        "inspection.photo": _l("Inspection photo added"),
        "violation.record": _l("Violation recorded"),
        "violation.remove": _l("Violation removed before closing"),
        "complaint.record": _l("Complaint recorded"),
        "complaint.close": _l("Complaint closed"),
    })


_labels()
