"""The public register: diacritic-insensitive search, filters, keyset pages, phone layout, no personal data."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from registry.reference.models import AdminUnit, UnitLevel
from tests.documents import helpers
from tests.factories import make_operator, make_venue


def names(response) -> list[str]:
    return re.findall(r'<h2 class="h6 mb-1 fw-semibold">(.*?)</h2>', response.get_data(as_text=True))


def test_search_by_name_ignores_accents_and_case(db, client):
    helpers.make_licence(make_venue(name="Karaoke Hòa Sen"))
    helpers.make_licence(make_venue(name="Karaoke Đồng Xanh"))
    make_venue(name="Karaoke Hòa Sen Chưa Cấp Phép")  # no licence: not in the register
    db.session.commit()
    for query in ("hoa sen", "HÒA SEN", "Hoà  sen", "sen hoa"):
        assert names(client.get("/register/", query_string={"q": query})) == ["Karaoke Hòa Sen"], query
    assert names(client.get("/register/", query_string={"q": "dong xanh"})) == ["Karaoke Đồng Xanh"]
    empty = client.get("/register/", query_string={"q": "không có"})
    assert names(empty) == [] and 'data-testid="register-empty"' in empty.get_data(as_text=True)


def test_filters_by_kind_status_and_area(db, client):
    districts = db.session.query(AdminUnit).filter(AdminUnit.level == UnitLevel.DISTRICT).order_by(
        AdminUnit.code).all()
    district = districts[0]
    ward = db.session.query(AdminUnit).filter(AdminUnit.parent_id == district.id).first()
    old = helpers.make_licence(make_venue(name="Karaoke Phố Cũ", ward=ward))
    dance = helpers.make_licence(category="dance_hall", name="Vũ trường Sao Băng")
    suspended = helpers.make_licence(make_venue(name="Karaoke Tạm Dừng"))
    helpers.suspend(suspended)
    db.session.commit()

    assert names(client.get("/register/", query_string={"kind": "dance_hall"})) == ["Vũ trường Sao Băng"]
    assert names(client.get("/register/", query_string={"status": "suspended"})) == ["Karaoke Tạm Dừng"]
    assert names(client.get("/register/", query_string={"area": district.id})) == ["Karaoke Phố Cũ"]
    assert names(client.get("/register/", query_string={"area": ward.id})) == ["Karaoke Phố Cũ"]
    everything = client.get("/register/").get_data(as_text=True)
    for lic in (old, dance, suspended):
        assert lic.number_display in everything
    assert "status-warning" in everything  # the suspended licence's badge


def test_keyset_pages(db, client):
    for i in range(30):
        helpers.make_licence(make_venue(name=f"Karaoke Trang {i:02d}"))
    db.session.commit()
    first = client.get("/register/", query_string={"q": "trang"})
    page1 = names(first)
    assert len(page1) == 25 and page1 == sorted(page1)
    next_link = re.search(r'rel="next" href="([^"]+)"', first.get_data(as_text=True)).group(1).replace("&amp;", "&")
    second = client.get(next_link)
    page2 = names(second)
    assert page2 == [f"Karaoke Trang {i:02d}" for i in range(25, 30)]
    assert 'rel="next"' not in second.get_data(as_text=True)
    assert "First page" in second.get_data(as_text=True) or "Trang đầu" in second.get_data(as_text=True)


def test_a_page_costs_a_fixed_number_of_queries(app, db, client):
    for i in range(3):
        helpers.make_licence(make_venue(name=f"Karaoke Ít {i}"))
    for i in range(20):
        helpers.make_licence(make_venue(name=f"Karaoke Nhiều {i}"))
    db.session.commit()
    client.get("/register/")  # caches the area list

    def count(query: str) -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/register/", query_string={"q": query}).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len([s for s in statements if "licences" in s or "venues" in s])

    assert count("it") == count("nhieu") == 2


def test_no_personal_data(db, client):
    operator = make_operator(legal_rep_name="Lưu Thị Kín", legal_rep_id_number="031099998888",
                             registration_number="0209999999", phone="0977 000 111",
                             head_office="Số 77 ngõ Riêng Tư")
    helpers.make_licence(make_venue(operator, name="Karaoke Công Khai", phone="0912 999 000"))
    db.session.commit()
    html = client.get("/register/").get_data(as_text=True)
    assert "Karaoke Công Khai" in html
    for secret in ("Lưu Thị Kín", "031099998888", "0209999999", "0977 000 111", "0912 999 000", "ngõ Riêng Tư"):
        assert secret not in html


@pytest.mark.parametrize("args", [
    {"q": "a\x00b"}, {"q": "x" * 10_000}, {"area": "abc"}, {"area": "-1"}, {"area": "99999999999"},
    {"kind": "casino"}, {"status": "valid'--"}, {"after": "abc"}, {"after": "-5"}, {"after": "99999999"},
])
def test_bad_input_never_gives_a_500(db, client, args):
    response = client.get("/register/", query_string=args)
    assert response.status_code == 200
    if set(args) - {"after"}:
        assert "invalid-feedback" in response.get_data(as_text=True)


def test_works_in_english_and_shows_processing_times_when_there_are_decisions(db, client):
    helpers.make_licence(make_venue(name="Karaoke Song Ngữ"))
    db.session.commit()
    html = client.get("/register/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html and "Public register of licensed venues" in html
    assert "Karaoke business licence" in html


def test_processing_times_median_working_days(app, db):
    from datetime import date

    from registry.auth.models import User
    from registry.licences.models import Application, ApplicationKind, ApplicationStatus
    from registry.public.queries import processing_times

    ltype = helpers.licence_type("karaoke")
    venue = make_venue()
    user = User(username="u1", full_name="U", role="clerk", password_hash="x")
    db.session.add(user)
    db.session.flush()
    # Mon 3 Mar 2025 → Fri 7 Mar (4 working days), → Mon 10 Mar (5), → Wed 12 Mar (7)
    for i, decided in enumerate((date(2025, 3, 7), date(2025, 3, 10), date(2025, 3, 12))):
        db.session.add(Application(ref=f"HS-{i}", kind=ApplicationKind.NEW, status=ApplicationStatus.APPROVED,
                                   licence_type_id=ltype.id, venue_id=venue.id, operator_id=venue.operator_id,
                                   received_on=date(2025, 3, 3), decided_on=decided, prepared_by_id=user.id))
    db.session.commit()
    with app.test_request_context("/"):
        times = processing_times(days=100_000)
    assert len(times) == 1
    assert times[0].median_days == 5 and times[0].decided == 3 and times[0].legal_days == ltype.processing_days
