"""Inspection aggregates: visits per month by outcome, violations by article and by district, and each inspector's
workload. Every function returns nothing (or an empty chart list) when the inspections feature is not installed.

Months are those of the visit's scheduled date: an attempted visit is moved to its new date, so the scheduled date
of a completed visit is the day it took place.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, case, extract, func, select

from registry.common.modules import import_optional
from registry.extensions import db
from registry.oversight.charts import Chart, Series
from registry.oversight.sources import DueFilters
from registry.oversight.trends import first_day, last_months, month_label
from registry.venues.models import Venue


def installed() -> bool:
    return import_optional("registry.inspections.models") is not None


def _filters(stmt: Select, f: DueFilters, inspection) -> Select:
    from registry.licences.models import Licence

    if any(v is not None and v != "" for v in (f.district_id, f.ward_id, f.venue_kind)):
        stmt = stmt.join(Venue, Venue.id == inspection.venue_id)
    if f.district_id is not None:
        stmt = stmt.where(Venue.district_id == f.district_id)
    if f.ward_id is not None:
        stmt = stmt.where(Venue.ward_id == f.ward_id)
    if f.venue_kind:
        stmt = stmt.where(Venue.kind == f.venue_kind)
    if f.operator_id is not None:
        stmt = stmt.where(inspection.operator_id == f.operator_id)
    if f.officer_id is not None:
        stmt = stmt.where(inspection.lead_id == f.officer_id)
    if f.licence_type_id is not None:
        stmt = stmt.join(Licence, Licence.id == inspection.licence_id).where(
            Licence.licence_type_id == f.licence_type_id)
    return stmt


def inspections_per_month(f: DueFilters, today: date) -> Chart:
    """Completed visits per month by outcome, and visits attempted (no access, closed) per month."""
    from registry.inspections.models import Inspection, InspectionAttempt, InspectionOutcome, InspectionStatus

    months = last_months(today)
    start = first_day(months[0])
    year, month = extract("year", Inspection.scheduled_on), extract("month", Inspection.scheduled_on)
    counts = defaultdict(int)
    for y, m, outcome, n in db.session.execute(_filters(
            select(year, month, Inspection.outcome, func.count())
            .where(Inspection.status == InspectionStatus.COMPLETED, Inspection.scheduled_on >= start,
                   Inspection.scheduled_on <= today)
            .group_by(year, month, Inspection.outcome), f, Inspection)):
        counts[((int(y), int(m)), outcome)] += n
    a_year = extract("year", InspectionAttempt.previous_date)
    a_month = extract("month", InspectionAttempt.previous_date)
    attempts = defaultdict(int)
    for y, m, n in db.session.execute(_filters(
            select(a_year, a_month, func.count()).select_from(InspectionAttempt)
            .join(Inspection, Inspection.id == InspectionAttempt.inspection_id)
            .where(InspectionAttempt.previous_date >= start, InspectionAttempt.previous_date <= today)
            .group_by(a_year, a_month), f, Inspection)):
        attempts[(int(y), int(m))] += n
    from registry.common.labels import label

    return Chart("inspections", _("Inspections per month by outcome"), "columns", [month_label(m) for m in months],
                 [Series(label(InspectionOutcome.COMPLIANT), [counts[(m, InspectionOutcome.COMPLIANT)] for m in months],
                         "#009E73"),
                  Series(label(InspectionOutcome.VIOLATIONS), [counts[(m, InspectionOutcome.VIOLATIONS)]
                                                               for m in months], "#D55E00"),
                  Series(_("Attempted (no access or closed)"), [attempts[m] for m in months], "#999999")],
                 value_header=_("Month"), empty_text=_("No inspections in the last 12 months."))


def _violations_since(today: date):
    return first_day(last_months(today)[0])


def violations_by_article(f: DueFilters, today: date, lang: str) -> Chart:
    """Violations recorded in the last 12 months per legal provision (decree and article)."""
    from registry.inspections.models import Inspection, InspectionStatus, Violation
    from registry.oversight.inspection_sources import legal_reference

    stmt = (select(Violation.decree, Violation.article, func.count())
            .join(Inspection, Inspection.id == Violation.inspection_id)
            .where(Inspection.status == InspectionStatus.COMPLETED,
                   Inspection.scheduled_on >= _violations_since(today), Inspection.scheduled_on <= today)
            .group_by(Violation.decree, Violation.article))
    rows = sorted(db.session.execute(_filters(stmt, f, Inspection)).all(), key=lambda r: (-r[2], r[0], r[1] or ""))
    categories = [legal_reference(decree, article, None, None, lang) for decree, article, _n in rows]
    return Chart("articles", _("Violations by article (last 12 months)"), "bars", categories,
                 [Series(_("Violations"), [n for *_r, n in rows], "#D55E00")], value_header=_("Legal provision"),
                 empty_text=_("No violations recorded in the last 12 months."))


def violations_by_district(f: DueFilters, today: date) -> Chart:
    """Violations recorded in the last 12 months per district of the venue."""
    from registry.inspections.models import Inspection, InspectionStatus, Violation
    from registry.reference.models import AdminUnit

    stmt = (select(Venue.district_id, func.count()).select_from(Violation)
            .join(Inspection, Inspection.id == Violation.inspection_id).join(Venue, Venue.id == Inspection.venue_id)
            .where(Inspection.status == InspectionStatus.COMPLETED,
                   Inspection.scheduled_on >= _violations_since(today), Inspection.scheduled_on <= today)
            .group_by(Venue.district_id))
    f_no_venue = DueFilters(operator_id=f.operator_id, officer_id=f.officer_id, licence_type_id=f.licence_type_id)
    if f.district_id is not None:
        stmt = stmt.where(Venue.district_id == f.district_id)
    if f.ward_id is not None:
        stmt = stmt.where(Venue.ward_id == f.ward_id)
    if f.venue_kind:
        stmt = stmt.where(Venue.kind == f.venue_kind)
    rows = db.session.execute(_filters(stmt, f_no_venue, Inspection)).all()
    names = dict(db.session.execute(select(AdminUnit.id, AdminUnit.name).where(
        AdminUnit.id.in_([d for d, _n in rows if d is not None]))).all())
    data = sorted(((names.get(d) if d is not None else _("No district (wards since 1 July 2025)"), n)
                   for d, n in rows), key=lambda r: (-r[1], r[0]))
    return Chart("violation_districts", _("Violations by district (last 12 months)"), "bars", [d for d, _n in data],
                 [Series(_("Violations"), [n for _d, n in data], "#CC79A7")], value_header=_("District"),
                 empty_text=_("No violations recorded in the last 12 months."))


def charts(f: DueFilters, today: date) -> list[Chart]:
    """The inspection charts of the dashboard (none without the inspections feature)."""
    if not installed():
        return []
    from registry.i18n import current_language

    lang = current_language()
    return [inspections_per_month(f, today), violations_by_article(f, today, lang), violations_by_district(f, today)]


# ------------------------------------------------------------------ inspector workload
@dataclass
class Workload:
    """One inspector's visits and open follow-through, as of a day."""

    user_id: int
    name: str
    planned_next_30: int = 0
    overdue: int = 0
    oldest_overdue: date | None = None
    done_last_30: int = 0
    done_this_year: int = 0
    attempted_last_30: int = 0
    open_remedies: int = 0
    overdue_remedies: int = 0


def workload(today: date, f: DueFilters | None = None) -> list[Workload]:
    """Per inspector (anyone leading visits, and every active inspector): planned, overdue and completed visits,
    attempts, and open remedy deadlines on the visits they led. Four grouped queries, whatever the number of
    inspectors."""
    from registry.auth.models import User
    from registry.common.permissions import Role
    from registry.inspections.models import Inspection, InspectionAttempt, InspectionItem, InspectionStatus, Violation

    f = f or DueFilters()
    open_statuses = (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS)
    soon = today + timedelta(days=30)
    month_ago = today - timedelta(days=30)
    year_start = date(today.year, 1, 1)

    def when(cond):
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    visits = db.session.execute(_filters(
        select(Inspection.lead_id,
               when((Inspection.status == InspectionStatus.PLANNED) & (Inspection.scheduled_on >= today)
                    & (Inspection.scheduled_on <= soon)),
               when(Inspection.status.in_(open_statuses) & (Inspection.scheduled_on < today)),
               func.min(case((Inspection.status.in_(open_statuses) & (Inspection.scheduled_on < today),
                              Inspection.scheduled_on))),
               when((Inspection.status == InspectionStatus.COMPLETED) & (Inspection.scheduled_on >= month_ago)
                    & (Inspection.scheduled_on <= today)),
               when((Inspection.status == InspectionStatus.COMPLETED) & (Inspection.scheduled_on >= year_start)
                    & (Inspection.scheduled_on <= today)))
        .group_by(Inspection.lead_id), f, Inspection)).all()
    attempts = dict(db.session.execute(_filters(
        select(Inspection.lead_id, func.count()).select_from(InspectionAttempt)
        .join(Inspection, Inspection.id == InspectionAttempt.inspection_id)
        .where(InspectionAttempt.previous_date >= month_ago, InspectionAttempt.previous_date <= today)
        .group_by(Inspection.lead_id), f, Inspection)).all())
    remedies = {lead: (n, late) for lead, n, late in db.session.execute(_filters(
        select(Inspection.lead_id, func.count(), when(Violation.remedy_due_on < today)).select_from(Violation)
        .join(Inspection, Inspection.id == Violation.inspection_id)
        .join(InspectionItem, InspectionItem.id == Violation.item_id)
        .where(Violation.remedy_due_on.is_not(None), InspectionItem.resolved_in_id.is_(None),
               Inspection.status == InspectionStatus.COMPLETED)
        .group_by(Inspection.lead_id), f, Inspection)).all()}
    by_user = {row[0]: row for row in visits}
    wanted = set(by_user) | set(attempts) | set(remedies)
    users = db.session.execute(select(User.id, User.full_name, User.role, User.active).where(
        (User.id.in_(wanted)) | ((User.role == Role.INSPECTOR) & User.active.is_(True)))
        .order_by(User.full_name)).all()
    out = []
    for user_id, name, _role, _active in users:
        row = by_user.get(user_id)
        n, late = remedies.get(user_id, (0, 0))
        out.append(Workload(user_id=user_id, name=name,
                            planned_next_30=int(row[1]) if row else 0, overdue=int(row[2]) if row else 0,
                            oldest_overdue=row[3] if row else None, done_last_30=int(row[4]) if row else 0,
                            done_this_year=int(row[5]) if row else 0, attempted_last_30=int(attempts.get(user_id, 0)),
                            open_remedies=int(n), overdue_remedies=int(late)))
    return sorted(out, key=lambda w: (-w.overdue, -w.planned_next_30, w.name))
