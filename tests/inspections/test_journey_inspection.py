"""Journey 2 on a phone (375 × 800): the inspector opens today's list, runs the checklist on a karaoke, fails a room,
records a violation with a remedy deadline, closes the visit, downloads the minutes, and finds the follow-up with the
open finding carried forward. Every step is screenshotted (test-artifacts/inspection-*.png)."""
from __future__ import annotations

import re
import subprocess
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from registry.db import today_local
from tests.conftest import browser_login, screenshot
from tests.inspections.conftest import plan

pytestmark = pytest.mark.browser


@pytest.fixture
def todays_visit(karaoke, inspector, manager, db):
    from registry.inspections.services import MemberData

    plan(karaoke, inspector, planned_by=manager, decision_number="125/QĐ-SVHTT",
         members=[MemberData(full_name="Đại úy Phạm Văn Đức", agency="police", position="Công an phường")])
    username = inspector.username
    db.session.commit()  # end the test thread's transaction: the live server is the only writer from here
    return username


def click_result(page, code: str, value: str) -> None:
    card = page.locator(f"[data-item][data-code='{code}']")
    card.locator(f"label[for$='-{value}']").click()


def test_inspector_logs_a_visit_on_a_phone(page_factory, todays_visit, tmp_path):
    page = page_factory(width=375, height=800, lang="en")
    browser_login(page, todays_visit)
    expect(page.get_by_test_id("today-list")).to_contain_text("Karaoke Hoa Sen")
    screenshot(page, "inspection-01-today")

    page.get_by_test_id("today-list").get_by_text("Karaoke Hoa Sen").click()
    expect(page.get_by_test_id("start-visit")).to_be_visible()
    screenshot(page, "inspection-02-planned-visit")
    page.get_by_test_id("start-visit").click()

    # the checklist: six licensed rooms, one fails
    items = page.get_by_test_id("check-item")
    expect(page.locator("[data-code^='room:']")).to_have_count(6)
    screenshot(page, "inspection-03-checklist")
    codes = items.evaluate_all("cards => cards.map(c => c.dataset.code)")
    for code in codes:
        click_result(page, code, "fail" if code == "room:VIP3" else "pass")
    page.fill("[data-code='room:VIP3'] textarea", "Đo thực tế 18,2 m², nhỏ hơn 20 m²")
    page.get_by_label("Customers present").fill("14")
    page.get_by_label("Staff present").fill("3")
    page.get_by_label("Representative present (name)").fill("Trần Thị Bình")
    expect(page.get_by_test_id("sync-status")).to_have_text(re.compile(r"^Saved"), timeout=10_000)
    room = page.locator("[data-code='room:VIP3']")
    room.scroll_into_view_if_needed()
    screenshot(page, "inspection-04-room-failed-saved")

    # a violation for the failed room, with its legal basis and a remedy deadline
    room.get_by_role("button", name="Record a violation for this item").click()
    expect(page.get_by_test_id("range-hint")).to_contain_text(re.compile(r"15[.,]000[.,]000 – .*20[.,]000[.,]000"))
    expect(page.get_by_label("Violation", exact=True)).to_have_value(re.compile(r"\d+"))
    deadline = today_local() + timedelta(days=10)
    page.get_by_label("Proposed fine (đồng)").fill("15.000.000")
    page.get_by_label("Remedy deadline").fill(deadline.isoformat())
    screenshot(page, "inspection-05-violation")
    page.get_by_test_id("save-violation").click()
    expect(page.get_by_test_id("violation")).to_contain_text("Art. 15(6)(a) Decree 38/2021/NĐ-CP")
    screenshot(page, "inspection-06-violation-recorded")

    # close the visit: the minutes are issued and the follow-up scheduled
    page.get_by_test_id("finish-visit").click()
    expect(page.get_by_label("Violations found")).to_be_checked()
    screenshot(page, "inspection-07-close")
    page.get_by_test_id("close-visit").click()
    expect(page.get_by_text("Minutes 1/BB-SVHTT issued")).to_be_visible()
    screenshot(page, "inspection-08-closed")

    with page.expect_download() as download:
        page.get_by_test_id("minutes-pdf").click()
    pdf = tmp_path / "minutes.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for expected in ("BIÊN BẢN KIỂM TRA", "Số: 1/BB-SVHTT", "Karaoke Hoa Sen", "Đại úy Phạm Văn Đức",
                     "Phòng VIP3", "Đo thực tế 18,2 m²", "Điều 15 Nghị định 38/2021/NĐ-CP", "15.000.000 đồng",
                     "125/QĐ-SVHTT", "Trần Thị Bình", "14 khách"):
        assert expected in text, expected

    # the follow-up is on the inspector's list, with the open finding carried forward
    page.goto(page.base + "/")
    upcoming = page.get_by_test_id("upcoming-list")
    expect(upcoming).to_contain_text("Follow-up")
    screenshot(page, "inspection-09-follow-up-listed")
    upcoming.get_by_text("Karaoke Hoa Sen").click()
    expect(page.get_by_test_id("comparison")).to_contain_text("Room VIP3")
    screenshot(page, "inspection-10-follow-up")
    page.get_by_test_id("start-visit").click()
    carried = page.get_by_test_id("check-item")
    expect(carried).to_have_count(1)
    expect(carried).to_contain_text("Đo thực tế 18,2 m²")
    expect(carried.get_by_text("Resolved", exact=True)).to_be_visible()
    screenshot(page, "inspection-11-follow-up-checklist")


def test_starting_with_consent_records_the_phones_location(page_factory, todays_visit):
    page = page_factory(width=375, height=800, lang="en")
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 20.844912, "longitude": 106.688084, "accuracy": 15})
    browser_login(page, todays_visit)
    page.get_by_test_id("today-list").get_by_text("Karaoke Hoa Sen").click()
    page.get_by_label("Record my location with the start time").check()
    page.get_by_test_id("start-visit").click()
    expect(page.get_by_test_id("progress")).to_have_text(re.compile(r"^\d+/20$"))
    page.locator("[data-code='licence_on_site'] label[for$='-pass']").click()
    expect(page.get_by_test_id("progress")).to_have_text(re.compile(r"^[12]/20$"))
    page.goto(page.url.replace("/visit", ""))
    expect(page.get_by_text("location recorded")).to_be_visible()
