"""After issue: adjustments that supersede, copies, suspension and lifting, revocation, cessation, expiry."""
from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from registry.common.audit import AuditEvent
from registry.db import today_local
from registry.documents.models import DocumentKind, IssuedDocument
from registry.extensions import db
from registry.licences import lifecycle, services
from registry.licences.errors import LicensingError, TransitionError
from registry.licences.models import LicenceStatus as L
from registry.licences.models import LicenceType, SanctionKind
from registry.venues.models import Room
from tests.factories import make_operator, make_venue
from tests.licences.conftest import issue, licence_type, pay_in_full, receive, to_appraisal


def approve(application, clerk, manager):
    to_appraisal(application, clerk)
    pay_in_full(application, clerk)
    return services.decide(application, approve=True, by=manager)


def venue_actions(venue_id):
    return [e.action for e in db.session.execute(select(AuditEvent).where(AuditEvent.venue_id == venue_id)
                                                 .order_by(AuditEvent.id)).scalars()]


# ------------------------------------------------------------------------------------------------ adjustments
def test_adding_rooms_supersedes_the_licence_and_updates_the_register(app, clerk, manager):
    venue = make_venue(rooms=[Decimal("24.5")] * 6)
    first = issue(venue, clerk, manager)
    application = receive(venue, clerk, kind="adjust_rooms", subject_licence=first,
                          changes={"add_rooms": [{"code": "VIP7", "area_m2": "30"},
                                                 {"code": "VIP8", "area_m2": "28.5"}]})
    assert application.fee_due == 4_000_000
    second = approve(application, clerk, manager)

    assert (first.status, first.status_changed_on) == (L.SUPERSEDED, today_local())
    assert second.predecessor_id == first.id and first.successors == [second]
    assert second.number == first.number + 1 and second.status == L.ACTIVE
    snap = second.snapshot
    assert snap["supersedes"] == first.number_display and snap["room_count"] == 8
    assert {"code": "VIP8", "area_m2": "28.50"} in snap["rooms"]
    assert first.snapshot["room_count"] == 6  # the old licence keeps what it printed
    db.session.expire(venue)
    assert sorted(r.code for r in venue.active_rooms) == [f"VIP{i}" for i in range(1, 9)]
    actions = venue_actions(venue.id)
    assert {"licence.supersede", "licence.issue", "room.add", "application.approve"} <= set(actions)
    docs = db.session.execute(select(IssuedDocument).where(IssuedDocument.licence_id == second.id)).scalars().all()
    assert [d.kind for d in docs] == [DocumentKind.LICENCE]
    assert application.changes["applied"] is True


def test_removing_rooms_closes_them_in_the_register_with_history(app, clerk, manager):
    venue = make_venue(rooms=[Decimal("24.5")] * 6)
    first = issue(venue, clerk, manager)
    application = receive(venue, clerk, kind="adjust_rooms", subject_licence=first,
                          changes={"remove_rooms": ["VIP5", "VIP6"]})
    assert application.fee_due == 0
    second = approve(application, clerk, manager)
    assert second.snapshot["room_count"] == 4
    closed = db.session.execute(select(Room).where(Room.venue_id == venue.id, Room.code == "VIP6")).scalar_one()
    assert closed.valid_to is not None


def test_change_of_owner(app, clerk, manager):
    venue = make_venue()
    first = issue(venue, clerk, manager)
    buyer = make_operator(name="Hộ kinh doanh Karaoke Mới", kind="household")
    second = approve(receive(venue, clerk, kind="adjust_owner", subject_licence=first, operator=buyer), clerk, manager)
    assert second.operator_id == buyer.id and second.snapshot["operator"]["name"] == "Hộ kinh doanh Karaoke Mới"
    assert second.snapshot["operator"]["kind_label"] == "Hộ kinh doanh"
    assert db.session.get(type(venue), venue.id).operator_id == buyer.id
    assert first.status == L.SUPERSEDED and first.operator_id != buyer.id


def test_sports_certificate_change_adds_a_sport(app, clerk, manager):
    from registry.reference.models import Sport
    from registry.venues.models import VenueSport

    venue = make_venue(kind="sports")
    sports = {s.code: s for s in db.session.execute(select(Sport)).scalars()}
    venue.sports.append(VenueSport(sport_id=sports["football"].id))
    db.session.flush()
    services.add_prerequisite(venue, kind="enterprise_registration", number="0201", issued_on=today_local(),
                              issuer="Sở KH&ĐT")
    first = issue(venue, clerk, manager, code="HP-SPORTS", skip_documents=True)
    assert first.number_display == "1/GCN-SVHTT" and [s["code"] for s in first.snapshot["sports"]] == ["football"]
    application = receive(venue, clerk, code="HP-SPORTS", kind="sports_change", subject_licence=first,
                          changes={"add_sports": [{"sport_id": sports["badminton"].id}]})
    assert application.fee_due == 400_000
    second = approve(application, clerk, manager)
    assert [s["code"] for s in second.snapshot["sports"]] == ["badminton", "football"]
    db.session.expire(venue)
    assert {s.sport.code for s in venue.sports} == {"badminton", "football"}


def test_copy_reissues_a_marked_pdf_and_keeps_the_licence(app, clerk, manager, issued):
    licence = issued()
    application = receive(licence.venue, clerk, kind="reissue_copy", subject_licence=licence)
    services.transition(application, "accepted", by=clerk)
    assert services.decide(application, approve=True, by=manager) is licence
    kinds = db.session.execute(select(IssuedDocument.kind).where(IssuedDocument.licence_id == licence.id)
                               .order_by(IssuedDocument.id)).scalars().all()
    assert kinds == [DocumentKind.LICENCE, DocumentKind.LICENCE_COPY]
    assert licence.status == L.ACTIVE and "licence.copy" in venue_actions(licence.venue_id)


def test_superseded_licence_cannot_be_adjusted_again(app, clerk, manager):
    venue = make_venue()
    first = issue(venue, clerk, manager)
    approve(receive(venue, clerk, kind="adjust_rooms", subject_licence=first,
                    changes={"remove_rooms": ["VIP6"]}), clerk, manager)
    with pytest.raises(LicensingError, match="cannot be adjusted"):
        receive(venue, clerk, kind="adjust_rooms", subject_licence=first, changes={"remove_rooms": ["VIP5"]})


# ------------------------------------------------------------------------------------------------ sanctions
def test_suspension_by_two_bodies_and_lifting(app, manager, issued):
    licence = issued()
    ours = lifecycle.suspend(licence, starts_on=today_local(), reason="Vi phạm lần 2 (Điều 15)",
                             document_number="12/TB-SVHTT", by=manager)
    assert licence.status == L.SUSPENDED
    with pytest.raises(LicensingError, match="agency"):
        lifecycle.suspend(licence, kind=SanctionKind.AGENCY_SUSPENSION, starts_on=today_local(), reason="PCCC")
    police = lifecycle.suspend(licence, kind=SanctionKind.AGENCY_SUSPENSION, starts_on=today_local(),
                               reason="Không đảm bảo PCCC", issuing_body="Phòng Cảnh sát PCCC và CNCH",
                               ends_on=today_local() + timedelta(days=30), by=manager)
    lifecycle.lift_suspension(ours, lifted_on=today_local(), by=manager)
    assert licence.status == L.SUSPENDED  # the fire police's suspension still runs
    lifecycle.lift_suspension(police, lifted_on=today_local(), by=manager)
    assert licence.status == L.ACTIVE and licence.status_reason is None
    with pytest.raises(TransitionError, match="already been lifted"):
        lifecycle.lift_suspension(police, lifted_on=today_local())
    assert venue_actions(licence.venue_id).count("licence.suspend") == 2


def test_suspension_dates_are_checked(app, issued):
    licence = issued()
    with pytest.raises(LicensingError, match="future"):
        lifecycle.suspend(licence, starts_on=today_local() + timedelta(days=1), reason="x")
    with pytest.raises(LicensingError, match="end before it starts"):
        lifecycle.suspend(licence, starts_on=today_local(), ends_on=today_local() - timedelta(days=1), reason="x")
    with pytest.raises(LicensingError, match="before the licence was issued"):
        lifecycle.suspend(licence, starts_on=licence.issued_on - timedelta(days=1), reason="x")
    with pytest.raises(LicensingError, match="reason"):
        lifecycle.suspend(licence, starts_on=today_local(), reason=" ")


def test_revocation_ends_open_suspensions(app, manager, issued):
    licence = issued()
    suspension = lifecycle.suspend(licence, starts_on=today_local(), reason="Vi phạm")
    lifecycle.revoke(licence, on=today_local(), reason="Tái phạm", document_number="99/QĐ-UBND", by=manager)
    assert licence.status == L.REVOKED and suspension.lifted_on == today_local()
    assert [s.kind for s in licence.sanctions] == [SanctionKind.SUSPENSION, SanctionKind.REVOCATION]


def test_cessation(app, manager, issued):
    licence = issued()
    lifecycle.cease(licence, on=today_local(), reason="Chủ cơ sở nộp lại giấy phép", by=manager)
    assert licence.status == L.CEASED and "licence.cease" in venue_actions(licence.venue_id)


def licence_in(status, clerk, manager):
    """A licence brought to ``status`` through the services."""
    venue = make_venue()
    licence = issue(venue, clerk, manager)
    if status == L.SUSPENDED:
        lifecycle.suspend(licence, starts_on=today_local(), reason="x")
    elif status == L.REVOKED:
        lifecycle.revoke(licence, on=today_local(), reason="x")
    elif status == L.CEASED:
        lifecycle.cease(licence, on=today_local(), reason="x")
    elif status == L.SUPERSEDED:
        approve(receive(venue, clerk, kind="adjust_rooms", subject_licence=licence,
                        changes={"remove_rooms": ["VIP6"]}), clerk, manager)
    elif status == L.EXPIRED:
        licence.expires_on = today_local() - timedelta(days=1)
        lifecycle.expire_licences()
    assert licence.status == status
    return licence


ACTIONS = {
    "suspend": lambda lic: lifecycle.suspend(lic, starts_on=today_local(), reason="x"),
    "lift": lambda lic: lifecycle.lift_suspension(lic.sanctions[0], lifted_on=today_local()) if lic.sanctions
    else lifecycle._require_status(lic, (L.SUSPENDED,), "reinstated"),
    "revoke": lambda lic: lifecycle.revoke(lic, on=today_local(), reason="x"),
    "cease": lambda lic: lifecycle.cease(lic, on=today_local(), reason="x"),
}
LEGAL = {"suspend": {L.ACTIVE, L.SUSPENDED}, "lift": {L.SUSPENDED}, "revoke": {L.ACTIVE, L.SUSPENDED},
         "cease": {L.ACTIVE, L.SUSPENDED}}
RESULT = {"suspend": L.SUSPENDED, "lift": L.ACTIVE, "revoke": L.REVOKED, "cease": L.CEASED}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("status", list(L))
def test_licence_state_machine(app, clerk, manager, status, action):
    licence = licence_in(status, clerk, manager)
    if status in LEGAL[action]:
        ACTIONS[action](licence)
        assert licence.status == RESULT[action]
    else:
        with pytest.raises(TransitionError):
            ACTIONS[action](licence)
        assert licence.status == status


# ------------------------------------------------------------------------------------------------ expiry
@pytest.fixture
def annual_type(app):
    """A type with an annual term and a 10-day grace period, as other cities use."""
    base = licence_type("HP-KARAOKE")
    annual = LicenceType(code="X-ANNUAL", category=base.category, name_vi="Giấy phép năm", name_en="Annual licence",
                         title_vi="GIẤY PHÉP", title_en="LICENCE", symbol="GPN-TEST", authority_id=base.authority_id,
                         default_signer_id=base.default_signer_id, term_months=12, grace_days=10, processing_days=5,
                         adjustment_processing_days=4, rules_json=base.rules_json,
                         required_documents_json=base.required_documents_json, conditions_json="[]")
    db.session.add(annual)
    db.session.flush()
    return annual


def test_expiry_respects_the_grace_period_and_is_idempotent(app, runner, clerk, manager, annual_type):
    licence = issue(make_venue(), clerk, manager, code="X-ANNUAL")
    assert licence.expires_on == licence.valid_from.replace(year=licence.valid_from.year + 1) - timedelta(days=1)
    db.session.commit()
    last_grace_day = licence.expires_on + timedelta(days=10)
    result = runner.invoke(args=["licences", "expire", "--today", last_grace_day.isoformat()])
    assert "0 licence(s) expired" in result.output
    db.session.expire_all()
    assert licence.status == L.ACTIVE and lifecycle.in_grace(licence, last_grace_day)
    day_after = (last_grace_day + timedelta(days=1)).isoformat()
    result = runner.invoke(args=["licences", "expire", "--today", day_after])
    assert result.exit_code == 0 and "1 licence(s) expired" in result.output and licence.number_display in \
        result.output
    db.session.expire_all()
    assert licence.status == L.EXPIRED and licence.status_changed_on == last_grace_day + timedelta(days=1)
    again = runner.invoke(args=["licences", "expire", "--today", day_after])
    assert "0 licence(s) expired" in again.output
    assert venue_actions(licence.venue_id).count("licence.expire") == 1


def test_event_permit_expires_after_the_event(app, runner, clerk, manager):
    today = today_local()
    permit = issue(make_venue(), clerk, manager, code="HP-EVENT", event_name="Đêm nhạc Trịnh",
                   event_starts_on=today, event_ends_on=today + timedelta(days=2))
    assert (permit.valid_from, permit.expires_on) == (today, today + timedelta(days=2))
    assert permit.snapshot["event"] == {"name": "Đêm nhạc Trịnh", "starts_on": today.isoformat(),
                                        "ends_on": (today + timedelta(days=2)).isoformat()}
    db.session.commit()
    assert "0 licence(s)" in runner.invoke(args=["licences", "expire", "--today",
                                                 (today + timedelta(days=2)).isoformat()]).output
    assert "1 licence(s)" in runner.invoke(args=["licences", "expire", "--today",
                                                 (today + timedelta(days=3)).isoformat()]).output


def test_vietnamese_business_licences_never_expire(app, runner, issued):
    licence = issued()
    assert licence.expires_on is None
    db.session.commit()
    runner.invoke(args=["licences", "expire", "--today", "2099-01-01"])
    db.session.expire_all()
    assert licence.status == L.ACTIVE


def test_finished_suspensions_end_in_the_daily_run(app, runner, issued):
    licence = issued()
    lifecycle.suspend(licence, starts_on=today_local(), ends_on=today_local() + timedelta(days=5), reason="x")
    db.session.commit()
    later = (today_local() + timedelta(days=6)).isoformat()
    assert "1 suspension(s) ended" in runner.invoke(args=["licences", "expire", "--today", later]).output
    db.session.expire_all()
    assert licence.status == L.ACTIVE
    assert "0 suspension(s) ended" in runner.invoke(args=["licences", "expire", "--today", later]).output


def test_expire_command_refuses_a_bad_date(app, runner):
    result = runner.invoke(args=["licences", "expire", "--today", "31/02/2026"])
    assert result.exit_code == 1


def test_snapshot_has_the_keys_the_documents_read(app, issued):
    snap = issued().snapshot
    assert set(snap) == {"licence_type", "authority", "signer", "operator", "venue", "rooms", "room_count",
                         "total_area_m2", "sports", "hours", "conditions", "event", "number_display", "issued_on",
                         "valid_from", "expires_on", "supersedes"}
    assert set(snap["licence_type"]) == {"code", "category", "name_vi", "name_en", "title_vi", "title_en",
                                         "legal_basis_vi", "legal_basis_en"}
    assert set(snap["operator"]) == {"name", "kind", "kind_label", "kind_label_en", "registration_number",
                                     "registration_date", "registration_issuer", "head_office", "legal_rep_name"}
    assert set(snap["venue"]) == {"id", "ref", "name", "kind", "address", "ward", "district", "city", "phone",
                                  "capacity"}
    assert set(snap["signer"]) == {"full_name", "prefix", "prefix_en", "position", "position_en"}
    assert snap["hours"] == {"opens_at": "08:00", "closes_at": "23:30"}
    assert snap["rooms"][0] == {"code": "VIP1", "area_m2": "24.50"} and snap["total_area_m2"] == "147.00"
    assert "031090001234" not in json.dumps(snap)  # the representative's ID number is never copied
    assert snap["licence_type"]["legal_basis_vi"].endswith("Xét đề nghị của " + snap["operator"]["name"] + ",")


def test_verify_token_is_long_and_unique(app, issued):
    tokens = {issued().verify_token for _ in range(3)}
    assert len(tokens) == 3 and all(len(t) >= 32 for t in tokens)  # 24 random bytes → 32 characters


def test_licence_dates(app, clerk, manager):
    venue = make_venue()
    licence = issue(venue, clerk, manager)
    assert licence.issued_on == licence.valid_from == today_local() and licence.year == today_local().year
    assert date.fromisoformat(licence.snapshot["issued_on"]) == licence.issued_on
