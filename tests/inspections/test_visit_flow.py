"""A visit from plan to minutes: planning limits, attempts, closing, minutes PDF, follow-ups, locking, amendments."""
from __future__ import annotations

import json
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import select

from registry.common.audit import AuditEvent
from registry.db import today_local
from registry.inspections import services, violations
from registry.inspections.models import (
    AttemptReason,
    Complaint,
    ComplaintStatus,
    Inspection,
    InspectionKind,
    InspectionOutcome,
    InspectionStatus,
    ViolationType,
)
from tests.documents.helpers import assert_lays_out_as_stock
from tests.inspections.conftest import answer_all, plan, started


def vtype(db, code):
    return db.session.execute(select(ViolationType).where(ViolationType.code == code)).scalar_one()


def events(db, action):
    return db.session.execute(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).scalars().all()


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "minutes.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


# ----------------------------------------------------------------------------------------------- planning
def test_second_periodic_inspection_of_an_operator_in_a_year_needs_a_reason(karaoke, inspector, manager, db):
    day = today_local() + timedelta(days=3)
    plan(karaoke, inspector, kind="periodic", on=day, planned_by=manager)
    db.session.commit()
    other_venue_same_operator = karaoke  # the limit is per operator (enterprise), whatever the venue
    with pytest.raises(services.PlanLimitError) as refused:
        plan(other_venue_same_operator, inspector, kind="periodic", on=day + timedelta(days=20), planned_by=manager)
    assert refused.value.field == "override_reason" and "Directive 20/CT-TTg" in str(refused.value)
    db.session.rollback()
    # unannounced and complaint visits are not limited
    plan(karaoke, inspector, kind="unannounced", on=day, planned_by=manager)
    second = plan(karaoke, inspector, kind="periodic", on=day + timedelta(days=20), planned_by=manager,
                  override_reason="Fire police asked for a joint check after the renovation.")
    db.session.commit()
    assert second.plan_override_reason.startswith("Fire police")
    override = events(db, "inspection.plan_override")
    assert len(override) == 1 and override[0].changes["reason"].startswith("Fire police")
    assert override[0].venue_id == karaoke.id


def test_plan_form_warns_and_asks_for_the_reason(client, sign_in, karaoke, inspector, manager, db):
    plan(karaoke, inspector, kind="periodic", on=today_local() + timedelta(days=2), planned_by=manager)
    db.session.commit()
    sign_in(manager)
    page = client.get(f"/inspections/new?venue_id={karaoke.id}")
    assert 'data-testid="directive20"' in page.get_data(as_text=True)
    data = {"venue_id": karaoke.id, "kind": "periodic", "scheduled_on": (today_local() + timedelta(30)).isoformat(),
            "lead_id": inspector.id, "members-0-full_name": "Đại úy Trần Văn Hùng", "members-0-agency": "police"}
    refused = client.post("/inspections/new", data=data)
    assert refused.status_code == 400
    assert 'data-field="override_reason"' in refused.get_data(as_text=True)
    accepted = client.post("/inspections/new", data={**data, "override_reason": "Joint check requested by police."})
    assert accepted.status_code == 302
    created = db.session.execute(select(Inspection).order_by(Inspection.id.desc())).scalars().first()
    assert [(m.full_name, m.agency.value) for m in created.members] == [("Đại úy Trần Văn Hùng", "police")]


@pytest.mark.parametrize(("field", "value"), [
    ("scheduled_on", "31/02/2026"), ("scheduled_on", "\x00"), ("scheduled_on", "2020-01-01"),
    ("window_from", "25:00"), ("lead_id", "abc"), ("lead_id", "999999"), ("kind", "party"),
    ("purpose", "x" * 10_000), ("members-0-agency", "mafia")])
def test_plan_form_refuses_bad_input_with_field_errors(client, sign_in, karaoke, inspector, manager, field, value):
    sign_in(manager)
    data = {"venue_id": karaoke.id, "kind": "unannounced", "scheduled_on": today_local().isoformat(),
            "lead_id": inspector.id, "members-0-full_name": "Nguyễn Văn B", "members-0-agency": "fire", field: value}
    response = client.post("/inspections/new", data=data)
    assert response.status_code == 400


def test_complaint_turned_into_a_visit_and_closed_with_it(client, sign_in, karaoke, inspector, manager, db):
    sign_in(manager)
    response = client.post("/inspections/complaints/new", data={
        "venue_id": karaoke.id, "received_on": today_local().isoformat(), "source": "public",
        "complainant": "Cư dân ngõ 12", "summary": "Tiếng ồn sau 24 giờ", "next": "plan"})
    assert response.status_code == 302 and "complaint_id=" in response.headers["Location"]
    complaint = db.session.execute(select(Complaint)).scalar_one()
    page = client.get(response.headers["Location"])
    assert "Tiếng ồn sau 24 giờ" in page.get_data(as_text=True)
    client.post("/inspections/new", data={"venue_id": karaoke.id, "complaint_id": complaint.id, "kind": "complaint",
                                          "scheduled_on": today_local().isoformat(), "lead_id": inspector.id})
    db.session.expire_all()
    assert complaint.status == ComplaintStatus.PLANNED and complaint.inspections[0].kind == InspectionKind.COMPLAINT
    inspection = complaint.inspections[0]
    services.start_visit(inspection)
    answer_all(inspection)
    services.close_visit(inspection, InspectionOutcome.COMPLIANT, by=inspector, version=inspection.version_id)
    db.session.commit()
    assert complaint.status == ComplaintStatus.CLOSED


# ----------------------------------------------------------------------------------------------- attempts
def test_attempted_visit_stays_open_and_is_rescheduled(client, sign_in, karaoke, inspector, db):
    inspection = plan(karaoke, inspector)
    db.session.commit()
    sign_in(inspector)
    url = f"/inspections/{inspection.id}/close"
    no_date = client.post(url, data={"outcome": "venue_closed", "version_id": inspection.version_id})
    assert no_date.status_code == 400 and 'data-field="next_date"' in no_date.get_data(as_text=True)
    past = client.post(url, data={"outcome": "venue_closed", "version_id": inspection.version_id,
                                  "next_date": (today_local() - timedelta(days=1)).isoformat()})
    assert past.status_code == 400
    new_date = today_local() + timedelta(days=2)
    done = client.post(url, data={"outcome": "no_access", "next_date": new_date.isoformat(),
                                  "attempt_note": "Cửa cuốn đóng, không ai mở", "version_id": inspection.version_id})
    assert done.status_code == 302
    db.session.expire_all()
    assert inspection.status == InspectionStatus.PLANNED and inspection.is_open
    assert inspection.scheduled_on == new_date and inspection.outcome is None and inspection.minutes_number is None
    assert [(a.reason, a.previous_date, a.rescheduled_to) for a in inspection.attempts] == [
        (AttemptReason.NO_ACCESS, today_local(), new_date)]
    # it never counts as done: still on the inspector's list and in the open workload
    today_page = client.get("/inspections/today").get_data(as_text=True)
    assert karaoke.name in today_page
    assert events(db, "inspection.attempt")[0].venue_id == karaoke.id


# ----------------------------------------------------------------------------------------------- close + minutes
def test_close_requires_every_item_answered_and_a_consistent_outcome(karaoke, inspector, db):
    inspection = started(karaoke, inspector)
    with pytest.raises(services.InspectionError, match="not answered"):
        services.close_visit(inspection, InspectionOutcome.COMPLIANT, by=inspector, version=inspection.version_id)
    answer_all(inspection, **{"room:VIP2": "fail"})
    with pytest.raises(services.InspectionError, match="failed"):
        services.close_visit(inspection, InspectionOutcome.COMPLIANT, by=inspector, version=inspection.version_id)


def test_close_refuses_a_visit_that_was_never_started(karaoke, inspector, client, sign_in, db):
    inspection = plan(karaoke, inspector)
    db.session.commit()
    # "start it first" is what the inspector is told, next to the outcome, even when the form is also stale
    for version in (inspection.version_id, inspection.version_id + 1):
        with pytest.raises(services.InspectionError, match="Start the visit before closing it") as refused:
            services.close_visit(inspection, InspectionOutcome.COMPLIANT, by=inspector, version=version)
        assert refused.value.field == "outcome"
    db.session.rollback()
    assert inspection.status == InspectionStatus.PLANNED and inspection.minutes_number is None
    assert events(db, "inspection.close") == []
    sign_in(inspector)
    response = client.post(f"/inspections/{inspection.id}/close",
                           data={"outcome": "compliant", "version_id": inspection.version_id + 1})
    assert response.status_code == 400
    assert 'data-field="outcome">Start the visit before closing it.<' in response.get_data(as_text=True)


def test_closing_issues_numbered_minutes_with_findings_and_legal_references(karaoke, inspector, client, sign_in,
                                                                           db, tmp_path):
    inspection = started(karaoke, inspector)
    inspection.representative_name = "Trần Thị Bình"
    inspection.customers_count, inspection.staff_count = 14, 3
    inspection.refused_to_sign, inspection.refusal_reason = True, "Không đồng ý với kết luận về phòng VIP2"
    answer_all(inspection, **{"room:VIP2": "fail"})
    room = next(i for i in inspection.items if i.code == "room:VIP2")
    room.note = "Đo thực tế 18,2 m²"
    deadline = today_local() + timedelta(days=30)
    violations.record_violation(inspection, vtype(db, "room_below_minimum"), item=room, amount=15_000_000,
                              remedy="Ngừng sử dụng phòng VIP2", remedy_due_on=deadline)
    result = services.close_visit(inspection, InspectionOutcome.VIOLATIONS, by=inspector,
                                  version=inspection.version_id)
    db.session.commit()
    assert inspection.status == InspectionStatus.COMPLETED and inspection.ended_at is not None
    assert inspection.minutes_number == "1/BB-SVHTT"
    assert result.minutes.kind.value == "minutes" and result.minutes.inspection_id == inspection.id
    sign_in(inspector)
    response = client.get(f"/inspections/{inspection.id}/minutes.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = pdf_text(response.data, tmp_path)
    for expected in ("BIÊN BẢN KIỂM TRA", "1/BB-SVHTT", "Karaoke Hoa Sen", "Lê Hoàng Nam", "VIP2",
                     "Đo thực tế 18,2 m²", "Điều 15 Nghị định 38/2021/NĐ-CP", "15.000.000 đồng",
                     "Ngừng sử dụng phòng VIP2", "từ chối ký", "14 khách", "ĐẠI DIỆN CƠ SỞ"):
        assert expected in text, expected
    # the follow-up is scheduled for the remedy deadline, carrying the open finding
    follow_up = result.follow_up
    assert follow_up.kind == InspectionKind.FOLLOW_UP and follow_up.scheduled_on == deadline
    assert follow_up.original_id == inspection.id and follow_up.lead_id == inspector.id
    carried = [i for i in follow_up.items if i.carried]
    assert [i.origin_item_id for i in carried] == [room.id]
    assert "Ngừng sử dụng phòng VIP2" in carried[0].expected_vi
    # the minutes (tables, lists, their own <style>) lay out as with WeasyPrint's full user-agent stylesheet
    assert_lays_out_as_stock(result.minutes.template_name, json.loads(result.minutes.context_json), tmp_path)


def test_minutes_numbers_run_per_year(karaoke, enterprise_karaoke, inspector, db):
    numbers = []
    for venue in (karaoke, enterprise_karaoke):
        inspection = started(venue, inspector)
        answer_all(inspection)
        services.close_visit(inspection, InspectionOutcome.COMPLIANT, by=inspector, version=inspection.version_id)
        db.session.commit()
        numbers.append(inspection.minutes_number)
    assert numbers == ["1/BB-SVHTT", "2/BB-SVHTT"]


# ----------------------------------------------------------------------------------------------- follow-up
def test_follow_up_carries_open_findings_and_marks_them_resolved_or_not(karaoke, inspector, client, sign_in, db):
    original = started(karaoke, inspector)
    answer_all(original, **{"room:VIP2": "fail", "no_inner_latch": "fail"})
    items = {i.code: i for i in original.items}
    due = today_local() + timedelta(days=10)
    violations.record_violation(original, vtype(db, "room_below_minimum"), item=items["room:VIP2"],
                              amount=15_000_000, remedy_due_on=due)
    violations.record_violation(original, vtype(db, "inner_latch"), item=items["no_inner_latch"], amount=15_000_000,
                              remedy_due_on=due - timedelta(days=5))
    pending = {v.code: v for v in original.violations}
    assert not any(v.remedy_pending for v in pending.values())  # a visit in progress is a draft
    follow_up = services.close_visit(original, InspectionOutcome.VIOLATIONS, by=inspector,
                                     version=original.version_id).follow_up
    db.session.commit()
    assert all(v.remedy_pending for v in pending.values())  # closed: both remedies are awaited (the dashboard's)
    assert follow_up.scheduled_on == due  # the latest remedy deadline
    assert {i.origin_item_id for i in follow_up.items} == {items["room:VIP2"].id, items["no_inner_latch"].id}
    assert all(i.section == "carried" for i in follow_up.items)

    services.start_visit(follow_up)
    answers = {i.id: {"result": "pass" if i.origin_item_id == items["no_inner_latch"].id else "fail"}
               for i in follow_up.items}
    from registry.inspections.models import ItemResult

    services.save_visit(follow_up, {}, {k: {"result": ItemResult(v["result"])} for k, v in answers.items()},
                        version=follow_up.version_id)
    services.close_visit(follow_up, InspectionOutcome.VIOLATIONS, by=inspector, version=follow_up.version_id)
    db.session.commit()
    db.session.expire_all()
    assert items["no_inner_latch"].resolved_in_id == follow_up.id
    assert items["room:VIP2"].resolved_in_id is None
    assert [i.code for i in services.open_findings(original)] == ["room:VIP2"]
    # the resolved finding's remedy is no longer awaited; the other one still is
    assert {v.item.code: v.remedy_pending for v in original.violations} == {"room:VIP2": True,
                                                                             "no_inner_latch": False}
    # the venue timeline shows original, follow-up and the resolution
    actions = {e.action for e in db.session.execute(select(AuditEvent).where(AuditEvent.venue_id == karaoke.id))
               .scalars()}
    assert {"inspection.close", "inspection.follow_up", "inspection.finding_resolved",
            "inspection.finding_unresolved", "violation.record"} <= actions
    # the inspection page shows original vs follow-up side by side
    sign_in(inspector)
    html = client.get(f"/inspections/{follow_up.id}").get_data(as_text=True)
    assert 'data-testid="comparison"' in html and "Đã khắc phục" not in html
    assert html.count("compare-row") == 2
    original_html = client.get(f"/inspections/{original.id}").get_data(as_text=True)
    assert 'data-testid="comparison"' in original_html


def test_manual_follow_up_needs_open_findings(karaoke, inspector, db):
    inspection = started(karaoke, inspector)
    answer_all(inspection)
    services.close_visit(inspection, InspectionOutcome.COMPLIANT, by=inspector, version=inspection.version_id)
    with pytest.raises(services.InspectionError, match="no open finding"):
        services.schedule_follow_up(inspection, scheduled_on=today_local(), lead=inspector, planned_by=inspector)


# ----------------------------------------------------------------------------------------------- locking
def _closed(karaoke, inspector, db):
    inspection = started(karaoke, inspector)
    answer_all(inspection)
    inspection.customers_count = 10
    services.close_visit(inspection, InspectionOutcome.COMPLIANT, by=inspector, version=inspection.version_id)
    db.session.commit()
    return inspection


def test_completed_visit_is_locked_everywhere(karaoke, inspector, client, sign_in, db):
    inspection = _closed(karaoke, inspector, db)
    with pytest.raises(services.LockedError):
        services.save_visit(inspection, {"customers_count": 99}, {}, version=inspection.version_id)
    with pytest.raises(services.LockedError):
        violations.record_violation(inspection, vtype(db, "inner_latch"), item=None, amount=15_000_000)
    sign_in(inspector)
    autosave = client.post(f"/inspections/{inspection.id}/autosave", json={
        "version": inspection.version_id, "fields": {"customers_count": "99"}})
    assert autosave.status_code == 423
    form = client.post(f"/inspections/{inspection.id}/visit", data={"customers_count": "99",
                                                                      "version_id": inspection.version_id})
    assert form.status_code == 302
    db.session.expire_all()
    assert inspection.customers_count == 10


def test_amendment_needs_a_reason_and_is_kept_and_audited(karaoke, inspector, client, sign_in, db):
    inspection = _closed(karaoke, inspector, db)
    sign_in(inspector)
    url = f"/inspections/{inspection.id}/amend"
    no_reason = client.post(url, data={"customers_count": "12", "version_id": inspection.version_id})
    assert no_reason.status_code == 400 and 'data-field="reason"' in no_reason.get_data(as_text=True)
    item = inspection.items[0]
    ok = client.post(url, data={"reason": "Đếm lại theo camera: 12 khách, không phải 10",
                                "customers_count": "12", "version_id": inspection.version_id,
                                f"item-{item.id}-note": "Bổ sung: bản sao có chứng thực"})
    assert ok.status_code == 302
    db.session.expire_all()
    assert inspection.customers_count == 12 and inspection.status == InspectionStatus.COMPLETED
    amendment = inspection.amendments[0]
    assert amendment.reason.startswith("Đếm lại") and amendment.changes["customers_count"] == [10, 12]
    assert amendment.changes[f"{item.code}.note"] == [None, "Bổ sung: bản sao có chứng thực"]
    event = events(db, "inspection.amend")[0]
    assert event.changes["reason"].startswith("Đếm lại") and event.venue_id == karaoke.id
    stale = client.post(url, data={"reason": "Another correction typed on a stale page",
                                   "customers_count": "15", "version_id": inspection.version_id - 1})
    assert stale.status_code == 409 and 'value="15"' in stale.get_data(as_text=True)
    # re-issued minutes list the amendment, under the same number
    html = client.get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert "minutes/reissue" in html
    assert client.post(f"/inspections/{inspection.id}/minutes/reissue").status_code == 302
    db.session.expire_all()
    assert inspection.minutes_document.title.endswith("(sửa đổi)")
    assert json.loads(inspection.minutes_document.context_json)["amendments"][0]["reason"].startswith("Đếm lại")


# ----------------------------------------------------------------------------------------------- concurrency
def test_stale_autosave_gets_409_and_keeps_nothing_silently(karaoke, inspector, other_inspector, client, sign_in,
                                                            db):
    from registry.inspections.models import InspectionMember

    inspection = started(karaoke, inspector)
    inspection.members.append(InspectionMember(user_id=other_inspector.id, full_name=other_inspector.full_name,
                                               agency="culture"))
    db.session.commit()
    version = inspection.version_id
    sign_in(inspector)
    first = client.post(f"/inspections/{inspection.id}/autosave",
                        json={"version": version, "fields": {"customers_count": "12"}})
    assert first.status_code == 200 and first.json["version"] == version + 1
    sign_in(other_inspector)  # a team member working from the page loaded before
    stale = client.post(f"/inspections/{inspection.id}/autosave",
                        json={"version": version, "fields": {"customers_count": "30"}})
    assert stale.status_code == 409
    assert stale.json["error"] == "conflict" and stale.json["version"] == version + 1 and stale.json["message"]
    db.session.expire_all()
    assert inspection.customers_count == 12
    html_stale = client.post(f"/inspections/{inspection.id}/visit", data={"version_id": version,
                                                                          "customers_count": "31"})
    assert html_stale.status_code == 409
    page = html_stale.get_data(as_text=True)
    assert 'data-testid="conflict"' in page and 'value="31"' in page  # the input is kept


def test_autosave_validates_each_field(karaoke, inspector, client, sign_in, db):
    inspection = started(karaoke, inspector)
    sign_in(inspector)
    item = inspection.items[0]
    url = f"/inspections/{inspection.id}/autosave"
    for fields in ({"customers_count": "-3"}, {"customers_count": "abc"}, {f"item-{item.id}-result": "maybe"},
                   {f"item-{item.id}-note": "x" * 5000}, {f"item-{item.id}-note": "bad\x00"},
                   {"remarks": "y" * 10_000}):
        response = client.post(url, json={"version": inspection.version_id, "fields": fields})
        assert response.status_code == 422, fields
        assert set(response.json["errors"]) == set(fields)
    assert client.post(url, json={"version": "1", "fields": {}}).status_code == 400
    assert client.post(url, data="not json", content_type="application/json").status_code == 400
    ok = client.post(url, json={"version": inspection.version_id, "fields": {
        f"item-{item.id}-result": "fail", f"item-{item.id}-note": "Không xuất trình được", "remarks": "Đề nghị xử lý"}})
    assert ok.status_code == 200
    db.session.expire_all()
    assert item.result.value == "fail" and item.note == "Không xuất trình được"
    assert inspection.remarks == "Đề nghị xử lý"
    saved = events(db, "inspection.checklist_save")[-1]
    assert saved.venue_id is None  # autosaves stay off the venue timeline
