"""Applications: intake, the dossier's status (with its legal clock), documents, appraisal, fee and payments, and
the decision. Every function checks the current state, raises a ``LicensingError`` (translated) on refusal,
flushes and writes an audit event; none commits.

The legal clock: the processing time runs from the day the dossier is complete. A dossier is presumed complete when
received, so the due date is counted from ``received_on``. Asking for missing papers ("needs completion") stops the
clock (no due date); accepting the completed dossier restarts it from the day the papers arrived, from zero, because
the law counts the time limit from receipt of a complete dossier.
"""
from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from registry.common import audit
from registry.common.labels import label
from registry.common.text import fold
from registry.db import today_local
from registry.extensions import db
from registry.licences import dossier
from registry.licences.errors import (
    FeeNotPaidError,
    FourEyesError,
    LicensingError,
    LocationChangeError,
    NotEligibleError,
    TransitionError,
)
from registry.licences.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    ApplicationTransition,
    Channel,
    Licence,
    LicenceCategory,
    LicenceStatus,
    LicenceType,
    Payment,
    PrerequisiteDocument,
    PrerequisiteKind,
    category_label,
)
from registry.licences.workdays import calendar

S = ApplicationStatus
#: Every status change an application may make (decisions go through ``decide``).
TRANSITIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    S.RECEIVED: frozenset({S.NEEDS_COMPLETION, S.ACCEPTED, S.REFUSED, S.WITHDRAWN}),
    S.NEEDS_COMPLETION: frozenset({S.ACCEPTED, S.REFUSED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.APPRAISAL, S.APPROVED, S.REFUSED, S.WITHDRAWN}),
    S.APPRAISAL: frozenset({S.APPROVED, S.REFUSED, S.WITHDRAWN}),
    S.APPROVED: frozenset({S.RESULT_DELIVERED}),
    S.REFUSED: frozenset({S.RESULT_DELIVERED}),
    S.RESULT_DELIVERED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
DECISIONS = frozenset({S.APPROVED, S.REFUSED})
REASON_REQUIRED = frozenset({S.NEEDS_COMPLETION, S.REFUSED, S.WITHDRAWN})
TRANSITION_ACTIONS = {S.NEEDS_COMPLETION: "application.needs_completion", S.ACCEPTED: "application.accept",
                      S.APPRAISAL: "application.appraisal_start", S.RESULT_DELIVERED: "application.deliver",
                      S.WITHDRAWN: "application.withdraw", S.APPROVED: "application.approve",
                      S.REFUSED: "application.refuse"}

#: Which procedures each category of licence offers.
KINDS_BY_CATEGORY = {
    LicenceCategory.KARAOKE: (ApplicationKind.NEW, ApplicationKind.ADJUST_ROOMS, ApplicationKind.ADJUST_OWNER,
                              ApplicationKind.REISSUE_COPY, ApplicationKind.RENEWAL),
    LicenceCategory.DANCE_HALL: (ApplicationKind.NEW, ApplicationKind.ADJUST_ROOMS, ApplicationKind.ADJUST_OWNER,
                                 ApplicationKind.REISSUE_COPY, ApplicationKind.RENEWAL),
    LicenceCategory.SPORTS: (ApplicationKind.NEW, ApplicationKind.SPORTS_CHANGE, ApplicationKind.REISSUE_COPY,
                             ApplicationKind.RENEWAL),
    LicenceCategory.EVENT: (ApplicationKind.NEW, ApplicationKind.REISSUE_COPY),
}
VENUE_KIND_BY_CATEGORY = {LicenceCategory.KARAOKE: "karaoke", LicenceCategory.DANCE_HALL: "dance_hall",
                          LicenceCategory.SPORTS: "sports"}
ADJUSTMENTS = frozenset({ApplicationKind.ADJUST_ROOMS, ApplicationKind.ADJUST_OWNER, ApplicationKind.SPORTS_CHANGE,
                         ApplicationKind.RENEWAL})


def _actor_id(user) -> int | None:
    return getattr(user, "id", None)


def location_change_message() -> str:
    return _("A change of business location cannot be made by adjusting a licence: the licence is tied to its "
             "address (Decree 54/2019/NĐ-CP as amended by Decree 148/2024/NĐ-CP). Register the venue at its new "
             "address and take in an application for a new licence there.")


def processing_days(application: Application) -> int:
    """Legal processing time in working days for the application's procedure."""
    ltype = application.licence_type
    return ltype.processing_days if application.kind in (ApplicationKind.NEW, ApplicationKind.RENEWAL) \
        else ltype.adjustment_processing_days


def _check_day(day: date, application: Application | None = None, *, field: str = "on",
               what: str | None = None) -> None:
    """A date a person gives for something that has happened: not in the future, not before the dossier."""
    if day > today_local():
        raise LicensingError(_("%(what)s cannot be in the future.", what=what or _("The date")), field=field)
    if application is not None and day < application.received_on:
        raise LicensingError(_("%(what)s cannot be before the application was received (%(d)s).",
                               what=what or _("The date"), d=application.received_on.strftime("%d/%m/%Y")),
                             field=field)


# ------------------------------------------------------------------------------------------------ intake
def _check_venue_fits(ltype: LicenceType, venue) -> None:
    if venue.is_closed:
        raise LicensingError(_("This venue is closed in the register."), field="venue_id")
    wanted = VENUE_KIND_BY_CATEGORY.get(ltype.category)
    if wanted is not None and venue.kind.value != wanted:
        raise LicensingError(_("A %(type)s cannot be issued for a venue registered as %(kind)s.",
                               type=category_label(ltype.category), kind=label(venue.kind)),
                             field="licence_type_id")


def _check_new(ltype: LicenceType, venue) -> None:
    if ltype.category == LicenceCategory.EVENT:
        return
    existing = db.session.execute(select(Licence).where(
        Licence.venue_id == venue.id, Licence.licence_type_id == ltype.id,
        Licence.status.in_([LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED]))).scalars().first()
    if existing is not None:
        raise LicensingError(_("This venue already holds licence %(number)s of this type. To change rooms or owner, "
                               "take in an adjustment of that licence.", number=existing.number_display),
                             field="kind")
    pending = db.session.execute(select(Application).where(
        Application.venue_id == venue.id, Application.licence_type_id == ltype.id,
        Application.kind == ApplicationKind.NEW,
        Application.status.in_([S.RECEIVED, S.NEEDS_COMPLETION, S.ACCEPTED, S.APPRAISAL]))).scalars().first()
    if pending is not None:
        raise LicensingError(_("Application %(ref)s for a new licence of this type at this venue is still open.",
                               ref=pending.ref), field="kind")


def _check_subject(kind: ApplicationKind, ltype: LicenceType, venue, subject: Licence | None) -> None:
    if subject is None:
        raise LicensingError(_("Choose the licence this application is about."), field="subject_licence_id")
    if subject.licence_type_id != ltype.id:
        raise LicensingError(_("Licence %(number)s is of another type.", number=subject.number_display),
                             field="subject_licence_id")
    if subject.venue_id != venue.id:
        raise LocationChangeError(location_change_message(), field="subject_licence_id")
    allowed = (LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED) if kind == ApplicationKind.REISSUE_COPY \
        else (LicenceStatus.ACTIVE,)
    if subject.status not in allowed:
        raise LicensingError(_("Licence %(number)s is %(status)s: it cannot be %(what)s.",
                               number=subject.number_display, status=label(subject.status).lower(),
                               what=_("copied") if kind == ApplicationKind.REISSUE_COPY else _("adjusted")),
                             field="subject_licence_id")
    if kind == ApplicationKind.RENEWAL and subject.expires_on is None:
        raise LicensingError(_("Licence %(number)s has no term, so it is not renewed.",
                               number=subject.number_display), field="kind")


def _clean_room_changes(venue, changes: dict) -> dict:
    current = {fold(r.code): r for r in venue.active_rooms}
    remove = []
    for code in changes.get("remove_rooms", []):
        if fold(code) not in current:
            raise LicensingError(_("Room %(code)s is not a current room of this venue.", code=code),
                                 field="remove_rooms")
        remove.append(current[fold(code)].code)
    add, seen = [], {fold(c) for c in current} - {fold(c) for c in remove}
    for item in changes.get("add_rooms", []):
        code, area = item["code"], Decimal(str(item["area_m2"]))
        if fold(code) in seen:
            raise LicensingError(_("Room code %(code)s is already used at this venue.", code=code), field="add_rooms")
        if not Decimal(0) < area < Decimal(10000):
            raise LicensingError(_("An area must be more than 0 and less than 10,000 m²."), field="add_rooms")
        seen.add(fold(code))
        add.append({"code": code, "area_m2": f"{area:.2f}"})
    if not add and not remove:
        raise LicensingError(_("Give the rooms to add or to remove."), field="add_rooms")
    if not seen:
        raise LicensingError(_("Removing every room leaves nothing to license; to stop trading, record the "
                               "licence as ceased instead."), field="remove_rooms")
    return {"add_rooms": add, "remove_rooms": remove}


def _clean_sports_changes(venue, changes: dict) -> dict:
    offered = {s.sport_id for s in venue.sports}
    add = [a for a in changes.get("add_sports", []) if a["sport_id"] not in offered]
    remove = [s for s in changes.get("remove_sports", []) if s in offered]
    if len(add) != len(changes.get("add_sports", [])) or len(remove) != len(changes.get("remove_sports", [])):
        raise LicensingError(_("A sport to add is already offered, or a sport to remove is not."), field="add_sports")
    return {"add_sports": add, "remove_sports": remove, "description": changes.get("description") or ""}


def receive_application(*, licence_type: LicenceType, kind: ApplicationKind, venue, channel: Channel,
                        received_on: date, prepared_by, operator=None, subject_licence: Licence | None = None,
                        changes: dict | None = None, event_name: str | None = None,
                        event_starts_on: date | None = None, event_ends_on: date | None = None,
                        notes: str | None = None, location_change: bool = False) -> Application:
    """Take in a dossier at the one-stop desk.

    :param operator: the new owner for a change of owner (defaults to the venue's operator).
    :param subject_licence: the licence an adjustment, copy or renewal is about.
    :param changes: ``{"add_rooms": [{"code", "area_m2"}], "remove_rooms": [codes]}`` for a room adjustment,
        ``{"add_sports": [{"sport_id", "sells_instruction", "open_water"}], "remove_sports": [ids]}`` for sports.
    :param location_change: the applicant asked to move the business: always refused (a new licence is needed).
    :raises LicensingError: when the procedure does not fit the licence type, the venue or the licence.
    :raises LocationChangeError: for a change of location.
    """
    kind, changes = ApplicationKind(kind), dict(changes or {})
    if location_change:
        raise LocationChangeError(location_change_message(), field="kind")
    if not licence_type.active:
        raise LicensingError(_("This licence type is no longer issued."), field="licence_type_id")
    if kind not in KINDS_BY_CATEGORY[licence_type.category]:
        raise LicensingError(_("%(kind)s is not a procedure of this licence type.", kind=label(kind)), field="kind")
    _check_day(received_on, field="received_on", what=_("The date received"))
    _check_venue_fits(licence_type, venue)
    if kind == ApplicationKind.NEW:
        _check_new(licence_type, venue)
        subject_licence = None
    else:
        _check_subject(kind, licence_type, venue, subject_licence)
    if kind == ApplicationKind.ADJUST_ROOMS:
        changes = _clean_room_changes(venue, changes)
    elif kind == ApplicationKind.SPORTS_CHANGE:
        changes = _clean_sports_changes(venue, changes)
    elif kind == ApplicationKind.ADJUST_OWNER:
        if operator is None or operator.id == subject_licence.operator_id:
            raise LicensingError(_("Choose the new owner (an operator other than the current holder)."),
                                 field="operator_id")
        if operator.closed_on is not None:
            raise LicensingError(_("The new owner is closed in the register."), field="operator_id")
        changes = {"previous_operator_id": subject_licence.operator_id}
    else:
        changes = {}
    if kind != ApplicationKind.ADJUST_OWNER:
        operator = venue.operator
    if licence_type.category == LicenceCategory.EVENT and kind == ApplicationKind.NEW:
        if not event_name or event_starts_on is None or event_ends_on is None:
            raise LicensingError(_("Give the event's name, start date and end date."), field="event_name")
        if event_ends_on < event_starts_on:
            raise LicensingError(_("The event cannot end before it starts."), field="event_ends_on")
        if event_starts_on < received_on:
            raise LicensingError(_("The event cannot start before the application is received."),
                                 field="event_starts_on")
    else:
        event_name = event_starts_on = event_ends_on = None
    application = Application(
        ref=f"tmp-{uuid.uuid4().hex[:24]}", kind=kind, status=S.RECEIVED, licence_type=licence_type, venue=venue,
        operator_id=operator.id, subject_licence=subject_licence, channel=Channel(channel), received_on=received_on,
        prepared_by_id=prepared_by.id, assigned_to_id=prepared_by.id, changes_json=json.dumps(changes),
        event_name=event_name, event_starts_on=event_starts_on, event_ends_on=event_ends_on, notes=notes)
    db.session.add(application)
    db.session.flush()
    application.ref = f"HS-{received_on.year}-{application.id:05d}"
    _start_clock(application, received_on)
    db.session.add(ApplicationTransition(application=application, from_status=None, to_status=S.RECEIVED,
                                         effective_on=received_on, by_id=prepared_by.id))
    _set_fee(application)
    db.session.flush()
    audit.record("application.receive", application, {
        "application": application.ref, "kind": kind.value, "licence_type": licence_type.code,
        "channel": application.channel.value, "received_on": received_on, "due_on": application.due_on,
        "fee_due": application.fee_due, **({"licence": subject_licence.reference} if subject_licence else {})})
    return application


def _start_clock(application: Application, start: date) -> None:
    application.clock_started_on = start
    application.due_on = calendar().add(start, processing_days(application))


# ------------------------------------------------------------------------------------------------ status
def allowed_transitions(application: Application) -> list[ApplicationStatus]:
    """The statuses the application may move to next (decisions included), in workflow order."""
    allowed = set(TRANSITIONS[application.status])
    if application.status == S.ACCEPTED and application.kind not in dossier.NO_ASSESSMENT:
        allowed.discard(S.APPROVED)  # a new licence or an adjustment is appraised on site first
    return [s for s in ApplicationStatus if s in allowed]


def _check_transition(application: Application, to: ApplicationStatus) -> None:
    if to not in allowed_transitions(application):
        raise TransitionError(_("An application that is “%(current)s” cannot become “%(to)s”.",
                                current=label(application.status), to=label(to)))


def _record_transition(application: Application, to: ApplicationStatus, *, by, on: date,
                       reason: str | None) -> None:
    previous = application.status
    application.status = to
    db.session.add(ApplicationTransition(application=application, from_status=previous, to_status=to,
                                         effective_on=on, by_id=_actor_id(by), reason=reason))
    db.session.flush()
    audit.record(TRANSITION_ACTIONS[to], application, {"application": application.ref,
                                                       "status": [previous.value, to.value],
                                                       **({"reason": reason} if reason else {})})


def transition(application: Application, to: ApplicationStatus, *, by, on: date | None = None,
               reason: str | None = None) -> None:
    """Move the dossier on (needs completion, accepted, appraisal, result delivered, withdrawn).

    :param on: the day it happened (defaults to today): the day the missing papers arrived restarts the clock.
    :raises TransitionError: for a move the workflow does not allow, or a decision (use ``decide``).
    :raises LicensingError: for a missing reason or an impossible date.
    """
    to, on = ApplicationStatus(to), on or today_local()
    if to in DECISIONS:
        raise TransitionError(_("Approving or refusing is a decision: use the decision form."))
    _check_transition(application, to)
    if to in REASON_REQUIRED and not (reason or "").strip():
        raise LicensingError(_("Give the reason."), field="reason")
    _check_day(on, application)
    if to == S.NEEDS_COMPLETION:
        application.clock_started_on, application.due_on = None, None
    elif to == S.ACCEPTED and application.status == S.NEEDS_COMPLETION:
        _start_clock(application, on)
    _record_transition(application, to, by=by, on=on, reason=(reason or "").strip() or None)


def check_can_decide(application: Application, user) -> None:
    """The four-eyes rule: whoever prepared an application does not decide it.

    :raises FourEyesError: when ``user`` prepared it.
    """
    if user is not None and application.prepared_by_id == user.id:
        raise FourEyesError(_("You prepared this application, so another manager must decide it (four-eyes rule)."))


def approval_problems(application: Application) -> list[str]:
    """Why the application cannot be approved now (empty when it can); shown before the manager decides."""
    problems = []
    if S.APPROVED not in allowed_transitions(application):
        problems.append(_("It is “%(status)s”: only an application under appraisal can be approved.",
                          status=label(application.status)))
    failing = dossier.verdict(application).blocking
    if failing:
        problems.append(_("Eligibility rules not met: %(rules)s.", rules="; ".join(
            r.title(_lang()) for r in failing)))
    quote = dossier.fee_quote(application)
    if quote.total != application.fee_due:
        problems.append(_("The fee recorded (%(recorded)s) differs from what the schedule gives now (%(now)s): "
                          "recalculate the fee.", recorded=_money(application.fee_due), now=_money(quote.total)))
    elif application.fee_paid < application.fee_due:
        problems.append(_("The fee is not paid in full: %(due)s still due.", due=_money(application.fee_outstanding)))
    if application.subject_licence is not None and application.kind != ApplicationKind.REISSUE_COPY \
            and application.subject_licence.status != LicenceStatus.ACTIVE:
        problems.append(_("Licence %(number)s is no longer valid.", number=application.subject_licence.number_display))
    return problems


def _lang() -> str:
    from registry.i18n import current_language

    return current_language()


def _money(value: int) -> str:
    from registry.common.formatting import fmt_money

    return fmt_money(value)


def decide(application: Application, *, approve: bool, by, reason: str | None = None,
           on: date | None = None) -> Licence | None:
    """Approve (issuing the licence, or the copy) or refuse, with reasons.

    :returns: the licence issued (the copied licence for a copy), or None for a refusal.
    :raises FourEyesError: when ``by`` prepared the application.
    :raises TransitionError: when the application is not ready for this decision.
    :raises NotEligibleError: when a rule fails. :raises FeeNotPaidError: when the fee is not paid in full.
    """
    from registry.licences import issuing

    on, reason = on or today_local(), (reason or "").strip() or None
    to = S.APPROVED if approve else S.REFUSED
    check_can_decide(application, by)
    _check_transition(application, to)
    _check_day(on, application)
    if not approve and not reason:
        raise LicensingError(_("Give the reasons for the refusal; they are sent to the applicant."), field="reason")
    licence = None
    if approve:
        problems = approval_problems(application)
        if dossier.verdict(application).blocking:
            raise NotEligibleError(" ".join(problems))
        if problems:
            raise FeeNotPaidError(" ".join(problems)) if application.fee_paid < application.fee_due \
                else LicensingError(" ".join(problems))
        licence = issuing.issue_from_application(application, approved_by=by, on=on)
    application.decided_on, application.decided_by_id, application.decision_reason = on, _actor_id(by), reason
    _record_transition(application, to, by=by, on=on, reason=reason)
    return licence


# ------------------------------------------------------------------------------------------------ dossier
def add_prerequisite(venue, *, kind: PrerequisiteKind, number: str, issued_on: date, issuer: str,
                     expires_on: date | None = None, notes: str | None = None) -> PrerequisiteDocument:
    """Record a certificate from another agency; it replaces the venue's earlier document of the same kind.

    :raises LicensingError: for a date in the future or an expiry before the issue date.
    """
    kind = PrerequisiteKind(kind)
    _check_day(issued_on, field="issued_on", what=_("The date of issue"))
    if expires_on is not None and expires_on < issued_on:
        raise LicensingError(_("A document cannot expire before it was issued."), field="expires_on")
    document = PrerequisiteDocument(venue_id=venue.id, kind=kind, number=number, issued_on=issued_on, issuer=issuer,
                                    expires_on=expires_on, notes=notes)
    db.session.add(document)
    db.session.flush()
    older = db.session.execute(select(PrerequisiteDocument).where(
        PrerequisiteDocument.venue_id == venue.id, PrerequisiteDocument.kind == kind,
        PrerequisiteDocument.superseded_by_id.is_(None), PrerequisiteDocument.id != document.id)).scalars()
    for doc in older:
        doc.superseded_by_id = document.id
    db.session.flush()
    audit.record("prerequisite.add", document, {"kind": kind.value, "number": number, "issued_on": issued_on,
                                                "issuer": issuer, "expires_on": expires_on})
    return document


def _check_open(application: Application) -> None:
    if not application.is_open:
        raise TransitionError(_("Application %(ref)s is “%(status)s”: its dossier can no longer be changed.",
                                ref=application.ref, status=label(application.status)))


def set_checklist(application: Application, keys: list[str]) -> None:
    """Record which items of the dossier checklist were handed in."""
    _check_open(application)
    known = {item.get("key") for item in application.licence_type.required_documents}
    keys = sorted(k for k in set(keys) if k in known)
    if keys == application.checklist:
        return
    before = application.checklist
    application.checklist_json = json.dumps(keys)
    db.session.flush()
    audit.record("application.checklist", application, {"application": application.ref,
                                                        "received": [before, keys]})


def record_appraisal(application: Application, *, appraised_on: date, no_inner_latch: bool | None,
                     no_non_fire_alarm: bool | None, notes: str | None) -> None:
    """Record the on-site appraisal findings (only while the application is under appraisal)."""
    if application.status != S.APPRAISAL:
        raise TransitionError(_("Start the appraisal before recording its findings."))
    _check_day(appraised_on, application, field="appraised_on", what=_("The appraisal date"))
    fields = ("appraised_on", "no_inner_latch", "no_non_fire_alarm", "appraisal_notes")
    before = audit.snapshot(application, fields)
    application.appraised_on, application.no_inner_latch = appraised_on, no_inner_latch
    application.no_non_fire_alarm, application.appraisal_notes = no_non_fire_alarm, notes
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(application, fields))
    if changes:
        audit.record("application.appraisal", application, {"application": application.ref, **changes})


def correct_rooms(application: Application, areas: dict[int, Decimal], *, by) -> list:
    """Correct room areas in the venue register as measured at appraisal (the register keeps the history).

    :param areas: ``{current room row id: measured area}``.
    """
    from registry.venues import services as venue_services

    _check_open(application)
    rooms = application.venue.active_rooms
    unknown = set(areas) - {r.id for r in rooms}
    if unknown:
        raise LicensingError(_("A room on the form no longer exists; reload the page and try again."))
    wanted = [{"id": r.id, "code": r.code, "area_m2": areas.get(r.id, r.area_m2), "active": r.active}
              for r in application.venue.rooms]
    try:
        changed = venue_services.set_rooms(application.venue, wanted, by_user_id=_actor_id(by))
    except venue_services.VenueError as exc:
        raise LicensingError(str(exc)) from exc
    db.session.refresh(application.venue)
    return changed


def _set_fee(application: Application) -> bool:
    quote = dossier.fee_quote(application)
    changed = quote.total != application.fee_due or quote.as_dict() != application.fee_breakdown
    application.fee_due, application.fee_breakdown_json = quote.total, json.dumps(quote.as_dict())
    return changed


def recalculate_fee(application: Application) -> None:
    """Recompute the fee from the schedule (after the rooms or sports were corrected), before any payment.

    :raises TransitionError: once a payment has been recorded, or after the decision.
    """
    _check_open(application)
    if application.payments:
        raise TransitionError(_("A payment is already recorded, so the fee can no longer be recalculated."))
    before = application.fee_due
    if _set_fee(application):
        db.session.flush()
        audit.record("application.fee", application, {"application": application.ref,
                                                      "fee_due": [before, application.fee_due]})


def record_payment(application: Application, *, receipt_number: str, paid_on: date, amount: int, by) -> Payment:
    """Record a fee payment (integer VND).

    :raises LicensingError: for a non-positive amount, more than is due, a receipt number already used, or a bad
        date.
    """
    _check_open(application)
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise LicensingError(_("Enter the amount paid in whole đồng, more than 0."), field="amount")
    if amount > application.fee_outstanding:
        raise LicensingError(_("The amount is more than the %(due)s still due.",
                               due=_money(application.fee_outstanding)), field="amount")
    _check_day(paid_on, application, field="paid_on", what=_("The payment date"))
    taken = db.session.execute(select(Payment.id).where(Payment.receipt_number == receipt_number)).first()
    if taken is not None:
        raise LicensingError(_("Receipt number %(number)s is already recorded.", number=receipt_number),
                             field="receipt_number")
    payment = Payment(application=application, receipt_number=receipt_number, paid_on=paid_on, amount=amount,
                      recorded_by_id=_actor_id(by))
    db.session.add(payment)
    db.session.flush()
    audit.record("payment.record", payment, {"application": application.ref, "receipt_number": receipt_number,
                                             "paid_on": paid_on, "amount": amount},
                 venue_id=application.venue_id, operator_id=application.operator_id)
    return payment


def assign(application: Application, user) -> None:
    """Give the application to an officer."""
    _check_open(application)
    if application.assigned_to_id == _actor_id(user):
        return
    before = application.assigned_to_id
    application.assigned_to_id = _actor_id(user)
    db.session.flush()
    audit.record("application.update", application, {"application": application.ref,
                                                     "assigned_to_id": [before, application.assigned_to_id]})
