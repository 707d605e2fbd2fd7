"""Complaints about venues from the public or other agencies; a complaint can be turned into a visit (which closes it
when the visit is closed) or closed with a note. Flushes and audits; never commits.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from registry.common import audit
from registry.common.text import clean
from registry.db import today_local
from registry.extensions import db
from registry.inspections.models import Complaint, ComplaintStatus
from registry.inspections.services import InspectionError


def record_complaint(venue, *, received_on: date, source, summary: str, complainant: str | None = None,
                     by=None) -> Complaint:
    """Record a complaint against a venue.

    :raises InspectionError: a date in the future or an empty summary.
    """
    if received_on > today_local():
        raise InspectionError(_("The date received cannot be in the future."), "received_on")
    if not clean(summary):
        raise InspectionError(_("Describe the complaint."), "summary")
    complaint = Complaint(venue_id=venue.id, received_on=received_on, source=source, summary=clean(summary),
                          complainant=clean(complainant), recorded_by_id=getattr(by, "id", None))
    db.session.add(complaint)
    db.session.flush()
    audit.record("complaint.record", complaint, {"source": source, "received_on": received_on,
                                                 "summary": complaint.summary})
    return complaint


def close_complaint(complaint: Complaint, note: str) -> None:
    """Close a complaint without (or after) a visit, with a note.

    :raises InspectionError: if it is already closed or no note is given.
    """
    if complaint.status == ComplaintStatus.CLOSED:
        raise InspectionError(_("This complaint is already closed."))
    if not clean(note):
        raise InspectionError(_("Say how the complaint was handled."), "note")
    complaint.status = ComplaintStatus.CLOSED
    complaint.closed_note = clean(note)
    db.session.flush()
    audit.record("complaint.close", complaint, {"note": complaint.closed_note})
