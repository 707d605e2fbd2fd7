"""Records that fall due, built directly (flushed, not committed) on top of the Hải Phòng preset's licence types."""
from __future__ import annotations

import itertools
import json
from datetime import date, timedelta

from sqlalchemy import select

from registry.extensions import db

_seq = itertools.count(1)


def licence_type(code: str = "HP-EVENT", *, grace_days: int | None = None, term_months: int | None = None):
    """A licence type of the preset, optionally with a grace period or a term set for the test."""
    from registry.licences.models import LicenceType

    ltype = db.session.execute(select(LicenceType).where(LicenceType.code == code)).scalar_one()
    if grace_days is not None:
        ltype.grace_days = grace_days
    if term_months is not None:
        ltype.term_months = term_months
    db.session.flush()
    return ltype


def make_licence(venue, *, type_code: str = "HP-KARAOKE", expires_on: date | None = None, status: str = "active",
                 issued_on: date | None = None, application=None, issued_by=None):
    """An issued licence of ``venue`` with the snapshot the licensing services freeze at issue."""
    from registry.documents.licences import new_verify_token
    from registry.licences.models import Licence, LicenceStatus
    from tests.documents.helpers import snapshot_of

    ltype = licence_type(type_code)
    issued_on = issued_on or date(2025, 3, 1)
    n = 9000 + next(_seq)
    number_display = f"{n}/{ltype.symbol}"
    snap = snapshot_of(venue, ltype, number_display, issued_on, expires_on=expires_on)
    licence = Licence(licence_type_id=ltype.id, authority_id=ltype.authority_id, venue_id=venue.id,
                      operator_id=venue.operator_id, number=n, year=issued_on.year, symbol=ltype.symbol,
                      number_display=number_display, issued_on=issued_on, valid_from=issued_on, expires_on=expires_on,
                      status=LicenceStatus(status), verify_token=new_verify_token(),
                      snapshot_json=json.dumps(snap, ensure_ascii=False), signer_id=ltype.default_signer_id,
                      application_id=getattr(application, "id", None), issued_by_id=getattr(issued_by, "id", None))
    db.session.add(licence)
    db.session.flush()
    return licence


def make_document(venue, *, kind: str = "fire_safety", expires_on: date | None = None, issued_on: date | None = None,
                  revoked: bool = False, number: str | None = None):
    """A prerequisite document of ``venue`` (recorded directly, without superseding older ones)."""
    from registry.licences.models import PrerequisiteDocument, PrerequisiteKind

    doc = PrerequisiteDocument(venue_id=venue.id, kind=PrerequisiteKind(kind),
                               number=number or f"{next(_seq)}/NT-PCCC", issued_on=issued_on or date(2024, 1, 10),
                               issuer="Phòng Cảnh sát PCCC và CNCH", expires_on=expires_on, revoked=revoked)
    db.session.add(doc)
    db.session.flush()
    return doc


def make_suspension(licence, *, ends_on: date, starts_on: date | None = None, kind: str = "suspension"):
    from registry.licences.models import LicenceStatus, Sanction, SanctionKind

    sanction = Sanction(licence_id=licence.id, kind=SanctionKind(kind), starts_on=starts_on or ends_on - timedelta(
        days=30), ends_on=ends_on, reason="Vi phạm lần thứ hai", issuing_body="Sở VHTT")
    db.session.add(sanction)
    licence.status = LicenceStatus.SUSPENDED
    db.session.flush()
    return sanction


def make_application(venue, *, due_on: date | None, status: str = "accepted", received_on: date | None = None,
                     decided_on: date | None = None, type_code: str = "HP-KARAOKE", prepared_by, assigned_to=None,
                     kind: str = "new"):
    from registry.licences.models import Application, ApplicationKind, ApplicationStatus

    ltype = licence_type(type_code)
    app = Application(ref=f"T-HS-{next(_seq):05d}", kind=ApplicationKind(kind), status=ApplicationStatus(status),
                      licence_type_id=ltype.id, venue_id=venue.id, operator_id=venue.operator_id,
                      received_on=received_on or date(2025, 1, 2), due_on=due_on, decided_on=decided_on,
                      prepared_by_id=prepared_by.id, assigned_to_id=getattr(assigned_to, "id", None))
    db.session.add(app)
    db.session.flush()
    return app


def make_inspection(venue, *, lead, scheduled_on: date, kind: str = "periodic", status: str = "completed",
                    outcome: str | None = "violations", licence=None, original=None):
    """A visit; completed visits get start and end times and an outcome."""
    from datetime import UTC, datetime, time

    from registry.inspections.models import Inspection, InspectionKind, InspectionOutcome, InspectionStatus

    completed = status == "completed"
    at = datetime.combine(scheduled_on, time(13, 0), tzinfo=UTC)
    inspection = Inspection(kind=InspectionKind(kind), status=InspectionStatus(status), venue_id=venue.id,
                            operator_id=venue.operator_id, licence_id=getattr(licence, "id", None),
                            original_id=getattr(original, "id", None), scheduled_on=scheduled_on, lead_id=lead.id,
                            started_at=at if completed else None, ended_at=at + timedelta(hours=1) if completed
                            else None, outcome=InspectionOutcome(outcome) if completed and outcome else None)
    db.session.add(inspection)
    db.session.flush()
    return inspection


def make_violation(inspection, *, remedy_due_on: date | None, resolved_in=None, article: str = "15",
                   decree: str = "38/2021/NĐ-CP", amount: int = 0):
    """A violation hanging off a failed checklist item of ``inspection``."""
    from registry.inspections.models import InspectionItem, InspectionStatus, ItemResult, SubjectKind, Violation

    n = next(_seq)
    item = InspectionItem(inspection_id=inspection.id, position=n, code=f"T-ITEM-{n}", section="duties",
                          label_vi="Cửa phòng không có chốt bên trong", label_en="No latch inside room doors",
                          result=ItemResult.FAIL, resolved_in_id=getattr(resolved_in, "id", None))
    db.session.add(item)
    db.session.flush()
    violation = Violation(inspection_id=inspection.id, item_id=item.id, licence_id=inspection.licence_id,
                          code=f"T-V-{n}", decree=decree, article=article, clause="2", point="a",
                          description_vi="Lắp khóa, chốt cửa bên trong phòng karaoke",
                          description_en="A lock or latch inside a karaoke room", subject=SubjectKind.ORGANISATION,
                          remedy="Tháo chốt cửa", remedy_due_on=remedy_due_on, amount=amount,
                          # what inspections.services.close_visit records for a closed visit's unresolved finding
                          remedy_pending=remedy_due_on is not None and resolved_in is None
                          and inspection.status == InspectionStatus.COMPLETED)
    db.session.add(violation)
    db.session.flush()
    return violation


def issue_event_permit(venue, *, ends_on: date, clerk, manager, today: date):
    """An event permit issued through the licensing workflow (received, accepted, appraised, paid, approved), so its
    snapshot and PDF are exactly what the licence pages expect. The venue gets the documents the permit requires."""
    from registry.licences import services
    from registry.licences.models import ApplicationStatus, Channel, PrerequisiteKind

    received = today - timedelta(days=10)
    for kind, number in ((PrerequisiteKind.SECURITY_ORDER, "GCN-ANTT"), (PrerequisiteKind.FIRE_SAFETY, "NT-PCCC")):
        services.add_prerequisite(venue, kind=kind, number=f"{next(_seq)}/{number}", issued_on=today - timedelta(
            days=300), issuer="Công an TP Hải Phòng", expires_on=None)
    app = services.receive_application(licence_type=licence_type("HP-EVENT"), kind="new", venue=venue,
                                       channel=Channel.COUNTER, received_on=received, prepared_by=clerk,
                                       event_name="Đêm nhạc Bolero", event_starts_on=ends_on - timedelta(days=2),
                                       event_ends_on=ends_on)
    services.transition(app, ApplicationStatus.ACCEPTED, by=clerk, on=received)
    services.transition(app, ApplicationStatus.APPRAISAL, by=clerk, on=received + timedelta(days=1))
    services.record_appraisal(app, appraised_on=received + timedelta(days=2), no_inner_latch=True,
                              no_non_fire_alarm=True, notes=None)
    if app.fee_due:
        services.record_payment(app, receipt_number=f"T-BL-{app.id}", paid_on=received, amount=app.fee_due, by=clerk)
    return services.decide(app, approve=True, by=manager, on=today - timedelta(days=2))
