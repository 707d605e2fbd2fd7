"""Reports: the register of licences on a date, processing times, inspections per period, renewals per year and
inspector workload. Read-only; each is a :class:`Report` whose rows stream to CSV, build an XLSX, or (when short)
print as a PDF in the official layout.

:func:`processing_times` is also the function the public register shows ("median time to a decision").
"""
from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, case, extract, func, literal, or_, select
from sqlalchemy.orm import aliased

from registry.common.labels import label
from registry.common.modules import import_optional
from registry.extensions import db
from registry.licences.models import (
    Application,
    ApplicationKind,
    Licence,
    LicenceStatus,
    LicenceType,
    Sanction,
    SanctionKind,
    category_label,
)
from registry.venues.models import Operator, Venue

REPORT_TEMPLATE = "documents/pdf/report.html"
REPORT_TEMPLATE_VERSION = "report-2026.1"


@dataclass
class Report:
    """A report: its summary table (shown, printed) and the rows it exports (the summary, or a full list)."""

    name: str
    title: str
    params: dict
    summary_header: list[str]
    summary_rows: list[list]
    header: list[str] = field(default_factory=list)
    export_rows: Callable[[], Iterable[list]] | None = None
    notes: list[str] = field(default_factory=list)
    subtitle: str = ""

    def __post_init__(self):
        if not self.header:
            self.header = self.summary_header

    def rows(self) -> Iterator[list]:
        """The exported rows (a generator: large lists stream)."""
        yield from (self.export_rows() if self.export_rows is not None else self.summary_rows)

    @property
    def printable(self) -> bool:
        return len(self.summary_rows) <= int(current_app.config.get("REPORT_PDF_MAX_ROWS", 200))


def inspections_installed() -> bool:
    return import_optional("registry.inspections.models") is not None


def percentile(values: list[int], p: float) -> float | None:
    """Nearest-rank percentile (the 90th of 10 values is the 9th smallest); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return float(ordered[rank - 1])


def _type_label(ltype_names: dict, type_id: int, lang: str) -> str:
    vi, en, *_rest = ltype_names.get(type_id, ("", ""))
    return vi if lang == "vi" else en


def _types() -> dict[int, tuple]:
    return {t.id: (t.name_vi, t.name_en, t.category, t.term_months) for t in db.session.execute(
        select(LicenceType).order_by(LicenceType.code)).scalars()}


# ------------------------------------------------------------------ register of licences on a date
REGISTER_STATUSES = (LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED, LicenceStatus.EXPIRED, LicenceStatus.REVOKED,
                     LicenceStatus.CEASED, LicenceStatus.SUPERSEDED)
ENDED = (LicenceStatus.SUPERSEDED, LicenceStatus.REVOKED, LicenceStatus.CEASED, LicenceStatus.EXPIRED)


def status_on(on: date):
    """SQL expression: a licence's status on ``on``, from its current status, the day that status began, its expiry
    date and the suspensions covering that day."""
    suspended = select(Sanction.licence_id).where(
        Sanction.kind.in_((SanctionKind.SUSPENSION, SanctionKind.AGENCY_SUSPENSION)), Sanction.starts_on <= on,
        or_(func.coalesce(Sanction.lifted_on, Sanction.ends_on).is_(None),
            func.coalesce(Sanction.lifted_on, Sanction.ends_on) >= on))
    return case(
        (and_(Licence.status.in_(ENDED), func.coalesce(Licence.status_changed_on, Licence.issued_on) <= on),
         Licence.status),
        (Licence.expires_on < on, literal(LicenceStatus.EXPIRED.value)),
        (Licence.id.in_(suspended), literal(LicenceStatus.SUSPENDED.value)),
        else_=literal(LicenceStatus.ACTIVE.value))


def register_report(on: date, group: str, *, lang: str) -> Report:
    """Licences issued by ``on``, counted by their status on that day and grouped by status, kind or district; the
    export lists every licence with its status on that day."""
    from registry.reference.models import AdminUnit

    status_col = status_on(on).label("status_on")
    types = _types()
    if group == "kind":
        key = LicenceType.category
    elif group == "district":
        key = Venue.district_id
    else:
        key = None
    cols = [status_col, func.count()] if key is None else [key, status_col, func.count()]
    stmt = (select(*cols).select_from(Licence).join(LicenceType, LicenceType.id == Licence.licence_type_id)
            .join(Venue, Venue.id == Licence.venue_id).where(Licence.issued_on <= on))
    stmt = stmt.group_by(status_col) if key is None else stmt.group_by(key, status_col)
    counts: dict = defaultdict(int)
    for row in db.session.execute(stmt):
        if key is None:
            counts[(None, LicenceStatus(row[0]))] += row[1]
        else:
            counts[(row[0], LicenceStatus(row[1]))] += row[2]
    if key is None:
        header = [_("Status on %(date)s", date=on.strftime("%d/%m/%Y")), _("Licences")]
        rows = [[label(s), counts[(None, s)]] for s in REGISTER_STATUSES]
        rows.append([_("Total"), sum(r[1] for r in rows)])
    else:
        groups = sorted({g for g, _s in counts}, key=lambda g: (g is None, str(g)))
        if group == "district":
            names = dict(db.session.execute(select(AdminUnit.id, AdminUnit.name)).all())
            group_label = {g: names.get(g, "") if g is not None else _("No district (wards since 1 July 2025)")
                           for g in groups}
        else:
            group_label = {g: category_label(g) for g in groups}
        header = [_("District") if group == "district" else _("Kind"), *(label(s) for s in REGISTER_STATUSES),
                  _("Total")]
        rows = []
        for g in groups:
            values = [counts[(g, s)] for s in REGISTER_STATUSES]
            rows.append([group_label[g], *values, sum(values)])
        rows.sort(key=lambda r: (-r[-1], r[0]))
        totals = [sum(r[i] for r in rows) for i in range(1, len(header))]
        rows.append([_("Total"), *totals])

    export_header = [_("Licence number"), _("Licence type"), _("Status on %(date)s", date=on.strftime("%d/%m/%Y")),
                     _("Issued on"), _("Expires on"), _("Venue"), _("Address"), _("District"), _("Ward or commune"),
                     _("Operator"), _("Registration number")]

    def export_rows():
        units = dict(db.session.execute(select(AdminUnit.id, AdminUnit.name)).all())
        stmt = (select(Licence.number_display, Licence.licence_type_id, status_col, Licence.issued_on,
                       Licence.expires_on, Venue.name, Venue.house_number, Venue.street, Venue.district_id,
                       Venue.ward_id, Operator.name, Operator.registration_number)
                .join(Venue, Venue.id == Licence.venue_id).join(Operator, Operator.id == Licence.operator_id)
                .where(Licence.issued_on <= on).order_by(Licence.id))
        for r in db.session.execute(stmt.execution_options(yield_per=1000)):
            yield [r[0], _type_label(types, r[1], lang), label(LicenceStatus(r[2])), r[3].isoformat(),
                   r[4].isoformat() if r[4] else "", r[5], " ".join(p for p in (r[6], r[7]) if p),
                   units.get(r[8], ""), units.get(r[9], ""), r[10], r[11]]

    return Report("register", _("Register of licences"), {"on": on.isoformat(), "group": group}, header, rows,
                  header=export_header, export_rows=export_rows,
                  subtitle=_("Status of every licence issued by %(date)s, as it stood that day.",
                             date=on.strftime("%d/%m/%Y")),
                  notes=[_("The export lists every licence; superseded versions of adjusted licences are included "
                           "with that status.")])


# ------------------------------------------------------------------ processing times
@dataclass
class ProcessingTime:
    """Decisions on one licence type in a period: how many, and how long they took in working days."""

    licence_type_id: int
    name_vi: str
    name_en: str
    decided: int
    median: float | None
    p90: float | None
    within_deadline: int
    legal_days: int | None

    def name(self, lang: str) -> str:
        return self.name_vi if lang == "vi" else self.name_en

    @property
    def within_share(self) -> float | None:
        return self.within_deadline / self.decided if self.decided else None


def processing_times(start: date, end: date) -> list[ProcessingTime]:
    """Median and 90th-percentile working days to a decision, per licence type, for the applications decided
    between ``start`` and ``end`` (inclusive), counted like the legal deadline: from the day the clock started (the
    complete dossier; receipt when it was complete at once). For the reports page and the public register."""
    from registry.oversight.workdays import calendar

    cal = calendar()
    rows = db.session.execute(
        select(Application.licence_type_id, func.coalesce(Application.clock_started_on, Application.received_on),
               Application.decided_on, Application.due_on)
        .where(Application.decided_on >= start, Application.decided_on <= end)).all()
    durations: dict[int, list[int]] = defaultdict(list)
    within: dict[int, int] = defaultdict(int)
    for type_id, received_on, decided_on, due_on in rows:
        durations[type_id].append(max(cal.between(received_on, decided_on), 0))
        if due_on is None or decided_on <= due_on:
            within[type_id] += 1
    types = {t.id: t for t in db.session.execute(select(LicenceType).where(
        LicenceType.id.in_(list(durations)))).scalars()} if durations else {}
    out = []
    for type_id, values in durations.items():
        t = types.get(type_id)
        out.append(ProcessingTime(type_id, t.name_vi if t else "", t.name_en if t else "", len(values),
                                  float(statistics.median(values)), percentile(values, 90), within[type_id],
                                  t.processing_days if t else None))
    return sorted(out, key=lambda p: p.name_vi)


def processing_report(start: date, end: date, *, lang: str) -> Report:
    data = processing_times(start, end)
    header = [_("Licence type"), _("Decisions"), _("Median (working days)"), _("90th percentile (working days)"),
              _("Legal time limit (working days)"), _("Decided within the deadline")]
    rows = [[p.name(lang), p.decided, p.median, p.p90, p.legal_days,
             f"{p.within_deadline} ({p.within_share:.0%})" if p.decided else ""] for p in data]
    return Report("processing-times", _("Processing times"), {"start": start.isoformat(), "end": end.isoformat()},
                  header, rows, subtitle=_("Applications decided from %(start)s to %(end)s.",
                                           start=start.strftime("%d/%m/%Y"), end=end.strftime("%d/%m/%Y")),
                  notes=[_("Working days from the day the dossier was complete (the day it was received, or the day "
                           "the missing papers arrived) to the decision, as the legal time limit counts them; "
                           "weekends and public holidays are not counted.")])


# ------------------------------------------------------------------ inspections per period
def _period_key(day: date, step: str) -> tuple[int, int]:
    if step == "year":
        return day.year, 0
    if step == "quarter":
        return day.year, (day.month - 1) // 3 + 1
    return day.year, day.month


def _period_label(key: tuple[int, int], step: str) -> str:
    if step == "year":
        return str(key[0])
    if step == "quarter":
        return f"Q{key[1]}/{key[0]}"
    return f"{key[1]:02d}/{key[0]}"


def _periods(start: date, end: date, step: str) -> list[tuple[int, int]]:
    keys, day = [], date(start.year, start.month, 1)
    while day <= end:
        key = _period_key(day, step)
        if key not in keys:
            keys.append(key)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return keys


def inspections_report(start: date, end: date, step: str, *, lang: str) -> Report:
    """Visits (completed, compliant, with violations, attempted), violations and fines per period."""
    from registry.inspections.models import (
        Inspection,
        InspectionAttempt,
        InspectionOutcome,
        InspectionStatus,
        Violation,
    )

    keys = _periods(start, end, step)
    data = {k: defaultdict(int) for k in keys}
    for day, outcome in db.session.execute(select(Inspection.scheduled_on, Inspection.outcome).where(
            Inspection.status == InspectionStatus.COMPLETED, Inspection.scheduled_on >= start,
            Inspection.scheduled_on <= end).execution_options(yield_per=2000)):
        row = data[_period_key(day, step)]
        row["completed"] += 1
        row["compliant" if outcome == InspectionOutcome.COMPLIANT else "violations"] += 1
    for (day,) in db.session.execute(select(InspectionAttempt.previous_date).where(
            InspectionAttempt.previous_date >= start, InspectionAttempt.previous_date <= end)):
        data[_period_key(day, step)]["attempted"] += 1
    for day, amount in db.session.execute(
            select(Inspection.scheduled_on, Violation.amount).join(Inspection, Inspection.id == Violation.inspection_id)
            .where(Inspection.status == InspectionStatus.COMPLETED, Inspection.scheduled_on >= start,
                   Inspection.scheduled_on <= end).execution_options(yield_per=2000)):
        row = data[_period_key(day, step)]
        row["violation_count"] += 1
        row["fines"] += amount or 0
    header = [_("Period"), _("Visits completed"), _("Compliant"), _("With violations"),
              _("Attempted (no access or closed)"), _("Violations recorded"), _("Fines imposed (VND)")]
    rows = [[_period_label(k, step), d["completed"], d["compliant"], d["violations"], d["attempted"],
             d["violation_count"], d["fines"]] for k, d in data.items()]
    rows.append([_("Total"), *(sum(r[i] for r in rows) for i in range(1, len(header)))])
    return Report("inspections", _("Inspections and violations"),
                  {"start": start.isoformat(), "end": end.isoformat(), "step": step}, header, rows,
                  subtitle=_("From %(start)s to %(end)s.", start=start.strftime("%d/%m/%Y"),
                             end=end.strftime("%d/%m/%Y")))


# ------------------------------------------------------------------ renewals per year
def renewals_report(first: int, last: int, *, lang: str) -> Report:
    """For licence types with a term: per year, licences that expired, how many of them were renewed (a successor of
    the same type exists), and renewals issued in the year."""
    types = {tid: t for tid, t in _types().items() if t[3]}
    header = [_("Year"), _("Licence type"), _("Expired in the year"), _("Of which renewed"), _("Renewal rate"),
              _("Renewals issued in the year")]
    rows: list[list] = []
    if not types:
        return Report("renewals", _("Renewals per year"), {"first": first, "last": last}, header, rows,
                      notes=[_("No licence type has a term: licences stay valid until adjusted, suspended or "
                               "revoked.")])
    successor = aliased(Licence)
    year_of_expiry = extract("year", Licence.expires_on)
    expired = defaultdict(int)
    renewed = defaultdict(int)
    for year, type_id, has_successor in db.session.execute(
            select(year_of_expiry, Licence.licence_type_id, successor.id.is_not(None))
            .outerjoin(successor, and_(successor.predecessor_id == Licence.id,
                                       successor.licence_type_id == Licence.licence_type_id))
            .where(Licence.licence_type_id.in_(list(types)), Licence.expires_on >= date(first, 1, 1),
                   Licence.expires_on <= date(last, 12, 31))):
        expired[(int(year), type_id)] += 1
        renewed[(int(year), type_id)] += bool(has_successor)
    issued = defaultdict(int)
    year_of_issue = extract("year", Licence.issued_on)
    for year, type_id, n in db.session.execute(
            select(year_of_issue, Licence.licence_type_id, func.count())
            .outerjoin(Application, Application.id == Licence.application_id)
            .where(Licence.licence_type_id.in_(list(types)), Licence.issued_on >= date(first, 1, 1),
                   Licence.issued_on <= date(last, 12, 31),
                   or_(Application.kind == ApplicationKind.RENEWAL,
                       and_(Licence.application_id.is_(None), Licence.predecessor_id.is_not(None))))
            .group_by(year_of_issue, Licence.licence_type_id)):
        issued[(int(year), type_id)] += n
    for year in range(first, last + 1):
        for type_id, t in sorted(types.items(), key=lambda kv: kv[1][0]):
            e, r = expired[(year, type_id)], renewed[(year, type_id)]
            rows.append([year, t[0] if lang == "vi" else t[1], e, r, f"{r / e:.0%}" if e else "",
                         issued[(year, type_id)]])
    return Report("renewals", _("Renewals per year"), {"first": first, "last": last}, header, rows,
                  subtitle=_("Licence types with a term, %(first)d–%(last)d.", first=first, last=last))


# ------------------------------------------------------------------ inspector workload
def workload_report(today: date) -> Report:
    from registry.oversight.inspection_trends import workload

    header = [_("Inspector"), _("Planned, next 30 days"), _("Overdue visits"), _("Oldest overdue"),
              _("Completed, last 30 days"), _("Completed this year"), _("Attempted, last 30 days"),
              _("Open remedy deadlines"), _("Of which overdue")]
    rows = [[w.name, w.planned_next_30, w.overdue, w.oldest_overdue.strftime("%d/%m/%Y") if w.oldest_overdue else "",
             w.done_last_30, w.done_this_year, w.attempted_last_30, w.open_remedies, w.overdue_remedies]
            for w in workload(today)]
    return Report("workload", _("Inspector workload"), {"on": today.isoformat()}, header, rows,
                  subtitle=_("As of %(date)s.", date=today.strftime("%d/%m/%Y")),
                  notes=[_("Overdue: a visit still planned or in progress after its date.")])


# ------------------------------------------------------------------ PDF
def render_pdf(report: Report) -> bytes:
    """The report's summary table in the official layout (short reports only: see ``Report.printable``)."""
    from flask_login import current_user

    from registry.db import today_local
    from registry.documents.pdf import render_pdf as render
    from registry.i18n import current_language
    from registry.oversight.digests import _issuer

    lang = current_language()
    issuer, _signer, _symbol, place = _issuer(lang)
    preparer = getattr(current_user, "full_name", "") if current_user else ""
    context = {
        "lang": lang, "issuer": issuer, "number": "", "issued_on": today_local(), "place": place,
        "signer": {"prefix": "", "position": _("Prepared by"), "name": preparer},
        "title_lines": [report.title.upper(), report.subtitle] if report.subtitle else [report.title.upper()],
        "header": [str(h) for h in report.summary_header],
        "rows": [["" if v is None else (f"{v:,}".replace(",", ".") if isinstance(v, int) and lang == "vi"
                                        else f"{v:,}" if isinstance(v, int) else str(v)) for v in row]
                 for row in report.summary_rows],
        "total_last": bool(report.summary_rows) and report.summary_rows[-1][0] == _("Total"),
        "notes": [str(n) for n in report.notes], "recipients": [], "archive": "VT",
        "template_version": REPORT_TEMPLATE_VERSION,
    }
    return render(REPORT_TEMPLATE, context)
