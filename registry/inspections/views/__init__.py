"""Inspection pages: the inspector's day, the list, a visit (start, checklist with autosave, violations, photos,
close, minutes, follow-up, amendments), planning, the risk queue, workload and complaints.

The blueprint ``bp`` is defined in :mod:`.shared`; the page modules imported here register their routes on it.
"""
from __future__ import annotations

from registry.common.modules import import_optional
from registry.inspections.views import (  # noqa: F401 (imported so that their routes register)
    after_visit,
    closing,
    complaints,
    detail,
    lists,
    photos,
    planning,
    sanctions,
    visit,
)
from registry.inspections.views.shared import bp

__all__ = ["bp"]


def _timeline_field_labels() -> None:
    """Name the fields our events record on the venue timeline (a feature of the venues package)."""
    from flask_babel import lazy_gettext as _l

    timeline = import_optional("registry.venues.timeline")
    if timeline is None or not hasattr(timeline, "register_field_labels"):
        return
    timeline.register_field_labels({
        "inspection_kind": _l("Kind of inspection"), "scheduled_on": _l("Date"), "lead": _l("Lead"),
        "team": _l("Team"), "decision_number": _l("Decision number"), "complaint_id": _l("Complaint"),
        "original_id": _l("Original visit"), "application_id": _l("Application"), "started_at": _l("Started"),
        "started_local": _l("Started (local time)"), "location_recorded": _l("Location recorded"),
        "items": _l("Checklist items"), "outcome": _l("Outcome"), "ended_at": _l("Ended"),
        "ended_local": _l("Ended (local time)"), "failed_items": _l("Failed items"), "violations": _l("Violations"),
        "customers_count": _l("Customers present"), "staff_count": _l("Staff present"),
        "refused_to_sign": _l("Refused to sign"), "findings": _l("Open findings"), "finding": _l("Finding"),
        "note": _l("Note"), "reason": _l("Reason"), "inspection_id": _l("Inspection"),
        "reference": _l("Legal reference"), "violation_code": _l("Catalogue row"),
        "amount": _l("Proposed fine (đồng)"), "subject": _l("Fined as"),
        "remedy": _l("Remedial measure"), "remedy_due_on": _l("Remedy deadline"), "warning": _l("Warning"),
        "operating_duty": _l("Operating duty"), "number": _l("Number"), "document_id": _l("Document"),
        "reissue": _l("Re-issued"), "summary": _l("Summary"), "source": _l("From"),
        "received_on": _l("Received on"), "already_planned": _l("Already planned"), "year": _l("Year"),
    })


_timeline_field_labels()
