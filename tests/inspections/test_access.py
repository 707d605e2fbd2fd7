"""Who may see and do what: the permission table for each route, and the data-level rule that an inspector only
works on visits they lead or belong to (IDOR: inspector B gets 403 on A's visit everywhere)."""
from __future__ import annotations

import io

import pytest

from registry.inspections import services
from registry.inspections.models import InspectionMember, InspectionOutcome
from tests.inspections.conftest import answer_all, started
from tests.inspections.test_photos import jpeg


@pytest.fixture
def a_visit(karaoke, inspector, client, sign_in, db):
    """A visit led by ``inspector`` with a photo, closed with minutes; plus one under way."""
    closed = started(karaoke, inspector)
    sign_in(inspector)
    client.post(f"/inspections/{closed.id}/visit", data={"next": "photo", "version_id": closed.version_id,
                                                         "photo": (io.BytesIO(jpeg()), "a.jpg")},
                content_type="multipart/form-data")
    db.session.expire_all()
    answer_all(closed)
    services.close_visit(closed, InspectionOutcome.COMPLIANT, by=inspector, version=closed.version_id)
    db.session.commit()
    open_visit = started(karaoke, inspector)
    return closed, open_visit


def urls(closed, open_visit):
    photo = closed.photos[0]
    return {
        "detail": ("get", f"/inspections/{closed.id}", None),
        "photo": ("get", f"/inspections/{closed.id}/photos/{photo.id}", None),
        "minutes": ("get", f"/inspections/{closed.id}/minutes.pdf", None),
        "visit page": ("get", f"/inspections/{open_visit.id}/visit", None),
        "visit submit": ("post", f"/inspections/{open_visit.id}/visit", {"customers_count": "5"}),
        "autosave": ("post", f"/inspections/{open_visit.id}/autosave", {"json": True}),
        "violation": ("get", f"/inspections/{open_visit.id}/violations/new", None),
        "close": ("get", f"/inspections/{open_visit.id}/close", None),
        "amend": ("get", f"/inspections/{closed.id}/amend", None),
    }


def call(client, method, url, data, version):
    if data and data.get("json"):
        return client.post(url, json={"version": version, "fields": {"customers_count": "99"}},
                           headers={"Accept": "application/json"})
    return getattr(client, method)(url, data=data)


def test_inspector_b_gets_403_on_a_visit_of_inspector_a(a_visit, other_inspector, client, sign_in, db):
    closed, open_visit = a_visit
    sign_in(other_inspector)
    for name, (method, url, data) in urls(closed, open_visit).items():
        response = call(client, method, url, data, open_visit.version_id)
        assert response.status_code == 403, name
    autosave = call(client, "post", f"/inspections/{open_visit.id}/autosave", {"json": True}, open_visit.version_id)
    assert autosave.is_json and autosave.json["status"] == 403
    db.session.expire_all()
    assert open_visit.customers_count is None
    listing = client.get("/inspections/").get_data(as_text=True)
    assert f"/inspections/{closed.id}\"" not in listing


def test_the_lead_and_team_members_get_through(a_visit, inspector, other_inspector, client, sign_in, db):
    closed, open_visit = a_visit
    for user in (inspector, other_inspector):
        if user is other_inspector:
            for visit in (closed, open_visit):
                visit.members.append(InspectionMember(user_id=user.id, full_name=user.full_name, agency="culture"))
            db.session.commit()
        sign_in(user)
        for name, (method, url, data) in urls(closed, open_visit).items():
            if name in ("visit submit", "autosave"):
                continue
            assert call(client, method, url, data, open_visit.version_id).status_code == 200, (user, name)


def test_manager_sees_and_plans_everything_clerk_only_reads(a_visit, manager, make_user, client, sign_in):
    closed, open_visit = a_visit
    sign_in(manager)
    for path in (f"/inspections/{closed.id}", f"/inspections/{closed.id}/minutes.pdf", "/inspections/queue",
                 "/inspections/workload", "/inspections/new", f"/inspections/{open_visit.id}/visit"):
        assert client.get(path).status_code == 200, path
    sign_in(make_user("clerk"))
    assert client.get(f"/inspections/{closed.id}").status_code == 200
    assert client.get(f"/inspections/{closed.id}/minutes.pdf").status_code == 200
    for path in (f"/inspections/{open_visit.id}/visit", "/inspections/queue", "/inspections/new",
                 "/inspections/today"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/inspections/{open_visit.id}/autosave", json={"version": 1, "fields": {}}).status_code == 403


def test_anonymous_is_sent_to_sign_in(a_visit, client):
    closed, _ = a_visit
    client.post("/auth/logout")
    for path in ("/inspections/", f"/inspections/{closed.id}", f"/inspections/{closed.id}/minutes.pdf"):
        response = client.get(path)
        assert response.status_code in (302, 401), path


def test_inspector_home_page_is_my_day(inspector, karaoke, client, sign_in, db):
    from tests.inspections.conftest import plan

    plan(karaoke, inspector)
    db.session.commit()
    sign_in(inspector)
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="today-list"' in page and karaoke.name in page


def test_every_inspection_endpoint_declares_its_access(app):
    views = {name: view for name, view in app.view_functions.items() if name.startswith("inspections.")}
    assert len(views) >= 20
    assert all(getattr(view, "access", None) is not None for view in views.values())
