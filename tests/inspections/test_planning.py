"""Planning and the manager's views: the risk queue and its weights, workload, my day's order, managing a planned
visit, starting with or without location, the plain (no-JS) form's buttons, and CSRF on the autosave endpoint."""
from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import select

from registry.common.labels import action_label
from registry.db import today_local
from registry.inspections import complaints, risk, services, violations
from registry.inspections.models import InspectionOutcome, InspectionSetting, InspectionStatus, ViolationType
from tests.factories import make_operator, make_venue
from tests.inspections.conftest import answer_all, local, plan, started


def test_risk_score_lists_its_parts_and_follows_the_configured_weights(karaoke, inspector, db):
    quiet = make_venue(make_operator(), kind="sports", rooms=[], name="Sân cầu lông Yên Tĩnh", capacity=50)
    inspection = started(karaoke, inspector, at=local(today_local() - timedelta(days=100), 21, 0))
    answer_all(inspection, no_inner_latch="fail")
    row = db.session.execute(select(ViolationType).where(ViolationType.code == "inner_latch")).scalar_one()
    violations.record_violation(inspection, row, item=next(i for i in inspection.items if i.code == "no_inner_latch"),
                              amount=15_000_000, remedy_due_on=today_local() - timedelta(days=80))
    follow_up = services.close_visit(inspection, InspectionOutcome.VIOLATIONS, by=inspector,
                                     version=inspection.version_id,
                                     at=local(today_local() - timedelta(days=100), 22, 0)).follow_up
    services.cancel(follow_up, "not needed for this test", version=follow_up.version_id)
    complaints.record_complaint(karaoke, received_on=today_local(), source="public", summary="Ồn ào")
    db.session.commit()

    entries, total = risk.risk_queue(today_local(), limit=500)
    by_venue = {e.venue.id: e for e in entries}
    entry = by_venue[karaoke.id]
    parts = {p.key: p for p in entry.parts}
    assert parts["violations"].points == 8 and "1 violation in 24 months" in parts["violations"].text
    assert parts["remedies"].points == 20 and "overdue" in parts["remedies"].text
    assert parts["complaints"].points == 12
    assert parts["last_visit"].points == 6 and "3 months" in parts["last_visit"].text
    assert parts["kind"].points == 10 and parts["rooms"].points == 6
    assert entry.score == sum(p.points for p in entry.parts) and "(+8)" in entry.reason
    assert by_venue[quiet.id].parts[0].text == "never inspected"
    assert [e.score for e in entries] == sorted((e.score for e in entries), reverse=True)

    setting = db.session.execute(select(InspectionSetting).where(InspectionSetting.key == "risk")).scalar_one()
    weights = json.loads(setting.value_json)
    weights["complaint_points"] = 40
    weights["complaint_cap"] = 40
    setting.value_json = json.dumps(weights)
    db.session.commit()
    entries, _ = risk.risk_queue(today_local(), limit=500)
    assert {e.venue.id: e for e in entries}[karaoke.id].score == entry.score + 28


def test_queue_hides_venues_with_a_visit_planned_and_warns_about_directive_20(karaoke, inspector, manager, client,
                                                                            sign_in, db):
    plan(karaoke, inspector, kind="periodic", on=today_local() + timedelta(days=3), planned_by=manager)
    db.session.commit()
    entries, _ = risk.risk_queue(today_local(), limit=500)
    assert karaoke.id not in {e.venue.id for e in entries}
    entries, _ = risk.risk_queue(today_local(), limit=500, include_planned=True)
    entry = next(e for e in entries if e.venue.id == karaoke.id)
    assert entry.open_visit is not None and entry.planned_this_year == 1
    sign_in(manager)
    html = client.get("/inspections/queue?planned=1").get_data(as_text=True)
    assert "Directive 20/CT-TTg" in html and "Visit already planned for" in html


def test_workload_counts_open_this_week_and_overdue_attempts_included(inspector, other_inspector, manager, karaoke,
                                                                     client, sign_in, db):
    today = today_local()
    plan(karaoke, inspector, on=today)
    plan(karaoke, inspector, on=today - timedelta(days=3))
    attempted = plan(karaoke, inspector, on=today - timedelta(days=1))
    services.record_attempt(attempted, "no_access", today + timedelta(days=40), note=None, by=inspector,
                            version=attempted.version_id)
    plan(karaoke, other_inspector, on=today + timedelta(days=60))
    db.session.commit()
    from registry.inspections.queries import workload

    loads = {load.user.id: load for load in workload(today)}
    mine = loads[inspector.id]
    assert (mine.open, mine.overdue) == (3, 1) and mine.this_week >= 1
    assert (loads[other_inspector.id].open, loads[other_inspector.id].overdue) == (1, 0)
    sign_in(manager)
    html = client.get("/inspections/workload").get_data(as_text=True)
    assert inspector.full_name in html and 'data-testid="workload"' in html


def test_my_day_lists_under_way_then_today_then_overdue_then_upcoming(karaoke, inspector, other_inspector, client,
                                                                      sign_in, db):
    today = today_local()
    venues = {name: make_venue(karaoke.operator, name=name) for name in ("Hôm Nay", "Quá Hạn", "Sắp Tới", "Đang Làm",
                                                                         "Của Người Khác")}
    plan(venues["Hôm Nay"], inspector, on=today)
    plan(venues["Quá Hạn"], inspector, on=today - timedelta(days=4))
    plan(venues["Sắp Tới"], inspector, on=today + timedelta(days=5))
    started(venues["Đang Làm"], inspector)
    plan(venues["Của Người Khác"], other_inspector, on=today)
    db.session.commit()
    sign_in(inspector)
    html = client.get("/inspections/today").get_data(as_text=True)
    positions = [html.index(name) for name in ("Đang Làm", "Hôm Nay", "Quá Hạn", "Sắp Tới")]
    assert positions == sorted(positions)
    assert "Của Người Khác" not in html
    assert re.search(r'href="/inspections/\d+/visit"', html)  # the visit under way opens on the checklist


def test_reschedule_assign_and_cancel_a_planned_visit(karaoke, inspector, other_inspector, manager, client, sign_in,
                                                      db):
    inspection = plan(karaoke, inspector, on=today_local() + timedelta(days=2), planned_by=manager)
    db.session.commit()
    sign_in(manager)
    url = f"/inspections/{inspection.id}/manage"
    assert client.get(url).status_code == 200
    new_day = today_local() + timedelta(days=9)
    response = client.post(url, data={"action": "reschedule", "r-scheduled_on": new_day.isoformat(),
                                      "r-reason": "Đoàn liên ngành bận", "r-version_id": inspection.version_id})
    assert response.status_code == 302
    db.session.expire_all()
    assert inspection.scheduled_on == new_day
    response = client.post(url, data={"action": "assign", "a-lead_id": other_inspector.id,
                                      "a-version_id": inspection.version_id})
    assert response.status_code == 302
    db.session.expire_all()
    assert inspection.lead_id == other_inspector.id
    assert [m.user_id for m in inspection.members] == [inspector.id]  # the previous lead stays on the team
    assert client.post(url, data={"action": "cancel", "c-reason": "", "c-version_id": inspection.version_id}
                       ).status_code == 400
    stale = client.post(url, data={"action": "cancel", "c-reason": "x", "c-version_id": inspection.version_id - 1})
    assert stale.status_code == 409
    assert client.post(url, data={"action": "cancel", "c-reason": "Cơ sở đã đóng cửa hẳn",
                                  "c-version_id": inspection.version_id}).status_code == 302
    db.session.expire_all()
    assert inspection.status == InspectionStatus.CANCELLED
    sign_in(inspector)
    assert client.get(url).status_code == 403


def test_start_records_the_location_only_with_consent(karaoke, inspector, client, sign_in, db):
    first, second = plan(karaoke, inspector), plan(karaoke, inspector)
    db.session.commit()
    sign_in(inspector)
    coords = {"latitude": "20.844912", "longitude": "106.688084", "accuracy": "12"}
    assert client.post(f"/inspections/{first.id}/start", data={"record_location": "y", **coords}).status_code == 302
    assert client.post(f"/inspections/{second.id}/start", data=coords).status_code == 302
    db.session.expire_all()
    assert (float(first.start_latitude), first.start_accuracy_m) == (20.844912, 12)
    assert second.start_latitude is None and second.status == InspectionStatus.IN_PROGRESS
    assert client.post(f"/inspections/{first.id}/start").status_code == 302  # already started: told, not changed
    bad = plan(karaoke, inspector)
    db.session.commit()
    assert client.post(f"/inspections/{bad.id}/start", data={"record_location": "y", "latitude": "95",
                                                           "longitude": "abc"}).status_code == 400


def test_plain_form_buttons_save_first_then_go_on(karaoke, inspector, client, sign_in, db):
    inspection = started(karaoke, inspector)
    sign_in(inspector)
    item = inspection.items[0]
    url = f"/inspections/{inspection.id}/visit"
    response = client.post(url, data={"version_id": inspection.version_id, f"item-{item.id}-result": "fail",
                                      f"item-{item.id}-note": "Không có bản chính", "next": f"violation:{item.id}"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/violations/new?item={item.id}")
    db.session.expire_all()
    assert item.result.value == "fail" and item.note == "Không có bản chính"
    response = client.post(url, data={"version_id": inspection.version_id, "next": "close",
                                      f"item-{item.id}-result": "fail"})
    assert response.headers["Location"].endswith(f"/inspections/{inspection.id}/close")
    bad = client.post(url, data={"version_id": inspection.version_id, f"item-{item.id}-result": "maybe",
                                 "customers_count": "-1"})
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    assert f'data-field="item-{item.id}-result"' in page and 'data-field="customers_count"' in page


def test_timeline_labels_are_registered():
    for action in ("inspection.plan", "inspection.close", "inspection.follow_up", "inspection.attempt",
                   "inspection.amend", "violation.record", "complaint.record", "inspection.finding_resolved"):
        assert action_label(action) != action


def test_list_pages_use_a_fixed_number_of_queries(karaoke, inspector, manager, client, sign_in, db):
    from sqlalchemy import event

    def count_queries(path: str) -> int:
        seen = []
        def listener(conn, cursor, statement, *args):
            if statement != "BEGIN" and not statement.startswith("SELECT users."):  # sign-in check, not the page
                seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    def add_visits(n: int):
        for i in range(n):
            venue = make_venue(karaoke.operator, name=f"Karaoke Số {i}")
            inspection = plan(venue, inspector, on=today_local() - timedelta(days=i % 5))
            if i % 3 == 0:
                services.record_attempt(inspection, "no_access", today_local() + timedelta(days=1), note=None,
                                        by=inspector, version=inspection.version_id)
        db.session.commit()

    sign_in(manager)
    add_visits(3)
    before = {path: count_queries(path) for path in ("/inspections/", "/inspections/queue", "/inspections/workload",
                                                       "/inspections/complaints")}
    sign_in(inspector)
    before["/inspections/today"] = count_queries("/inspections/today")
    add_visits(20)
    assert count_queries("/inspections/today") == before.pop("/inspections/today")
    sign_in(manager)
    assert {path: count_queries(path) for path in before} == before
