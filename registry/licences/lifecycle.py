"""What happens to a licence after issue: suspension (by the issuer or another agency) and its lifting, revocation,
cessation, and expiry of licences with a term. Each function checks the licence's status, raises a
``TransitionError`` (translated) when the change does not apply, flushes and records an audit event.

A licence may carry several open suspensions at once (say the Department's and the fire police's); it is valid again
only when the last one is lifted or has ended.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from registry.common import audit
from registry.common.labels import label
from registry.db import today_local
from registry.extensions import db
from registry.licences.errors import LicensingError, TransitionError
from registry.licences.models import Licence, LicenceStatus, LicenceType, Sanction, SanctionKind

SUSPENSIONS = frozenset({SanctionKind.SUSPENSION, SanctionKind.AGENCY_SUSPENSION})
IN_FORCE = (LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED)


def _require_status(licence: Licence, allowed: tuple[LicenceStatus, ...], action: str) -> None:
    if licence.status not in allowed:
        raise TransitionError(_("Licence %(number)s is “%(status)s”: it cannot be %(action)s.",
                                number=licence.number_display, status=label(licence.status), action=action))


def _check_start(day: date, licence: Licence, field: str = "starts_on") -> None:
    if day > today_local():
        raise LicensingError(_("Record it on the day it takes effect: the date cannot be in the future."), field=field)
    if day < licence.issued_on:
        raise LicensingError(_("The date cannot be before the licence was issued (%(d)s).",
                               d=licence.issued_on.strftime("%d/%m/%Y")), field=field)


def _set_status(licence: Licence, status: LicenceStatus, on: date, reason: str | None) -> str:
    previous = licence.status
    licence.status, licence.status_changed_on, licence.status_reason = status, on, reason
    return previous.value


def suspend(licence: Licence, *, starts_on: date, reason: str, kind: SanctionKind = SanctionKind.SUSPENSION,
            ends_on: date | None = None, document_number: str | None = None, issuing_body: str | None = None,
            by=None) -> Sanction:
    """Suspend a valid (or already suspended) licence from ``starts_on``, until ``ends_on`` or until lifted.

    :param kind: ``SUSPENSION`` (the issuer's notice, Decree 54/2019 Art. 15) or ``AGENCY_SUSPENSION`` (another
        agency, e.g. the fire police, stopped the activity).
    :raises TransitionError: if the licence is not in force. :raises LicensingError: for bad dates or no reason.
    """
    kind = SanctionKind(kind)
    if kind not in SUSPENSIONS:
        raise LicensingError(_("Choose a kind of suspension."), field="kind")
    _require_status(licence, IN_FORCE, _("suspended"))
    if not (reason or "").strip():
        raise LicensingError(_("Give the reason."), field="reason")
    _check_start(starts_on, licence)
    if ends_on is not None and ends_on < starts_on:
        raise LicensingError(_("A suspension cannot end before it starts."), field="ends_on")
    if kind == SanctionKind.AGENCY_SUSPENSION and not (issuing_body or "").strip():
        raise LicensingError(_("Name the agency that imposed the suspension."), field="issuing_body")
    sanction = Sanction(licence=licence, kind=kind, starts_on=starts_on, ends_on=ends_on, reason=reason.strip(),
                        document_number=document_number, issuing_body=issuing_body,
                        created_by_id=getattr(by, "id", None))
    db.session.add(sanction)
    previous = _set_status(licence, LicenceStatus.SUSPENDED, starts_on, reason.strip())
    db.session.flush()
    audit.record("licence.suspend", licence, {
        "licence": licence.reference, "status": [previous, LicenceStatus.SUSPENDED.value],
        "sanction": kind.value, "starts_on": starts_on, "ends_on": ends_on, "reason": reason.strip(),
        "document_number": document_number, "issuing_body": issuing_body})
    return sanction


def lift_suspension(sanction: Sanction, *, lifted_on: date, reason: str | None = None, by=None,
                    today: date | None = None) -> None:
    """End a suspension; the licence is valid again when no other suspension remains open.

    :param today: the day the change is recorded (the daily run may be told another day than the clock's).

    :raises TransitionError: if the sanction is not an open suspension or the licence is no longer suspended.
    """
    licence = sanction.licence
    if not sanction.is_open_suspension:
        raise TransitionError(_("This suspension has already been lifted."))
    _require_status(licence, (LicenceStatus.SUSPENDED,), _("reinstated"))
    if lifted_on < sanction.starts_on:
        raise LicensingError(_("A suspension cannot be lifted before it started."), field="lifted_on")
    if lifted_on > (today or today_local()):
        raise LicensingError(_("Record it on the day it takes effect: the date cannot be in the future."),
                             field="lifted_on")
    sanction.lifted_on = lifted_on
    db.session.flush()
    changes = {"licence": licence.reference, "sanction": sanction.kind.value, "lifted_on": lifted_on,
               **({"reason": reason} if reason else {})}
    if not [s for s in licence.sanctions if s.is_open_suspension]:
        changes["status"] = [_set_status(licence, LicenceStatus.ACTIVE, lifted_on, None),
                             LicenceStatus.ACTIVE.value]
    db.session.flush()
    audit.record("licence.lift", licence, changes)


def _end(licence: Licence, status: LicenceStatus, kind: SanctionKind, action: str, *, on: date, reason: str,
         document_number: str | None, issuing_body: str | None, by, verb: str) -> Sanction:
    _require_status(licence, IN_FORCE, verb)
    if not (reason or "").strip():
        raise LicensingError(_("Give the reason."), field="reason")
    _check_start(on, licence, field="on")
    sanction = Sanction(licence=licence, kind=kind, starts_on=on, reason=reason.strip(),
                        document_number=document_number, issuing_body=issuing_body,
                        created_by_id=getattr(by, "id", None))
    db.session.add(sanction)
    for open_suspension in [s for s in licence.sanctions if s.is_open_suspension]:
        open_suspension.lifted_on = max(on, open_suspension.starts_on)  # ends with the licence
    previous = _set_status(licence, status, on, reason.strip())
    db.session.flush()
    audit.record(action, licence, {"licence": licence.reference, "status": [previous, status.value],
                                   "on": on, "reason": reason.strip(), "document_number": document_number,
                                   "issuing_body": issuing_body})
    return sanction


def revoke(licence: Licence, *, on: date, reason: str, document_number: str | None = None,
           issuing_body: str | None = None, by=None) -> Sanction:
    """Revoke a valid or suspended licence (a decision of the issuing authority).

    :raises TransitionError: if the licence is superseded, revoked, ceased or expired.
    """
    return _end(licence, LicenceStatus.REVOKED, SanctionKind.REVOCATION, "licence.revoke", on=on, reason=reason,
                document_number=document_number, issuing_body=issuing_body, by=by, verb=_("revoked"))


def cease(licence: Licence, *, on: date, reason: str, document_number: str | None = None, by=None) -> Sanction:
    """Record that the holder stopped trading (licence surrendered, business closed).

    :raises TransitionError: if the licence is not in force.
    """
    return _end(licence, LicenceStatus.CEASED, SanctionKind.CESSATION, "licence.cease", on=on, reason=reason,
                document_number=document_number, issuing_body=None, by=by, verb=_("recorded as ceased"))


def expiry_due(licence: Licence, today: date) -> bool:
    """True when a licence with a term is past its expiry date plus the type's grace period."""
    if licence.expires_on is None or licence.status not in IN_FORCE:
        return False
    return today > licence.expires_on + timedelta(days=licence.licence_type.grace_days or 0)


def in_grace(licence: Licence, today: date) -> bool:
    """Past its expiry date but still inside the grace period."""
    return (licence.expires_on is not None and licence.status in IN_FORCE and licence.expires_on < today
            and not expiry_due(licence, today))


def expire_licences(today: date | None = None) -> list[Licence]:
    """Mark as expired every licence past its term and grace period (event permits after the event). Idempotent:
    a second run the same day finds nothing to do.

    :returns: the licences expired by this run.
    """
    today = today or today_local()
    candidates = db.session.execute(
        select(Licence).where(Licence.status.in_(IN_FORCE), Licence.expires_on.is_not(None),
                              Licence.expires_on < today)
        .options(selectinload(Licence.licence_type).load_only(LicenceType.grace_days),
                 selectinload(Licence.sanctions))
        .order_by(Licence.expires_on, Licence.id)).scalars().all()
    expired = []
    for licence in candidates:
        if not expiry_due(licence, today):
            continue
        on = licence.expires_on + timedelta(days=(licence.licence_type.grace_days or 0) + 1)
        for open_suspension in [s for s in licence.sanctions if s.is_open_suspension]:
            open_suspension.lifted_on = max(on, open_suspension.starts_on)
        previous = _set_status(licence, LicenceStatus.EXPIRED, on, None)
        db.session.flush()
        audit.record("licence.expire", licence, {"licence": licence.reference,
                                                 "status": [previous, LicenceStatus.EXPIRED.value],
                                                 "expires_on": licence.expires_on})
        expired.append(licence)
    return expired


def end_finished_suspensions(today: date | None = None) -> list[Sanction]:
    """Close suspensions whose end date has passed (the licence is valid again when none remains). Idempotent."""
    today = today or today_local()
    finished = db.session.execute(
        select(Sanction).join(Licence).where(Sanction.kind.in_(SUSPENSIONS), Sanction.lifted_on.is_(None),
                                             Sanction.ends_on.is_not(None), Sanction.ends_on < today,
                                             Licence.status == LicenceStatus.SUSPENDED)
        .order_by(Sanction.ends_on, Sanction.id)).scalars().all()
    for sanction in finished:
        lift_suspension(sanction, lifted_on=sanction.ends_on + timedelta(days=1),
                        reason=_("The suspension period ended."), today=today)
    return finished
