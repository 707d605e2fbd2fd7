"""Operators, venues, rooms (with history), sports offered and sports staff."""
from __future__ import annotations

import enum
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import TimestampMixin, VersionedMixin, enum_column, utcnow
from registry.extensions import db


class OperatorKind(enum.StrEnum):
    """Legal form of the business (Decree 54/2019 Art. 4–5)."""

    ENTERPRISE = "enterprise"
    HOUSEHOLD = "household"


class VenueKind(enum.StrEnum):
    """What the venue is licensed for."""

    KARAOKE = "karaoke"
    DANCE_HALL = "dance_hall"
    CLUB = "club"
    SPORTS = "sports"

    @property
    def has_rooms(self) -> bool:
        return self in (VenueKind.KARAOKE, VenueKind.DANCE_HALL)

    @property
    def min_room_area(self) -> Decimal | None:
        """Smallest room area a licence needs (Decree 54/2019 Arts. 4–5); shown as a warning, never enforced."""
        return MIN_ROOM_AREA.get(self)


MIN_ROOM_AREA = {VenueKind.KARAOKE: Decimal("20"), VenueKind.DANCE_HALL: Decimal("80")}


class VenueStatus(enum.StrEnum):
    """Whether the venue trades."""

    OPERATING = "operating"
    TEMPORARILY_CLOSED = "temporarily_closed"
    CLOSED = "closed"


class StaffRole(enum.StrEnum):
    """Professional staff required by Decree 36/2019 for some sports."""

    INSTRUCTOR = "instructor"
    RESCUE = "rescue"
    MEDICAL = "medical"


class QualificationType(enum.StrEnum):
    """How an instructor proves their qualification (Decree 36/2019 Art. 15)."""

    COACH_OR_ATHLETE = "coach_or_athlete"
    SPORTS_DEGREE = "sports_degree"
    TRAINING_CERTIFICATE = "training_certificate"
    RESCUE_CERTIFICATE = "rescue_certificate"
    MEDICAL_QUALIFICATION = "medical_qualification"


class Operator(TimestampMixin, VersionedMixin, db.Model):
    """An enterprise or household business that runs one or more venues."""

    __tablename__ = "operators"
    __table_args__ = (
        # name order with the search text in the index: a search scans the index alone, never the table
        Index("ix_operators_name_search", "name_key", "id", "search_text"),
        Index("ix_operators_kind_name", "kind", "name_key", "id"),
        Index("ix_operators_created", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OperatorKind] = mapped_column(enum_column(OperatorKind, 20))
    name: Mapped[str] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(String(255))
    registration_number: Mapped[str] = mapped_column(String(40), unique=True)
    registration_date: Mapped[date | None]
    registration_issuer: Mapped[str | None] = mapped_column(String(255))
    head_office: Mapped[str | None] = mapped_column(String(500))
    legal_rep_name: Mapped[str | None] = mapped_column(String(200))
    legal_rep_id_number: Mapped[str | None] = mapped_column(String(20))
    legal_rep_birth_date: Mapped[date | None]
    security_person_name: Mapped[str | None] = mapped_column(String(200))
    security_person_phone: Mapped[str | None] = mapped_column(String(30))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5), default="vi")
    closed_on: Mapped[date | None]
    closed_reason: Mapped[str | None] = mapped_column(String(500))
    search_text: Mapped[str] = mapped_column(Text, default="")

    venues: Mapped[list[Venue]] = relationship(back_populates="operator", order_by="Venue.name_key")

    def __repr__(self) -> str:
        return f"<Operator {self.registration_number}>"


class Venue(TimestampMixin, VersionedMixin, db.Model):
    """A place where karaoke, dancing, a club or sport is offered to the public."""

    __tablename__ = "venues"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR (capacity >= 0 AND capacity <= 100000)", name="capacity_range"),
        CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="latitude_range"),
        CheckConstraint("longitude IS NULL OR (longitude BETWEEN -180 AND 180)", name="longitude_range"),
        # name order with the search text in the index: a search scans the index alone, never the table
        Index("ix_venues_name_search", "name_key", "id", "search_text"),
        Index("ix_venues_kind_name", "kind", "name_key", "id"),
        Index("ix_venues_status_name", "status", "name_key", "id"),
        Index("ix_venues_district_name", "district_id", "name_key", "id"),
        Index("ix_venues_ward_name", "ward_id", "name_key", "id"),
        Index("ix_venues_created", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(String(255))
    kind: Mapped[VenueKind] = mapped_column(enum_column(VenueKind, 20))
    status: Mapped[VenueStatus] = mapped_column(enum_column(VenueStatus, 30), default=VenueStatus.OPERATING)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id", ondelete="RESTRICT"), index=True)
    house_number: Mapped[str | None] = mapped_column(String(50))
    street: Mapped[str | None] = mapped_column(String(200))
    ward_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"))
    city: Mapped[str] = mapped_column(String(120))
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    phone: Mapped[str | None] = mapped_column(String(30))
    capacity: Mapped[int | None]
    opens_at: Mapped[time | None]
    closes_at: Mapped[time | None]
    notes: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None]
    closed_reason: Mapped[str | None] = mapped_column(String(500))
    search_text: Mapped[str] = mapped_column(Text, default="")

    operator: Mapped[Operator] = relationship(back_populates="venues")
    ward = relationship("AdminUnit", foreign_keys=[ward_id])
    district = relationship("AdminUnit", foreign_keys=[district_id])
    rooms: Mapped[list[Room]] = relationship(
        back_populates="venue", order_by="Room.code",
        primaryjoin="and_(Room.venue_id == Venue.id, Room.valid_to.is_(None))", viewonly=True)
    room_history: Mapped[list[Room]] = relationship(
        back_populates="venue", order_by="(Room.code, Room.valid_from)", overlaps="rooms")
    sports: Mapped[list[VenueSport]] = relationship(back_populates="venue", cascade="all, delete-orphan")
    staff: Mapped[list[VenueStaff]] = relationship(back_populates="venue", cascade="all, delete-orphan")

    @property
    def address(self) -> str:
        """Street address with ward and district (if any) and city."""
        parts = [" ".join(p for p in (self.house_number, self.street) if p)]
        if self.ward is not None:
            parts.append(self.ward.name)
        if self.district is not None:
            parts.append(self.district.name)
        parts.append(self.city)
        return ", ".join(p for p in parts if p)

    @property
    def active_rooms(self) -> list[Room]:
        """Current rooms in use."""
        return [r for r in self.rooms if r.active]

    @property
    def is_closed(self) -> bool:
        return self.status == VenueStatus.CLOSED

    @property
    def closes_next_day(self) -> bool:
        """True when the closing time is past midnight (e.g. a dance hall open 20:00–02:00)."""
        return self.opens_at is not None and self.closes_at is not None and self.closes_at <= self.opens_at

    @property
    def small_rooms(self) -> list[Room]:
        """Active current rooms below the licensing minimum for the venue's kind."""
        return [r for r in self.active_rooms if r.below_minimum]

    def __repr__(self) -> str:
        return f"<Venue {self.ref} {self.name!r}>"


class Room(db.Model):
    """One version of a karaoke or dance room. Editing a room closes this row and adds a new one."""

    __tablename__ = "rooms"
    __table_args__ = (
        CheckConstraint("area_m2 > 0 AND area_m2 < 100000", name="area_range"),
        Index("ix_rooms_venue_current", "venue_id", "valid_to"),
        # one current row per room code per venue
        Index("uq_rooms_current_code", "venue_id", "code", unique=True,
              sqlite_where=db.text("valid_to IS NULL"), postgresql_where=db.text("valid_to IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(30))
    area_m2: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    active: Mapped[bool] = mapped_column(default=True)
    valid_from: Mapped[datetime] = mapped_column(default=utcnow)
    valid_to: Mapped[datetime | None]
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    venue: Mapped[Venue] = relationship(back_populates="room_history", overlaps="rooms")
    changed_by = relationship("User")

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    @property
    def below_minimum(self) -> bool:
        """True if the room is smaller than a licence for its venue's kind requires (20 m² karaoke, 80 m² dance)."""
        minimum = self.venue.kind.min_room_area if self.venue is not None else None
        return minimum is not None and self.area_m2 is not None and self.area_m2 < minimum


class VenueSport(db.Model):
    """A sport offered at a sports facility."""

    __tablename__ = "venue_sports"
    __table_args__ = (UniqueConstraint("venue_id", "sport_id", name="uq_venue_sports_venue_sport"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    sport_id: Mapped[int] = mapped_column(ForeignKey("sports.id"))
    sells_instruction: Mapped[bool] = mapped_column(default=False)
    open_water: Mapped[bool] = mapped_column(default=False)

    venue: Mapped[Venue] = relationship(back_populates="sports")
    sport = relationship("Sport")


class VenueStaff(db.Model):
    """Instructor, rescue or medical staff member of a sports facility, with the qualification evidence."""

    __tablename__ = "venue_staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[StaffRole] = mapped_column(enum_column(StaffRole, 20))
    qualification: Mapped[QualificationType] = mapped_column(enum_column(QualificationType, 40))
    document_number: Mapped[str | None] = mapped_column(String(80))
    sport_id: Mapped[int | None] = mapped_column(ForeignKey("sports.id"))
    active: Mapped[bool] = mapped_column(default=True)

    venue: Mapped[Venue] = relationship(back_populates="staff")
    sport = relationship("Sport")


def _labels():
    from flask_babel import lazy_gettext as _l

    from registry.common.labels import register_action_labels, register_labels

    register_labels({
        OperatorKind.ENTERPRISE: _l("Enterprise"), OperatorKind.HOUSEHOLD: _l("Household business"),
        VenueKind.KARAOKE: _l("Karaoke"), VenueKind.DANCE_HALL: _l("Dance hall"), VenueKind.CLUB: _l("Club"),
        VenueKind.SPORTS: _l("Sports facility"),
        VenueStatus.OPERATING: _l("Operating"), VenueStatus.TEMPORARILY_CLOSED: _l("Temporarily closed"),
        VenueStatus.CLOSED: _l("Closed"),
        StaffRole.INSTRUCTOR: _l("Instructor"), StaffRole.RESCUE: _l("Rescue staff"),
        StaffRole.MEDICAL: _l("Medical staff"),
        QualificationType.COACH_OR_ATHLETE: _l("Coach or athlete (grade 2 or above)"),
        QualificationType.SPORTS_DEGREE: _l("Sports degree (intermediate or above)"),
        QualificationType.TRAINING_CERTIFICATE: _l("Sport-specific training certificate"),
        QualificationType.RESCUE_CERTIFICATE: _l("Rescue certificate"),
        QualificationType.MEDICAL_QUALIFICATION: _l("Medical qualification"),
    })
    register_action_labels({
        "venue.create": _l("Venue registered"),
        "venue.update": _l("Venue details changed"),
        "venue.close": _l("Venue closed"),
        "venue.reopen": _l("Venue reopened"),
        "venue.import": _l("Venue imported from a file"),
        "venue.export": _l("Venue list exported"),
        "venue.sports": _l("Sports offered changed"),
        "venue.staff": _l("Sports staff changed"),
        "room.add": _l("Room added"),
        "room.update": _l("Room changed"),
        "room.remove": _l("Room removed"),
        "operator.create": _l("Operator registered"),
        "operator.update": _l("Operator details changed"),
        "operator.close": _l("Operator closed"),
        "operator.reopen": _l("Operator reopened"),
        "operator.import": _l("Operator imported from a file"),
        "operator.export": _l("Operator list exported"),
        "import.commit": _l("Import committed"),
    })


_labels()
