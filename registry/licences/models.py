"""Licensing data: issuing authorities and signers, licence types, applications, payments, licences, sanctions."""
from __future__ import annotations

import enum
import json
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, FetchedValue, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import TimestampMixin, VersionedMixin, enum_column, utcnow
from registry.extensions import db
from registry.reference.models import FeeTier


class LicenceCategory(enum.StrEnum):
    """What a licence type licenses: decides the rules, the document template and the venue kinds it fits."""

    KARAOKE = "karaoke"
    DANCE_HALL = "dance_hall"
    SPORTS = "sports"
    EVENT = "event"


class ApplicationKind(enum.StrEnum):
    """The administrative procedure applied for."""

    NEW = "new"
    ADJUST_ROOMS = "adjust_rooms"
    ADJUST_OWNER = "adjust_owner"
    REISSUE_COPY = "reissue_copy"
    SPORTS_CHANGE = "sports_change"
    RENEWAL = "renewal"


class ApplicationStatus(enum.StrEnum):
    """Dossier states (DOMAIN.md 9.2)."""

    RECEIVED = "received"
    NEEDS_COMPLETION = "needs_completion"
    ACCEPTED = "accepted"
    APPRAISAL = "appraisal"
    APPROVED = "approved"
    REFUSED = "refused"
    RESULT_DELIVERED = "result_delivered"
    WITHDRAWN = "withdrawn"


#: Statuses in which a dossier still waits for a decision (the legal clock matters).
OPEN_STATUSES = frozenset({ApplicationStatus.RECEIVED, ApplicationStatus.NEEDS_COMPLETION,
                           ApplicationStatus.ACCEPTED, ApplicationStatus.APPRAISAL})


class Channel(enum.StrEnum):
    """How the dossier was filed."""

    COUNTER = "counter"
    POST = "post"
    ONLINE = "online"


class LicenceStatus(enum.StrEnum):
    """Licence states. EXPIRED only for types with a term."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    CEASED = "ceased"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"


class SanctionKind(enum.StrEnum):
    """Measures recorded against a licence."""

    SUSPENSION = "suspension"
    AGENCY_SUSPENSION = "agency_suspension"
    REVOCATION = "revocation"
    CESSATION = "cessation"


class PrerequisiteKind(enum.StrEnum):
    """Documents from other agencies a licence depends on."""

    SECURITY_ORDER = "security_order"
    FIRE_SAFETY = "fire_safety"
    ENTERPRISE_REGISTRATION = "enterprise_registration"
    CRIMINAL_RECORD = "criminal_record"
    OTHER = "other"


class ProtectedSiteKind(enum.StrEnum):
    """Places a dance hall must keep 200 m away from (Decree 54/2019 Art. 5)."""

    SCHOOL = "school"
    HOSPITAL = "hospital"
    RELIGIOUS = "religious"
    RELIC = "relic"


class FeeUnit(enum.StrEnum):
    """What a fee rule counts: the licence itself, its rooms or sports, or those added by an adjustment."""

    LICENCE = "licence"
    ROOMS = "rooms"
    ADDED_ROOMS = "added_rooms"
    SPORTS = "sports"
    ADDED_SPORTS = "added_sports"


class IssuingAuthority(db.Model):
    """A body that issues licences (city People's Committee, Department, district or commune committee)."""

    __tablename__ = "issuing_authorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    parent_body: Mapped[str] = mapped_column(String(200))
    parent_body_en: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    abbreviation: Mapped[str] = mapped_column(String(20))
    place_name: Mapped[str] = mapped_column(String(80))
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True)


class Signer(db.Model):
    """A person who signs licences for an authority, with the signing prefix (KT., TL., Q., …)."""

    __tablename__ = "signers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("issuing_authorities.id"))
    full_name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str | None] = mapped_column(String(80))
    prefix_en: Mapped[str | None] = mapped_column(String(80))
    position: Mapped[str] = mapped_column(String(120))
    position_en: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True)

    authority: Mapped[IssuingAuthority] = relationship()


class LicenceType(VersionedMixin, db.Model):
    """A kind of licence a city issues, configured as data (rules, fees, documents, term, processing time)."""

    __tablename__ = "licence_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    category: Mapped[LicenceCategory] = mapped_column(enum_column(LicenceCategory, 20))
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    title_vi: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    symbol: Mapped[str] = mapped_column(String(30))
    authority_id: Mapped[int] = mapped_column(ForeignKey("issuing_authorities.id"))
    default_signer_id: Mapped[int | None] = mapped_column(ForeignKey("signers.id"))
    term_months: Mapped[int | None]
    grace_days: Mapped[int] = mapped_column(default=0)
    processing_days: Mapped[int] = mapped_column(default=5)
    adjustment_processing_days: Mapped[int] = mapped_column(default=4)
    legal_basis_vi: Mapped[str] = mapped_column(Text, default="")
    legal_basis_en: Mapped[str] = mapped_column(Text, default="")
    procedure_code: Mapped[str | None] = mapped_column(String(40))
    required_documents_json: Mapped[str] = mapped_column(Text, default="[]")
    rules_json: Mapped[str] = mapped_column(Text, default="[]")
    conditions_json: Mapped[str] = mapped_column(Text, default="[]")
    eligibility_note_vi: Mapped[str] = mapped_column(Text, default="")
    eligibility_note_en: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)

    authority: Mapped[IssuingAuthority] = relationship()
    default_signer: Mapped[Signer | None] = relationship()

    @property
    def required_documents(self) -> list[dict]:
        """Dossier checklist: ``[{"key", "kind" (a PrerequisiteKind value or null), "vi", "en"}]``."""
        return json.loads(self.required_documents_json or "[]")

    @property
    def rules(self) -> list[dict]:
        return json.loads(self.rules_json or "[]")

    @property
    def conditions(self) -> list[dict]:
        return json.loads(self.conditions_json or "[]")

    def name(self, lang: str) -> str:
        return self.name_vi if lang == "vi" else self.name_en


class VenueCopyMixin:
    """The venue's district, ward and kind, copied onto the record by database triggers (migration 0007), so that a
    dashboard count filtered by place or kind walks the record's own index instead of probing each row's venue.
    The database keeps them in step with the venue (insert, a venue's edit, a raw UPDATE alike); the application
    never writes them."""

    venue_district_id: Mapped[int | None] = mapped_column(server_default=FetchedValue())
    venue_ward_id: Mapped[int | None] = mapped_column(server_default=FetchedValue())
    venue_kind: Mapped[str | None] = mapped_column(String(20), server_default=FetchedValue())


class PrerequisiteDocument(VenueCopyMixin, VersionedMixin, TimestampMixin, db.Model):
    """A certificate from another agency (police, fire police, business registry) held for a venue."""

    __tablename__ = "prerequisite_documents"
    __table_args__ = (Index("ix_prerequisite_documents_expires", "expires_on", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"), index=True)
    kind: Mapped[PrerequisiteKind] = mapped_column(enum_column(PrerequisiteKind, 30))
    number: Mapped[str] = mapped_column(String(80))
    issued_on: Mapped[date]
    issuer: Mapped[str] = mapped_column(String(255))
    expires_on: Mapped[date | None]
    revoked: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str | None] = mapped_column(Text)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("prerequisite_documents.id"))
    #: the venue has closed (copied like the place, see ``VenueCopyMixin``)
    venue_closed: Mapped[bool] = mapped_column(server_default=false())

    venue = relationship("Venue")


class Application(VersionedMixin, TimestampMixin, db.Model):
    """A dossier taken in at the one-stop desk, tracked to a decision within its legal deadline."""

    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_status_due", "status", "due_on", "id"),
        Index("ix_applications_received", "received_on", "id"),
        CheckConstraint("fee_due >= 0", name="fee_due_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(30), unique=True)
    kind: Mapped[ApplicationKind] = mapped_column(enum_column(ApplicationKind, 20))
    status: Mapped[ApplicationStatus] = mapped_column(enum_column(ApplicationStatus, 20),
                                                      default=ApplicationStatus.RECEIVED)
    licence_type_id: Mapped[int] = mapped_column(ForeignKey("licence_types.id"))
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"), index=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    # use_alter breaks the applications <-> licences cycle so PostgreSQL can create both tables
    licence_id: Mapped[int | None] = mapped_column(ForeignKey("licences.id", use_alter=True))
    # the licence an adjustment, copy, renewal or sports change is about (licence_id is the one it produced)
    subject_licence_id: Mapped[int | None] = mapped_column(ForeignKey("licences.id", use_alter=True), index=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, 10), default=Channel.COUNTER)
    received_on: Mapped[date]
    # the legal clock runs from this day (received_on, or the day the missing papers arrived); null while paused
    clock_started_on: Mapped[date | None]
    due_on: Mapped[date | None]
    decided_on: Mapped[date | None]
    prepared_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    fee_due: Mapped[int] = mapped_column(default=0)
    fee_breakdown_json: Mapped[str] = mapped_column(Text, default="{}")
    changes_json: Mapped[str] = mapped_column(Text, default="{}")
    event_name: Mapped[str | None] = mapped_column(String(255))
    event_starts_on: Mapped[date | None]
    event_ends_on: Mapped[date | None]
    checklist_json: Mapped[str] = mapped_column(Text, default="[]")
    appraised_on: Mapped[date | None]
    appraisal_notes: Mapped[str | None] = mapped_column(Text)
    no_inner_latch: Mapped[bool | None]
    no_non_fire_alarm: Mapped[bool | None]
    notes: Mapped[str | None] = mapped_column(Text)

    licence_type: Mapped[LicenceType] = relationship()
    venue = relationship("Venue")
    operator = relationship("Operator")
    licence: Mapped[Licence | None] = relationship(foreign_keys=[licence_id])
    subject_licence: Mapped[Licence | None] = relationship(foreign_keys=[subject_licence_id])
    prepared_by = relationship("User", foreign_keys=[prepared_by_id])
    assigned_to = relationship("User", foreign_keys=[assigned_to_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    transitions: Mapped[list[ApplicationTransition]] = relationship(
        back_populates="application", order_by="ApplicationTransition.id")
    payments: Mapped[list[Payment]] = relationship(back_populates="application", order_by="Payment.id")

    @property
    def fee_paid(self) -> int:
        return sum(p.amount for p in self.payments)

    @property
    def fee_outstanding(self) -> int:
        """Integer VND still to pay (never negative)."""
        return max(self.fee_due - self.fee_paid, 0)

    @property
    def changes(self) -> dict:
        """Requested changes: ``{"add_rooms": [{"code", "area_m2"}], "remove_rooms": [...], ...}``."""
        return json.loads(self.changes_json or "{}")

    @property
    def fee_breakdown(self) -> dict:
        return json.loads(self.fee_breakdown_json or "{}")

    @property
    def checklist(self) -> list[str]:
        """Keys of the dossier checklist items the clerk has ticked as received."""
        return json.loads(self.checklist_json or "[]")

    @property
    def is_open(self) -> bool:
        """Still waiting for a decision."""
        return self.status in OPEN_STATUSES


class ApplicationTransition(db.Model):
    """One status change of an application: who, when, why."""

    __tablename__ = "application_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[ApplicationStatus | None] = mapped_column(enum_column(ApplicationStatus, 20,
                                                                              name="from_status"))
    to_status: Mapped[ApplicationStatus] = mapped_column(enum_column(ApplicationStatus, 20, name="to_status"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    effective_on: Mapped[date | None]
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)

    application: Mapped[Application] = relationship(back_populates="transitions")
    by = relationship("User")


class Payment(db.Model):
    """A fee payment recorded against an application (integer VND)."""

    __tablename__ = "payments"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    receipt_number: Mapped[str] = mapped_column(String(60), unique=True)
    paid_on: Mapped[date]
    amount: Mapped[int]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    application: Mapped[Application] = relationship(back_populates="payments")
    recorded_by = relationship("User")


class LicenceNumberCounter(db.Model):
    """Last number issued per authority, symbol and year; locked while the next number is taken."""

    __tablename__ = "licence_number_counters"
    __table_args__ = (UniqueConstraint("authority_id", "symbol", "year", name="uq_licence_number_counters_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("issuing_authorities.id"))
    symbol: Mapped[str] = mapped_column(String(30))
    year: Mapped[int]
    last_number: Mapped[int] = mapped_column(default=0)


class Licence(VenueCopyMixin, VersionedMixin, TimestampMixin, db.Model):
    """An issued licence or permit. What it licenses is frozen in ``snapshot_json`` at issue."""

    __tablename__ = "licences"
    __table_args__ = (
        UniqueConstraint("authority_id", "year", "symbol", "number", name="uq_licences_number"),
        Index("ix_licences_status_expires", "status", "expires_on", "id"),
        Index("ix_licences_type_status", "licence_type_id", "status", "id"),
        Index("ix_licences_issued", "issued_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_type_id: Mapped[int] = mapped_column(ForeignKey("licence_types.id"))
    authority_id: Mapped[int] = mapped_column(ForeignKey("issuing_authorities.id"))
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"), index=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    number: Mapped[int]
    year: Mapped[int]
    symbol: Mapped[str] = mapped_column(String(30))
    number_display: Mapped[str] = mapped_column(String(60), index=True)
    issued_on: Mapped[date]
    valid_from: Mapped[date]
    expires_on: Mapped[date | None]
    status: Mapped[LicenceStatus] = mapped_column(enum_column(LicenceStatus, 20), default=LicenceStatus.ACTIVE)
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_on: Mapped[date | None]
    predecessor_id: Mapped[int | None] = mapped_column(ForeignKey("licences.id"))
    verify_token: Mapped[str] = mapped_column(String(64), unique=True)
    snapshot_json: Mapped[str] = mapped_column(Text)
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("signers.id"))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    licence_type: Mapped[LicenceType] = relationship()
    authority: Mapped[IssuingAuthority] = relationship()
    venue = relationship("Venue")
    operator = relationship("Operator")
    application: Mapped[Application | None] = relationship(foreign_keys=[application_id])
    predecessor: Mapped[Licence | None] = relationship(remote_side=[id], foreign_keys=[predecessor_id],
                                                       back_populates="successors")
    successors: Mapped[list[Licence]] = relationship(back_populates="predecessor", foreign_keys=[predecessor_id])
    sanctions: Mapped[list[Sanction]] = relationship(back_populates="licence", order_by="Sanction.id")
    signer: Mapped[Signer | None] = relationship()

    @property
    def snapshot(self) -> dict:
        """What the licence licensed when it was issued (operator, location, rooms or sports, hours, conditions)."""
        return json.loads(self.snapshot_json or "{}")

    @property
    def reference(self) -> str:
        """The printed number with its year, unique across years: ``15/GP-SVHTT (2026)``."""
        return f"{self.number_display} ({self.year})"

    @property
    def in_force(self) -> bool:
        """Valid or suspended: the licence still exists (as opposed to superseded, revoked, ceased, expired)."""
        return self.status in (LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED)

    @property
    def open_suspensions(self) -> list[Sanction]:
        return [s for s in self.sanctions if s.is_open_suspension]


class Sanction(VenueCopyMixin, TimestampMixin, db.Model):
    """A suspension (by the issuer or another agency), revocation or cessation recorded on a licence."""

    __tablename__ = "sanctions"
    __table_args__ = (
        Index("ix_sanctions_ends", "ends_on", "id"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SanctionKind] = mapped_column(enum_column(SanctionKind, 20))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    lifted_on: Mapped[date | None]
    reason: Mapped[str] = mapped_column(Text)
    document_number: Mapped[str | None] = mapped_column(String(80))
    issuing_body: Mapped[str | None] = mapped_column(String(255))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    licence: Mapped[Licence] = relationship(back_populates="sanctions")
    created_by = relationship("User")

    @property
    def is_open_suspension(self) -> bool:
        """A suspension that has not been lifted."""
        return self.kind in (SanctionKind.SUSPENSION, SanctionKind.AGENCY_SUSPENSION) and self.lifted_on is None


class FeeSchedule(VersionedMixin, db.Model):
    """A versioned fee table with its legal basis and the dates it is in force (e.g. Circular 01/2021/TT-BTC)."""

    __tablename__ = "fee_schedules"
    __table_args__ = (
        CheckConstraint("effective_to IS NULL OR effective_to >= effective_from", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    legal_basis_vi: Mapped[str] = mapped_column(Text, default="")
    legal_basis_en: Mapped[str] = mapped_column(Text, default="")
    effective_from: Mapped[date]
    effective_to: Mapped[date | None]
    verified: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str | None] = mapped_column(Text)

    rules: Mapped[list[FeeRule]] = relationship(back_populates="schedule", cascade="all, delete-orphan",
                                                order_by="(FeeRule.category, FeeRule.kind, FeeRule.min_units, "
                                                         "FeeRule.id)")

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class FeeRule(VersionedMixin, db.Model):
    """One line of a fee schedule: for a category, procedure and area tier, a flat amount and/or an amount per
    unit (room, sport) within a band of units, optionally capped. Money is integer VND."""

    __tablename__ = "fee_rules"
    __table_args__ = (
        CheckConstraint("amount >= 0 AND per_unit >= 0", name="amounts_nonnegative"),
        CheckConstraint("cap IS NULL OR cap >= 0", name="cap_nonnegative"),
        CheckConstraint("min_units IS NULL OR max_units IS NULL OR min_units <= max_units", name="band_ordered"),
        Index("ix_fee_rules_lookup", "schedule_id", "category", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("fee_schedules.id", ondelete="CASCADE"))
    category: Mapped[LicenceCategory] = mapped_column(enum_column(LicenceCategory, 20))
    kind: Mapped[ApplicationKind] = mapped_column(enum_column(ApplicationKind, 20))
    tier: Mapped[FeeTier | None] = mapped_column(enum_column(FeeTier, 10))
    unit: Mapped[FeeUnit] = mapped_column(enum_column(FeeUnit, 20), default=FeeUnit.LICENCE)
    min_units: Mapped[int | None]
    max_units: Mapped[int | None]
    amount: Mapped[int] = mapped_column(default=0)
    per_unit: Mapped[int] = mapped_column(default=0)
    cap: Mapped[int | None]
    label_vi: Mapped[str] = mapped_column(String(300))
    label_en: Mapped[str] = mapped_column(String(300))
    verified: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str | None] = mapped_column(Text)

    schedule: Mapped[FeeSchedule] = relationship(back_populates="rules")


class ProtectedSite(VersionedMixin, db.Model):
    """A school, hospital, religious site or relic kept as a reference layer with coordinates."""

    __tablename__ = "protected_sites"
    __table_args__ = (
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
        Index("ix_protected_sites_active_name", "active", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[ProtectedSiteKind] = mapped_column(enum_column(ProtectedSiteKind, 20))
    address: Mapped[str | None] = mapped_column(String(500))
    latitude: Mapped[Decimal] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal] = mapped_column(Numeric(9, 6))
    active: Mapped[bool] = mapped_column(default=True)
    verified: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str | None] = mapped_column(String(300))


def category_label(category) -> str:
    """Label of a licence category. Not in the shared label registry: its values ("karaoke", "sports") equal
    ``VenueKind`` values, and string enums with equal values are one key there."""
    from flask_babel import lazy_gettext as _l

    labels = {LicenceCategory.KARAOKE: _l("Karaoke business licence"),
              LicenceCategory.DANCE_HALL: _l("Dance-hall business licence"),
              LicenceCategory.SPORTS: _l("Sports business certificate"),
              LicenceCategory.EVENT: _l("Temporary event permit")}
    try:
        return str(labels[LicenceCategory(category)])
    except ValueError:
        return str(category)


def fee_unit_label(unit) -> str:
    """Label of what a fee rule counts (kept out of the shared registry for the same reason as categories)."""
    from flask_babel import lazy_gettext as _l

    labels = {FeeUnit.LICENCE: _l("per licence"), FeeUnit.ROOMS: _l("by number of rooms"),
              FeeUnit.ADDED_ROOMS: _l("per added room"), FeeUnit.SPORTS: _l("by number of sports"),
              FeeUnit.ADDED_SPORTS: _l("per added sport")}
    try:
        return str(labels[FeeUnit(unit)])
    except ValueError:
        return str(unit)


def _labels():
    from flask_babel import lazy_gettext as _l

    from registry.common.labels import register_action_labels, register_labels

    register_labels({
        ApplicationKind.NEW: _l("New licence"), ApplicationKind.ADJUST_ROOMS: _l("Adjustment: rooms"),
        ApplicationKind.ADJUST_OWNER: _l("Adjustment: change of owner"),
        ApplicationKind.REISSUE_COPY: _l("Re-issue of a copy"),
        ApplicationKind.SPORTS_CHANGE: _l("Sports certificate change"),
        ApplicationKind.RENEWAL: _l("Renewal"),
        ApplicationStatus.RECEIVED: _l("Received"), ApplicationStatus.NEEDS_COMPLETION: _l("Needs completion"),
        ApplicationStatus.ACCEPTED: _l("Accepted"), ApplicationStatus.APPRAISAL: _l("Appraisal"),
        ApplicationStatus.APPROVED: _l("Approved"), ApplicationStatus.REFUSED: _l("Refused"),
        ApplicationStatus.RESULT_DELIVERED: _l("Result delivered"), ApplicationStatus.WITHDRAWN: _l("Withdrawn"),
        Channel.COUNTER: _l("At the counter"), Channel.POST: _l("By post"), Channel.ONLINE: _l("Online"),
        LicenceStatus.ACTIVE: _l("Valid"), LicenceStatus.SUSPENDED: _l("Suspended"),
        LicenceStatus.REVOKED: _l("Revoked"), LicenceStatus.CEASED: _l("Ceased"),
        LicenceStatus.SUPERSEDED: _l("Superseded"), LicenceStatus.EXPIRED: _l("Expired"),
        SanctionKind.SUSPENSION: _l("Suspension"), SanctionKind.AGENCY_SUSPENSION: _l("Suspension by another agency"),
        SanctionKind.REVOCATION: _l("Revocation"), SanctionKind.CESSATION: _l("Cessation"),
        PrerequisiteKind.SECURITY_ORDER: _l("Security and order certificate"),
        PrerequisiteKind.FIRE_SAFETY: _l("Fire-safety acceptance"),
        PrerequisiteKind.ENTERPRISE_REGISTRATION: _l("Enterprise / household registration"),
        PrerequisiteKind.CRIMINAL_RECORD: _l("Criminal-record extract"), PrerequisiteKind.OTHER: _l("Other document"),
        ProtectedSiteKind.SCHOOL: _l("School"), ProtectedSiteKind.HOSPITAL: _l("Hospital"),
        ProtectedSiteKind.RELIGIOUS: _l("Religious or belief site"),
        ProtectedSiteKind.RELIC: _l("Historical or cultural relic"),
    })
    register_action_labels({
        "application.receive": _l("Application received"),
        "application.needs_completion": _l("Application: missing papers requested"),
        "application.accept": _l("Application accepted as complete"),
        "application.appraisal_start": _l("Application: appraisal started"),
        "application.deliver": _l("Application: result delivered"),
        "application.withdraw": _l("Application withdrawn"),
        "application.update": _l("Application details changed"),
        "application.fee": _l("Application fee calculated"),
        "application.appraisal": _l("Appraisal findings recorded"),
        "application.checklist": _l("Dossier checklist updated"),
        "application.approve": _l("Application approved"),
        "application.refuse": _l("Application refused"),
        "payment.record": _l("Fee payment recorded"),
        "prerequisite.add": _l("Prerequisite document recorded"),
        "prerequisite.revoke": _l("Prerequisite document marked revoked"),
        "licence.issue": _l("Licence issued"),
        "licence.supersede": _l("Licence superseded by an adjusted licence"),
        "licence.suspend": _l("Licence suspended"),
        "licence.lift": _l("Licence suspension lifted"),
        "licence.revoke": _l("Licence revoked"),
        "licence.cease": _l("Licence ceased"),
        "licence.expire": _l("Licence expired"),
        "licence.copy": _l("Licence copy issued"),
        "licence.export": _l("Licence list exported"),
        "config.update": _l("Configuration changed"),
    })
    from registry.common.modules import import_optional

    timeline = import_optional("registry.venues.timeline")
    if timeline is not None and hasattr(timeline, "register_field_labels"):
        timeline.register_field_labels({
            "application": _l("Application"), "licence": _l("Licence"), "licence_type": _l("Licence type"),
            "channel": _l("Channel"), "received_on": _l("Received on"), "due_on": _l("Due on"),
            "fee_due": _l("Fee due"), "reason": _l("Reason"), "successor": _l("Superseded by"),
            "supersedes": _l("Supersedes"), "valid_from": _l("Valid from"), "expires_on": _l("Expires on"),
            "sanction": _l("Measure"), "starts_on": _l("From"), "ends_on": _l("Until"), "lifted_on": _l("Lifted on"),
            "issuing_body": _l("Issued by"), "receipt_number": _l("Receipt number"), "paid_on": _l("Paid on"),
            "amount": _l("Amount"), "number": _l("Number"), "issued_on": _l("Issued on"), "issuer": _l("Issued by"),
            "on": _l("Date"), "received": _l("Papers received"), "appraised_on": _l("Appraised on"),
            "no_inner_latch": _l("No latch inside rooms"), "no_non_fire_alarm": _l("No alarm other than fire alarms"),
            "appraisal_notes": _l("Appraisal notes"), "assigned_to_id": _l("Officer"),
        })


_labels()
