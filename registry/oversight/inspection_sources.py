"""Due items from inspections: remedy deadlines of violations not yet verified as remedied, and follow-up visits
due. Imported by ``sources.sources()`` only when the inspections feature is installed.

A violation's remedy is open until the checklist item it hangs off is resolved at a follow-up
(``InspectionItem.resolved_in_id``); only violations of completed visits count (a visit in progress is a draft).
Both facts are kept on the violation as ``remedy_pending`` when the visit closes and when a follow-up resolves it.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from registry.inspections.models import Inspection, InspectionKind, InspectionStatus, Violation
from registry.licences.models import Licence
from registry.oversight.sources import VENUE_COLUMNS, Source, _common, due_source, link, venue_filters
from registry.venues.models import Operator, Venue


def legal_reference(decree: str | None, article: str | None, clause: str | None, point: str | None,
                    lang: str) -> str:
    """"Điều 15 khoản 2 điểm a, 38/2021/NĐ-CP" (vi) or "Art. 15(2)(a), 38/2021/NĐ-CP" (en)."""
    if lang == "vi":
        parts = [f"Điều {article}" if article else "", f"khoản {clause}" if clause else "",
                 f"điểm {point}" if point else ""]
        head = " ".join(p for p in parts if p)
    else:
        head = f"Art. {article}" if article else ""
        head += f"({clause})" if clause and head else ""
        head += f"({point})" if point and head else ""
    return ", ".join(p for p in (head, decree or "") if p)


@due_source("remedy_deadline")
class RemedyDeadline(Source):
    """Remedy deadlines set at inspections, not yet verified as remedied."""

    label = _l("Remedy deadlines from inspections")
    short_label = _l("Remedies")
    table = "violations"
    columns = (Violation.remedy_due_on, Violation.id)
    order = 40

    def statement(self, q, *, listing, part=None):
        type_id = Licence.licence_type_id
        cols = [Violation.remedy_due_on.label("due_on"), Violation.id.label("item_id")]
        if listing:
            cols.append(type_id.label("type_id"))
            cols += [Violation.code, Violation.decree, Violation.article, Violation.clause, Violation.point,
                     Violation.description_vi, Violation.description_en, Violation.inspection_id,
                     *VENUE_COLUMNS, Inspection.lead_id.label("officer_id")]
        # remedy_pending: the visit is closed and no follow-up has found the item resolved (kept on the row by
        # inspections.services, so the range is one partial index); the visit is joined for the venue and officer
        stmt = select(*cols).select_from(Violation).where(Violation.remedy_pending,
                                                           Violation.remedy_due_on.is_not(None))
        if listing or q.filters.on_venue or q.filters.officer_id is not None or q.filters.licence_type_id is not None:
            stmt = stmt.join(Inspection, Inspection.id == Violation.inspection_id)
        if listing:
            stmt = stmt.join(Venue, Venue.id == Inspection.venue_id).join(Operator, Operator.id == Venue.operator_id)
        if listing or q.filters.licence_type_id is not None:
            stmt = stmt.outerjoin(Licence, Licence.id == func.coalesce(Violation.licence_id, Inspection.licence_id))
        return venue_filters(stmt, q.filters,
                             venue_id=Inspection.venue_id, type_col=type_id,
                             officer_col=Inspection.lead_id)

    def item(self, row, q):
        reference = legal_reference(row.decree, row.article, row.clause, row.point, q.lang)
        description = row.description_vi if q.lang == "vi" else row.description_en
        return _common(row, q, self, label=reference, title=description, detail=row.code,
                       title_ref=("violation", row.description_vi, row.description_en),
                       links=(link("inspections.detail", inspection_id=row.inspection_id),
                              link("venues.detail", venue_id=row.venue_id)),
                       licence_type_id=row.type_id, officer_id=row.officer_id)


FOLLOW_UP_OPEN = (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS)


@due_source("followup_inspection")
class FollowUpDue(Source):
    """Follow-up visits planned (or started) and not yet closed; overdue when their date has passed."""

    label = _l("Follow-up inspections due")
    short_label = _l("Follow-ups")
    table = "inspections"
    columns = (Inspection.scheduled_on, Inspection.id)
    notify_operator = False
    order = 50

    def partitions(self, q):
        return list(FOLLOW_UP_OPEN)

    def statement(self, q, *, listing, part=None):
        type_id = Licence.licence_type_id
        cols = [Inspection.scheduled_on.label("due_on"), Inspection.id.label("item_id")]
        if listing:
            cols += [type_id.label("type_id"), Inspection.status, Inspection.original_id, *VENUE_COLUMNS,
                     Inspection.lead_id.label("officer_id")]
        stmt = (select(*cols).select_from(Inspection)
                .where(Inspection.status.in_(FOLLOW_UP_OPEN) if part is None
                       else Inspection.status == InspectionStatus(part), Inspection.kind == InspectionKind.FOLLOW_UP))
        if listing:
            stmt = stmt.join(Venue, Venue.id == Inspection.venue_id).join(Operator, Operator.id == Venue.operator_id)
        if listing or q.filters.licence_type_id is not None:
            stmt = stmt.outerjoin(Licence, Licence.id == Inspection.licence_id)
        return venue_filters(stmt, q.filters,
                             venue_id=Inspection.venue_id, type_col=type_id,
                             officer_col=Inspection.lead_id)

    def item(self, row, q):
        from registry.common.labels import label

        return _common(row, q, self, label=f"#{row.item_id}", title=label(InspectionKind.FOLLOW_UP),
                       title_ref=InspectionKind.FOLLOW_UP, detail=label(InspectionStatus(row.status)),
                       links=(link("inspections.detail", inspection_id=row.item_id),
                              link("venues.detail", venue_id=row.venue_id)),
                       licence_type_id=row.type_id, officer_id=row.officer_id)
