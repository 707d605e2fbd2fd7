"""Issuing a licence when an application is approved: the number, the snapshot, the register changes an adjustment
asks for, the predecessor it supersedes, and the PDF (rendered once, at issue).
"""
from __future__ import annotations

import calendar as month_calendar
import json
import secrets
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from registry.common import audit
from registry.extensions import db
from registry.licences.errors import LicensingError
from registry.licences.models import Application, ApplicationKind, Licence, LicenceCategory, LicenceStatus
from registry.licences.numbering import format_number, next_number
from registry.licences.snapshot import build_snapshot

MAX_NUMBER_ATTEMPTS = 5


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months (31 January + 1 month = 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def validity(application: Application, on: date) -> tuple[date, date | None]:
    """``(valid_from, expires_on)`` of the licence issued on ``on``: event dates for an event permit, the type's
    term (if any) from the issue date or from the end of the renewed licence; no expiry otherwise."""
    ltype = application.licence_type
    if ltype.category == LicenceCategory.EVENT:
        return application.event_starts_on, application.event_ends_on
    valid_from = on
    predecessor = application.subject_licence
    if application.kind == ApplicationKind.RENEWAL and predecessor is not None and predecessor.expires_on:
        valid_from = max(on, predecessor.expires_on + timedelta(days=1))
    if ltype.term_months:
        return valid_from, add_months(valid_from, ltype.term_months) - timedelta(days=1)
    return valid_from, None


def apply_register_changes(application: Application, *, by) -> None:
    """Write what an adjustment changes into the venue register (rooms, owner, sports), once."""
    from registry.venues import services as venue_services

    changes = application.changes
    if changes.get("applied"):
        return
    venue = application.venue
    try:
        if application.kind == ApplicationKind.ADJUST_ROOMS:
            removed = set(changes.get("remove_rooms", []))
            wanted = [{"id": r.id, "code": r.code, "area_m2": r.area_m2, "active": r.active} for r in venue.rooms
                      if r.code not in removed]
            wanted += [{"id": None, "code": r["code"], "area_m2": r["area_m2"], "active": True}
                       for r in changes.get("add_rooms", [])]
            venue_services.set_rooms(venue, wanted, by_user_id=getattr(by, "id", None))
        elif application.kind == ApplicationKind.SPORTS_CHANGE:
            removed = set(changes.get("remove_sports", []))
            wanted = [{"sport_id": s.sport_id, "sells_instruction": s.sells_instruction, "open_water": s.open_water}
                      for s in venue.sports if s.sport_id not in removed] + changes.get("add_sports", [])
            venue_services.set_sports(venue, wanted)
        elif application.kind == ApplicationKind.ADJUST_OWNER and venue.operator_id != application.operator_id:
            before = venue.operator_id
            venue.operator_id = application.operator_id
            db.session.flush()
            audit.record("venue.update", venue, {"operator_id": [before, application.operator_id]})
    except venue_services.VenueError as exc:
        raise LicensingError(str(exc)) from exc
    application.changes_json = json.dumps({**changes, "applied": True})
    db.session.flush()
    db.session.expire(venue)


def _insert_with_number(application: Application, *, approved_by, on: date, signer, predecessor) -> Licence:
    ltype = application.licence_type
    valid_from, expires_on = validity(application, on)
    for _attempt in range(MAX_NUMBER_ATTEMPTS):
        number = next_number(ltype.authority_id, ltype.symbol, on.year)
        display = format_number(number, ltype.symbol)
        snapshot = build_snapshot(application, operator=application.operator, number_display=display, issued_on=on,
                                  valid_from=valid_from, expires_on=expires_on, signer=signer,
                                  supersedes=predecessor.number_display if predecessor is not None else None)
        licence = Licence(
            licence_type_id=ltype.id, authority_id=ltype.authority_id, venue_id=application.venue_id,
            operator_id=application.operator_id, application_id=application.id, number=number, year=on.year,
            symbol=ltype.symbol, number_display=display, issued_on=on, valid_from=valid_from, expires_on=expires_on,
            status=LicenceStatus.ACTIVE, predecessor_id=getattr(predecessor, "id", None),
            verify_token=secrets.token_urlsafe(24), snapshot_json=json.dumps(snapshot, ensure_ascii=False),
            signer_id=getattr(signer, "id", None), issued_by_id=getattr(approved_by, "id", None),
            approved_by_id=getattr(approved_by, "id", None))
        try:
            with db.session.begin_nested():
                db.session.add(licence)
        except IntegrityError:
            continue  # the number was taken outside the counter: take the next one
        return licence
    raise LicensingError(_("No free licence number could be taken; please try again."))


def issue_from_application(application: Application, *, approved_by, on: date) -> Licence:
    """Issue what an approved application asks for and render its PDF.

    A copy re-issues the existing licence as a marked copy; every other procedure issues a new licence with the
    next number, and an adjustment, sports change or renewal supersedes the licence it is about.
    """
    from registry.documents.licences import issue_licence_pdf
    from registry.public.pages import store_at_issue

    if application.kind == ApplicationKind.REISSUE_COPY:
        licence = application.subject_licence
        issue_licence_pdf(licence, issued_by=approved_by, copy=True)
        application.licence_id = licence.id
        db.session.flush()
        audit.record("licence.copy", licence, {"licence": licence.reference, "application": application.ref})
        return licence
    predecessor = application.subject_licence
    ltype = application.licence_type
    signer = ltype.default_signer if ltype.default_signer is not None and ltype.default_signer.active else None
    # the snapshot is built from the register plus the requested changes, before the changes are written
    licence = _insert_with_number(application, approved_by=approved_by, on=on, signer=signer,
                                  predecessor=predecessor)
    apply_register_changes(application, by=approved_by)
    application.licence_id = licence.id
    if predecessor is not None:
        predecessor.status, predecessor.status_changed_on = LicenceStatus.SUPERSEDED, on
        db.session.flush()
        audit.record("licence.supersede", predecessor, {"licence": predecessor.reference,
                                                        "successor": licence.reference,
                                                        "status": [LicenceStatus.ACTIVE.value,
                                                                   LicenceStatus.SUPERSEDED.value]})
    db.session.flush()
    audit.record("licence.issue", licence, {
        "licence": licence.reference, "application": application.ref, "licence_type": ltype.code,
        "valid_from": licence.valid_from, "expires_on": licence.expires_on,
        **({"supersedes": predecessor.reference} if predecessor is not None else {})})
    issue_licence_pdf(licence, issued_by=approved_by)
    store_at_issue(licence)  # so that even the first scan of its QR code finds its public page ready
    return licence
