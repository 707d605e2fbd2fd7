"""Reports: register on a date, processing times in working days, inspections per period, renewals, workload; each
exported to CSV and XLSX, short ones to PDF; large ones stream."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from registry.db import today_local
from registry.oversight import reports
from tests.factories import make_venue
from tests.oversight import helpers


def test_percentile_is_nearest_rank():
    assert reports.percentile(list(range(1, 11)), 90) == 9.0
    assert reports.percentile([4], 90) == 4.0
    assert reports.percentile([], 90) is None


def test_processing_times_in_working_days(db, staff):
    from registry.licences.workdays import calendar

    cal = calendar()
    start = date(2026, 2, 2)  # a Monday
    durations = [2, 3, 4, 5, 6, 7, 8, 9, 10, 20]
    for d in durations:
        received = start
        helpers.make_application(make_venue(), received_on=received, decided_on=cal.add(received, d),
                                 due_on=cal.add(received, 5), status="approved", prepared_by=staff["clerk"])
    db.session.commit()
    [karaoke] = reports.processing_times(date(2026, 1, 1), date(2026, 12, 31))
    assert karaoke.decided == 10
    assert karaoke.median == 6.5 and karaoke.p90 == 10.0
    assert karaoke.within_deadline == 4  # 2, 3, 4 and 5 working days


def test_register_on_a_date_reconstructs_status(db):
    today = today_local()
    venue = make_venue()
    active = helpers.make_licence(venue, issued_on=date(2025, 1, 10))
    revoked_later = helpers.make_licence(make_venue(), issued_on=date(2025, 1, 10), status="revoked")
    revoked_later.status_changed_on = date(2025, 9, 1)
    suspended_then = helpers.make_licence(make_venue(), issued_on=date(2025, 1, 10))
    helpers.make_suspension(suspended_then, starts_on=date(2025, 5, 1), ends_on=date(2025, 6, 30))
    suspended_then.status = active.status  # lifted since
    helpers.make_licence(make_venue(), issued_on=date(2025, 7, 1))  # not yet issued on 1 June
    db.session.commit()
    report = reports.register_report(date(2025, 6, 1), "status", lang="en")
    counts = {row[0]: row[1] for row in report.summary_rows}
    assert counts["Valid"] == 2 and counts["Suspended"] == 1 and counts["Revoked"] == 0
    assert counts["Total"] == 3
    later = {row[0]: row[1] for row in reports.register_report(today, "status", lang="en").summary_rows}
    assert later["Revoked"] == 1 and later["Total"] == 4
    rows = list(report.rows())
    assert len(rows) == 3 and {r[2] for r in rows} == {"Valid", "Suspended"}


def test_register_grouped_by_district(db):
    helpers.make_licence(make_venue())
    db.session.commit()
    report = reports.register_report(today_local(), "district", lang="en")
    assert report.summary_rows[-1][0] == "Total" and report.summary_rows[-1][-1] == 1


def test_renewals_per_year(db, staff):
    from registry.licences.models import LicenceStatus

    helpers.licence_type("HP-EVENT", term_months=1)
    old = helpers.make_licence(make_venue(), type_code="HP-EVENT", issued_on=date(2025, 1, 1),
                               expires_on=date(2025, 3, 31), status="superseded")
    renewal = helpers.make_licence(old.venue, type_code="HP-EVENT", issued_on=date(2025, 3, 20),
                                   expires_on=date(2025, 4, 30))
    renewal.predecessor_id = old.id
    helpers.make_licence(make_venue(), type_code="HP-EVENT", issued_on=date(2025, 1, 1),
                         expires_on=date(2025, 2, 28), status=LicenceStatus.EXPIRED.value)
    db.session.commit()
    report = reports.renewals_report(2025, 2025, lang="en")
    [row] = [r for r in report.summary_rows if r[0] == 2025]
    assert row[2] == 3 and row[3] == 1 and row[5] == 1  # expired in 2025 (incl. the renewal), renewed, renewals


def test_inspections_report_and_workload(db, staff):
    today = today_local()
    venue = make_venue()
    visit = helpers.make_inspection(venue, lead=staff["inspector"], scheduled_on=today - timedelta(days=10))
    helpers.make_violation(visit, remedy_due_on=today - timedelta(days=1), amount=5_000_000)
    helpers.make_inspection(venue, lead=staff["inspector"], scheduled_on=today - timedelta(days=5),
                            outcome="compliant")
    helpers.make_inspection(venue, lead=staff["inspector"], scheduled_on=today - timedelta(days=2),
                            status="planned", outcome=None)
    db.session.commit()
    report = reports.inspections_report(today - timedelta(days=30), today, "year", lang="en")
    total = report.summary_rows[-1]
    assert total[:7] == ["Total", 2, 1, 1, 0, 1, 5_000_000]
    [load] = [w for w in reports.workload_report(today).summary_rows if w[0] == "Lê Hoàng Nam"]
    assert load[2] == 1 and load[4] == 2 and load[7] == 1 and load[8] == 1


@pytest.mark.parametrize("path", ["/reports/register", "/reports/processing-times", "/reports/inspections",
                                  "/reports/renewals", "/reports/workload"])
def test_report_pages_and_exports(client, login, db, path):
    helpers.make_licence(make_venue())
    db.session.commit()
    login("manager")
    assert client.get("/reports/").status_code == 200
    assert client.get(path).status_code == 200
    csv_response = client.get(path + ".csv")
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"
    assert list(csv.reader(io.StringIO(csv_response.get_data(as_text=True).lstrip("\ufeff"))))[0]
    xlsx = client.get(path + ".xlsx")
    assert xlsx.status_code == 200 and load_workbook(io.BytesIO(xlsx.data)).active.max_row >= 1
    pdf = client.get(path + ".pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


@pytest.mark.parametrize("query", ["on=2026-02-31", "on=%00", "start=yesterday", "end=1900-01-01",
                                   "start=2026-05-01&end=2026-01-01", "first=abc", "first=2030&last=2020",
                                   "step=week", "group=" + "x" * 10_000])
def test_bad_report_parameters_do_not_fail(client, login, db, query):
    login("manager")
    for path in ("/reports/register", "/reports/processing-times", "/reports/inspections", "/reports/renewals"):
        assert client.get(f"{path}?{query}").status_code == 200, (path, query)


def test_register_csv_streams(client, login, db):
    for _ in range(3):
        helpers.make_licence(make_venue())
    db.session.commit()
    login("manager")
    response = client.get("/reports/register.csv")
    assert response.is_streamed
    assert len(response.get_data(as_text=True).strip().splitlines()) == 4


def test_report_view_permission(client, login, db):
    login("inspector")
    assert client.get("/reports/").status_code == 403
    client.post("/auth/logout")


def test_cli_export(runner, db, tmp_path):
    helpers.make_licence(make_venue())
    db.session.commit()
    for fmt in ("csv", "xlsx", "pdf"):
        target = tmp_path / f"register.{fmt}"
        result = runner.invoke(args=["reports", "export", "register", "--format", fmt, "--output", str(target),
                                     "--lang", "en"])
        assert result.exit_code == 0, result.output
        assert target.stat().st_size > 0
    assert (tmp_path / "register.pdf").read_bytes().startswith(b"%PDF")
    bad = runner.invoke(args=["reports", "export", "inspections", "--start", "2026-13-01", "--output",
                              str(tmp_path / "x.csv")])
    assert bad.exit_code != 0 and "not a date" in bad.output
