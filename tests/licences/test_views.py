"""The licensing pages: access, forms that refuse bad input with field messages, lists, exports, configuration."""
from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import render_template_string
from sqlalchemy import event, select

from registry.db import today_local
from registry.extensions import db
from registry.licences import lifecycle, queries
from registry.licences.models import Application, ApplicationStatus, FeeRule, Licence, LicenceStatus, ProtectedSite
from tests.factories import make_venue
from tests.licences.conftest import add_documents, issue, licence_type, pay_in_full, receive, to_appraisal

EN = {"Accept-Language": "en"}


def get(client, url):
    return client.get(url, headers=EN)


def post(client, url, data):
    return client.post(url, data=data, headers=EN)


# ------------------------------------------------------------------------------------------------ access
@pytest.mark.parametrize(("role", "url", "status"), [
    ("clerk", "/applications/", 200), ("inspector", "/applications/", 200), ("inspector", "/applications/new", 403),
    ("clerk", "/applications/new", 200), ("clerk", "/licences/", 200), ("admin", "/config/", 200),
    ("clerk", "/config/", 403), ("manager", "/config/fees", 403), ("admin", "/config/licence-types", 200),
    ("admin", "/config/fees", 200), ("admin", "/config/holidays", 200), ("admin", "/config/authorities", 200),
    ("admin", "/config/protected-sites", 200), ("clerk", "/licences/desk", 200), ("admin", "/applications/new", 403),
])
def test_pages_by_role(app, client, login, role, url, status):
    login(role)
    assert get(client, url).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(app, client):
    assert get(client, "/applications/").status_code == 302
    assert get(client, "/licences/1").status_code == 302


def test_clerk_home_is_the_desk(app, client, login, clerk):
    overdue = receive(make_venue(), clerk, received_on=today_local() - timedelta(days=30))
    db.session.commit()
    login("clerk")
    page = get(client, "/").get_data(as_text=True)
    assert "Licensing desk" in page and overdue.ref in page and "Overdue by" in page


# ------------------------------------------------------------------------------------------------ intake form
def intake_data(venue, **overrides):
    data = {"venue_id": venue.id, "licence_type_id": licence_type("HP-KARAOKE").id, "kind": "new",
            "channel": "counter", "received_on": today_local().isoformat()}
    data.update(overrides)
    return data


def test_intake_through_the_form(app, client, login):
    venue = make_venue()
    db.session.commit()
    login("clerk")
    assert venue.name in get(client, f"/applications/new?q={venue.name}").get_data(as_text=True)
    response = post(client, "/applications/new", intake_data(venue, notes="Nộp tại bộ phận một cửa"))
    assert response.status_code == 302
    application = db.session.execute(select(Application).where(Application.venue_id == venue.id)).scalar_one()
    page = get(client, response.headers["Location"]).get_data(as_text=True)
    assert application.ref in page and "12,000,000" in page and "working days left" in page


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"notes": "abc\x00def"}, "notes", "not allowed"),
    ({"notes": "x" * 10_000}, "notes", "at most 4000"),
    ({"received_on": "2999-01-01"}, "received_on", "cannot be in the future"),
    ({"received_on": "31/02/2026"}, "received_on", "real date"),
    ({"licence_type_id": ""}, "licence_type_id", "Choose one"),
    ({"licence_type_id": "99999"}, "licence_type_id", "Choose one"),
    ({"kind": "teleport"}, "kind", "Choose one"),
    ({"kind": "adjust_location"}, "kind", "new licence"),
    ({"kind": "adjust_rooms", "add_rooms-0-code": "V9", "add_rooms-0-area_m2": "-3"}, "add_rooms-0-area_m2",
     "area"),
])
def test_intake_refuses_bad_input_next_to_the_field(app, client, login, overrides, field, message):
    venue = make_venue()
    db.session.commit()
    login("clerk")
    response = post(client, "/applications/new", intake_data(venue, **overrides))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert db.session.execute(select(Application)).first() is None


def test_location_change_message_on_the_form(app, client, login, issued):
    licence = issued()
    db.session.commit()
    login("clerk")
    response = post(client, "/applications/new", intake_data(licence.venue, kind="adjust_location",
                                                             subject_licence_id=licence.id))
    assert response.status_code == 400
    assert "cannot be made by adjusting a licence" in response.get_data(as_text=True)


# ------------------------------------------------------------------------------------------------ dossier page
def test_dossier_page_shows_rules_legal_basis_fee_and_history(app, client, login, clerk):
    venue = make_venue(rooms=[Decimal("18")] + [Decimal("25")] * 5)
    application = receive(venue, clerk)
    db.session.commit()
    login("clerk")
    page = get(client, f"/applications/{application.id}").get_data(as_text=True)
    assert 'data-rule="min_room_area" data-outcome="fail"' in page
    assert "Room VIP1: 18 m², below 20 m²" in page and "Decree 54/2019/ND-CP, Art. 4" in page
    assert "colourless glass" in page  # 2009-era rules no longer apply
    assert "12,000,000" in page and "Circular 01/2021" in page
    assert "Received" in page and "Ask for missing papers" in page


def test_workflow_through_the_forms(app, client, login, make_user, clerk):
    venue = make_venue()
    add_documents(venue)
    application = receive(venue, clerk)
    db.session.commit()
    login("clerk")
    url = f"/applications/{application.id}"
    r = post(client, f"{url}/transition", {"to": "needs_completion", "on": today_local().isoformat(), "reason": "",
                                           "version_id": application.version_id})
    assert r.status_code == 400 and "Give the reason" in r.get_data(as_text=True)
    r = post(client, f"{url}/transition", {"to": "accepted", "on": today_local().isoformat(),
                                           "version_id": application.version_id})
    assert r.status_code == 302
    db.session.expire_all()
    r = post(client, f"{url}/transition", {"to": "accepted", "on": today_local().isoformat(),
                                           "version_id": application.version_id - 1})
    assert r.status_code == 409  # an old form: someone else moved the dossier meanwhile
    r = post(client, f"{url}/transition", {"to": "appraisal", "on": today_local().isoformat(),
                                           "version_id": application.version_id})
    assert r.status_code == 302
    db.session.expire_all()
    r = post(client, f"{url}/appraisal", {"appraised_on": today_local().isoformat(), "no_inner_latch": "yes",
                                          "no_non_fire_alarm": "yes", "version_id": application.version_id})
    assert r.status_code == 302
    for amount, status, text in [("-5", 400, "whole đồng"), ("abc", 400, "whole đồng"), ("0", 400, "above 0"),
                                 ("99.000.000", 400, "more than the"), ("12.000.000", 302, None)]:
        r = post(client, f"{url}/payments", {"receipt_number": f"BL-{amount}", "paid_on": today_local().isoformat(),
                                             "amount": amount})
        assert r.status_code == status, amount
        if text:
            assert text in r.get_data(as_text=True)
    db.session.expire_all()
    assert application.fee_paid == 12_000_000
    # a clerk cannot decide
    assert post(client, f"{url}/decide", {"decision": "approve", "on": today_local().isoformat(),
                                          "version_id": application.version_id}).status_code == 403


def test_manager_decides_and_four_eyes_is_shown(app, client, login, clerk, make_user):
    venue = make_venue()
    add_documents(venue)
    manager = login("manager")
    mine = receive(venue, manager)
    db.session.commit()
    page = get(client, f"/applications/{mine.id}").get_data(as_text=True)
    assert 'data-testid="four-eyes"' in page or "A manager decides" in page
    other_venue = make_venue()
    add_documents(other_venue)
    application = receive(other_venue, clerk)
    to_appraisal(application, clerk)
    pay_in_full(application, clerk)
    db.session.commit()
    r = post(client, f"/applications/{application.id}/decide", {"decision": "refuse", "on": today_local().isoformat(),
                                                                "reason": "", "version_id": application.version_id})
    assert r.status_code == 400 and "reasons for the refusal" in r.get_data(as_text=True)
    r = post(client, f"/applications/{application.id}/decide", {"decision": "approve",
                                                                "on": today_local().isoformat(),
                                                                "version_id": application.version_id})
    assert r.status_code == 302 and "/licences/" in r.headers["Location"]
    licence = db.session.execute(select(Licence).where(Licence.application_id == application.id)).scalar_one()
    page = get(client, r.headers["Location"]).get_data(as_text=True)
    assert licence.number_display in page and "What it licenses" in page and "VIP6" in page


def test_measured_room_areas_fix_the_register(app, client, login, clerk):
    venue = make_venue(rooms=[Decimal("18")] + [Decimal("25")] * 5)
    application = receive(venue, clerk)
    services_transition(application, clerk)
    db.session.commit()
    login("clerk")
    rooms = venue.active_rooms
    data = {"version_id": application.version_id}
    for i, room in enumerate(rooms):
        data[f"rooms-{i}-room_id"] = room.id
        data[f"rooms-{i}-area_m2"] = "20,5" if room.area_m2 < 20 else str(room.area_m2)
    r = post(client, f"/applications/{application.id}/rooms", data)
    assert r.status_code == 302
    db.session.expire_all()
    assert min(r.area_m2 for r in venue.active_rooms) == Decimal("20.5")
    data["rooms-0-area_m2"] = "abc"
    data["version_id"] = application.version_id
    assert post(client, f"/applications/{application.id}/rooms", data).status_code == 400


def services_transition(application, clerk):
    from registry.licences import services

    services.transition(application, ApplicationStatus.ACCEPTED, by=clerk)


# ------------------------------------------------------------------------------------------------ licence pages
def test_licence_measures_through_the_forms(app, client, login, issued):
    licence = issued()
    db.session.commit()
    login("manager")
    url = f"/licences/{licence.id}"
    r = post(client, f"{url}/suspend", {"kind": "agency_suspension", "starts_on": today_local().isoformat(),
                                        "reason": "Không đảm bảo PCCC", "version_id": licence.version_id})
    assert r.status_code == 400 and "Name the agency" in r.get_data(as_text=True)
    r = post(client, f"{url}/suspend", {"kind": "suspension", "starts_on": today_local().isoformat(),
                                        "reason": "Vi phạm lần 2", "document_number": "5/TB",
                                        "version_id": licence.version_id})
    assert r.status_code == 302
    db.session.expire_all()
    assert licence.status == LicenceStatus.SUSPENDED
    sanction = licence.sanctions[0]
    r = post(client, f"{url}/sanctions/{sanction.id}/lift", {"lifted_on": today_local().isoformat(),
                                                             "version_id": licence.version_id})
    assert r.status_code == 302
    r = post(client, f"{url}/revoke", {"on": today_local().isoformat(), "reason": "", "version_id": 999})
    assert r.status_code == 400 and "This field is required" in r.get_data(as_text=True)
    db.session.expire_all()
    assert licence.status == LicenceStatus.ACTIVE


def test_clerk_cannot_suspend(app, client, login, issued):
    licence = issued()
    db.session.commit()
    login("clerk")
    assert post(client, f"/licences/{licence.id}/suspend", {}).status_code == 403


def test_licence_list_filters_search_and_export(app, client, login, clerk, manager):
    a = issue(make_venue(name="Karaoke Hòa Sen"), clerk, manager)
    b = issue(make_venue(name="Karaoke Biển Xanh"), clerk, manager)
    lifecycle.revoke(b, on=today_local(), reason="x")
    db.session.commit()
    login("clerk")
    assert a.number_display in get(client, "/licences/?q=hoa sen").get_data(as_text=True)
    page = get(client, "/licences/?q=hòa+sen").get_data(as_text=True)
    assert a.number_display in page and b.number_display not in page
    page = get(client, f"/licences/?q={b.number_display}").get_data(as_text=True)
    assert b.number_display in page and f">{a.number_display}<" not in page
    page = get(client, "/licences/?status=revoked").get_data(as_text=True)
    assert b.number_display in page and f">{a.number_display}<" not in page
    today = today_local().isoformat()
    assert "2 licences" in get(client, f"/licences/?issued_from={today}&issued_to={today}").get_data(as_text=True)
    assert "0 licences" in get(client, "/licences/?issued_to=2000-01-01").get_data(as_text=True)
    assert get(client, "/licences/?issued_from=garbage&status=nope&type=x&after=%00").status_code == 200
    csv = get(client, "/licences/export?format=csv").get_data(as_text=True)
    assert csv.startswith("\ufeffnumber,licence_type,status") and a.number_display in csv
    assert "031090001234" not in csv  # no personal ID numbers
    xlsx = get(client, "/licences/export?format=xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.max_row == 3
    assert get(client, "/licences/export?format=pdf").status_code == 404


def test_keyset_pages_do_not_overlap(app, clerk, manager):
    for _ in range(5):
        issue(make_venue(), clerk, manager)
    seen, after = [], None
    while True:
        page = queries.search_licences(queries.LicenceFilters(), after=after, limit=2)
        seen += [lic.id for lic in page.rows]
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert len(seen) == len(set(seen)) == 5


def count_queries(app, fn):
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


def test_list_pages_make_no_query_per_row(app, client, login, clerk, manager):
    login("clerk")
    issue(make_venue(), clerk, manager)
    receive(make_venue(), clerk)
    db.session.commit()
    few_licences = count_queries(app, lambda: get(client, "/licences/"))
    few_apps = count_queries(app, lambda: get(client, "/applications/"))
    for _ in range(6):
        issue(make_venue(), clerk, manager)
        receive(make_venue(), clerk)
    db.session.commit()
    assert count_queries(app, lambda: get(client, "/licences/")) == few_licences
    assert count_queries(app, lambda: get(client, "/applications/")) == few_apps


def test_application_list_highlights_overdue(app, client, login, clerk):
    late = receive(make_venue(), clerk, received_on=today_local() - timedelta(days=40))
    fresh = receive(make_venue(), clerk)
    db.session.commit()
    login("clerk")
    page = get(client, "/applications/?overdue=1").get_data(as_text=True)
    assert late.ref in page and fresh.ref not in page and 'data-overdue="yes"' in page


def test_venue_partial_lists_current_and_past_licences(app, clerk, manager):
    venue = make_venue()
    first = issue(venue, clerk, manager)
    with app.test_request_context(headers=EN):
        html = render_template_string('{% include "licences/_venue_licences.html" %}', venue=venue)
    assert first.number_display in html and "No licence in force" not in html
    lifecycle.cease(first, on=today_local(), reason="Đóng cửa")
    with app.test_request_context(headers=EN):
        html = render_template_string('{% include "licences/_venue_licences.html" %}', venue=venue)
    assert "No licence in force" in html and "1 earlier licence" in html


# ------------------------------------------------------------------------------------------------ configuration
def test_licence_type_rules_are_checked_before_saving(app, client, login):
    ltype = licence_type("HP-KARAOKE")
    db.session.commit()
    login("admin")
    page = get(client, f"/config/licence-types/{ltype.id}").get_data(as_text=True)
    assert "min_room_area" in page
    form = {f: getattr(ltype, f) for f in ("name_vi", "name_en", "title_vi", "title_en", "symbol", "legal_basis_vi",
                                            "legal_basis_en", "required_documents_json", "conditions_json")}
    form.update(authority_id=ltype.authority_id, default_signer_id=ltype.default_signer_id, grace_days="0",
                processing_days="5", adjustment_processing_days="4", active="y", version_id=ltype.version_id,
                rules_json='[{"kind": "min_room_area", "params": {}}]')
    r = post(client, f"/config/licence-types/{ltype.id}", form)
    assert r.status_code == 400 and "parameter min_m2 is missing" in r.get_data(as_text=True)
    r = post(client, f"/config/licence-types/{ltype.id}", {**form, "rules_json": "[not json"})
    assert r.status_code == 400 and "not valid JSON" in r.get_data(as_text=True)
    r = post(client, f"/config/licence-types/{ltype.id}", {**form, "processing_days": "-1",
                                                           "rules_json": ltype.rules_json})
    assert r.status_code == 400 and "from 1 to 120" in r.get_data(as_text=True)
    r = post(client, f"/config/licence-types/{ltype.id}", {**form, "processing_days": "7",
                                                           "rules_json": ltype.rules_json})
    assert r.status_code == 302
    db.session.expire_all()
    assert ltype.processing_days == 7


def test_fee_rules_and_protected_sites_in_the_config(app, client, login):
    from registry.licences.models import FeeSchedule

    schedule = db.session.execute(select(FeeSchedule).where(FeeSchedule.code == "TT-01-2021-BTC")).scalar_one()
    db.session.commit()
    login("admin")
    rule = {"category": "karaoke", "kind": "renewal", "tier": "", "unit": "licence", "amount": "1.000.000",
            "per_unit": "", "cap": "", "label_vi": "Gia hạn", "label_en": "Renewal", "verified": "y"}
    assert post(client, f"/config/fees/{schedule.id}/rules/new", {**rule, "amount": "-1"}).status_code == 400
    assert post(client, f"/config/fees/{schedule.id}/rules/new", {**rule, "amount": ""}).status_code == 400
    assert post(client, f"/config/fees/{schedule.id}/rules/new", rule).status_code == 302
    row = db.session.execute(select(FeeRule).where(FeeRule.label_en == "Renewal")).scalar_one()
    assert row.amount == 1_000_000 and row.tier is None
    site = {"name": "Trường Mầm non Hoa Hồng", "kind": "school", "latitude": "20.85", "longitude": "106.68",
            "active": "y"}
    assert post(client, "/config/protected-sites/new", {**site, "latitude": "95"}).status_code == 400
    assert post(client, "/config/protected-sites/new", site).status_code == 302
    created = db.session.execute(select(ProtectedSite).where(ProtectedSite.name == site["name"])).scalar_one()
    assert "Trường Mầm non Hoa Hồng" in get(client, "/config/protected-sites?q=hoa hong").get_data(as_text=True)
    assert post(client, f"/config/protected-sites/{created.id}/delete", {}).status_code == 302
    assert db.session.get(ProtectedSite, created.id) is None


def test_holiday_form_checks(app, client, login):
    login("admin")
    r = post(client, "/config/holidays/new", {"day": "2026-03-11", "kind": "working_day", "name_vi": "x",
                                              "name_en": "x"})
    assert r.status_code == 400 and "Saturday or a Sunday" in r.get_data(as_text=True)
    r = post(client, "/config/holidays/new", {"day": "2026-02-16", "kind": "holiday", "name_vi": "x",
                                              "name_en": "x"})
    assert r.status_code == 400 and "already in the calendar" in r.get_data(as_text=True)


def test_suspension_and_revocation_through_the_ui_issue_their_documents(app, client, login, issued):
    """The issuer's suspension notice and the revocation decision are printed and stored when the manager acts;
    a suspension imposed by another agency produces no notice of ours."""
    from sqlalchemy import select

    from registry.documents.models import DocumentKind, IssuedDocument

    licence = issued()
    db.session.commit()
    login("manager")
    url = f"/licences/{licence.id}"

    def kinds():
        db.session.expire_all()
        return [d.kind for d in db.session.execute(
            select(IssuedDocument).where(IssuedDocument.licence_id == licence.id)).scalars()]

    r = post(client, f"{url}/suspend", {"kind": "agency_suspension", "starts_on": today_local().isoformat(),
                                        "reason": "Không đảm bảo PCCC", "issuing_body": "Công an PCCC",
                                        "version_id": licence.version_id})
    assert r.status_code == 302
    assert DocumentKind.SUSPENSION_NOTICE not in kinds()
    db.session.expire_all()
    r = post(client, f"{url}/suspend", {"kind": "suspension", "starts_on": today_local().isoformat(),
                                        "reason": "Vi phạm lần 2", "version_id": licence.version_id})
    assert r.status_code == 302
    assert kinds().count(DocumentKind.SUSPENSION_NOTICE) == 1
    db.session.expire_all()
    r = post(client, f"{url}/revoke", {"on": today_local().isoformat(), "reason": "Tái phạm",
                                       "version_id": licence.version_id})
    assert r.status_code == 302
    assert kinds().count(DocumentKind.REVOCATION_DECISION) == 1
    page = client.get(url).get_data(as_text=True)
    assert "TB-" in page and "QĐ-" in page
