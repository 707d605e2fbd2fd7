"""Aggregates behind the dashboard charts (and their tables): grouped counts in SQL, cached briefly per process.

Charts summarise months and years of records (grouping 300,000 licences by district joins every one of them to its
venue: hundreds of milliseconds), so each chart's data is cached for ``OVERSIGHT_CHART_CACHE_SECONDS`` (default
900 s) per worker process, filter combination, day and language; the due lists and their counts are never cached.
"""
from __future__ import annotations

import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, extract, func, select

from registry.common.labels import label
from registry.extensions import db
from registry.licences.models import Application, Licence, LicenceCategory, LicenceStatus, LicenceType
from registry.oversight.charts import Chart, Series
from registry.oversight.sources import DueFilters
from registry.venues.models import Venue

_cache: dict[tuple, tuple[float, object]] = {}
_lock = threading.Lock()


def cached(key: tuple, compute: Callable[[], object], *, ttl: int | None = None):
    """``compute()`` memoised for ``ttl`` seconds (default: the chart setting), per database and process."""
    if ttl is None:
        ttl = current_app.config.get("OVERSIGHT_CHART_CACHE_SECONDS", 900)
    if not ttl:
        return compute()
    full_key = (str(db.engine.url), *key)
    now = time.monotonic()
    with _lock:
        hit = _cache.get(full_key)
        if hit is not None and hit[0] > now:
            return hit[1]
    value = compute()
    with _lock:
        if len(_cache) > 512:
            _cache.clear()
        _cache[full_key] = (now + ttl, value)
    return value


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def last_months(today: date, count: int = 12) -> list[tuple[int, int]]:
    """``[(year, month), …]`` of the last ``count`` months, oldest first, ending with today's month."""
    y, m = today.year, today.month
    out = []
    for _i in range(count):
        out.append((y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def month_label(ym: tuple[int, int]) -> str:
    return f"{ym[1]:02d}/{ym[0] % 100:02d}"


def first_day(ym: tuple[int, int]) -> date:
    return date(ym[0], ym[1], 1)


def licence_filters(stmt: Select, f: DueFilters, *, venue_joined: bool = False) -> Select:
    """Apply the dashboard filters to a statement over ``Licence``."""
    needs_venue = any(v is not None and v != "" for v in (f.district_id, f.ward_id, f.venue_kind, f.operator_id))
    if needs_venue and not venue_joined:
        stmt = stmt.join(Venue, Venue.id == Licence.venue_id)
    if f.district_id is not None:
        stmt = stmt.where(Venue.district_id == f.district_id)
    if f.ward_id is not None:
        stmt = stmt.where(Venue.ward_id == f.ward_id)
    if f.venue_kind:
        stmt = stmt.where(Venue.kind == f.venue_kind)
    if f.operator_id is not None:
        stmt = stmt.where(Licence.operator_id == f.operator_id)
    if f.licence_type_id is not None:
        stmt = stmt.where(Licence.licence_type_id == f.licence_type_id)
    if f.officer_id is not None:
        stmt = stmt.outerjoin(Application, Application.id == Licence.application_id).where(
            func.coalesce(Application.assigned_to_id, Licence.issued_by_id) == f.officer_id)
    return stmt


def application_filters(stmt: Select, f: DueFilters) -> Select:
    """Apply the dashboard filters to a statement over ``Application``."""
    if any(v is not None and v != "" for v in (f.district_id, f.ward_id, f.venue_kind)):
        stmt = stmt.join(Venue, Venue.id == Application.venue_id)
    if f.district_id is not None:
        stmt = stmt.where(Venue.district_id == f.district_id)
    if f.ward_id is not None:
        stmt = stmt.where(Venue.ward_id == f.ward_id)
    if f.venue_kind:
        stmt = stmt.where(Venue.kind == f.venue_kind)
    if f.operator_id is not None:
        stmt = stmt.where(Application.operator_id == f.operator_id)
    if f.licence_type_id is not None:
        stmt = stmt.where(Application.licence_type_id == f.licence_type_id)
    if f.officer_id is not None:
        stmt = stmt.where(Application.assigned_to_id == f.officer_id)
    return stmt


# ------------------------------------------------------------------ charts
#: Statuses drawn in "licences by status and kind" (superseded versions are history, not licences in force).
STATUS_SERIES = (LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED, LicenceStatus.EXPIRED, LicenceStatus.REVOKED,
                 LicenceStatus.CEASED)
STATUS_COLOURS = {LicenceStatus.ACTIVE: "#009E73", LicenceStatus.SUSPENDED: "#E69F00",
                  LicenceStatus.EXPIRED: "#999999", LicenceStatus.REVOKED: "#D55E00", LicenceStatus.CEASED: "#000000"}


def licences_by_status_kind(f: DueFilters) -> Chart:
    """Licences (superseded versions excluded) by licence category and status."""
    stmt = (select(LicenceType.category, Licence.status, func.count())
            .join(LicenceType, LicenceType.id == Licence.licence_type_id)
            .where(Licence.status != LicenceStatus.SUPERSEDED).group_by(LicenceType.category, Licence.status))
    counts = defaultdict(int)
    for category, status, n in db.session.execute(licence_filters(stmt, f)):
        counts[(LicenceCategory(category), LicenceStatus(status))] += n
    categories = [c for c in LicenceCategory if any(counts[(c, s)] for s in STATUS_SERIES)]
    series = [Series(label(s), [counts[(c, s)] for c in categories], STATUS_COLOURS[s]) for s in STATUS_SERIES]
    short = {LicenceCategory.KARAOKE: _("Karaoke"), LicenceCategory.DANCE_HALL: _("Dance hall"),
             LicenceCategory.SPORTS: _("Sports"), LicenceCategory.EVENT: _("Event permits")}
    return Chart("licences", _("Licences by status and kind"), "stacked", [short[c] for c in categories],
                 series, value_header=_("Kind"), note=_("Superseded versions of adjusted licences are not counted."),
                 empty_text=_("No licences match the filters."))


def licences_by_district(f: DueFilters) -> Chart:
    """Licences in force (valid or suspended) per district; venues in wards created after the 2025
    reorganisation have no district and are counted together."""
    from registry.reference.models import AdminUnit

    stmt = (select(Venue.district_id, func.count()).select_from(Licence).join(Venue, Venue.id == Licence.venue_id)
            .where(Licence.status.in_((LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED)))
            .group_by(Venue.district_id))
    rows = db.session.execute(licence_filters(stmt, f, venue_joined=True)).all()
    names = dict(db.session.execute(select(AdminUnit.id, AdminUnit.name).where(
        AdminUnit.id.in_([d for d, _n in rows if d is not None]))).all())
    data = sorted(((names.get(d) if d is not None else _("No district (wards since 1 July 2025)"), n)
                   for d, n in rows), key=lambda r: (-r[1], r[0]))
    return Chart("districts", _("Licences in force by district"), "bars", [d for d, _n in data],
                 [Series(_("Licences in force"), [n for _d, n in data])], value_header=_("District"),
                 empty_text=_("No licences in force match the filters."))


def applications_per_month(f: DueFilters, today: date) -> Chart:
    """Applications received and decided per month (last 12 months), with the median processing time of the
    month's decisions in working days (from the complete dossier to the decision, as the legal limit counts)."""
    from registry.oversight.workdays import calendar

    months = last_months(today)
    start = first_day(months[0])
    received = dict(((int(y), int(m)), n) for y, m, n in db.session.execute(application_filters(
        select(extract("year", Application.received_on), extract("month", Application.received_on), func.count())
        .where(Application.received_on >= start, Application.received_on <= today)
        .group_by(extract("year", Application.received_on), extract("month", Application.received_on)), f)))
    decided_rows = db.session.execute(application_filters(
        select(func.coalesce(Application.clock_started_on, Application.received_on), Application.decided_on)
        .where(Application.decided_on >= start, Application.decided_on <= today), f)).all()
    cal = calendar()
    durations: dict[tuple[int, int], list[int]] = defaultdict(list)
    for received_on, decided_on in decided_rows:
        durations[(decided_on.year, decided_on.month)].append(max(cal.between(received_on, decided_on), 0))
    medians = [statistics.median(durations[m]) if durations[m] else None for m in months]
    return Chart("applications", _("Applications received and decided per month"), "columns",
                 [month_label(m) for m in months],
                 [Series(_("Received"), [received.get(m, 0) for m in months]),
                  Series(_("Decided"), [len(durations[m]) for m in months])],
                 value_header=_("Month"),
                 line=Series(_("Median processing time (working days)"), medians),
                 empty_text=_("No applications in the last 12 months."))


def dashboard_charts(f: DueFilters, today: date) -> list[Chart]:
    """Every chart of the dashboard, cached briefly (see module docstring)."""
    from registry.oversight import inspection_trends

    def build():
        charts = [licences_by_status_kind(f), applications_per_month(f, today)]
        charts += inspection_trends.charts(f, today)
        charts.append(licences_by_district(f))
        return charts

    from registry.i18n import current_language

    return cached(("dashboard", f, today, current_language()), build)
