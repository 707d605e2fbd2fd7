"""Importing venues and operators from CSV/XLSX: preview with line-numbered errors, then all or nothing."""
from __future__ import annotations

import csv
import io
import re
import time
import unicodedata
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from registry.common.audit import AuditEvent, verify_chain
from registry.venues import import_files, imports, services
from registry.venues.models import Operator, Room, Venue
from tests.factories import current_ward, make_operator


def row(**overrides) -> dict:
    base = dict(zip(import_files.HEADERS, [c[3] for c in import_files.COLUMNS], strict=True))
    base.update(ward=current_ward().name)
    base.update(overrides)
    return base


def csv_bytes(rows: list[dict], *, header=None, bom=False, encoding="utf-8", delimiter=",") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(header or import_files.HEADERS)
    for r in rows:
        writer.writerow([r.get(h, "") for h in (header or import_files.HEADERS)])
    text = ("\ufeff" if bom else "") + buf.getvalue()
    return to_cp1258(text) if encoding == "cp1258" else text.encode(encoding)


def to_cp1258(text: str) -> bytes:
    """Encode like Windows-1258: letters with a hat or horn are precomposed, tone marks are combining."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", parts[:2])
            try:
                out += base.encode("cp1258") + parts[2:].encode("cp1258")
            except UnicodeEncodeError:
                out += parts.encode("cp1258")
    return bytes(out)


def xlsx_bytes(rows: list[dict]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(import_files.HEADERS)
    for r in rows:
        ws.append([r.get(h) for h in import_files.HEADERS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def three_rows() -> list[dict]:
    return [row(),
            row(venue_name="Karaoke Hoa Sen 2", house_number="27", rooms="A1:22; A2:24,5"),
            row(operator_registration_number="02A8012345", operator_name="Hộ kinh doanh Bể bơi Sông Cấm",
                operator_kind="hộ kinh doanh", venue_name="Bể bơi Sông Cấm", venue_kind="thể thao", rooms="",
                opens_at="20:00", closes_at="02:00")]


def upload(client, data: bytes, name="venues.csv"):
    return client.post("/venues/import/preview", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def commit(client, response):
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', response.get_data(as_text=True))
    assert token, response.get_data(as_text=True)[-3000:]
    return client.post("/venues/import/commit", data={"token": token.group(1)})


def counts(db):
    return tuple(db.session.execute(select(func.count()).select_from(m)).scalar_one() for m in (Operator, Venue, Room))


def test_import_page_documents_every_column_and_offers_a_template(client, clerk):
    html = client.get("/venues/import/").get_data(as_text=True)
    for header in import_files.HEADERS:
        assert f"<code>{header}</code>" in html
    response = client.get("/venues/import/template.csv")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/csv" and text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert lines[0] == import_files.HEADERS and len(lines) == 3
    # The template itself imports cleanly.
    data = text.encode()
    assert "All 2 lines are valid" in upload(client, data).get_data(as_text=True)


@pytest.mark.parametrize("bom", [False, True])
def test_good_file_previews_then_imports_everything(client, clerk, db, bom):
    before = counts(db)
    preview = upload(client, csv_bytes(three_rows(), bom=bom))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "All 3 lines are valid" in html
    assert "3 venues with 5 rooms, 2 new operators" in html
    assert counts(db) == before  # a preview writes nothing
    response = commit(client, preview)
    assert response.status_code == 302 and "sort=newest" in response.location
    assert counts(db) == (before[0] + 2, before[1] + 3, before[2] + 5)
    venue = db.session.execute(select(Venue).where(Venue.name == "Karaoke Hoa Sen 2")).scalar_one()
    assert sorted((r.code, str(r.area_m2)) for r in venue.rooms) == [("A1", "22.00"), ("A2", "24.50")]
    assert venue.operator.name == "Công ty TNHH Giải trí Hoa Sen" and venue.ref.startswith("CS-")
    assert "hoa sen" in venue.search_text and venue.version_id == 1
    pool = db.session.execute(select(Venue).where(Venue.name == "Bể bơi Sông Cấm")).scalar_one()
    assert pool.kind.value == "sports" and pool.closes_next_day and pool.operator.kind.value == "household"
    detail = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "Venue imported from a file" in detail and "venues.csv" in detail and "A2 (24.5 m²)" in detail
    summary = db.session.execute(select(AuditEvent).where(AuditEvent.action == "import.commit")).scalar_one()
    assert summary.changes == {"file": "venues.csv", "venues": 3, "operators": 2, "rooms": 5}
    # the same file again: every line is already registered
    again = upload(client, csv_bytes(three_rows()))
    assert "Already registered as CS-" in again.get_data(as_text=True)
    db.session.commit()
    assert verify_chain().ok  # the bulk-written events chain like any other


def test_an_existing_operator_is_reused_and_its_name_must_match(client, clerk, db):
    op = make_operator(name="Công ty TNHH Giải trí Hòa Sen", registration_number="0201234567")
    db.session.commit()
    ok = upload(client, csv_bytes([row(operator_name="CÔNG TY TNHH GIẢI TRÍ HOÀ SEN")]))
    assert "1 operators already registered" in ok.get_data(as_text=True) or "add venues to 1" in ok.get_data(
        as_text=True)
    commit(client, ok)
    assert db.session.execute(select(Venue.operator_id)).scalar_one() == op.id
    bad = upload(client, csv_bytes([row(operator_name="Another name", venue_name="Other")]))
    assert "belongs to “Công ty TNHH Giải trí Hòa Sen”" in bad.get_data(as_text=True)


def test_a_bad_row_in_the_middle_means_nothing_is_imported(client, clerk, db):
    rows = [row(venue_name=f"Karaoke {i}", house_number=str(i)) for i in range(1, 11)]
    rows[4] |= {"capacity": "-3", "rooms": "VIP1:abc", "opens_at": "25:00"}
    rows[6] |= {"ward": "Phường Không Có", "venue_kind": "casino"}
    before = counts(db)
    response = upload(client, csv_bytes(rows))
    html = response.get_data(as_text=True)
    assert "Nothing was imported" in html and 'name="token"' not in html
    errors = re.findall(r"<tr><td>(\d+)</td><td><code>(\w+)</code></td>", html)
    assert ("6", "capacity") in errors and ("6", "rooms") in errors and ("6", "opens_at") in errors
    assert ("8", "ward") in errors and ("8", "venue_kind") in errors
    assert {line for line, _c in errors} == {"6", "8"}  # line numbers count the header as line 1
    assert counts(db) == before


def test_duplicates_inside_the_file_and_inconsistent_operators_are_caught(client, clerk):
    rows = [row(), row(), row(venue_name="B", operator_name="Công ty Khác")]
    html = upload(client, csv_bytes(rows)).get_data(as_text=True)
    assert "The same venue is on line 2." in html
    assert "Line 2 gives another name for the same registration number." in html


def test_xlsx_file(client, clerk, db):
    rows = three_rows()
    rows[0]["capacity"] = 120  # numbers and dates arrive typed from Excel
    rows[0]["operator_registration_date"] = __import__("datetime").datetime(2020, 1, 15)
    before = counts(db)
    preview = upload(client, xlsx_bytes(rows), "venues.xlsx")
    assert "All 3 lines are valid" in preview.get_data(as_text=True)
    assert commit(client, preview).status_code == 302
    assert counts(db)[1] == before[1] + 3


@pytest.mark.parametrize("data, message", [
    (to_cp1258("Tên cơ sở,Phường\nKaraoke Hòa Sen,Lê Chân\n"), "Windows-1258"),
    (csv_bytes([{"venue_name": "Karaoke Hòa Sen"}], encoding="cp1258"), "not in UTF-8"),
    (csv_bytes([{"venue_name": "Karaoke Hòa Sen"}], encoding="utf-16"), "UTF-16"),
    (b"operator_name;venue_name\nA;B\n", "exactly these column names"),
    (b"venue_name,ward\nKaraoke\x00,X\n", "NUL bytes"),
    (b"", "empty"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "Old Excel files"),
    (b"PK\x03\x04broken zip", "not a valid XLSX"),
])
def test_unreadable_files_get_a_clear_message(client, clerk, db, data, message):
    before = counts(db)
    response = upload(client, data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert counts(db) == before


def test_wrong_headers_list_what_is_expected_and_what_is_wrong(client, clerk):
    header = [h for h in import_files.HEADERS if h != "ward"] + ["phuong"]
    html = upload(client, csv_bytes([], header=header)).get_data(as_text=True)
    assert "missing: ward" in html and "not recognised: phuong" in html
    assert ", ".join(import_files.HEADERS) in html


def test_semicolon_separated_file_from_a_vietnamese_excel(client, clerk):
    html = upload(client, csv_bytes(three_rows(), delimiter=";", bom=True)).get_data(as_text=True)
    assert "All 3 lines are valid" in html


class TestSizeLimit:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["IMPORT_MAX_BYTES"] = 2000
        return app_config

    def test_oversize_file_is_refused(self, client, clerk, db):
        response = upload(client, csv_bytes([row(venue_name=f"K{i}") for i in range(30)]))
        assert response.status_code == 400
        assert "The file is larger than 2 KB." in response.get_data(as_text=True)
        assert counts(db)[1] == 0


def test_commit_checks_the_file_again_and_belongs_to_the_uploader(client, clerk, db, login, app):
    preview = upload(client, csv_bytes([row()]))
    token = re.search(r'value="([0-9a-f]{32})"', preview.get_data(as_text=True)).group(1)
    stored = Path(app.config["DATA_DIR"]) / "imports" / f"{token}.data"
    assert stored.exists() and "venues.csv" not in str(stored)  # kept under a random name
    # meanwhile someone registers the same operator under another name
    make_operator(name="Tên khác", registration_number="0201234567")
    db.session.commit()
    response = client.post("/venues/import/commit", data={"token": token})
    assert response.status_code == 409 and "belongs to “Tên khác”" in response.get_data(as_text=True)
    assert counts(db)[1] == 0 and not stored.exists()
    assert client.post("/venues/import/commit", data={"token": "../../etc/passwd"}).status_code == 400
    other = upload(client, csv_bytes([row(operator_registration_number="0207777777", operator_name="X")]))
    token = re.search(r'value="([0-9a-f]{32})"', other.get_data(as_text=True)).group(1)
    client.post("/auth/logout")
    login("clerk")
    assert client.post("/venues/import/commit", data={"token": token}).status_code == 403


def test_inspectors_cannot_import(client, login):
    login("inspector")
    assert upload(client, csv_bytes([row()])).status_code == 403


def test_import_rows_speed(db, app):
    """Bulk path: 5,000 venues with 30,000 rooms in a few seconds (100,000 rows are measured in the report)."""
    rows = []
    for i in range(5000):
        rows.append(row(operator_registration_number=f"03{i // 2:08d}", operator_name=f"Công ty {i // 2}",
                        venue_name=f"Karaoke {i}", house_number=str(i),
                        rooms="; ".join(f"P{j}:{20 + j}" for j in range(6))))
    table = import_files.read_table("big.csv", csv_bytes(rows), max_bytes=10**8)
    started = time.perf_counter()
    preview = imports.check_rows(table)
    assert preview.ok, preview.issues[:3]
    result = services.import_rows(preview.rows, filename="big.csv")
    db.session.commit()
    elapsed = time.perf_counter() - started
    assert (result.venues, result.operators, result.rooms) == (5000, 2500, 30000)
    assert elapsed < 15, elapsed
