"""Open data: documented columns, stable identifiers, licence events, streaming, and no personal data at all."""
from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from registry.public import opendata
from tests.documents import helpers
from tests.factories import make_operator, make_venue

PERSONAL_VALUES = {
    "legal_rep_name": "Phan Thị Bí Mật",
    "legal_rep_id_number": "031088887777",
    "registration_number": "HKD-8887776",
    "registration_issuer": "Phòng Kinh tế quận Kín",
    "head_office": "Số 3 hẻm Nhà Ở Riêng",
    "operator_phone": "0966 555 444",
    "email": "bi.mat@example.org",
    "security_person_name": "Quách Văn Canh",
    "security_person_phone": "0933 222 111",
    "venue_phone": "0944 333 222",
    "household_name": "Hộ kinh doanh Phan Thị Bí Mật",
    "staff_name": "Huấn Luyện Viên Kín Đáo",
    "staff_document": "CCHLV-55443",
    "sanction_reason": "Lý do có tên Phan Thị Bí Mật",
}
FORMATS = ("csv", "json")


def read(client, name: str, fmt: str) -> list[dict]:
    response = client.get(f"/open-data/{name}.{fmt}")
    assert response.status_code == 200, response.data[:500]
    assert response.is_streamed
    body = response.get_data(as_text=True)
    if fmt == "csv":
        assert body.startswith("\ufeff")
        return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    return json.loads(body)


@pytest.fixture
def register(db):
    """A household karaoke (suspended), an enterprise dance hall adjusted once, a revoked licence, a sports venue
    with staff, an expired event permit; personal data everywhere it can be recorded."""
    from registry.venues.models import OperatorKind, QualificationType, StaffRole, VenueStaff

    household = make_operator(kind=OperatorKind.HOUSEHOLD, name=PERSONAL_VALUES["household_name"],
                              legal_rep_name=PERSONAL_VALUES["legal_rep_name"],
                              legal_rep_id_number=PERSONAL_VALUES["legal_rep_id_number"],
                              registration_number=PERSONAL_VALUES["registration_number"],
                              registration_issuer=PERSONAL_VALUES["registration_issuer"],
                              head_office=PERSONAL_VALUES["head_office"], phone=PERSONAL_VALUES["operator_phone"],
                              email=PERSONAL_VALUES["email"],
                              security_person_name=PERSONAL_VALUES["security_person_name"],
                              security_person_phone=PERSONAL_VALUES["security_person_phone"])
    karaoke = helpers.make_licence(make_venue(household, name="Karaoke Gia Đình", phone=PERSONAL_VALUES["venue_phone"]))
    helpers.suspend(karaoke, starts_on=date(2025, 6, 1), days=30, reason=PERSONAL_VALUES["sanction_reason"])
    dance = helpers.make_licence(category="dance_hall", name="Vũ trường Ánh Sao", issued_on=date(2024, 3, 1))
    adjusted = helpers.supersede(dance, issued_on=date(2025, 5, 2))
    revoked = helpers.make_licence(name="=HYPERLINK(\"http://evil\")")
    helpers.revoke(revoked, on=date(2025, 9, 1), reason=PERSONAL_VALUES["sanction_reason"])
    sports_venue = make_venue(kind="sports", name="Bể bơi Hải Âu")
    db.session.add(VenueStaff(venue_id=sports_venue.id, full_name=PERSONAL_VALUES["staff_name"],
                              role=StaffRole.RESCUE, qualification=QualificationType.RESCUE_CERTIFICATE,
                              document_number=PERSONAL_VALUES["staff_document"]))
    event = helpers.make_licence(category="event", status="expired", expires_on=date(2025, 4, 30),
                                 issued_on=date(2025, 4, 1))
    db.session.commit()
    return {"karaoke": karaoke, "dance": dance, "adjusted": adjusted, "revoked": revoked, "event": event,
            "sports_venue": sports_venue}


@pytest.mark.parametrize("name", sorted(opendata.DATASETS))
@pytest.mark.parametrize("fmt", FORMATS)
def test_columns_are_exactly_the_documented_ones(db, client, register, name, fmt):
    rows = read(client, name, fmt)
    assert rows
    for row in rows:
        assert list(row) == opendata.DATASETS[name].header


@pytest.mark.parametrize("name", sorted(opendata.DATASETS))
@pytest.mark.parametrize("fmt", FORMATS)
def test_no_personal_data_column_by_column(db, client, register, name, fmt):
    rows = read(client, name, fmt)
    for column in opendata.DATASETS[name].header:
        assert column not in opendata.NEVER_PUBLISHED, column
        assert not any(word in column for word in ("phone", "email", "id_number", "birth", "representative",
                                                   "head_office", "registration", "reason", "token")), column
        values = " ".join(json.dumps(row[column], ensure_ascii=False) for row in rows)
        for what, secret in PERSONAL_VALUES.items():
            assert secret not in values, f"{name}.{fmt}: column {column} holds {what}"


def test_household_operator_name_is_withheld_but_enterprise_name_is_published(db, client, register):
    venues = {row["name"]: row for row in read(client, "venues", "json")}
    assert venues["Karaoke Gia Đình"]["operator_kind"] == "household"
    assert venues["Karaoke Gia Đình"]["operator_name"] is None
    assert venues["Vũ trường Ánh Sao"]["operator_name"].startswith("Công ty TNHH")


def test_stable_identifiers_and_licence_events(db, client, register):
    licences = {row["licence_id"]: row for row in read(client, "licences", "json")}
    karaoke, dance, adjusted = register["karaoke"], register["dance"], register["adjusted"]
    row = licences[karaoke.id]
    assert row["licence_number"] == karaoke.number_display and row["venue_ref"] == karaoke.venue.ref
    assert row["status"] == "suspended" and row["status_since"] == "2025-06-01"
    assert [e["type"] for e in row["events"]] == ["issue", "suspend"]
    assert row["events"][1] == {"type": "suspend", "on": "2025-06-01", "until": "2025-07-01", "document_number": None}
    assert row["room_count"] == 6 and row["total_area_m2"] == 165.0

    assert licences[dance.id]["status"] == "superseded"
    assert licences[adjusted.id]["first_event"] == "adjust"
    assert licences[adjusted.id]["supersedes_licence_id"] == dance.id
    assert licences[adjusted.id]["supersedes_licence_number"] == dance.number_display
    assert [e["type"] for e in licences[register["revoked"].id]["events"]] == ["issue", "revoke"]
    assert [e["type"] for e in licences[register["event"].id]["events"]] == ["issue", "expire"]

    events = read(client, "licence-events", "csv")
    kinds = {(int(e["licence_id"]), e["event"]) for e in events}
    assert {(karaoke.id, "issue"), (karaoke.id, "suspend"), (adjusted.id, "adjust"),
            (register["revoked"].id, "revoke"), (register["event"].id, "expire")} <= kinds
    assert {e["event"] for e in events} <= set(opendata.EVENT_TYPES)

    csv_row = next(r for r in read(client, "licences", "csv") if r["licence_id"] == str(karaoke.id))
    assert csv_row["events"] == "issue:2025-02-05|suspend:2025-06-01/2025-07-01"
    assert csv_row["total_area_m2"] == "165.00"


def test_venues_dataset(db, client, register):
    venues = {row["venue_ref"]: row for row in read(client, "venues", "csv")}
    sports = venues[register["sports_venue"].ref]
    assert sports["kind"] == "sports" and sports["current_licence_id"] == ""  # no licence yet
    karaoke = venues[register["karaoke"].venue.ref]
    assert karaoke["room_count"] == "6" and karaoke["current_licence_status"] == "suspended"
    assert karaoke["current_licence_number"] == register["karaoke"].number_display
    dance = venues[register["dance"].venue.ref]
    assert dance["current_licence_id"] == str(register["adjusted"].id)  # the superseded one is not current


def test_formulas_are_neutralised_in_csv(db, client, register):
    rows = read(client, "venues", "csv")
    assert "'=HYPERLINK(\"http://evil\")" in [r["name"] for r in rows]


def test_data_dictionary_lists_every_column(db, client):
    page = client.get("/open-data/?lang=en").get_data(as_text=True)
    for dataset in opendata.DATASETS.values():
        for column in dataset.columns:
            assert f"<code>{column.name}</code>" in page, column.name
        for fmt in FORMATS:
            assert f'href="/open-data/{dataset.name}.{fmt}"' in page


def test_unknown_datasets_and_formats_are_404(db, client):
    for path in ("/open-data/users.csv", "/open-data/licences.xlsx", "/open-data/licences", "/open-data/../x.csv"):
        assert client.get(path).status_code == 404, path


def test_export_streams_in_batches(db, client, monkeypatch):
    for i in range(7):
        helpers.make_licence(make_venue(name=f"Karaoke Lô {i}"))
    db.session.commit()
    monkeypatch.setattr(opendata, "BATCH", 3)
    assert len(read(client, "licences", "json")) == 7
    assert len(read(client, "venues", "csv")) == 7
    assert len(read(client, "licence-events", "json")) == 7
