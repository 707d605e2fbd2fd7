"""Where due items come from: one small query per kind of thing that expires or falls due.

A source is a class registered with ``@due_source("key")``. It builds one SELECT whose first two columns are
``due_on`` and ``item_id`` (so the dashboard can count buckets in SQL and page with a keyset on
``(due_on, item_id)``), joined to the venue so the common filters (district, ward, venue kind) apply, and turns each
row into a :class:`DueItem`. Listing columns (names, numbers) come from the same query: one query per source and
page, never one per row.

Sources for inspections (remedy deadlines, follow-up visits) live in ``inspection_sources.py`` and register
themselves only when the inspections feature is installed.
"""
from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, ClassVar

from flask import g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, exists, false, func, or_, select
from sqlalchemy.orm import aliased

from registry.common.labels import label as enum_label
from registry.extensions import db
from registry.licences.models import (
    Application,
    ApplicationStatus,
    Licence,
    LicenceStatus,
    LicenceType,
    PrerequisiteDocument,
    PrerequisiteKind,
    Sanction,
    SanctionKind,
)
from registry.oversight.models import LicenceFlag, RuleAction
from registry.venues.models import Operator, Venue, VenueStatus


@dataclass(frozen=True)
class DueFilters:
    """The dashboard filters; ``None`` means "any"."""

    district_id: int | None = None
    ward_id: int | None = None
    venue_kind: str | None = None
    licence_type_id: int | None = None
    officer_id: int | None = None
    operator_id: int | None = None

    @property
    def on_venue(self) -> bool:
        """True when a filter is on the venue (its district, ward, kind or operator): the venue must be joined."""
        return any(v not in (None, "") for v in (self.district_id, self.ward_id, self.venue_kind, self.operator_id))

    def as_args(self) -> dict[str, Any]:
        """Query-string arguments (for links that keep the filters)."""
        names = {"district_id": "district", "ward_id": "ward", "venue_kind": "kind", "licence_type_id": "type",
                 "officer_id": "officer", "operator_id": "operator"}
        return {names[k]: v for k, v in self.__dict__.items() if v not in (None, "")}


@dataclass(frozen=True)
class DueQuery:
    """What to look for: due dates in ``[since, until]`` (either end open) seen from ``today`` (local date)."""

    today: date
    until: date | None = None
    since: date | None = None
    filters: DueFilters = field(default_factory=DueFilters)
    lang: str = "vi"

    def window(self, since: date | None, until: date | None) -> DueQuery:
        return replace(self, since=since, until=until)


@dataclass(frozen=True)
class DueItem:
    """One thing that expires or falls due, with everything a row, a filter, a reminder and a link need."""

    kind: str
    item_id: int
    label: str
    title: str
    due_on: date
    days_left: int
    overdue: bool
    links: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    working_days: bool = False
    in_grace: bool = False
    grace_until: date | None = None
    venue_id: int | None = None
    venue_name: str = ""
    operator_id: int | None = None
    operator_name: str = ""
    district_id: int | None = None
    ward_id: int | None = None
    venue_kind: str | None = None
    licence_type_id: int | None = None
    officer_id: int | None = None
    detail: str = ""
    affected: tuple[str, ...] = ()
    #: what ``title`` was made from, to say it again in another language: ("type", id) or an enum member
    title_ref: Any = None

    @property
    def key(self) -> tuple[str, int]:
        return self.kind, self.item_id

    @property
    def source(self) -> Source:
        return SOURCES[self.kind]


def item_title(item: DueItem, lang: str) -> str:
    """The item's title in ``lang`` (enum labels follow the active locale: call under ``force_locale``)."""
    ref = item.title_ref
    if isinstance(ref, enum.Enum):
        return enum_label(ref)
    if isinstance(ref, tuple) and ref and ref[0] == "type":
        return _type_name(ref[1], lang)
    if isinstance(ref, tuple) and ref and ref[0] == "violation":
        return ref[1] if lang == "vi" else ref[2]
    return item.title


def link(endpoint: str, **args) -> tuple[str, tuple[tuple[str, Any], ...]]:
    """One candidate link of an item (the first whose endpoint exists is used)."""
    return endpoint, tuple(sorted(args.items()))


class Source:
    """Base of every due-item source. Subclasses set the class attributes and write ``statement`` and ``item``."""

    key: ClassVar[str] = ""
    label: ClassVar[Any] = ""
    short_label: ClassVar[Any] = ""
    #: table name of the record (the audit timeline of a notice is that record's)
    table: ClassVar[str] = ""
    #: (due date column, id column): what the window, the order and the keyset apply to
    columns: ClassVar[tuple] = ()
    working_days: ClassVar[bool] = False
    #: reminders default (the preset's policy decides)
    notify_operator: ClassVar[bool] = True
    order: ClassVar[int] = 100

    @property
    def due_col(self):
        return self.columns[0]

    @property
    def id_col(self):
        return self.columns[1]

    def statement(self, q: DueQuery, *, listing: bool, part=None) -> Select:
        """SELECT due_on, item_id[, listing columns] with the filters applied (no window, no order)."""
        raise NotImplementedError

    def item(self, row, q: DueQuery) -> DueItem:
        """Turn one listing row into a :class:`DueItem`."""
        raise NotImplementedError

    def enrich(self, items: list[DueItem], q: DueQuery) -> list[DueItem]:
        """Add details that need a second query for the whole page (never one per item)."""
        return items

    def grace_clause(self, q: DueQuery):
        """SQL condition "overdue but within the grace period" (on the source's own columns), if any."""
        return None

    def partitions(self, q: DueQuery) -> list:
        """Values of ``part`` that split the source into statements each served in due-date order by one index
        range (``status = X`` instead of ``status IN (…)``, which would need a sort of every matching row).
        ``part=None`` is the whole source (used to fetch the display columns of rows already chosen)."""
        return [None]

    def windowed(self, q: DueQuery, *, listing: bool, part=None) -> Select:
        """``statement`` (of one partition) restricted to ``[q.since, q.until]``.

        Statements are immutable: each is built once per query shape (source, day, window, filters, partition, and
        the licence types' grace periods) and kept (LRU), since building the SQL expression costs more than running
        an index range count.
        """
        return _windowed(self, q, listing, part, _grace_signature())

    def _build_windowed(self, q: DueQuery, listing: bool, part) -> Select:
        stmt = self.statement(q, listing=listing, part=part)
        if q.since is not None:
            stmt = stmt.where(self.due_col >= q.since)
        if q.until is not None:
            stmt = stmt.where(self.due_col <= q.until)
        return stmt

    def days_left(self, q: DueQuery, due_on: date) -> int:
        if self.working_days:
            from registry.oversight.workdays import working_days_left

            left = working_days_left(q.today, due_on)
            # due on a Friday, seen on Saturday: no working day has passed, but the deadline has
            return min(left, -1) if due_on < q.today else left
        return (due_on - q.today).days


#: Registered sources by key, in dashboard order.
SOURCES: dict[str, Source] = {}


def due_source(key: str):
    """Register a :class:`Source` subclass under ``key``."""

    def decorator(cls):
        cls.key = key
        SOURCES[key] = cls()
        ordered = sorted(SOURCES.values(), key=lambda s: (s.order, s.key))
        SOURCES.clear()
        SOURCES.update((s.key, s) for s in ordered)
        return cls

    return decorator


def sources(kinds: Iterable[str] | None = None) -> list[Source]:
    """The registered sources (all, or those named), in dashboard order."""
    _load_optional_sources()
    if kinds is None:
        return list(SOURCES.values())
    wanted = set(kinds)
    return [s for s in SOURCES.values() if s.key in wanted]


def _load_optional_sources() -> None:
    from registry.common.modules import import_optional

    if import_optional("registry.inspections.models") is not None:
        import_optional("registry.oversight.inspection_sources")


# ------------------------------------------------------------------ shared helpers
@dataclass(frozen=True)
class VenueCopy:
    """A record's copy of its venue's district, ward, kind (and closure, if it carries one)."""

    district_id: Any
    ward_id: Any
    kind: Any
    closed: Any = None

    @classmethod
    def of(cls, model) -> VenueCopy:
        return cls(model.venue_district_id, model.venue_ward_id, model.venue_kind,
                   getattr(model, "venue_closed", None))

    def conditions(self, f: DueFilters, *, skip_closed: bool) -> list:
        conditions = []
        if f.district_id is not None:
            conditions.append(self.district_id == f.district_id)
        if f.ward_id is not None:
            conditions.append(self.ward_id == f.ward_id)
        if f.venue_kind:
            conditions.append(self.kind == str(f.venue_kind))
        if skip_closed:
            conditions.append(self.closed.is_(False))
        return conditions


def venue_filters(stmt: Select, f: DueFilters, *, venue_id, copy: VenueCopy | None = None, type_col=None,
                  officer_col=None, type_exists=None, skip_closed: bool = False) -> Select:
    """Apply the dashboard filters.

    A record that carries a copy of its venue's place and kind (``copy``: kept by database triggers, see
    ``VenueCopyMixin``) is filtered on its own columns, inside the index the count or the page walks. Otherwise
    each candidate row's venue is looked up by primary key (the sources without a copy have few rows in a window, and
    a page stops after a page of rows). The operator filter is always a venue look-up.

    ``skip_closed`` leaves out the records of closed venues.

    A filter a source cannot honour (an officer filter on records that have no officer) yields no rows for that
    source rather than silently ignoring the filter.
    """
    looked_up = aliased(Venue)  # not the listing's own Venue join
    on_venue = []
    if copy is not None:
        stmt = stmt.where(*copy.conditions(f, skip_closed=skip_closed))
    else:
        if f.district_id is not None:
            on_venue.append(looked_up.district_id == f.district_id)
        if f.ward_id is not None:
            on_venue.append(looked_up.ward_id == f.ward_id)
        if f.venue_kind:
            on_venue.append(looked_up.kind == f.venue_kind)
        if skip_closed:
            on_venue.append(looked_up.status != VenueStatus.CLOSED)
    if f.operator_id is not None:
        on_venue.append(looked_up.operator_id == f.operator_id)
    if on_venue:
        stmt = stmt.where(exists().where(looked_up.id == venue_id, *on_venue))
    if f.licence_type_id is not None:
        if type_col is not None:
            stmt = stmt.where(type_col == f.licence_type_id)
        elif type_exists is not None:
            stmt = stmt.where(type_exists(f.licence_type_id))
        else:
            stmt = stmt.where(false())
    if f.officer_id is not None:
        stmt = stmt.where(officer_col == f.officer_id if officer_col is not None else false())
    return stmt


@lru_cache(maxsize=512)
def _windowed(source: Source, q: DueQuery, listing: bool, part, grace: tuple) -> Select:
    return source._build_windowed(q, listing, part)


def _grace_signature() -> tuple:
    return tuple(sorted((tid, days) for tid, (_vi, _en, days) in type_names().items() if days))


def type_names() -> dict[int, tuple[str, str, int]]:
    """``{licence type id: (name_vi, name_en, grace_days)}``, read once per request or command."""
    cached = g.get("_oversight_types") if has_app_context() else None
    if cached is None:
        cached = {tid: (vi, en, grace or 0) for tid, vi, en, grace in db.session.execute(
            select(LicenceType.id, LicenceType.name_vi, LicenceType.name_en, LicenceType.grace_days))}
        if has_app_context():
            g._oversight_types = cached
    return cached


def _type_name(type_id: int | None, lang: str) -> str:
    names = type_names().get(type_id)
    if names is None:
        return ""
    return names[0] if lang == "vi" else names[1]


def _common(row, q: DueQuery, source: Source, **kw) -> DueItem:
    days = source.days_left(q, row.due_on)
    return DueItem(kind=source.key, item_id=row.item_id, due_on=row.due_on, days_left=days,
                   overdue=row.due_on < q.today, working_days=source.working_days, venue_id=row.venue_id,
                   venue_name=row.venue_name or "", operator_id=row.operator_id,
                   operator_name=row.operator_name or "", district_id=row.district_id, ward_id=row.ward_id,
                   venue_kind=str(row.venue_kind) if row.venue_kind else None, **kw)


VENUE_COLUMNS = (Venue.id.label("venue_id"), Venue.name.label("venue_name"), Venue.operator_id.label("operator_id"),
                 Operator.name.label("operator_name"), Venue.district_id.label("district_id"),
                 Venue.ward_id.label("ward_id"), Venue.kind.label("venue_kind"))


# ------------------------------------------------------------------ licences and permits with a term
OPEN_LICENCE = (LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED)


@due_source("licence_expiry")
class LicenceExpiry(Source):
    """Licences and permits with an expiry date (types with a term, event permits), including those expired but
    still inside their type's grace period (status ACTIVE/SUSPENDED, or already marked EXPIRED)."""

    label = _l("Licences and permits expiring")
    short_label = _l("Licences")
    table = "licences"
    columns = (Licence.expires_on, Licence.id)
    order = 10

    def _grace(self, q: DueQuery, due, type_id):
        """Expired at most ``grace_days`` ago, per licence type (types are few: one OR term each)."""
        terms = [and_(type_id == tid, due >= q.today - timedelta(days=grace))
                 for tid, (_vi, _en, grace) in type_names().items() if grace]
        return and_(due < q.today, or_(*terms)) if terms else None

    def partitions(self, q):
        grace = [tid for tid, (_vi, _en, days) in type_names().items() if days]
        return [*OPEN_LICENCE, *([LicenceStatus.EXPIRED] if grace else [])]

    def statement(self, q, *, listing, part=None):
        officer = func.coalesce(Application.assigned_to_id, Licence.issued_by_id)
        with_grace = any(days for _vi, _en, days in type_names().values())
        cols = [Licence.expires_on.label("due_on"), Licence.id.label("item_id")]
        if listing or with_grace:  # the grace period depends on the type (counting otherwise reads the index only)
            cols.append(Licence.licence_type_id.label("type_id"))
        if listing:
            cols += [Licence.number_display, Licence.status, *VENUE_COLUMNS, officer.label("officer_id")]
        stmt = select(*cols).select_from(Licence)
        if listing:
            stmt = stmt.join(Venue, Venue.id == Licence.venue_id).join(Operator, Operator.id == Venue.operator_id)
        if listing or q.filters.officer_id is not None:
            stmt = stmt.outerjoin(Application, Application.id == Licence.application_id)
        stmt = stmt.where(Licence.expires_on.is_not(None))
        in_grace = None
        if with_grace:  # marked expired by the licensing job, but still renewable
            max_grace = max(v[2] for v in type_names().values())
            in_grace = and_(Licence.status == LicenceStatus.EXPIRED,
                            Licence.expires_on >= q.today - timedelta(days=max_grace),
                            self._grace(q, Licence.expires_on, Licence.licence_type_id))
        if part is None:
            stmt = stmt.where(or_(Licence.status.in_(OPEN_LICENCE), in_grace) if in_grace is not None
                              else Licence.status.in_(OPEN_LICENCE))
        elif part == LicenceStatus.EXPIRED:
            stmt = stmt.where(in_grace if in_grace is not None else false())
        else:
            stmt = stmt.where(Licence.status == LicenceStatus(part))
        return venue_filters(stmt, q.filters, venue_id=Licence.venue_id, copy=VenueCopy.of(Licence),
                             type_col=Licence.licence_type_id, officer_col=officer)

    def grace_clause(self, q):
        return self._grace(q, Licence.expires_on, Licence.licence_type_id)

    def item(self, row, q):
        grace_days = type_names().get(row.type_id, ("", "", 0))[2]
        grace_until = row.due_on + timedelta(days=grace_days) if grace_days else None
        in_grace = bool(grace_until and row.due_on < q.today <= grace_until)
        return _common(row, q, self, label=row.number_display, title=_type_name(row.type_id, q.lang),
                       title_ref=("type", row.type_id),
                       links=(link("licences.detail", licence_id=row.item_id),
                              link("venues.detail", venue_id=row.venue_id)),
                       licence_type_id=row.type_id, officer_id=row.officer_id, in_grace=in_grace,
                       grace_until=grace_until,
                       detail=enum_label(LicenceStatus(row.status)) if row.status != LicenceStatus.ACTIVE else "")


# ------------------------------------------------------------------ prerequisite documents
def requires_document(required_json: str | None, kind: str) -> bool:
    """True if a licence type's ``required_documents_json`` lists ``kind`` (as a string or ``{"kind": …}``)."""
    try:
        required = json.loads(required_json or "[]")
    except ValueError:
        return False
    return any((r if isinstance(r, str) else (r or {}).get("kind")) == kind for r in required or ())


def _has_licence_of_type(type_id: int):
    return exists().where(Licence.venue_id == PrerequisiteDocument.venue_id, Licence.licence_type_id == type_id,
                          Licence.status.in_(OPEN_LICENCE))


@due_source("document_expiry")
class DocumentExpiry(Source):
    """Certificates from other agencies that expire (fire-safety acceptance, security-and-order certificate, …),
    unless revoked or superseded by a renewal, for venues that have not closed."""

    label = _l("Prerequisite documents expiring")
    short_label = _l("Documents")
    table = "prerequisite_documents"
    columns = (PrerequisiteDocument.expires_on, PrerequisiteDocument.id)
    order = 20

    def statement(self, q, *, listing, part=None):
        cols = [PrerequisiteDocument.expires_on.label("due_on"), PrerequisiteDocument.id.label("item_id")]
        if listing:
            cols += [PrerequisiteDocument.kind, PrerequisiteDocument.number, PrerequisiteDocument.issuer,
                     *VENUE_COLUMNS]
        # superseded_by_id is set on the earlier document when a renewal is recorded (licences.services)
        stmt = (select(*cols).select_from(PrerequisiteDocument)
                .where(PrerequisiteDocument.superseded_by_id.is_(None), PrerequisiteDocument.expires_on.is_not(None),
                       PrerequisiteDocument.revoked.is_(False)))
        if listing:
            stmt = (stmt.join(Venue, Venue.id == PrerequisiteDocument.venue_id)
                    .join(Operator, Operator.id == Venue.operator_id))
        return venue_filters(stmt, q.filters, venue_id=PrerequisiteDocument.venue_id,
                             copy=VenueCopy.of(PrerequisiteDocument), type_exists=_has_licence_of_type,
                             skip_closed=True)

    def item(self, row, q):
        kind = PrerequisiteKind(row.kind)
        return _common(row, q, self, label=row.number, title=enum_label(kind), title_ref=kind, detail=row.issuer or "",
                       links=(link("venues.detail", venue_id=row.venue_id),))

    def enrich(self, items, q):
        """The licences that depend on each document (for "licences affected": N/A when none)."""
        if not items:
            return items
        kinds_by_doc = {i.item_id: i for i in items}
        docs = dict(db.session.execute(select(PrerequisiteDocument.id, PrerequisiteDocument.kind)
                                       .where(PrerequisiteDocument.id.in_(kinds_by_doc))).all())
        rows = db.session.execute(
            select(Licence.venue_id, Licence.number_display, LicenceType.required_documents_json)
            .join(LicenceType, LicenceType.id == Licence.licence_type_id)
            .where(Licence.venue_id.in_({i.venue_id for i in items}), Licence.status.in_(OPEN_LICENCE))
            .order_by(Licence.id)).all()
        out = []
        for it in items:
            kind = str(docs.get(it.item_id))
            affected = tuple(number for venue_id, number, required in rows
                             if venue_id == it.venue_id and requires_document(required, kind))
            out.append(replace(it, affected=affected))
        return out


# ------------------------------------------------------------------ suspensions that end
@due_source("suspension_end")
class SuspensionEnd(Source):
    """Suspensions with an end date that have not been lifted (overdue: ended but still open in the register)."""

    label = _l("Suspensions ending")
    short_label = _l("Suspensions")
    table = "sanctions"
    columns = (Sanction.ends_on, Sanction.id)
    order = 30

    def statement(self, q, *, listing, part=None):
        cols = [Sanction.ends_on.label("due_on"), Sanction.id.label("item_id")]
        if listing:
            cols += [Licence.licence_type_id.label("type_id"), Sanction.kind, Sanction.licence_id,
                     Licence.number_display, *VENUE_COLUMNS,
                     Sanction.created_by_id.label("officer_id")]
        stmt = (select(*cols).select_from(Sanction)
                .where(Sanction.ends_on.is_not(None), Sanction.lifted_on.is_(None),
                       Sanction.kind.in_((SanctionKind.SUSPENSION, SanctionKind.AGENCY_SUSPENSION))))
        if listing or q.filters.operator_id is not None or q.filters.licence_type_id is not None:
            stmt = stmt.join(Licence, Licence.id == Sanction.licence_id)
        if listing:
            stmt = stmt.join(Venue, Venue.id == Licence.venue_id).join(Operator, Operator.id == Venue.operator_id)
        return venue_filters(stmt, q.filters, venue_id=Licence.venue_id, copy=VenueCopy.of(Sanction),
                             type_col=Licence.licence_type_id, officer_col=Sanction.created_by_id)

    def item(self, row, q):
        return _common(row, q, self, label=row.number_display, title=enum_label(SanctionKind(row.kind)),
                       title_ref=SanctionKind(row.kind),
                       links=(link("licences.detail", licence_id=row.licence_id),
                              link("venues.detail", venue_id=row.venue_id)),
                       licence_type_id=row.type_id, officer_id=row.officer_id)


# ------------------------------------------------------------------ applications and their legal deadline
OPEN_APPLICATION = (ApplicationStatus.RECEIVED, ApplicationStatus.ACCEPTED, ApplicationStatus.APPRAISAL)


@due_source("application_deadline")
class ApplicationDeadline(Source):
    """Dossiers not yet decided whose legal deadline is near or passed (days left in working days).

    A dossier waiting for the applicant to complete it (NEEDS_COMPLETION) is not counted: its clock is stopped.
    """

    label = _l("Applications: legal deadline")
    short_label = _l("Applications")
    table = "applications"
    columns = (Application.due_on, Application.id)
    working_days = True
    notify_operator = False
    order = 60

    def partitions(self, q):
        return list(OPEN_APPLICATION)

    def statement(self, q, *, listing, part=None):
        cols = [Application.due_on.label("due_on"), Application.id.label("item_id")]
        if listing:
            cols += [Application.licence_type_id.label("type_id"), Application.ref, Application.kind,
                     Application.status, *VENUE_COLUMNS,
                     Application.assigned_to_id.label("officer_id")]
        stmt = (select(*cols).select_from(Application)
                .where(Application.status.in_(OPEN_APPLICATION) if part is None
                       else Application.status == ApplicationStatus(part), Application.due_on.is_not(None)))
        if listing:
            stmt = stmt.join(Venue, Venue.id == Application.venue_id).join(Operator, Operator.id == Venue.operator_id)
        return venue_filters(stmt, q.filters,
                             venue_id=Application.venue_id, type_col=Application.licence_type_id,
                             officer_col=Application.assigned_to_id)

    def item(self, row, q):
        return _common(row, q, self, label=row.ref, title=_type_name(row.type_id, q.lang),
                       title_ref=("type", row.type_id),
                       detail=enum_label(ApplicationStatus(row.status)),
                       links=(link("applications.detail", application_id=row.item_id),
                              link("venues.detail", venue_id=row.venue_id)),
                       licence_type_id=row.type_id, officer_id=row.officer_id)


# ------------------------------------------------------------------ licences flagged by a consequence rule
FLAG_STATE = {RuleAction.FLAG: _l("Flagged"), RuleAction.SUSPEND: _l("Suspended by the rule")}


@due_source("licence_flag")
class LicenceFlagged(Source):
    """Licences flagged (or suspended) because a document they depend on lapsed; due on the lapse date."""

    label = _l("Licences flagged: a prerequisite document lapsed")
    short_label = _l("Flags")
    table = "licences"
    columns = (LicenceFlag.lapsed_on, LicenceFlag.id)
    order = 15

    def statement(self, q, *, listing, part=None):
        officer = func.coalesce(Application.assigned_to_id, Licence.issued_by_id)
        cols = [LicenceFlag.lapsed_on.label("due_on"), LicenceFlag.id.label("item_id")]
        if listing:
            cols += [Licence.licence_type_id.label("type_id"), LicenceFlag.licence_id, LicenceFlag.document_kind,
                     LicenceFlag.action, Licence.number_display,
                     *VENUE_COLUMNS, officer.label("officer_id")]
        stmt = (select(*cols).join(Licence, Licence.id == LicenceFlag.licence_id)
                .where(LicenceFlag.cleared_on.is_(None)))
        if listing:
            stmt = stmt.join(Venue, Venue.id == Licence.venue_id).join(Operator, Operator.id == Venue.operator_id)
        if listing or q.filters.officer_id is not None:
            stmt = stmt.outerjoin(Application, Application.id == Licence.application_id)
        return venue_filters(stmt, q.filters,
                             venue_id=Licence.venue_id, type_col=Licence.licence_type_id,
                             officer_col=officer)

    def item(self, row, q):
        kind = PrerequisiteKind(row.document_kind) if row.document_kind in set(PrerequisiteKind) else None
        return _common(row, q, self, label=row.number_display,
                       title=enum_label(kind) if kind else row.document_kind, title_ref=kind,
                       detail=str(FLAG_STATE[RuleAction(row.action)]),
                       links=(link("licences.detail", licence_id=row.licence_id),
                              link("venues.detail", venue_id=row.venue_id)),
                       licence_type_id=row.type_id, officer_id=row.officer_id)


def first_link(item: DueItem, endpoints: Sequence[str] | dict) -> tuple[str, dict] | None:
    """The first of the item's links whose endpoint exists in ``endpoints``."""
    for endpoint, args in item.links:
        if endpoint in endpoints and all(v is not None for _, v in args):
            return endpoint, dict(args)
    return None
