"""Searching and paging the register: diacritic-insensitive search, filters, keyset pages."""
from __future__ import annotations

import pytest

from registry.venues import queries, services
from registry.venues.models import VenueKind, VenueStatus
from registry.venues.queries import OperatorFilters, VenueFilters, search_operators, search_venues
from tests.factories import make_operator, make_venue, unit


def names(page):
    return sorted(v.name for v, _n in page.rows)


@pytest.fixture
def lotus(db):
    op = make_operator(name="Công ty TNHH Sen Vàng", registration_number="0209998887")
    a = make_venue(op, name="Karaoke Hoa Sen", street="Lạch Tray")
    b = make_venue(op, name="Karaoke Hòa Sen", street="Tô Hiệu")
    c = make_venue(make_operator(), name="KARAOKE HOÀ SEN 2", street="Văn Cao")
    d = make_venue(make_operator(), name="Vũ trường Đêm Xanh", kind="dance_hall", street="Điện Biên Phủ")
    return a, b, c, d


@pytest.mark.parametrize("q", ["hoa sen", "Hòa Sen", "HOÀ SEN", "  hoa   sen ", "sen hoa"])
def test_search_ignores_diacritics_case_and_spacing(lotus, q):
    page = search_venues(VenueFilters(q=q))
    assert names(page) == ["KARAOKE HOÀ SEN 2", "Karaoke Hoa Sen", "Karaoke Hòa Sen"]
    assert page.count == 3


def test_search_finds_address_operator_and_registration_number(lotus):
    assert names(search_venues(VenueFilters(q="lach tray"))) == ["Karaoke Hoa Sen"]
    assert names(search_venues(VenueFilters(q="dien bien phu"))) == ["Vũ trường Đêm Xanh"]
    assert names(search_venues(VenueFilters(q="đêm xanh"))) == ["Vũ trường Đêm Xanh"]
    assert names(search_venues(VenueFilters(q="0209998887"))) == ["Karaoke Hoa Sen", "Karaoke Hòa Sen"]
    assert names(search_venues(VenueFilters(q="sen vang"))) == ["Karaoke Hoa Sen", "Karaoke Hòa Sen"]
    assert search_venues(VenueFilters(q=lotus[3].ref.lower())).count == 1


def test_like_wildcards_in_the_query_are_literal(lotus):
    assert search_venues(VenueFilters(q="%")).count == 0
    assert search_venues(VenueFilters(q="_")).count == 0


def test_filters(db, lotus):
    a, b, c, d = lotus
    assert names(search_venues(VenueFilters(kind=VenueKind.DANCE_HALL))) == ["Vũ trường Đêm Xanh"]
    services.close_venue(b, b.created_at.date(), "x")
    assert names(search_venues(VenueFilters(status=VenueStatus.CLOSED))) == ["Karaoke Hòa Sen"]
    assert names(search_venues(VenueFilters(operator_id=a.operator_id, status=VenueStatus.OPERATING))) == [
        "Karaoke Hoa Sen"]
    old = make_venue(name="Karaoke Cũ", ward=unit("HP-W-HONGBANG-MINHKHAI"))
    assert names(search_venues(VenueFilters(district_id=old.district_id))) == ["Karaoke Cũ"]
    assert names(search_venues(VenueFilters(ward_id=old.ward_id))) == ["Karaoke Cũ"]
    assert names(search_venues(VenueFilters(ward_id=a.ward_id, q="xanh"))) == ["Vũ trường Đêm Xanh"]


def test_filters_from_the_query_string_ignore_garbage():
    f = VenueFilters.from_args({"q": "x\x00y", "kind": "casino", "status": "closed", "ward": "12abc",
                                "district": "99999999999999"})
    assert f == VenueFilters(q="", status=VenueStatus.CLOSED)
    assert VenueFilters.from_args({"q": "a" * 5000}).q == "a" * 200
    assert VenueFilters(q="sen", kind=VenueKind.CLUB, ward_id=3).as_args() == {"q": "sen", "kind": "club",
                                                                              "ward": 3}


@pytest.mark.parametrize("sort", ["name", "newest"])
def test_keyset_pages_cover_everything_once_in_order(db, sort):
    op = make_operator()
    for i in range(123):
        make_venue(op, name=f"Karaoke {i % 7} Sen {i:03d}", rooms=[])
    seen, after, pages = [], None, 0
    while True:
        page = search_venues(VenueFilters(q="sen"), sort, after, limit=50)
        assert page.count == 123 and page.has_previous == (after is not None)
        seen.extend(v for v, _n in page.rows)
        pages += 1
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert pages == 3 and len(seen) == 123 and len({v.id for v in seen}) == 123
    if sort == "name":
        assert [(v.name_key, v.id) for v in seen] == sorted((v.name_key, v.id) for v in seen)
    else:
        assert [(v.created_at, v.id) for v in seen] == sorted(((v.created_at, v.id) for v in seen), reverse=True)
    assert [r.id for r in queries.export_venues(VenueFilters(q="sen"), sort, batch=40)] == [v.id for v in seen]


def test_a_broken_cursor_shows_the_first_page(lotus):
    for cursor in ("not-base64!", "eyJ4IjoxfQ", "W10", "x" * 1000):
        page = search_venues(VenueFilters(), "name", cursor)
        assert page.count == 4 and len(page.rows) == 4 and not page.has_previous


def test_room_count_shows_current_rooms_in_use(db, lotus):
    page = search_venues(VenueFilters(q="hoa sen"))
    assert {n for _v, n in page.rows} == {6}


def test_operator_search_and_pages(db):
    for i in range(60):
        make_operator(name=f"Hộ kinh doanh Hòa {i:02d}")
    make_operator(name="Công ty Khác")
    page = search_operators(OperatorFilters(q="hoa"), "name", limit=50)
    assert page.count == 60 and len(page.rows) == 50 and page.next_cursor
    rest = search_operators(OperatorFilters(q="hoa"), "name", page.next_cursor, limit=50)
    assert len(rest.rows) == 10 and rest.next_cursor is None
    assert not {o.id for o, _n in page.rows} & {o.id for o, _n in rest.rows}
    assert OperatorFilters.from_args({"state": "bogus", "kind": "household"}).as_args() == {"kind": "household"}


def test_ward_picker_offers_units_valid_today_plus_the_venues_own(db):
    old = unit("HP-W-HONGBANG-MINHKHAI")
    current = queries.ward_choices()
    assert str(old.id) not in {c.value for c in current}
    assert all("Quận" not in c.label for c in current)
    kept = queries.ward_choices(keep_id=old.id)
    assert kept[0].value == str(old.id) and "until" in kept[0].label


def test_a_text_search_counts_up_to_the_cap_then_says_more(db, monkeypatch):
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    for n in range(5):
        make_venue(name=f"Karaoke Sao Mai {n}")
    make_venue(name="Vũ trường Đêm Xanh")
    db.session.flush()
    capped = search_venues(VenueFilters(q="sao mai"), limit=2)
    assert capped.count_capped and capped.count == 3 and len(capped.rows) == 2
    # filters without a search word are counted exactly (from their indexes)
    exact = search_venues(VenueFilters(kind=VenueKind.KARAOKE), limit=2)
    assert not exact.count_capped and exact.count >= 5
    # under the cap the count is exact
    monkeypatch.setattr(queries, "COUNT_CAP", 10)
    under = search_venues(VenueFilters(q="sao mai"), limit=2)
    assert (under.count, under.count_capped) == (5, False)


def test_the_list_says_more_than_the_cap_in_the_users_language(client, login, db, monkeypatch):
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    for n in range(55):
        make_venue(name=f"Karaoke Sao Mai {n:02d}")
    db.session.commit()
    login("clerk")
    page = client.get("/venues/?q=sao+mai").get_data(as_text=True)
    assert "More than 3 venues match" in page
    client.post("/language", data={"lang": "vi", "next": "/venues/"})
    assert "Hơn 3 cơ sở phù hợp" in client.get("/venues/?q=sao+mai").get_data(as_text=True)
