"""A half-finished visit survives a closed browser and a lost connection: every change is saved on the server, and
what could not be sent waits in localStorage (with "offline — will sync" shown) until it is."""
from __future__ import annotations

import re

import pytest
from flask import g
from playwright.sync_api import expect

from tests.conftest import ARTIFACTS, browser_login, screenshot
from tests.inspections.conftest import started

pytestmark = pytest.mark.browser


@pytest.fixture
def visit(karaoke, inspector, db):
    inspection = started(karaoke, inspector)
    ids = {i.code: i.id for i in inspection.items}
    info = {"id": inspection.id, "username": inspector.username, "items": ids}
    db.session.commit()
    return info


def server_values(db, inspection_id: int) -> dict:
    """What the server has, read without taking SQLite's write lock from the live server."""
    from registry.inspections.models import Inspection

    g.read_only = True
    try:
        db.session.expire_all()
        inspection = db.session.get(Inspection, inspection_id)
        values = {"customers": inspection.customers_count, "remarks": inspection.remarks,
                  **{f"{i.code}.result": i.result.value if i.result else None for i in inspection.items},
                  **{f"{i.code}.note": i.note for i in inspection.items}}
    finally:
        db.session.rollback()
        g.read_only = False
    return values


def viewport_shot(page, name: str) -> None:
    """What the phone's screen shows (the sticky sync bar included), not the whole page."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def open_visit(page, visit):
    page.goto(f"{page.base}/inspections/{visit['id']}/visit")
    expect(page.get_by_test_id("sync-status")).to_have_text(re.compile(r"^Saved"))


def test_typed_input_survives_a_closed_browser_and_going_offline(page_factory, visit, db, live_server):
    status = "[data-testid=sync-status]"
    # 1. type on one phone, close the browser: everything was saved on the server as it was typed
    page = page_factory(width=375, height=800, lang="en")
    browser_login(page, visit["username"])
    open_visit(page, visit)
    page.fill("[data-code='licence_on_site'] textarea", "Bản chính treo tại quầy lễ tân")
    page.locator("[data-code='room:VIP2'] label[for$='-fail']").click()
    page.fill("[data-code='room:VIP2'] textarea", "Đo được 19,4 m²")
    page.get_by_label("Customers present").fill("14")
    expect(page.locator(status)).to_have_text(re.compile(r"^Saved"), timeout=10_000)
    screenshot(page, "inspection-draft-01-saved")
    page.context.close()

    saved = server_values(db, visit["id"])
    assert saved["licence_on_site.note"] == "Bản chính treo tại quầy lễ tân"
    assert saved["room:VIP2.result"] == "fail" and saved["room:VIP2.note"] == "Đo được 19,4 m²"
    assert saved["customers"] == 14

    # 2. a new browser: reopening shows everything typed
    page = page_factory(width=375, height=800, lang="en")
    context = page.context
    browser_login(page, visit["username"])
    open_visit(page, visit)
    expect(page.locator("[data-code='licence_on_site'] textarea")).to_have_value("Bản chính treo tại quầy lễ tân")
    expect(page.locator("[data-code='room:VIP2'] input[value='fail']")).to_be_checked()
    expect(page.get_by_label("Customers present")).to_have_value("14")
    expect(page.locator("[data-code='room:VIP2'] [data-violation-button]")).to_be_visible()

    # 3. the connection drops while typing: the indicator says so and the input waits in localStorage
    context.set_offline(True)
    page.fill("[data-code='escape_routes'] textarea", "Lối thoát thứ hai bị chắn bởi thùng bia")
    page.locator("[data-code='escape_routes'] label[for$='-fail']").click()
    expect(page.locator(status)).to_have_text("Offline — will sync")
    viewport_shot(page, "inspection-draft-02-offline")
    stored = page.evaluate(f"JSON.parse(localStorage.getItem('inspection-draft:{visit['id']}'))")
    assert stored["fields"][f"item-{visit['items']['escape_routes']}-note"] == "Lối thoát thứ hai bị chắn bởi thùng bia"
    assert server_values(db, visit["id"])["escape_routes.note"] is None

    # ... back online: it syncs by itself
    context.set_offline(False)
    expect(page.locator(status)).to_have_text(re.compile(r"^Saved"), timeout=20_000)
    assert server_values(db, visit["id"])["escape_routes.note"] == "Lối thoát thứ hai bị chắn bởi thùng bia"
    assert page.evaluate(f"localStorage.getItem('inspection-draft:{visit['id']}')") is None

    # 4. offline again, the page is closed before the connection returns; reopening re-sends what was typed
    context.set_offline(True)
    page.get_by_label("Team's conclusions and recommendations").fill("Đề nghị khắc phục lối thoát nạn trong 7 ngày")
    expect(page.locator(status)).to_have_text("Offline — will sync")
    page.close()
    context.set_offline(False)
    assert server_values(db, visit["id"])["remarks"] is None
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/inspections/{visit['id']}/visit")
    remarks = page.get_by_label("Team's conclusions and recommendations")
    expect(remarks).to_have_value("Đề nghị khắc phục lối thoát nạn trong 7 ngày")  # restored from localStorage
    expect(page.locator(status)).to_have_text(re.compile(r"^Saved"), timeout=20_000)
    screenshot(page, "inspection-draft-03-resent")
    assert server_values(db, visit["id"])["remarks"] == "Đề nghị khắc phục lối thoát nạn trong 7 ngày"
    assert not errors, errors


def test_a_stale_page_gets_a_clear_conflict_and_keeps_the_input(page_factory, visit, db, live_server):
    """Two phones on one visit: the second saves over a version it never saw, is told so, and keeps its input."""
    status = "[data-testid=sync-status]"
    first = page_factory(width=375, height=800, lang="en")
    browser_login(first, visit["username"])
    open_visit(first, visit)
    second = first.context.new_page()
    second.goto(f"{live_server.url}/inspections/{visit['id']}/visit")
    first.get_by_label("Staff present").fill("4")
    expect(first.locator(status)).to_have_text(re.compile(r"^Saved"), timeout=10_000)
    second.get_by_label("Customers present").fill("21")
    expect(second.get_by_test_id("sync-conflict")).to_be_visible(timeout=10_000)
    expect(second.locator(status)).to_have_text("Not saved: conflict")
    expect(second.get_by_label("Customers present")).to_have_value("21")
    viewport_shot(second, "inspection-draft-04-conflict")
    second.get_by_role("button", name="Keep my changes and save").click()
    expect(second.locator(status)).to_have_text(re.compile(r"^Saved"), timeout=10_000)
    saved = server_values(db, visit["id"])
    assert saved["customers"] == 21
    from registry.inspections.models import Inspection

    g.read_only = True
    try:
        assert db.session.get(Inspection, visit["id"]).staff_count == 4  # the other phone's change is kept
    finally:
        db.session.rollback()
        g.read_only = False
