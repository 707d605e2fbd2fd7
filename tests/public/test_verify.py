"""The public verification page and JSON: live status, no personal data, every scan logged, rate limited."""
from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from registry.db import today_local
from registry.documents.models import ScanSalt, VerificationScan
from registry.public import queries
from tests.documents import helpers
from tests.factories import make_operator, make_venue

PERSONAL = {
    "id number": "031090009999",
    "registration number": "8000123456",
    "legal representative": "Trương Thị Riêng Tư",
    "operator phone": "0987 111 222",
    "operator e-mail": "chu.ho@example.org",
    "security person": "Đinh Văn Bảo Vệ",
    "head office": "Số 9 ngõ Nhà Riêng",
    "venue phone": "0912 000 999",
    "household name": "Hộ kinh doanh Trương Thị Riêng Tư",
}


@pytest.fixture
def household_licence(db):
    from registry.venues.models import OperatorKind

    operator = make_operator(kind=OperatorKind.HOUSEHOLD, name=PERSONAL["household name"],
                             registration_number=PERSONAL["registration number"],
                             legal_rep_name=PERSONAL["legal representative"],
                             legal_rep_id_number=PERSONAL["id number"], phone=PERSONAL["operator phone"],
                             email=PERSONAL["operator e-mail"], security_person_name=PERSONAL["security person"],
                             head_office=PERSONAL["head office"])
    venue = make_venue(operator, name="Karaoke Ánh Trăng", phone=PERSONAL["venue phone"])
    licence = helpers.make_licence(venue)
    db.session.commit()
    return licence


def status_of(response) -> str:
    return re.search(r'data-status="(\w+)"', response.get_data(as_text=True)).group(1)


def test_valid_licence_page_shows_what_the_public_needs(app, db, client, licence):
    response = client.get(f"/verify/{licence.verify_token}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert status_of(response) == "valid" and "status-valid" in html
    assert licence.number_display in html
    assert licence.venue.name in html and "Tô Hiệu" in html
    for code in ("VIP1", "VIP6"):
        assert code in html
    assert "08:00–23:30" in html
    assert "Karaoke business licence" in html or "Giấy phép kinh doanh dịch vụ karaoke" in html
    assert 'data-testid="public-host">127.0.0.1:5000<' in html  # anti-spoofing hint
    assert response.headers["Cache-Control"] == "no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in response.headers
    assert "<script" not in html and "style=" not in html


def test_no_personal_data_on_the_page_nor_in_the_json(db, client, household_licence):
    html = client.get(f"/verify/{household_licence.verify_token}").get_data(as_text=True)
    data = client.get(f"/verify/{household_licence.verify_token}.json").get_data(as_text=True)
    for what, value in PERSONAL.items():
        assert value not in html, what
        assert value not in data, what
    assert "Karaoke Ánh Trăng" in html


def test_enterprise_name_is_public(db, client, licence):
    html = client.get(f"/verify/{licence.verify_token}").get_data(as_text=True)
    assert licence.operator.name in html
    assert licence.operator.registration_number not in html
    assert licence.operator.legal_rep_name not in html


def test_suspended_shows_dates(db, client, licence):
    helpers.suspend(licence, starts_on=date(2025, 6, 1), days=90)
    db.session.commit()
    response = client.get(f"/verify/{licence.verify_token}?lang=en")
    assert status_of(response) == "suspended"
    html = response.get_data(as_text=True)
    assert "status-warning" in html
    assert "1 Jun 2025" in html and "30 Aug 2025" in html
    data = client.get(f"/verify/{licence.verify_token}.json").get_json()
    assert data["status"] == "suspended" and data["valid"] is False
    assert data["suspension"] == {"from": "2025-06-01", "until": "2025-08-30", "by_other_agency": False,
                                  "issuing_body": None}


def test_revoked_expired_ceased(db, client, make_licence):
    revoked = make_licence()
    helpers.revoke(revoked, on=date(2025, 9, 1))
    stored_expired = make_licence(status="expired", expires_on=date(2025, 1, 31))
    lapsed = make_licence(expires_on=today_local() - timedelta(days=1))  # nightly job not run yet
    ceased = make_licence(status="ceased")
    ceased.status_changed_on = date(2025, 7, 1)
    db.session.commit()

    assert status_of(client.get(f"/verify/{revoked.verify_token}")) == "revoked"
    assert client.get(f"/verify/{revoked.verify_token}.json").get_json()["revocation"] == {"on": "2025-09-01"}
    for lic in (stored_expired, lapsed):
        response = client.get(f"/verify/{lic.verify_token}")
        assert status_of(response) == "expired" and "status-danger" in response.get_data(as_text=True)
    assert status_of(client.get(f"/verify/{ceased.verify_token}")) == "ceased"


def test_superseded_links_to_the_successor(db, client, licence):
    successor = helpers.supersede(licence)
    db.session.commit()
    response = client.get(f"/verify/{licence.verify_token}?lang=en")
    assert status_of(response) == "superseded"
    html = response.get_data(as_text=True)
    assert f'href="/verify/{successor.verify_token}?lang=en"' in html
    assert successor.number_display in html
    assert status_of(client.get(f"/verify/{successor.verify_token}")) == "valid"
    data = client.get(f"/verify/{licence.verify_token}.json").get_json()
    assert data["successor"]["licence_number"] == successor.number_display
    assert data["successor"]["verify_path"] == f"/verify/{successor.verify_token}"


def test_json_for_machines(app, db, client, licence):
    response = client.get(f"/verify/{licence.verify_token}.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    data = json.loads(response.data)
    assert data["status"] == "valid" and data["valid"] is True
    assert data["licence_number"] == licence.number_display
    assert data["venue"]["name"] == licence.venue.name
    assert data["room_count"] == 6 and data["total_area_m2"] == "165.00"
    assert data["hours"] == {"opens_at": "08:00", "closes_at": "23:30"}
    assert data["verify_url"] == f"{app.config['PUBLIC_BASE_URL']}/verify/{licence.verify_token}"
    assert data["issued_on"] == "2025-02-05"


def test_every_scan_is_logged_with_an_anonymised_client(db, client, licence):
    client.get(f"/verify/{licence.verify_token}", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    client.get(f"/verify/{licence.verify_token}", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    client.get(f"/verify/{licence.verify_token}.json", environ_base={"REMOTE_ADDR": "198.51.100.9"})
    db.session.expire_all()
    scans = db.session.execute(select(VerificationScan).order_by(VerificationScan.id)).scalars().all()
    assert [s.channel for s in scans] == ["html", "html", "json"]
    assert all(s.licence_id == licence.id and re.fullmatch(r"[0-9a-f]{16}", s.client_hash) for s in scans)
    assert scans[0].client_hash == scans[1].client_hash != scans[2].client_hash
    assert all("203.0.113.7" not in s.client_hash for s in scans)
    client.head(f"/verify/{licence.verify_token}")  # a chat app's link preview is not a scan
    assert db.session.execute(select(func.count()).select_from(VerificationScan)).scalar_one() == 3


def test_the_salt_rotates_daily_and_old_salts_are_forgotten(app, db):
    today = today_local()
    with app.test_request_context("/"):
        first = queries.daily_salt(today - timedelta(days=1))
        second = queries.daily_salt(today)
        db.session.commit()
    assert first != second
    assert queries.client_hash("203.0.113.7", first) != queries.client_hash("203.0.113.7", second)
    assert db.session.execute(select(ScanSalt.day)).scalars().all() == [today]


@pytest.mark.parametrize("token", ["nope", "A" * 32, "a" * 1000, "abc.def", "%00", "' OR 1=1 --"])
def test_unknown_or_malformed_tokens_get_a_plain_404_and_log_nothing(db, client, licence, token):
    response = client.get(f"/verify/{token}")
    assert response.status_code == 404
    assert token not in response.get_data(as_text=True)
    assert client.get(f"/verify/{token}.json").status_code == 404
    assert db.session.execute(select(func.count()).select_from(VerificationScan)).scalar_one() == 0


def test_language_switch_by_link(db, client, licence):
    english = client.get(f"/verify/{licence.verify_token}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "Valid licence" in english
    vietnamese = client.get(f"/verify/{licence.verify_token}?lang=vi").get_data(as_text=True)
    assert '<html lang="vi">' in vietnamese
    assert f'href="/verify/{licence.verify_token}?lang=en"' in vietnamese


def test_user_fields_are_escaped_everywhere(db, client):
    operator = make_operator(name='Công ty <b onmouseover="x()">Độc</b>')
    venue = make_venue(operator, name='<script>alert(1)</script> Karaoke', street='" onmouseover="alert(2)')
    licence = helpers.make_licence(venue)
    db.session.commit()
    for path in (f"/verify/{licence.verify_token}", f"/verify/{licence.verify_token}?lang=en", "/register/"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; Karaoke" in html, path
        assert '" onmouseover="alert(2)' not in html
    html = client.get(f"/verify/{licence.verify_token}").get_data(as_text=True)
    assert "<b onmouseover" not in html and "&lt;b onmouseover=" in html  # inside a translated sentence
