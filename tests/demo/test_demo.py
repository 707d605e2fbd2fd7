"""Demo data: the realistic Hải Phòng set, the bulk generator, and the refusal in production."""
from __future__ import annotations

import random
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from registry.auth.models import User
from registry.common.audit import AuditEvent, verify_chain
from registry.common.text import fold
from registry.demo import DEMO_PASSWORD, DEMO_USERS, DemoRefused, build_demo, foundation
from registry.venues.models import Operator, Room, Venue, VenueKind, VenueStatus


def count(db, model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


@pytest.fixture
def demo(db):
    build_demo()
    db.session.commit()


def current_rooms(db, kind: VenueKind) -> list[tuple[str, Decimal]]:
    return db.session.execute(select(Venue.name, Room.area_m2).join(Room, Room.venue_id == Venue.id)
                              .where(Venue.kind == kind, Room.valid_to.is_(None))).all()


def test_every_demo_account_signs_in_with_the_demo_password(app, db, demo):
    for username, _name, role in DEMO_USERS:
        assert db.session.execute(select(User.role).where(User.username == username)).scalar_one() == role
        client = app.test_client()
        response = client.post("/auth/login", data={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert client.get("/").status_code == 200


def test_demo_set_has_city_sized_register(db, demo):
    assert count(db, User) == len(DEMO_USERS) == 6
    assert 35 <= count(db, Operator) <= 45
    assert 75 <= count(db, Venue) <= 85
    assert count(db, Operator, Operator.kind == "household") >= 10
    assert count(db, Venue, Venue.status == VenueStatus.OPERATING) > count(db, Venue) * 0.8
    assert count(db, Venue, Venue.status == VenueStatus.CLOSED) >= 1
    assert count(db, Venue, Venue.status == VenueStatus.TEMPORARILY_CLOSED) >= 1
    for operator in db.session.execute(select(Operator)).scalars():
        assert len(operator.legal_rep_id_number) == 12 and operator.legal_rep_id_number.isdigit()
        assert operator.name.startswith(("Công ty", "Hộ kinh doanh"))
        assert operator.venues
    for venue in db.session.execute(select(Venue)).scalars():
        assert 20.80 <= venue.latitude <= 20.88 and 106.64 <= venue.longitude <= 106.74
        assert venue.name_key == fold(venue.name)
        assert venue.search_text.startswith(fold(venue.name))


def test_rooms_are_in_the_legal_ranges_except_the_deliberate_ones(db, demo):
    karaoke = current_rooms(db, VenueKind.KARAOKE)
    small = [(n, a) for n, a in karaoke if a < 20]
    assert small == [("Karaoke Ánh Dương", Decimal("18.00"))]
    assert all(20 <= a <= 40 for n, a in karaoke if n != "Karaoke Ánh Dương")
    assert all(n.startswith("Karaoke") for n, _ in karaoke)

    dance = current_rooms(db, VenueKind.DANCE_HALL)
    assert [(n, a) for n, a in dance if a < 80] == [("Vũ trường Nhịp Sóng", Decimal("70.00"))]
    assert all(80 <= a <= 300 for n, a in dance if n != "Vũ trường Nhịp Sóng")
    codes = db.session.execute(select(Room.code).join(Venue).where(Venue.kind == VenueKind.KARAOKE)).scalars()
    assert set(codes) <= {f"VIP{i}" for i in range(1, 9)}


def test_hours_include_a_karaoke_open_past_midnight(db, demo):
    late = db.session.execute(select(Venue).where(Venue.name == "Karaoke Đêm Vàng")).scalar_one()
    assert (late.opens_at.hour, late.closes_at.hour) == (10, 1)
    dance = db.session.execute(select(Venue).where(Venue.kind == VenueKind.DANCE_HALL)).scalars().all()
    assert {(v.opens_at.hour, v.closes_at.hour) for v in dance} == {(20, 2)}


def test_sports_facilities_have_sports_and_staff_except_the_pool_without_rescuers(db, demo):
    facilities = db.session.execute(select(Venue).where(Venue.kind == VenueKind.SPORTS)).scalars().all()
    assert len(facilities) >= 15
    assert all(v.sports for v in facilities)
    roles = {s.role.value for v in facilities for s in v.staff}
    assert {"instructor", "rescue"} <= roles
    for venue in facilities:
        water = any(s.sport.water for s in venue.sports)
        rescuers = [s for s in venue.staff if s.role.value == "rescue"]
        if venue.name == "Bể bơi Phượng Vĩ":
            assert water and not rescuers
        elif water:
            assert rescuers, venue.name


def test_wards_old_with_district_before_july_2025_new_without_after(db, demo):
    venues = db.session.execute(select(Venue)).scalars().all()
    old = [v for v in venues if v.district_id is not None]
    new = [v for v in venues if v.district_id is None]
    assert len(old) > len(new) >= 3
    for v in old:
        assert v.ward.parent_id == v.district_id
        assert v.ward.valid_to is not None and v.created_at.date() <= v.ward.valid_to
        assert v.district.name.startswith("Quận")
    for v in new:
        assert v.ward.valid_to is None and v.created_at.date().isoformat() >= "2025-07-01"


def test_hoa_sen_and_hoa_sen_with_diacritics_are_two_venues_found_by_one_search(db, demo):
    found = db.session.execute(select(Venue.name).where(Venue.search_text.like(f"%{fold('hoa sen')}%"))).scalars()
    names = set(found)
    assert {"Karaoke Hoa Sen", "Karaoke Hòa Sen"} <= names


def test_creations_are_on_the_timelines_attributed_to_the_clerk(db, demo):
    clerk = db.session.execute(select(User).where(User.username == "clerk")).scalar_one()
    venue = db.session.execute(select(Venue).where(Venue.name == "Karaoke Hoa Sen")).scalar_one()
    events = db.session.execute(select(AuditEvent).where(AuditEvent.venue_id == venue.id)).scalars().all()
    assert [e.action for e in events][:1] == ["venue.create"]
    assert events[0].actor_id == clerk.id and events[0].actor_role == "clerk"
    assert events[0].changes["name"] == [None, "Karaoke Hoa Sen"]
    assert count(db, AuditEvent, AuditEvent.action == "venue.create") == count(db, Venue)
    assert count(db, AuditEvent, AuditEvent.action == "operator.create") == count(db, Operator)
    assert verify_chain().ok


def test_plan_is_deterministic_for_a_seed(db):
    wards, sports = foundation.reference_data()
    first = foundation.plan(random.Random(7), wards, sports)
    again = foundation.plan(random.Random(7), wards, sports)
    other = foundation.plan(random.Random(8), wards, sports)
    assert first == again
    assert first != other


def test_demo_is_refused_with_the_production_configuration(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "DEMO_ALLOWED", False)
    with pytest.raises(DemoRefused):
        build_demo()
    for args in (["demo"], ["demo", "--venues", "10"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1
        assert "refused with the production configuration" in result.output


def test_production_config_itself_refuses_demo_data(database_uri, monkeypatch):
    from registry import create_app
    from registry.config import ProductionConfig

    monkeypatch.setenv("DATABASE_URL", database_uri)
    config = type("Prod", (ProductionConfig,), {"SQLALCHEMY_DATABASE_URI": database_uri,
                                                "SECRET_KEY": "k" * 48, "RATELIMIT_STORAGE_URI": "memory://"})
    app = create_app(config)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo"])
        from registry.extensions import db
        assert db.session.execute(select(func.count()).select_from(Venue)).scalar_one() == 0
        db.session.remove()
        db.engine.dispose()
    assert result.exit_code == 1
    assert "refused" in result.output


def test_flask_demo_loads_once_then_needs_force(runner, db):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    venues = count(db, Venue)
    assert venues >= 75

    again = runner.invoke(args=["demo"])
    assert again.exit_code == 1
    assert "--force" in again.output

    forced = runner.invoke(args=["demo", "--force"])
    assert forced.exit_code == 0, forced.output
    db.session.expire_all()
    assert count(db, Venue) == venues  # the records already there were skipped, not duplicated


def test_flask_demo_venues_adds_500_and_refreshes_the_planner_statistics(runner, db):
    before = count(db, Venue)
    result = runner.invoke(args=["demo", "--venues", "500", "--batch-size", "200"])  # speed: bench/make_db.py

    assert result.exit_code == 0, result.output
    assert "Added 500 venues" in result.output
    db.session.expire_all()
    assert planner_row_estimate(db, "venues") >= before + 500
    assert count(db, Venue) == before + 500
    karaoke = db.session.execute(select(Venue).where(Venue.kind == VenueKind.KARAOKE).limit(20)).scalars().all()
    assert karaoke and all(3 <= len(v.rooms) <= 10 for v in karaoke)
    venue = karaoke[0]
    assert venue.operator is not None and venue.ward is not None
    assert venue.name_key == fold(venue.name) and venue.ref in venue.search_text.upper()
    assert count(db, Operator) == 250
    generated = db.session.execute(select(AuditEvent).where(AuditEvent.action == "demo.generate")).scalar_one()
    assert generated.changes["venues"] == 500
    assert verify_chain().ok

    more = runner.invoke(args=["demo", "--venues", "3"])  # numbering continues: no clash with the first run
    assert more.exit_code == 0, more.output
    assert "SV-0000501" in more.output


@pytest.mark.parametrize("value", ["0", "-5", "abc", "99999999999"])
def test_flask_demo_venues_rejects_bad_counts(runner, value):
    result = runner.invoke(args=["demo", "--venues", value])
    assert result.exit_code == 2


def planner_row_estimate(db, table: str) -> int:
    """How many rows the query planner believes ``table`` holds (from the last ANALYZE)."""
    from sqlalchemy import text

    if db.engine.dialect.name == "postgresql":
        return int(db.session.execute(text("SELECT reltuples FROM pg_class WHERE relname = :t"), {"t": table})
                   .scalar_one())
    stats = db.session.execute(text("SELECT stat FROM sqlite_stat1 WHERE tbl = :t"), {"t": table}).scalars().all()
    return max((int(stat.split()[0]) for stat in stats), default=0)
