"""Consequence rules: a lapsed prerequisite document flags (or suspends) the licences that depend on it, and a
renewed document clears the flag (and lifts the suspension). ``flask rules apply`` is idempotent."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from registry.common.audit import AuditEvent
from registry.db import today_local
from registry.licences.models import LicenceStatus, Sanction, SanctionKind
from registry.oversight.models import LicenceFlag
from registry.oversight.rules import apply_rules, on_document_recorded
from tests.factories import make_venue
from tests.oversight import helpers


def _flags(db, licence):
    return db.session.execute(select(LicenceFlag).where(LicenceFlag.licence_id == licence.id)
                              .order_by(LicenceFlag.id)).scalars().all()


def test_lapsed_fire_safety_flags_the_karaoke_licence_without_suspending_it(db):
    today = today_local()
    venue = make_venue()
    licence = helpers.make_licence(venue, type_code="HP-KARAOKE")
    doc = helpers.make_document(venue, kind="fire_safety", expires_on=today - timedelta(days=1))
    result = apply_rules(today)
    db.session.commit()
    assert result.flagged == [licence.id] and result.suspended == []
    [flag] = _flags(db, licence)
    assert flag.is_open and flag.document_id == doc.id and flag.lapsed_on == today - timedelta(days=1)
    assert licence.status == LicenceStatus.ACTIVE
    events = db.session.execute(select(AuditEvent).where(AuditEvent.action == "rule.flag")).scalars().all()
    assert [(e.entity_type, e.entity_id, e.venue_id, e.operator_id) for e in events] == [
        ("licences", licence.id, venue.id, venue.operator_id)]


def test_lapsed_security_certificate_suspends_and_renewal_lifts(db):
    today = today_local()
    venue = make_venue()
    licence = helpers.make_licence(venue, type_code="HP-KARAOKE")
    helpers.make_document(venue, kind="security_order", expires_on=today - timedelta(days=10))
    result = apply_rules(today)
    db.session.commit()
    assert result.suspended == [licence.id]
    assert licence.status == LicenceStatus.SUSPENDED
    sanction = db.session.execute(select(Sanction).where(Sanction.licence_id == licence.id)).scalar_one()
    assert sanction.kind == SanctionKind.AGENCY_SUSPENSION and sanction.lifted_on is None

    renewed = helpers.make_document(venue, kind="security_order", expires_on=today + timedelta(days=365),
                                    issued_on=today)
    cleared = on_document_recorded(renewed, today)
    db.session.commit()
    assert cleared.cleared == [licence.id] and cleared.lifted == [licence.id]
    assert licence.status == LicenceStatus.ACTIVE and sanction.lifted_on == today
    [flag] = _flags(db, licence)
    assert flag.cleared_on == today and flag.cleared_by_document_id == renewed.id


def test_apply_is_idempotent(db, runner):
    today = today_local()
    venue = make_venue()
    licence = helpers.make_licence(venue, type_code="HP-KARAOKE")
    helpers.make_document(venue, kind="security_order", revoked=True, expires_on=today + timedelta(days=100))
    db.session.commit()
    first = runner.invoke(args=["rules", "apply"])
    assert first.exit_code == 0, first.output
    assert "1 licence(s) flagged (1 suspended)" in first.output
    second = runner.invoke(args=["rules", "apply"])
    assert "0 licence(s) flagged (0 suspended), 0 flag(s) cleared" in second.output
    assert len(_flags(db, licence)) == 1
    assert db.session.execute(select(func.count()).select_from(Sanction)).scalar_one() == 1


def test_a_licence_that_does_not_depend_on_the_document_is_left_alone(db):
    today = today_local()
    venue = make_venue(kind="sports", rooms=[])
    sports = helpers.make_licence(venue, type_code="HP-SPORTS")
    helpers.make_document(venue, kind="fire_safety", expires_on=today - timedelta(days=3))
    assert apply_rules(today).flagged == []
    assert _flags(db, sports) == []


def test_a_valid_newer_document_means_nothing_lapsed(db):
    today = today_local()
    venue = make_venue()
    helpers.make_licence(venue, type_code="HP-KARAOKE")
    helpers.make_document(venue, kind="fire_safety", expires_on=today - timedelta(days=30))
    helpers.make_document(venue, kind="fire_safety", expires_on=None, issued_on=today - timedelta(days=31))
    assert apply_rules(today).flagged == []


def test_flags_are_due_items_sent_once_to_the_operator(db, inbox):
    from registry.oversight import reminders

    today = today_local()
    venue = make_venue()
    licence = helpers.make_licence(venue, type_code="HP-KARAOKE")
    helpers.make_document(venue, kind="fire_safety", expires_on=today - timedelta(days=1))
    apply_rules(today)
    db.session.commit()
    plan = reminders.plan(today, 30)
    kinds = {(n.item.kind, n.item.label) for d in plan.sendable for n in d.to_send}
    assert ("licence_flag", licence.number_display) in kinds
    reminders.send(today, 30)
    apply_rules(today)
    db.session.commit()
    assert reminders.send(today, 30).notices_sent == 0


def test_dashboard_rules_page_and_apply_button(client, login, db):
    today = today_local()
    venue = make_venue()
    helpers.make_licence(venue, type_code="HP-KARAOKE")
    helpers.make_document(venue, kind="fire_safety", expires_on=today - timedelta(days=1))
    db.session.commit()
    login("manager")
    page = client.get("/rules/").get_data(as_text=True)
    assert "Fire-safety acceptance" in page or "fire_safety" not in page
    response = client.post("/rules/apply", follow_redirects=True)
    assert response.status_code == 200
    assert "1 licence(s) flagged" in response.get_data(as_text=True)


def test_clerk_cannot_apply_rules(client, login, db):
    login("clerk")
    assert client.post("/rules/apply").status_code == 403
