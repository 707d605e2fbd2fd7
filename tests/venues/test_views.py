"""Venue and operator pages: what a clerk sees, what the forms accept, and what they refuse (never with a 500)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from registry.common.audit import AuditEvent
from registry.venues.models import Operator, Room, Venue, VenueStatus
from tests.factories import make_operator, make_venue, unit
from tests.venues.conftest import venue_form

HOSTILE = '<script>alert("x")</script> \' " onmouseover=alert(1)'


def count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def field_errors(response) -> dict[str, list[str]]:
    """Messages shown under each field, by field name (the form macro tags them with data-field)."""
    html = response.get_data(as_text=True)
    out: dict[str, list[str]] = {}
    for name, message in re.findall(r'<div class="invalid-feedback d-block" data-field="([^"]+)">(.*?)</div>', html,
                                    re.S):
        out.setdefault(name, []).append(message.strip())
    return out


# ----------------------------------------------------------------------------------------------- reading
def test_list_shows_venues_with_count_and_search(client, clerk, venue):
    make_venue(name="Vũ trường Đêm Xanh", kind="dance_hall")
    page = client.get("/venues/").get_data(as_text=True)
    assert "2 venues match." in page and "Karaoke Hòa Sen" in page and "Vũ trường Đêm Xanh" in page
    page = client.get("/venues/?q=hoa+sen").get_data(as_text=True)
    assert "1 venue matches." in page and "Đêm Xanh" not in page
    page = client.get("/venues/?kind=dance_hall&sort=newest&after=garbage").get_data(as_text=True)
    assert "1 venue matches." in page and "Đêm Xanh" in page


def test_list_pages_with_a_cursor_in_the_url(client, clerk, db):
    op = make_operator()
    for i in range(55):
        make_venue(op, name=f"Karaoke {i:02d}", rooms=[])
    db.session.commit()
    first = client.get("/venues/").get_data(as_text=True)
    assert "Karaoke 49" in first and "Karaoke 50" not in first
    next_url = re.search(r'href="([^"]+)" rel="next"|rel="next" href="([^"]+)"', first)
    url = next(g for g in next_url.groups() if g).replace("&amp;", "&")
    second = client.get(url).get_data(as_text=True)
    assert "Karaoke 50" in second and "Karaoke 49" not in second and "First page" in second


def test_detail_shows_facts_rooms_and_timeline(client, clerk, db, operator):
    client.post("/venues/new", data=venue_form(operator, **{"rooms-1-area_m2": "18"}))
    venue = db.session.execute(select(Venue)).scalars().one()
    html = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert re.search(r"<h1[^>]*>\s*Karaoke Hoa Sen Lê Chân\s*</h1>", html)
    assert f'href="/operators/{operator.id}"' in html
    assert "24.5 m²" in html and "18 m²" in html
    assert "below the minimum for licensing" in html  # a warning, not a refusal
    assert 'data-action="venue.create"' in html and "Venue registered" in html
    assert "08:00–23:30" in html


def test_detail_of_an_unknown_venue_is_404(client, clerk):
    assert client.get("/venues/999999").status_code == 404


def test_hostile_names_are_escaped_everywhere(client, clerk, db):
    op = make_operator(name=HOSTILE)
    venue = make_venue(op, name=HOSTILE, street=HOSTILE)
    db.session.commit()
    for url in ("/venues/", f"/venues/{venue.id}", f"/operators/{op.id}", "/operators/", f"/venues/{venue.id}/edit",
                "/venues/?q=" + "%3Cscript%3E"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and '" onmouseover' not in html, url
    html = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_overnight_hours_are_shown_as_next_day(client, clerk, db):
    venue = make_venue(kind="dance_hall", opens_at=__import__("datetime").time(20),
                       closes_at=__import__("datetime").time(2))
    db.session.commit()
    html = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "20:00–02:00" in html and "next day" in html


def test_dates_and_areas_follow_the_language(client, clerk, db):
    venue = make_venue(rooms=["24.5"])
    db.session.commit()
    client.post("/language", data={"lang": "vi", "next": "/"})
    html = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "24,5 m²" in html and '<html lang="vi">' in html
    assert re.search(r"\d\d/\d\d/\d{4}", html)


# ----------------------------------------------------------------------------------------------- register
def test_register_a_venue_for_an_operator(client, clerk, db, operator):
    form = client.get(f"/venues/new?operator={operator.id}").get_data(as_text=True)
    assert 'value="0201234567"' in form and operator.name in form
    response = client.post("/venues/new", data=venue_form(operator))
    assert response.status_code == 302
    venue = db.session.execute(select(Venue)).scalars().one()
    assert response.location.endswith(f"/venues/{venue.id}")
    assert venue.operator_id == operator.id and venue.capacity == 120 and venue.name_key == "karaoke hoa sen le chan"
    assert sorted((r.code, str(r.area_m2)) for r in venue.rooms) == [("VIP1", "24.50"), ("VIP2", "30.00")]


def test_add_a_room_line_without_javascript(client, clerk, db, operator):
    data = venue_form(operator, add_room="1")
    response = client.post("/venues/new", data=data)
    assert response.status_code == 200 and count(db, Venue) == 0
    html = response.get_data(as_text=True)
    assert 'name="rooms-2-code"' in html and 'value="VIP2"' in html


VALID_OVERRIDES = [
    ("name", "", "This field is required."),
    ("name", "x" * 10_000, "Use at most 255 characters."),
    ("name", "Karaoke\x00Sen", "not allowed"),
    ("kind", "casino", "Choose one of the options."),
    ("operator_number", "9999999999", "No operator has registration number"),
    ("operator_number", "<script>", "Use 3 to 40 letters"),
    ("ward_id", "", "Choose one of the options."),
    ("ward_id", "abc", "Choose one of the options."),
    ("ward_id", "999999", "Choose one of the options."),
    ("capacity", "-5", "from 0 to 100,000"),
    ("capacity", "100001", "from 0 to 100,000"),
    ("capacity", "99999999999999999999999", "from 0 to 100,000"),
    ("capacity", "12.5", "from 0 to 100,000"),
    ("latitude", "91", "between -90 and 90"),
    ("latitude", "NaN", "decimal degrees"),
    ("longitude", "1e400", "decimal degrees"),
    ("phone", "call me", "8 to 15 digits"),
    ("phone", "0" * 40, "8 to 15 digits"),
    ("opens_at", "25:00", "HH:MM"),
    ("closes_at", "8pm", "HH:MM"),
    ("notes", "a" * 5001, "Use at most 5000 characters."),
    ("house_number", "1\x07", "not allowed"),
    ("rooms-0-area_m2", "-3", "as a number"),
    ("rooms-0-area_m2", "0", "more than 0"),
    ("rooms-0-area_m2", "10000", "less than 10,000"),
    ("rooms-0-area_m2", "24.555", "at most 2 decimals"),
    ("rooms-0-area_m2", "Infinity", "as a number"),
    ("rooms-0-area_m2", "", "Enter the area."),
    ("rooms-0-code", "", "Enter the room code."),
    ("rooms-1-code", "vip1", "used twice"),
    ("rooms-0-code", "<b>", "Use up to 30 letters"),
]


@pytest.mark.parametrize("field, value, message", VALID_OVERRIDES)
def test_bad_values_get_a_message_next_to_the_field_and_nothing_is_saved(client, clerk, db, operator, field,
                                                                          value, message):
    response = client.post("/venues/new", data=venue_form(operator, **{field: value}))
    assert response.status_code == 200
    errors = field_errors(response)
    assert any(message in m for m in errors.get(field, [])), errors
    assert count(db, Venue) == 0 and count(db, Room) == 0
    if field.startswith("rooms"):
        assert "Check the rooms marked below." in response.get_data(as_text=True)


def test_times_need_each_other(client, clerk, db, operator):
    response = client.post("/venues/new", data=venue_form(operator, closes_at=""))
    assert "Give both the opening and the closing time" in field_errors(response)["closes_at"][0]
    response = client.post("/venues/new", data=venue_form(operator, latitude=""))
    assert "Give both latitude and longitude" in field_errors(response)["longitude"][0]


def test_a_dance_hall_open_past_midnight_is_accepted(client, clerk, db, operator):
    data = venue_form(operator, kind="dance_hall", opens_at="20:00", closes_at="02:00",
                      **{"rooms-0-area_m2": "120", "rooms-1-area_m2": "60"})
    assert client.post("/venues/new", data=data).status_code == 302
    venue = db.session.execute(select(Venue)).scalars().one()
    assert venue.closes_next_day and [r.below_minimum for r in venue.rooms] == [False, True]


def test_rooms_are_refused_for_a_sports_facility(client, clerk, db, operator):
    response = client.post("/venues/new", data=venue_form(operator, kind="sports"))
    assert "Only karaoke and dance-hall venues have rooms" in response.get_data(as_text=True)
    assert count(db, Venue) == 0
    data = venue_form(operator, kind="sports", **{"rooms-0-code": "", "rooms-0-area_m2": "",
                                                  "rooms-1-code": "", "rooms-1-area_m2": ""})
    assert client.post("/venues/new", data=data).status_code == 302


def test_a_closed_operator_cannot_get_a_new_venue(client, clerk, db, operator):
    operator.closed_on = __import__("datetime").date(2024, 1, 1)
    db.session.commit()
    response = client.post("/venues/new", data=venue_form(operator))
    assert "is closed" in field_errors(response)["operator_number"][0]


# ----------------------------------------------------------------------------------------------- edit, close
def edit_data(venue, **overrides):
    data = {"name": venue.name, "kind": venue.kind.value, "operator_number": venue.operator.registration_number,
            "house_number": venue.house_number or "", "street": venue.street or "", "ward_id": str(venue.ward_id),
            "phone": venue.phone or "", "capacity": str(venue.capacity or ""), "opens_at": "08:00",
            "closes_at": "23:30", "status": venue.status.value, "notes": "", "version_id": str(venue.version_id)}
    data.update(overrides)
    return data


def test_edit_records_the_change_on_the_timeline(client, clerk, db, venue):
    response = client.post(f"/venues/{venue.id}/edit", data=edit_data(venue, name="Karaoke Sen Hồng",
                                                                      capacity="150"))
    assert response.status_code == 302
    html = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "Venue details changed" in html
    assert "<del>Karaoke Hòa Sen</del>" in html and "<ins>Karaoke Sen Hồng</ins>" in html
    assert "<del>120</del>" in html and "<ins>150</ins>" in html
    assert "Test Clerk (" in html  # who


def test_edit_keeps_a_historic_ward_selectable(client, clerk, db):
    venue = make_venue(ward=unit("HP-W-HONGBANG-MINHKHAI"))
    db.session.commit()
    html = client.get(f"/venues/{venue.id}/edit").get_data(as_text=True)
    assert re.search(rf'<option selected value="{venue.ward_id}">Phường Minh Khai, Quận Hồng Bàng \(until', html)
    detail = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "Quận Hồng Bàng" in detail and "until" in detail
    response = client.post(f"/venues/{venue.id}/edit", data=edit_data(venue, capacity="99"))
    assert response.status_code == 302
    db.session.refresh(venue)
    assert venue.ward.code == "HP-W-HONGBANG-MINHKHAI" and venue.district is not None and venue.capacity == 99


def test_close_and_reopen(client, clerk, db, venue):
    html = client.get(f"/venues/{venue.id}/close").get_data(as_text=True)
    assert 'type="date"' in html
    bad = client.post(f"/venues/{venue.id}/close", data={"closed_on": "2025-02-30", "reason": "",
                                                          "version_id": venue.version_id})
    assert bad.status_code == 200
    errors = field_errors(bad)
    assert "Enter a real date" in errors["closed_on"][0] and "This field is required." in errors["reason"][0]
    future = client.post(f"/venues/{venue.id}/close", data={"closed_on": "2999-01-01", "reason": "x",
                                                             "version_id": venue.version_id})
    assert "and today" in field_errors(future)["closed_on"][0]
    ok = client.post(f"/venues/{venue.id}/close", data={"closed_on": "01/03/2025", "reason": "Ngừng kinh doanh",
                                                         "version_id": venue.version_id})
    assert ok.status_code == 302
    db.session.refresh(venue)
    assert venue.status == VenueStatus.CLOSED and venue.closed_on.isoformat() == "2025-03-01"
    html = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "Ngừng kinh doanh" in html and "Venue closed" in html
    assert client.post(f"/venues/{venue.id}/reopen", data={"version_id": venue.version_id}).status_code == 302
    db.session.refresh(venue)
    assert venue.status == VenueStatus.OPERATING


# ----------------------------------------------------------------------------------------------- rooms
def rooms_data(venue, changes: dict | None = None, extra: list | None = None):
    data = {"version_id": str(venue.version_id)}
    for i, room in enumerate(venue.rooms):
        data |= {f"rooms-{i}-room_id": str(room.id), f"rooms-{i}-code": room.code,
                 f"rooms-{i}-area_m2": str(room.area_m2), f"rooms-{i}-active": "y"}
    for key, value in (changes or {}).items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    for j, (code, area) in enumerate(extra or [], len(venue.rooms)):
        data |= {f"rooms-{j}-code": code, f"rooms-{j}-area_m2": area, f"rooms-{j}-active": "y"}
    return data


def test_editing_a_room_keeps_its_history_and_shows_on_the_timeline(client, clerk, db, venue):
    html = client.get(f"/venues/{venue.id}/rooms").get_data(as_text=True)
    assert 'value="VIP1"' in html and 'value="20"' in html and 'id="room-template"' in html
    data = rooms_data(venue, {"rooms-0-area_m2": "26,5", "rooms-5-remove": "y", "rooms-4-active": None},
                      extra=[("VIP7", "40")])
    response = client.post(f"/venues/{venue.id}/rooms", data=data)
    assert response.status_code == 302, field_errors(response)
    html = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "Room changed" in html and "Room added" in html and "Room removed" in html
    assert "<del>20 m²</del>" in html and "<ins>26.5 m²</ins>" in html
    history = client.get(f"/venues/{venue.id}/rooms/history").get_data(as_text=True)
    assert history.count(">VIP1<") == 2 and "current" in history and "VIP6" in history
    assert count(db, Room) == 6 + 2 + 1  # 6 originals, new VIP1 and VIP5 versions, VIP7


def test_rooms_form_errors_are_next_to_the_line(client, clerk, db, venue):
    data = rooms_data(venue, {"rooms-1-code": "VIP1", "rooms-2-area_m2": "abc"})
    response = client.post(f"/venues/{venue.id}/rooms", data=data)
    errors = field_errors(response)
    assert "used twice" in errors["rooms-1-code"][0] and "as a number" in errors["rooms-2-area_m2"][0]
    assert count(db, Room) == 6


def test_a_line_marked_remove_need_not_be_valid(client, clerk, db, venue):
    data = rooms_data(venue, {"rooms-1-area_m2": "garbage", "rooms-1-remove": "y"})
    assert client.post(f"/venues/{venue.id}/rooms", data=data).status_code == 302
    assert len(db.session.execute(select(Room).where(Room.valid_to.is_(None))).all()) == 5


# ----------------------------------------------------------------------------------------------- sports, staff
def test_sports_and_staff_pages(client, clerk, db):
    venue = make_venue(kind="sports", name="Bể bơi Sông Cấm")
    db.session.commit()
    html = client.get(f"/venues/{venue.id}/sports").get_data(as_text=True)
    assert "Instructor mandatory" in html and "Adventure sport" in html
    rows = re.findall(r'name="sports-(\d+)-sport_id" type="hidden" value="(\d+)"', html)
    swim_index = next(i for i, sport_id in rows if f'sports-{i}-open_water' in html)
    data = {"version_id": str(venue.version_id)} | {f"sports-{i}-sport_id": sid for i, sid in rows}
    data |= {f"sports-{swim_index}-offered": "y", f"sports-{swim_index}-open_water": "y"}
    assert client.post(f"/venues/{venue.id}/sports", data=data).status_code == 302
    db.session.refresh(venue)
    sport_id = venue.sports[0].sport_id
    bad = client.post(f"/venues/{venue.id}/staff", data={
        "version_id": str(venue.version_id), "staff-0-full_name": "Phạm Cường", "staff-0-role": "rescue",
        "staff-0-qualification": "sports_degree", "staff-0-sport_id": str(sport_id), "staff-0-active": "y"})
    assert "does not entitle" in field_errors(bad)["staff-0-qualification"][0]
    ok = client.post(f"/venues/{venue.id}/staff", data={
        "version_id": str(venue.version_id), "staff-0-full_name": "Phạm Cường", "staff-0-role": "rescue",
        "staff-0-qualification": "rescue_certificate", "staff-0-document_number": "CC-01",
        "staff-0-sport_id": str(sport_id), "staff-0-active": "y"})
    assert ok.status_code == 302
    html = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "Phạm Cường" in html and "Rescue certificate" in html and "Sports staff changed" in html
    assert client.get(f"/venues/{make_venue().id}/sports").status_code == 302  # karaoke: no sports page


# ----------------------------------------------------------------------------------------------- operators
def operator_form(**overrides):
    data = {"kind": "enterprise", "name": "Công ty TNHH Giải trí Biển Xanh", "registration_number": "0201112223",
            "registration_date": "2019-05-20", "registration_issuer": "Sở KH&ĐT Hải Phòng",
            "head_office": "8 Điện Biên Phủ", "legal_rep_name": "Đỗ Văn Hải", "legal_rep_id_number": "031085001234",
            "legal_rep_birth_date": "1985-04-02", "security_person_name": "Vũ Văn Tài",
            "security_person_phone": "0912 111 222", "phone": "0225 3 111 222", "email": "info@bienxanh.vn",
            "language": "vi"}
    data.update(overrides)
    return data


def test_register_and_edit_an_operator(client, clerk, db):
    response = client.post("/operators/new", data=operator_form())
    assert response.status_code == 302
    op = db.session.execute(select(Operator)).scalars().one()
    html = client.get(f"/operators/{op.id}").get_data(as_text=True)
    assert "Operator registered" in html and "Register a venue" in html and "0201112223" in html
    response = client.post(f"/operators/{op.id}/edit", data=operator_form(head_office="10 Trần Phú",
                                                                         version_id=op.version_id))
    assert response.status_code == 302
    html = client.get(f"/operators/{op.id}").get_data(as_text=True)
    assert "<del>8 Điện Biên Phủ</del>" in html and "<ins>10 Trần Phú</ins>" in html


OPERATOR_BAD = [
    ("registration_number", "0201234567", "already used by Công ty TNHH Giải trí Hòa Sen"),
    ("registration_number", "", "This field is required."),
    ("registration_number", "02#01", "Use 3 to 40"),
    ("kind", "", "Choose one of the options."),
    ("registration_date", "2999-01-01", "and today"),
    ("registration_date", "32/13/2020", "Enter a real date"),
    ("legal_rep_id_number", "12345", "12 digits"),
    ("legal_rep_birth_date", "2020-01-01", "at least 15 years ago"),
    ("email", "not-an-email", "e-mail address"),
    ("phone", "abc", "8 to 15 digits"),
    ("name", "\x00", "not allowed"),
    ("head_office", "x" * 10_000, "Use at most 500 characters."),
    ("language", "fr", "Choose one of the options."),
]


@pytest.mark.parametrize("field, value, message", OPERATOR_BAD)
def test_operator_form_refuses_bad_values_next_to_the_field(client, clerk, db, operator, field, value, message):
    before = count(db, Operator)
    response = client.post("/operators/new", data=operator_form(**{field: value}))
    assert response.status_code == 200
    assert any(message in m for m in field_errors(response).get(field, [])), field_errors(response)
    assert count(db, Operator) == before


def test_operator_close_needs_its_venues_closed(client, clerk, db, venue):
    op = venue.operator
    response = client.post(f"/operators/{op.id}/close", data={"closed_on": "2025-01-01", "reason": "Giải thể",
                                                               "version_id": op.version_id})
    assert "still runs 1 venue" in response.get_data(as_text=True)
    assert db.session.get(Operator, op.id).closed_on is None


def test_operator_page_lists_its_venues(client, clerk, db, venue):
    html = client.get(f"/operators/{venue.operator_id}").get_data(as_text=True)
    assert f'href="/venues/{venue.id}"' in html and "6 rooms" in html


# ----------------------------------------------------------------------------------------------- access
def test_inspector_reads_but_does_not_edit(client, login, venue):
    login("inspector")
    assert client.get(f"/venues/{venue.id}").status_code == 200
    assert "Edit details" not in client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert client.get("/venues/new").status_code == 403
    assert client.post(f"/venues/{venue.id}/edit", data={}).status_code == 403
    assert client.get("/venues/import/").status_code == 403
    assert client.get("/venues/export.csv").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, venue):
    response = client.get(f"/venues/{venue.id}")
    assert response.status_code == 302 and "/auth/login" in response.location


def test_reference_lists(client, clerk):
    units = client.get("/reference/units").get_data(as_text=True)
    assert "HP-W25-" in units and "HP-W-HONGBANG-MINHKHAI" not in units
    assert "HP-W-HONGBANG-MINHKHAI" in client.get("/reference/units?all=1").get_data(as_text=True)
    assert "Instructor mandatory" in client.get("/reference/sports").get_data(as_text=True)


def test_every_state_change_is_audited(client, clerk, db, operator):
    client.post("/venues/new", data=venue_form(operator))
    actions = [a for (a,) in db.session.execute(select(AuditEvent.action).order_by(AuditEvent.id))]
    assert "venue.create" in actions


def test_a_closed_venue_of_a_closed_operator_can_still_be_corrected(client, clerk, db, venue):
    from registry.db import today_local
    from registry.venues import services

    services.close_venue(venue, today_local(), "Ngừng")
    services.close_operator(venue.operator, today_local(), "Giải thể")
    db.session.commit()
    data = edit_data(venue, notes="Đã kiểm tra lại địa chỉ")
    data.pop("status")
    assert client.post(f"/venues/{venue.id}/edit", data=data).status_code == 302
    db.session.refresh(venue)
    assert venue.notes == "Đã kiểm tra lại địa chỉ" and venue.status == VenueStatus.CLOSED


def test_every_page_renders_for_a_clerk(client, clerk, venue, operator, db):
    sports = make_venue(operator, kind="sports", name="Bể bơi")
    db.session.commit()
    v, o, s = venue.id, operator.id, sports.id
    for url in ("/venues/", "/venues/?q=hoa+sen&sort=newest", f"/venues/{v}", f"/venues/{v}/edit", "/venues/new",
                f"/venues/new?operator={o}&kind=karaoke", f"/venues/{v}/close", f"/venues/{v}/rooms",
                f"/venues/{v}/rooms/history", f"/venues/{s}/sports", f"/venues/{s}/staff", f"/venues/{s}",
                "/operators/", f"/operators/{o}", "/operators/new", f"/operators/{o}/edit", f"/operators/{o}/close",
                "/venues/import/", "/venues/import/template.csv", "/reference/units", "/reference/sports",
                f"/venues/{v}?before=1", "/operators/?state=closed&kind=household"):
        assert client.get(url).status_code == 200, url
