"""Versioned administrative units and the sports catalogue."""
from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import enum_column
from registry.extensions import db


class UnitLevel(enum.StrEnum):
    """Tier of government a unit belongs to."""

    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"


class FeeTier(enum.StrEnum):
    """Circular 01/2021 area tier: centrally-run cities and provincial towns vs other areas."""

    CITY = "CITY"
    OTHER = "OTHER"


class AdminUnit(db.Model):
    """A province, district, ward or commune, valid between two dates.

    Units are never edited in place when the law reorganises them: a new row with a new code is added and the old
    one gets ``valid_to``. Records keep the unit valid when they were made.
    """

    __tablename__ = "admin_units"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to", name="valid_range"),
        Index("ix_admin_units_parent_name", "parent_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    short_name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(30))
    level: Mapped[UnitLevel] = mapped_column(enum_column(UnitLevel, 20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"))
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    fee_tier: Mapped[FeeTier] = mapped_column(enum_column(FeeTier, 10), default=FeeTier.CITY)
    verified: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str | None] = mapped_column(String(300))

    parent: Mapped[AdminUnit | None] = relationship(remote_side=[id])

    def valid_on(self, day: date) -> bool:
        """True if the unit existed on ``day``."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    @property
    def label(self) -> str:
        """Name with the parent, e.g. "Phường Niệm Nghĩa, Quận Lê Chân"."""
        if self.parent is not None and self.parent.level == UnitLevel.DISTRICT:
            return f"{self.name}, {self.parent.name}"
        return self.name

    def __repr__(self) -> str:
        return f"<AdminUnit {self.code}>"


class Sport(db.Model):
    """A sport from the catalogue, with its Circular 04/2019 flags."""

    __tablename__ = "sports"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name_vi: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    instructor_required: Mapped[bool] = mapped_column(default=False)
    adventure: Mapped[bool] = mapped_column(default=False)
    water: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str | None] = mapped_column(String(300))

    def name(self, lang: str) -> str:
        """The sport's name in ``lang``."""
        return self.name_vi if lang == "vi" else self.name_en


class DayKind(enum.StrEnum):
    """A public holiday, or a weekend day officially made a working day."""

    HOLIDAY = "holiday"
    WORKING_DAY = "working_day"


class Holiday(db.Model):
    """An entry of the working-day calendar used for legal deadlines."""

    __tablename__ = "holidays"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    kind: Mapped[DayKind] = mapped_column(enum_column(DayKind, 20), default=DayKind.HOLIDAY)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    verified: Mapped[bool] = mapped_column(default=True)
