"""Applications: intake checks, every legal and illegal status change, four-eyes, payment before issue."""
from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from registry.common.audit import AuditEvent
from registry.db import today_local
from registry.extensions import db
from registry.licences import services
from registry.licences.errors import (
    FeeNotPaidError,
    FourEyesError,
    LicensingError,
    LocationChangeError,
    NotEligibleError,
    TransitionError,
)
from registry.licences.models import ApplicationStatus as S
from registry.licences.models import ApplicationTransition, LicenceStatus
from tests.factories import make_operator, make_venue
from tests.licences.conftest import add_documents, issue, pay_in_full, receive, to_appraisal

LEGAL = {
    S.RECEIVED: {S.NEEDS_COMPLETION, S.ACCEPTED, S.REFUSED, S.WITHDRAWN},
    S.NEEDS_COMPLETION: {S.ACCEPTED, S.REFUSED, S.WITHDRAWN},
    S.ACCEPTED: {S.APPRAISAL, S.REFUSED, S.WITHDRAWN},
    S.APPRAISAL: {S.APPROVED, S.REFUSED, S.WITHDRAWN},
    S.APPROVED: {S.RESULT_DELIVERED},
    S.REFUSED: {S.RESULT_DELIVERED},
    S.RESULT_DELIVERED: set(),
    S.WITHDRAWN: set(),
}


def move(application, to, clerk, manager):
    if to in (S.APPROVED, S.REFUSED):
        return services.decide(application, approve=to == S.APPROVED, by=manager, reason="Lý do")
    return services.transition(application, to, by=clerk, reason="Lý do")


def reach(status, clerk, manager):
    """An eligible, paid karaoke application brought to ``status`` through legal moves only."""
    venue = make_venue(rooms=[Decimal("24.5")] * 6)
    add_documents(venue)
    application = receive(venue, clerk)
    pay_in_full(application, clerk)
    path = {S.RECEIVED: [], S.NEEDS_COMPLETION: [S.NEEDS_COMPLETION], S.ACCEPTED: [S.ACCEPTED],
            S.APPRAISAL: [S.ACCEPTED, S.APPRAISAL], S.APPROVED: [S.ACCEPTED, S.APPRAISAL, S.APPROVED],
            S.REFUSED: [S.REFUSED], S.RESULT_DELIVERED: [S.REFUSED, S.RESULT_DELIVERED],
            S.WITHDRAWN: [S.WITHDRAWN]}[status]
    for step in path:
        if step == S.APPROVED:
            services.record_appraisal(application, appraised_on=today_local(), no_inner_latch=True,
                                      no_non_fire_alarm=True, notes=None)
        move(application, step, clerk, manager)
    assert application.status == status
    return application


@pytest.mark.parametrize(("start", "to"), [(a, b) for a, b in itertools.product(S, S) if b in LEGAL[a]])
def test_every_legal_transition(app, clerk, manager, start, to):
    application = reach(start, clerk, manager)
    if to == S.APPROVED:
        services.record_appraisal(application, appraised_on=today_local(), no_inner_latch=True,
                                  no_non_fire_alarm=True, notes=None)
    move(application, to, clerk, manager)
    assert application.status == to
    last = application.transitions[-1]
    assert (last.from_status, last.to_status, last.reason) == (start, to, "Lý do")
    assert last.by_id == (manager.id if to in (S.APPROVED, S.REFUSED) else clerk.id)
    event = db.session.execute(select(AuditEvent).where(AuditEvent.entity_type == "applications",
                                                        AuditEvent.entity_id == application.id)
                               .order_by(AuditEvent.id.desc())).scalars().first()
    assert event.changes["status"] == [start.value, to.value] and event.venue_id == application.venue_id


@pytest.mark.parametrize(("start", "to"), [(a, b) for a, b in itertools.product(S, S) if b not in LEGAL[a]])
def test_every_illegal_transition_is_refused(app, clerk, manager, start, to):
    application = reach(start, clerk, manager)
    count = len(application.transitions)
    with pytest.raises(TransitionError):
        move(application, to, clerk, manager)
    assert application.status == start and len(application.transitions) == count


def test_a_copy_is_decided_without_appraisal(app, clerk, manager, issued):
    licence = issued()
    application = receive(licence.venue, clerk, kind="reissue_copy", subject_licence=licence)
    assert S.APPROVED not in services.allowed_transitions(application)
    services.transition(application, S.ACCEPTED, by=clerk)
    assert S.APPROVED in services.allowed_transitions(application)
    assert services.decide(application, approve=True, by=manager) is licence


@pytest.mark.parametrize("to", [S.NEEDS_COMPLETION, S.WITHDRAWN])
def test_reason_required(app, clerk, manager, to):
    application = reach(S.RECEIVED, clerk, manager)
    with pytest.raises(LicensingError, match="reason"):
        services.transition(application, to, by=clerk, reason="  ")


def test_refusal_needs_reasons(app, clerk, manager):
    application = reach(S.APPRAISAL, clerk, manager)
    with pytest.raises(LicensingError, match="reasons"):
        services.decide(application, approve=False, by=manager, reason="")
    services.decide(application, approve=False, by=manager, reason="Phòng VIP3 không đạt diện tích")
    assert application.status == S.REFUSED and application.licence is None
    assert application.decision_reason == "Phòng VIP3 không đạt diện tích"


def test_transition_dates_cannot_be_in_the_future_or_before_receipt(app, clerk, manager):
    application = reach(S.RECEIVED, clerk, manager)
    with pytest.raises(LicensingError, match="future"):
        services.transition(application, S.ACCEPTED, by=clerk, on=today_local() + timedelta(days=1))
    with pytest.raises(LicensingError, match="before the application was received"):
        services.transition(application, S.ACCEPTED, by=clerk, on=application.received_on - timedelta(days=1))


# ------------------------------------------------------------------------------------------------ four-eyes
def test_who_prepared_it_cannot_decide_it(app, make_user):
    preparer = make_user("manager")
    other = make_user("manager")
    application = reach(S.APPRAISAL, preparer, other)
    with pytest.raises(FourEyesError):
        services.decide(application, approve=True, by=preparer)
    with pytest.raises(FourEyesError):
        services.decide(application, approve=False, by=preparer, reason="x")
    assert services.decide(application, approve=True, by=other).number_display.endswith("/GP-SVHTT")


# ------------------------------------------------------------------------------------------------ fee
def test_no_licence_before_the_fee_is_paid_in_full(app, clerk, manager):
    venue = make_venue(rooms=[Decimal("24.5")] * 6)
    add_documents(venue)
    application = receive(venue, clerk)
    to_appraisal(application, clerk)
    with pytest.raises(FeeNotPaidError, match="not paid in full"):
        services.decide(application, approve=True, by=manager)
    services.record_payment(application, receipt_number="BL-1", paid_on=today_local(), amount=11_999_999, by=clerk)
    with pytest.raises(FeeNotPaidError, match="not paid in full: ₫1 still due"):
        services.decide(application, approve=True, by=manager)
    services.record_payment(application, receipt_number="BL-2", paid_on=today_local(), amount=1, by=clerk)
    licence = services.decide(application, approve=True, by=manager)
    assert licence.status == LicenceStatus.ACTIVE and application.fee_paid == 12_000_000


@pytest.mark.parametrize(("amount", "message"), [(0, "more than 0"), (-5, "more than 0"),
                                                 (12_000_001, "more than the"), (1.5, "whole đồng"),
                                                 (True, "whole đồng")])
def test_bad_payment_amounts(app, clerk, manager, amount, message):
    application = receive(make_venue(rooms=[Decimal("25")] * 6), clerk)
    with pytest.raises(LicensingError, match=message):
        services.record_payment(application, receipt_number="X", paid_on=today_local(), amount=amount, by=clerk)


def test_receipt_numbers_are_unique_and_dates_checked(app, clerk):
    application = receive(make_venue(), clerk)
    services.record_payment(application, receipt_number="BL-9", paid_on=today_local(), amount=100, by=clerk)
    with pytest.raises(LicensingError, match="already recorded"):
        services.record_payment(application, receipt_number="BL-9", paid_on=today_local(), amount=100, by=clerk)
    with pytest.raises(LicensingError, match="future"):
        services.record_payment(application, receipt_number="BL-10", paid_on=today_local() + timedelta(days=1),
                                amount=100, by=clerk)


def test_a_failing_rule_blocks_approval(app, clerk, manager):
    venue = make_venue(rooms=[Decimal("18")] + [Decimal("25")] * 5)
    add_documents(venue)
    application = receive(venue, clerk)
    to_appraisal(application, clerk)
    pay_in_full(application, clerk)
    with pytest.raises(NotEligibleError, match="Every singing room"):
        services.decide(application, approve=True, by=manager)
    assert application.status == S.APPRAISAL and application.licence_id is None


def test_latch_found_at_appraisal_blocks_approval(app, clerk, manager):
    venue = make_venue(rooms=[Decimal("25")] * 6)
    add_documents(venue)
    application = receive(venue, clerk)
    to_appraisal(application, clerk, latch=False)
    pay_in_full(application, clerk)
    with pytest.raises(NotEligibleError):
        services.decide(application, approve=True, by=manager)


# ------------------------------------------------------------------------------------------------ intake
def test_location_change_is_refused_with_an_explanation(app, clerk, issued):
    licence = issued()
    with pytest.raises(LocationChangeError, match="new licence"):
        receive(licence.venue, clerk, kind="adjust_rooms", subject_licence=licence, location_change=True,
                changes={"add_rooms": [{"code": "X", "area_m2": "30"}]})
    other_place = make_venue(operator=licence.operator)
    with pytest.raises(LocationChangeError, match="business location"):
        receive(other_place, clerk, kind="adjust_rooms", subject_licence=licence,
                changes={"add_rooms": [{"code": "X", "area_m2": "30"}]})


def test_second_new_licence_for_the_same_venue_is_refused(app, clerk, issued):
    licence = issued()
    with pytest.raises(LicensingError, match="already holds licence"):
        receive(licence.venue, clerk)
    venue = make_venue()
    first = receive(venue, clerk)
    with pytest.raises(LicensingError, match=first.ref):
        receive(venue, clerk)


def test_licence_type_must_fit_the_venue(app, clerk):
    with pytest.raises(LicensingError, match="cannot be issued for a venue"):
        receive(make_venue(), clerk, code="HP-DANCE")
    with pytest.raises(LicensingError, match="not a procedure"):
        receive(make_venue(kind="sports"), clerk, code="HP-SPORTS", kind="adjust_rooms")


def test_received_date_cannot_be_in_the_future(app, clerk):
    with pytest.raises(LicensingError, match="future"):
        receive(make_venue(), clerk, received_on=today_local() + timedelta(days=1))


@pytest.mark.parametrize(("changes", "message"), [
    ({}, "rooms to add or to remove"),
    ({"remove_rooms": ["NOPE"]}, "not a current room"),
    ({"add_rooms": [{"code": "VIP1", "area_m2": "30"}]}, "already used"),
    ({"remove_rooms": [f"VIP{i}" for i in range(1, 7)]}, "nothing to license"),
])
def test_room_adjustment_checks(app, clerk, issued, changes, message):
    licence = issued(venue=make_venue())
    with pytest.raises(LicensingError, match=message):
        receive(licence.venue, clerk, kind="adjust_rooms", subject_licence=licence, changes=changes)


def test_change_of_owner_needs_another_operator(app, clerk, issued):
    licence = issued()
    with pytest.raises(LicensingError, match="new owner"):
        receive(licence.venue, clerk, kind="adjust_owner", subject_licence=licence, operator=licence.operator)
    closed = make_operator(closed_on=today_local())
    with pytest.raises(LicensingError, match="closed"):
        receive(licence.venue, clerk, kind="adjust_owner", subject_licence=licence, operator=closed)


def test_event_permit_dates(app, clerk):
    venue = make_venue()
    today = today_local()
    with pytest.raises(LicensingError, match="name, start date and end date"):
        receive(venue, clerk, code="HP-EVENT")
    with pytest.raises(LicensingError, match="end before it starts"):
        receive(venue, clerk, code="HP-EVENT", event_name="Đêm nhạc", event_starts_on=today + timedelta(days=5),
                event_ends_on=today + timedelta(days=4))
    with pytest.raises(LicensingError, match="before the application is received"):
        receive(venue, clerk, code="HP-EVENT", event_name="Đêm nhạc", event_starts_on=today - timedelta(days=1),
                event_ends_on=today)
    application = receive(venue, clerk, code="HP-EVENT", event_name="Đêm nhạc", event_starts_on=today,
                          event_ends_on=today + timedelta(days=2))
    assert application.event_name == "Đêm nhạc"


def test_dossier_is_frozen_after_the_decision(app, clerk, manager):
    application = reach(S.APPROVED, clerk, manager)
    with pytest.raises(TransitionError):
        services.set_checklist(application, ["form01"])
    with pytest.raises(TransitionError):
        services.record_payment(application, receipt_number="Z", paid_on=today_local(), amount=1, by=clerk)


def test_transitions_are_recorded_with_who_when_why(app, clerk, manager):
    application = reach(S.WITHDRAWN, clerk, manager)
    rows = db.session.execute(select(ApplicationTransition).where(
        ApplicationTransition.application_id == application.id).order_by(ApplicationTransition.id)).scalars().all()
    assert [(r.from_status, r.to_status) for r in rows] == [(None, S.RECEIVED), (S.RECEIVED, S.WITHDRAWN)]
    assert rows[1].by_id == clerk.id and rows[1].reason == "Lý do" and rows[1].at is not None


def test_issue_the_licence_end_to_end(app, clerk, manager):
    licence = issue(make_venue(), clerk, manager)
    assert licence.application.licence_id == licence.id
