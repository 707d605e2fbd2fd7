"""The manager's dashboard and due lists: counts, links to records, filters, bad input, exports, query counts."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from registry.db import today_local
from tests.factories import make_venue, unit
from tests.oversight import helpers


@pytest.fixture
def manager(login):
    return login("manager")


@pytest.fixture
def items(db, staff):
    today = today_local()
    le_chan = unit("HP-D-LECHAN")
    from sqlalchemy import select

    from registry.reference.models import AdminUnit

    ward = db.session.execute(select(AdminUnit).where(AdminUnit.parent_id == le_chan.id)
                              .order_by(AdminUnit.code)).scalars().first()
    venue = make_venue(name="Karaoke Lê Chân", ward=ward, district_id=le_chan.id)
    other = make_venue(name="Karaoke Nơi Khác")
    made = {
        "due30": helpers.make_licence(venue, type_code="HP-EVENT", expires_on=today + timedelta(days=30)),
        "overdue": helpers.make_licence(other, type_code="HP-EVENT", expires_on=today - timedelta(days=1)),
        "due60": helpers.make_document(other, expires_on=today + timedelta(days=45)),
        "app": helpers.make_application(other, due_on=today + timedelta(days=1), prepared_by=staff["clerk"]),
        "district": le_chan,
    }
    db.session.commit()
    return made


def test_manager_home_is_the_dashboard(client, manager, items):
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="tiles"' in page and 'data-testid="counts"' in page
    assert client.get("/dashboard").status_code == 200


def test_counts_and_the_list_link_to_the_records(client, manager, items):
    page = client.get("/dashboard").get_data(as_text=True)
    licence = items["due30"]
    assert f'data-kind="licence_expiry" data-id="{licence.id}" data-days="30"' in page
    assert f'href="/licences/{licence.id}"' in page or f'href="/venues/{licence.venue_id}"' in page
    row = page.split('<tr data-kind="licence_expiry">')[1].split("</tr>")[0]
    assert 'data-bucket="overdue">1</a>' in row and 'data-bucket="30">1</a>' in row
    docs = page.split('<tr data-kind="document_expiry">')[1].split("</tr>")[0]
    assert 'data-bucket="30">0' in docs and 'data-bucket="60">1</a>' in docs


def test_filter_to_one_district(client, manager, items):
    page = client.get(f"/dashboard?district={items['district'].id}").get_data(as_text=True)
    assert f'data-id="{items["due30"].id}"' in page
    assert f'data-id="{items["overdue"].id}"' not in page
    assert 'data-testid="active-filters">1<' in page


def test_due_list_windows_and_kinds(client, manager, items):
    page = client.get("/dashboard/due?window=overdue").get_data(as_text=True)
    assert f'data-id="{items["overdue"].id}"' in page and f'data-id="{items["due30"].id}"' not in page
    page = client.get("/dashboard/due?window=60&what=document_expiry").get_data(as_text=True)
    assert f'data-kind="document_expiry" data-id="{items["due60"].id}"' in page
    assert 'data-kind="licence_expiry"' not in page
    page = client.get("/dashboard/due?window=30&what=application_deadline").get_data(as_text=True)
    assert "1 working day left" in page


@pytest.mark.parametrize("query", [
    "district=abc", "ward=-5", "kind=spaceship", "type=99999999999999", "officer=%00", "window=forever",
    "what=nothing", "after=%00%00", "district=" + "9" * 10_000, "type=1%27%20OR%201=1",
])
def test_bad_filter_values_show_a_field_error_not_a_500(client, manager, items, query):
    for path in ("/dashboard", "/dashboard/due"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 200, (path, query)
    page = client.get(f"/dashboard?{query}").get_data(as_text=True)
    if not query.startswith(("after", "window", "what")):
        assert "invalid-feedback" in page


def test_csv_export_of_the_list(client, manager, items):
    response = client.get("/dashboard/due.csv?window=due90")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "Due date" or rows[0][0]
    records = {r[6] for r in rows[1:]}
    assert items["due30"].number_display in records and items["overdue"].number_display in records
    link = next(r[-1] for r in rows[1:] if r[6] == items["due30"].number_display)
    assert link.endswith((f"/licences/{items['due30'].id}", f"/venues/{items['due30'].venue_id}"))


def test_xlsx_export_of_the_list(client, manager, items):
    response = client.get(f"/dashboard/due.xlsx?window=due30&district={items['district'].id}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values) == 2 and values[1][6] == items["due30"].number_display


def test_export_is_audited(client, manager, items, db):
    from sqlalchemy import select

    from registry.common.audit import AuditEvent

    client.get("/dashboard/due.csv?window=overdue")
    event_ = db.session.execute(select(AuditEvent).where(AuditEvent.action == "oversight.export")).scalar_one()
    assert event_.changes["format"] == "csv" and event_.changes["window"] == "overdue"


def test_chart_tables_one_click_away_and_exported(client, manager, items):
    page = client.get("/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    trends = page.split('<section aria-labelledby="trends-title"')[1]
    assert trends.count("<svg") >= 2 and trends.count("Show the table behind this chart") == trends.count("<svg")
    assert ' style="' not in trends
    assert 'data-testid="chart-inspections"' in trends and "No inspections in the last 12 months." in trends
    response = client.get("/dashboard/charts/licences.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][-1] == "Σ" and sum(int(r[-1]) for r in rows[1:]) == 2  # the two event permits in force
    assert client.get("/dashboard/charts/licences.xlsx").status_code == 200
    assert client.get("/dashboard/charts/nope.csv").status_code == 404
    assert client.get("/dashboard/charts/licences.doc").status_code == 404


@pytest.mark.parametrize("role, status", [("clerk", 403), ("inspector", 403), ("admin", 200)])
def test_dashboard_permission(client, login, items, role, status):
    login(role)
    assert client.get("/dashboard").status_code == status
    assert client.get("/dashboard/due.csv").status_code == status


def test_no_n_plus_one_queries(client, manager, db, staff):
    """The number of queries of a page does not grow with the number of rows it shows."""
    today = today_local()

    def queries_for(path):
        count = {"n": 0}

        def counter(*_args):
            count["n"] += 1

        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)
        return count["n"]

    def add(n):
        for i in range(n):
            venue = make_venue()
            helpers.make_licence(venue, type_code="HP-EVENT", expires_on=today + timedelta(days=i % 20))
            helpers.make_document(venue, expires_on=today + timedelta(days=i % 25))
            helpers.make_application(venue, due_on=today + timedelta(days=i % 9), prepared_by=staff["clerk"],
                                     assigned_to=staff["clerk"])
            visit = helpers.make_inspection(venue, lead=staff["inspector"], scheduled_on=today - timedelta(days=3))
            helpers.make_violation(visit, remedy_due_on=today + timedelta(days=i % 15))
        db.session.commit()

    add(2)
    few = {p: queries_for(p) for p in ("/dashboard", "/dashboard/due?window=due30")}
    add(40)
    many = {p: queries_for(p) for p in ("/dashboard", "/dashboard/due?window=due30")}
    # the same page shape whatever the row count (kinds absent from a page may skip their detail query)
    assert all(many[p] <= few[p] for p in few), (few, many)
    assert many["/dashboard"] <= 45 and many["/dashboard/due?window=due30"] <= 22, many


def test_dashboard_in_vietnamese(client, manager, items):
    client.post("/language", data={"lang": "vi", "next": "/dashboard"})
    page = client.get("/dashboard").get_data(as_text=True)
    assert '<html lang="vi">' in page and "Nội dung đến hạn" in page and "Quá hạn" in page
    assert (today_local() + timedelta(days=30)).strftime("%d/%m/%Y") in page


def test_old_overdue_items_leave_the_dashboard_after_a_year(client, manager, db):
    """Something that lapsed more than OVERSIGHT_OVERDUE_DAYS ago is a records problem, not today's work."""
    today = today_local()
    recent = helpers.make_licence(make_venue(), type_code="HP-EVENT", expires_on=today - timedelta(days=365))
    old = helpers.make_licence(make_venue(), type_code="HP-EVENT", expires_on=today - timedelta(days=366))
    db.session.commit()
    page = client.get("/dashboard/due?window=overdue").get_data(as_text=True)
    assert f'data-id="{recent.id}"' in page and f'data-id="{old.id}"' not in page


def test_a_value_the_select_does_not_offer_is_explained_in_vietnamese(client, manager, items):
    """WTForms' own message ("Not a valid choice.") comes through the registry's catalogue (WTForms has no vi)."""
    client.post("/language", data={"lang": "vi", "next": "/dashboard"})
    page = client.get("/dashboard/due?kind=spaceship").get_data(as_text=True)
    assert "Lựa chọn không hợp lệ." in page and "Not a valid choice" not in page
    client.post("/language", data={"lang": "en", "next": "/dashboard"})
    assert "Not a valid choice." in client.get("/dashboard/due?kind=spaceship").get_data(as_text=True)
