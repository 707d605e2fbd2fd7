"""The audit-log pages: newest first, filters, keyset pages, record histories, CSV export, integrity check."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, text

from registry.common import audit
from registry.common.audit import Actor, AuditEvent
from registry.db import today_local
from tests.audit.conftest import drop_append_only_triggers
from tests.factories import make_operator, make_venue

EN = {"Accept-Language": "en"}


def shown_ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'data-event-id="(\d+)"', response.get_data(as_text=True))]


def field_errors(response) -> list[str]:
    return re.findall(r'invalid-feedback[^>]*>([^<]*)<', response.get_data(as_text=True))


@pytest.fixture
def manager(login):
    return login("manager")


def test_managers_see_every_event_newest_first(client, db, manager, some_history):
    response = client.get("/audit/", headers=EN)

    assert response.status_code == 200
    ids = shown_ids(response)
    newest = db.session.execute(select(func.max(AuditEvent.id))).scalar_one()
    assert ids[0] == newest
    assert ids == sorted(ids, reverse=True)
    assert len(ids) == min(newest, 50)


@pytest.mark.parametrize("role", ["clerk", "inspector"])
def test_other_staff_are_refused(client, login, role):
    login(role)
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403
    assert client.post("/audit/verify").status_code == 403


def test_visitors_are_sent_to_sign_in(client):
    response = client.get("/audit/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_each_row_says_who_did_what_to_which_record_from_where(client, db, manager):
    venue = make_venue(name="Karaoke Hòa Sen")
    audit.record("venue.update", venue, {"capacity": [120, 150]},
                 actor=Actor(manager.id, manager.username, "manager"))
    db.session.commit()

    html = client.get("/audit/?action=venue.update", headers=EN).get_data(as_text=True)

    assert "Venue details changed" in html  # the action's label, not its code
    assert "Karaoke Hòa Sen" in html
    assert f'href="/audit/venues/{venue.id}"' in html  # the record's history
    assert manager.username in html and "Manager" in html
    assert "120" in html and "150" in html


def test_filters_by_action_group_exact_action_user_and_record_type(client, db, manager, some_history):
    audit.record("venue.update", changes={"x": [1, 2]}, actor=Actor(None, "Clerk_B", "clerk"))
    db.session.commit()

    def actions(query: str) -> set[str]:
        ids = shown_ids(client.get(f"/audit/?{query}", headers=EN))
        assert ids, query
        return set(db.session.execute(select(AuditEvent.action).where(AuditEvent.id.in_(ids))).scalars())

    assert actions("action=venue.") == {"venue.create", "venue.update"}
    assert actions("action=venue.update") == {"venue.update"}
    assert actions("entity_type=operators") == {"operator.create"}
    by_user = shown_ids(client.get("/audit/?actor=clerk_b", headers=EN))  # user names match in any case
    assert len(by_user) == 1


def test_date_range_is_in_local_days(client, db, manager, some_history):
    today = today_local()
    assert shown_ids(client.get(f"/audit/?date_from={today}&date_to={today}", headers=EN))
    tomorrow = today + timedelta(days=1)
    response = client.get(f"/audit/?date_from={tomorrow}", headers=EN)
    assert shown_ids(response) == []
    assert "No event matches these filters." in response.get_data(as_text=True)


@pytest.mark.parametrize("query", [
    "date_from=2026-13-45", "date_from=yesterday", "date_to=0001-01-01", "date_from=9999-12-31",
    "date_from=2026-05-02&date_to=2026-05-01", "actor=%00evil", "actor=" + "x" * 10_000,
    "action=DROP%20TABLE", "action=" + "a" * 500, "entity_type=nope", "entity_type=%00",
])
def test_bad_filters_get_messages_not_errors(client, manager, some_history, query):
    response = client.get(f"/audit/?{query}", headers=EN)
    assert response.status_code == 200
    assert field_errors(response)
    assert shown_ids(response) == []
    assert "Correct the filters above" in response.get_data(as_text=True)


@pytest.mark.parametrize("after", ["-5", "abc", "99999999999999999999", "%00"])
def test_bad_page_cursor_shows_the_first_page(client, manager, some_history, after):
    response = client.get(f"/audit/?after={after}")
    assert response.status_code == 200
    assert shown_ids(response)


def test_keyset_pages_cover_the_log_without_gaps_or_repeats(client, db, manager):
    for i in range(120):
        audit.record("venue.update", changes={"i": i}, actor=Actor(None, "bulk", None))
    db.session.commit()
    total = db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()

    seen, url = [], "/audit/"
    while url:
        html = client.get(url, headers=EN).get_data(as_text=True)
        seen += [int(i) for i in re.findall(r'data-event-id="(\d+)"', html)]
        found = re.search(r'<a[^>]*rel="next"[^>]*href="([^"]+)"|<a[^>]*href="([^"]+)"[^>]*rel="next"', html)
        url = (found.group(1) or found.group(2)).replace("&amp;", "&") if found else None

    assert len(seen) >= total  # the sign-in of this test may add one more while paging
    assert len(seen) == len(set(seen))
    assert seen == sorted(seen, reverse=True)


def test_record_history_includes_events_about_its_rooms(client, db, manager):
    from registry.venues.models import Room

    venue = make_venue(name="Karaoke Sao Mai")
    audit.record("venue.create", venue, {"name": [None, venue.name]})
    room = db.session.execute(select(Room).where(Room.venue_id == venue.id)).scalars().first()
    audit.record("room.update", room, {"room": room.code, "area_m2": ["20.00", "18.00"]})
    other = make_venue(name="Karaoke Khác")
    audit.record("venue.create", other, {"name": [None, other.name]})
    db.session.commit()

    response = client.get(f"/audit/venues/{venue.id}", headers=EN)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Karaoke Sao Mai" in html and "Karaoke Khác" not in html
    assert "Venue registered" in html and "Room changed" in html
    assert len(shown_ids(response)) == 2


@pytest.mark.parametrize("url", ["/audit/venues/999999", "/audit/NOT-A-TABLE/1", "/audit/x%00y/1",
                                 "/audit/venues/99999999999999999999"])
def test_unknown_history_is_not_found(client, manager, url):
    assert client.get(url).status_code == 404


def test_csv_export_has_the_filtered_rows_neutralised_and_is_recorded(client, db, manager, some_history):
    audit.record("venue.update", changes={"name": ["a", "=HYPERLINK(\"http://x\")"]},
                 actor=Actor(None, "=cmd|' /C calc'!A0", None))
    db.session.commit()
    username = manager.username

    response = client.get("/audit/export.csv?action=venue.update", headers=EN)

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeffEvent,")
    lines = body.strip().splitlines()
    expected = db.session.execute(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "venue.update")).scalar_one()
    assert len(lines) == 1 + expected
    assert all(",venue.update," in line for line in lines[1:])
    assert "'=cmd|" in body  # a spreadsheet will not run it
    last = db.session.execute(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
    assert last.action == "audit.export"
    assert last.actor_username == username
    assert last.changes["filters"] == {"action": "venue.update"}


def test_integrity_check_reports_intact_then_names_the_altered_event(client, db, manager, some_history):
    response = client.post("/audit/verify")
    assert response.status_code == 302
    html = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert 'data-testid="integrity-ok"' in html
    recorded = db.session.execute(select(AuditEvent).where(AuditEvent.action == "audit.verify")).scalar_one()
    assert recorded.changes["result"] == "ok"

    target = 3
    drop_append_only_triggers(db)
    db.session.execute(text("UPDATE audit_events SET actor_username = 'nobody' WHERE id = :id"), {"id": target})
    db.session.commit()
    client.post("/audit/verify")
    html = client.get("/audit/", headers=EN).get_data(as_text=True)

    assert 'data-testid="integrity-broken"' in html
    assert f"Broken at event #{target}:" in html
    assert "changed after it was recorded" in html
    assert f"/audit/?after={target + 1}#event-{target}" in html


def test_list_page_runs_a_fixed_number_of_queries(client, db, manager):
    operator = make_operator()
    for n in range(30):
        venue = make_venue(operator)
        audit.record("venue.create", venue, {"name": [None, venue.name], "ward_id": [None, venue.ward_id]})
        audit.record("operator.update", operator, {"phone": [None, str(n)]})
    db.session.commit()
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    client.get("/audit/")  # warm up (session load, labels)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        client.get("/audit/?action=venue.")
        few = len(statements)
        statements.clear()
        client.get("/audit/")
        many = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert many <= 12, statements
    assert many - few <= 2


def test_a_log_too_long_to_check_in_a_request_is_left_to_the_nightly_cli(client, db, manager, some_history,
                                                                        monkeypatch):
    monkeypatch.setattr("registry.audit_views.VERIFY_WEB_LIMIT", 5)

    client.post("/audit/verify")
    html = client.get("/audit/", headers=EN).get_data(as_text=True)

    assert 'data-testid="integrity-too-big"' in html
    assert "flask audit verify" in html
    recorded = db.session.execute(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "audit.verify")).scalar_one()
    assert recorded == 0


def test_the_check_does_not_keep_clerks_from_saving_meanwhile(app, client, db, manager, some_history, monkeypatch):
    import threading
    import time

    real_verify = audit.verify_chain
    saved = []

    def verify_while_a_clerk_saves():
        db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()  # the check is reading

        def save():
            with app.app_context():
                audit.record("venue.update", changes={"x": [1, 2]}, actor=Actor(None, "clerk_x", "clerk"))
                db.session.commit()
                saved.append(True)

        clerk = threading.Thread(target=save)
        clerk.start()
        clerk.join(timeout=30)
        return real_verify()

    monkeypatch.setattr("registry.audit_views.verify_chain", verify_while_a_clerk_saves)
    started = time.perf_counter()
    response = client.post("/audit/verify")

    assert response.status_code == 302
    assert saved, "the clerk's save failed while the check was running"
    assert time.perf_counter() - started < 5  # nobody waited for a lock
    assert 'data-testid="integrity-ok"' in client.get("/audit/").get_data(as_text=True)
