"""Journey 1 in a real browser: a clerk takes in a karaoke dossier, the rules catch an 18 m² room, the fee is shown
and paid; a manager approves; the licence appears on the venue's timeline; adding two rooms supersedes it."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from registry.db import today_local
from registry.extensions import db
from registry.licences import services
from tests.conftest import browser_login, screenshot
from tests.factories import make_venue

pytestmark = pytest.mark.browser


def accept_dialogs(page):
    page.on("dialog", lambda dialog: dialog.accept())


def move_on(page, testid: str):
    """Open a "next step" action and confirm it."""
    page.click(f"[data-testid='{testid}']")
    page.locator(f"[data-testid='{testid}'] + form button[type=submit]").click()
    page.wait_for_load_state()


def test_clerk_and_manager_issue_then_adjust_a_karaoke_licence(app, page_factory, make_user):
    clerk = make_user("clerk", full_name="Phạm Văn Minh")
    manager = make_user("manager", full_name="Nguyễn Thị Lan")
    venue = make_venue(name="Karaoke Sông Cấm", rooms=[Decimal("18")] + [Decimal("24.5")] * 5)
    services.add_prerequisite(venue, kind="security_order", number="45/GCN-ANTT",
                              issued_on=today_local() - timedelta(days=90), issuer="Công an thành phố Hải Phòng")
    clerk_name, manager_name, venue_id = clerk.username, manager.username, venue.id
    db.session.commit()
    db.session.close()  # no transaction of the test may hold the SQLite write lock while the browser works

    # ------------------------------------------------------------------ clerk: intake
    page = page_factory(width=1280, lang="vi")
    accept_dialogs(page)
    browser_login(page, clerk_name)
    assert page.locator("[data-testid='quick-actions']").is_visible()  # the clerk's home is the desk
    page.click("[data-testid='quick-actions'] a.btn-primary")
    page.fill("#q", "song cam")  # diacritics are not needed to find it
    page.click("form[role=search] button[type=submit]")
    page.click("[data-testid='venue-results'] a")
    page.select_option("#licence_type_id", label="Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke")
    page.select_option("#kind", value="new")
    page.select_option("#channel", value="counter")
    page.click("#application-form button[type=submit]")
    page.wait_for_load_state()
    assert re.search(r"HS-\d{4}-\d{5}", page.locator("h1").inner_text())

    # the rule fails on the 18 m² room, and the fee is 12,000,000 ₫ for six rooms in a centrally-run city
    rule = page.locator("[data-rule='min_room_area']")
    assert rule.get_attribute("data-outcome") == "fail"
    assert "18 m²" in rule.inner_text()
    assert page.locator("[data-testid='fee-due']").inner_text().replace("\xa0", " ") == "12.000.000 ₫"
    assert page.locator("[data-testid='obsolete-rules']").is_visible()

    # the missing fire-safety acceptance is recorded from the dossier page
    page.click("[data-testid=add-document]")
    page.select_option("#document-form #kind", value="fire_safety")
    page.fill("#document-form #number", "112/NT-PCCC")
    page.fill("#document-form #issued_on", (today_local() - timedelta(days=30)).isoformat())
    page.fill("#document-form #expires_on", (today_local() + timedelta(days=700)).isoformat())
    page.fill("#document-form #issuer", "Phòng Cảnh sát PCCC và CNCH")
    page.click("#document-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-rule='prerequisites']").get_attribute("data-outcome") == "pass"

    move_on(page, "transition-accepted")
    move_on(page, "transition-appraisal")
    page.select_option("#appraisal-form #no_inner_latch", value="yes")
    page.select_option("#appraisal-form #no_non_fire_alarm", value="yes")
    page.fill("#appraisal-form #notes", "Đoàn thẩm định đo lại phòng VIP1: 20,5 m².")
    page.click("#appraisal-form button[type=submit]")
    page.wait_for_load_state()
    screenshot(page, "licensing-application-1280")

    # the appraisal measured VIP1 again: 20.5 m², so the rule now passes
    page.click("[data-testid=correct-rooms]")
    page.locator("#rooms-form input[name$='area_m2']").first.fill("20,5")
    page.click("#rooms-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-rule='min_room_area']").get_attribute("data-outcome") == "pass"

    page.click("[data-testid=add-payment]")
    page.fill("#payment-form #receipt_number", "BL-2026-00077")
    page.fill("#payment-form #amount", "12.000.000")
    page.click("#payment-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-testid='fee-outstanding']").inner_text().replace("\xa0", " ") == "0 ₫"
    dossier_url = page.url.split("#")[0]

    mobile = page_factory(width=375, lang="vi")
    browser_login(mobile, clerk_name)
    mobile.goto(dossier_url)
    screenshot(mobile, "licensing-application-375")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 375

    # ------------------------------------------------------------------ manager: decision
    boss = page_factory(width=1280, lang="vi")
    accept_dialogs(boss)
    browser_login(boss, manager_name)
    boss.goto(dossier_url)
    assert boss.locator("[data-testid='ready']").is_visible()
    boss.select_option("#decision", value="approve")
    boss.click("#decision-form button[type=submit]")
    boss.wait_for_load_state()
    number = boss.locator("[data-testid='licence-number']").inner_text()
    assert re.fullmatch(r"\d+/GP-SVHTT", number)
    assert boss.locator("[data-licence-status='active']").count() == 1
    assert boss.locator("[data-testid='licensed-rooms'] tbody tr").count() == 6
    assert boss.locator("[data-testid='download-licence-vi']").count() == 1
    screenshot(boss, "licensing-licence-1280")
    licence_url = boss.url

    # the licence number is on the venue's timeline
    if app.view_functions.get("venues.detail"):
        boss.goto(f"{boss.base}/venues/{venue_id}")
        assert number in boss.content()

    # ------------------------------------------------------------------ clerk: adjustment (two rooms added)
    page.goto(licence_url)
    page.click("[data-testid='adjust-rooms']")
    page.wait_for_load_state()
    assert page.locator("#kind").input_value() == "adjust_rooms"
    page.fill("#add_rooms-0-code", "VIP7")
    page.fill("#add_rooms-0-area_m2", "30")
    page.fill("#add_rooms-1-code", "VIP8")
    page.fill("#add_rooms-1-area_m2", "28,5")
    page.click("#application-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-testid='fee-due']").inner_text().replace("\xa0", " ") == "4.000.000 ₫"
    assert "VIP7" in page.locator("[data-testid='room-changes']").inner_text()
    move_on(page, "transition-accepted")
    move_on(page, "transition-appraisal")
    page.select_option("#appraisal-form #no_inner_latch", value="yes")
    page.select_option("#appraisal-form #no_non_fire_alarm", value="yes")
    page.click("#appraisal-form button[type=submit]")
    page.wait_for_load_state()
    page.click("[data-testid=add-payment]")
    page.fill("#payment-form #receipt_number", "BL-2026-00078")
    page.fill("#payment-form #amount", "4000000")
    page.click("#payment-form button[type=submit]")
    page.wait_for_load_state()

    boss.goto(page.url.split("#")[0])
    boss.select_option("#decision", value="approve")
    boss.click("#decision-form button[type=submit]")
    boss.wait_for_load_state()
    assert boss.locator("[data-testid='predecessor']").inner_text() == number
    assert boss.locator("[data-testid='licensed-rooms'] tbody tr").count() == 8
    new_number = boss.locator("[data-testid='licence-number']").inner_text()
    assert new_number != number

    boss.goto(licence_url)
    assert boss.locator("[data-licence-status='superseded']").count() == 1
    assert boss.locator("[data-testid='successor']").inner_text() == new_number
    boss_mobile = page_factory(width=375, lang="vi")
    browser_login(boss_mobile, manager_name)
    boss_mobile.goto(licence_url)
    screenshot(boss_mobile, "licensing-licence-375")
    assert boss_mobile.evaluate("document.documentElement.scrollWidth") <= 375

    from registry.licences.models import Licence

    assert [lic.status.value for lic in db.session.execute(
        select(Licence).where(Licence.venue_id == venue_id).order_by(Licence.id)).scalars()] == ["superseded",
                                                                                                  "active"]
