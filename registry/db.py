"""Declarative base, naming convention and time helpers shared by every model."""
from __future__ import annotations

import enum
from datetime import UTC, date, datetime

from sqlalchemy import DateTime, Enum, MetaData, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.orm import registry as sa_registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def today_local() -> date:
    """Return today's date in the city's time zone (Asia/Ho_Chi_Minh by default)."""
    from zoneinfo import ZoneInfo

    from flask import current_app, has_app_context

    tz = "Asia/Ho_Chi_Minh"
    if has_app_context():
        tz = current_app.config.get("BABEL_DEFAULT_TIMEZONE", tz)
    return datetime.now(ZoneInfo(tz)).date()


class UTCDateTime(TypeDecorator):
    """A datetime stored as UTC and always returned timezone-aware.

    SQLite keeps no offset, so values are normalised to UTC on the way in and tagged UTC on the way out;
    PostgreSQL stores ``timestamptz``. Code never sees a naive datetime.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(enum_cls: type[enum.Enum], length: int = 30, *, name: str | None = None) -> Enum:
    """A portable enum column stored as its value (VARCHAR + CHECK), identical on SQLite and PostgreSQL.

    Pass ``name`` when one table has two columns of the same enum: it names the CHECK constraint, which PostgreSQL
    requires to be unique per table.
    """
    return Enum(enum_cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e],
                validate_strings=True, create_constraint=True, name=name)


class Base(DeclarativeBase):
    """Base class of every model: naming convention so migrations can drop constraints."""

    registry = sa_registry(metadata=MetaData(naming_convention=NAMING_CONVENTION),
                           type_annotation_map={datetime: UTCDateTime()})


class TimestampMixin:
    """``created_at`` / ``updated_at`` in UTC, with callable defaults."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class VersionedMixin:
    """Optimistic locking: the ORM adds ``WHERE version_id = ?`` to every UPDATE.

    Forms carry the version they were loaded with; a mismatch is a concurrent edit (HTTP 409).
    """

    version_id: Mapped[int] = mapped_column(nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version_id}
