"""Exports of the filtered lists: CSV and XLSX content, formula neutralisation, audit."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from registry.common.audit import AuditEvent
from tests.factories import make_operator, make_venue

FORMULAS = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)"]


def formula_venues(db):
    op = make_operator(name="=cmd|'/c calc'!A1")
    for i, name in enumerate(FORMULAS):
        make_venue(op, name=name, street=f"Phố {i}")
    make_venue(make_operator(), name="Vũ trường Đêm Xanh", kind="dance_hall")
    db.session.commit()


def test_csv_export_follows_the_filters_and_neutralises_formulas(client, clerk, db):
    formula_venues(db)
    response = client.get("/venues/export.csv?kind=karaoke")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="venues-')
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["Reference", "Trading name", "Kind", "Status"]
    assert len(rows) == 1 + len(FORMULAS)  # the dance hall is filtered out
    names = sorted(r[1] for r in rows[1:])
    assert names == sorted("'" + f for f in FORMULAS)
    assert all(r[4] == "'=cmd|'/c calc'!A1" for r in rows[1:])
    assert {r[2] for r in rows[1:]} == {"Karaoke"} and {r[15] for r in rows[1:]} == {"6"}


def test_xlsx_export_has_no_formula_cells(client, clerk, db):
    formula_venues(db)
    response = client.get("/venues/export.xlsx?sort=newest")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None]
    assert cells and all(c.data_type != "f" for c in cells)
    names = {sheet.cell(row=r, column=2).value for r in range(2, sheet.max_row + 1)}
    assert names == {"'" + f for f in FORMULAS} | {"Vũ trường Đêm Xanh"}
    assert sheet.cell(row=2, column=13).value == 120  # numbers stay numbers


def test_export_is_audited_with_its_filters(client, clerk, db):
    client.get("/venues/export.csv?q=hoa+sen&status=operating")
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "venue.export")).scalar_one()
    assert event.changes == {"format": "csv", "filters": {"q": "hoa sen", "status": "operating"}, "sort": "name"}
    assert event.actor_username == clerk.username


def test_operator_export(client, clerk, db):
    formula_venues(db)
    sheet = load_workbook(io.BytesIO(client.get("/operators/export.xlsx").data)).active
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row if c.value is not None)
    assert "'=cmd|'/c calc'!A1" in {sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)}


def test_unknown_export_format_is_404(client, clerk):
    assert client.get("/venues/export.pdf").status_code == 404
