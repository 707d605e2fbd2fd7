"""A clerk registers a karaoke venue with six rooms for a new operator, finds it, edits a room, exports the list,
switches language, and does the same search on a phone."""
from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import browser_login, screenshot

VENUE = "Karaoke Hòa Sen Lê Chân"
AREAS = ["20", "22,5", "18", "30", "35", "40"]


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.browser
def test_clerk_registers_finds_edits_and_exports_a_venue(page_factory, make_user, db):
    username = make_user("clerk", full_name="Phạm Văn Minh").username
    db.session.commit()  # don't hold a transaction open while the live server writes

    page = page_factory(width=1280, lang="en")
    browser_login(page, username)

    # A new operator (household business).
    page.click("nav >> text=Operators")
    page.click("text=Register an operator")
    page.select_option("#kind", "household")
    page.fill("#name", "Hộ kinh doanh Karaoke Hòa Sen")
    page.fill("#registration_number", "02a8 099999")
    page.fill("#registration_date", "2021-03-15")
    page.fill("#head_office", "25 Tô Hiệu, Hải Phòng")
    page.fill("#legal_rep_name", "Nguyễn Thị Hoa")
    page.fill("#security_person_name", "Trần Văn Bảo")
    page.fill("#phone", "0912 345 678")
    page.click("button:has-text('Register the operator')")
    page.wait_for_selector("h1:has-text('Hộ kinh doanh Karaoke Hòa Sen')")
    assert page.is_visible("text=02A8099999")

    # Its karaoke venue with six rooms (three lines are there, three are added without leaving the page).
    page.click("a:has-text('Register a venue')")
    assert page.input_value("#operator_number") == "02A8099999"
    screenshot(page, "venues-form-1280")
    page.fill("#name", VENUE)
    page.select_option("#kind", "karaoke")
    page.fill("#house_number", "25")
    page.fill("#street", "Tô Hiệu")
    page.select_option("#ward_id", index=1)
    page.fill("#phone", "0225 3 845 678")
    page.fill("#capacity", "150")
    page.fill("#opens_at", "08:00")
    page.fill("#closes_at", "23:59")
    for _ in range(3):
        page.click("button:has-text('Add a room')")
    assert page.locator("#room-rows [data-row]").count() == 6
    for i, area in enumerate(AREAS):
        page.fill(f"#rooms-{i}-code", f"VIP{i + 1}")
        page.fill(f"#rooms-{i}-area_m2", area)
    page.click("button:has-text('Register the venue')")
    page.wait_for_selector(f"h1:has-text('{VENUE}')")
    assert page.locator("[data-testid=rooms-table] tbody tr").count() == 6
    assert page.is_visible("text=1 room is below the minimum for licensing (20 m²).")
    assert page.locator("[data-testid=timeline] li[data-action='venue.create']").count() == 1
    assert "Phạm Văn Minh" in page.inner_text("[data-testid=timeline]")

    # Find it again without diacritics.
    page.click("nav >> text=Venues")
    page.fill("#q", "hoa sen le chan")
    page.press("#q", "Enter")
    page.wait_for_selector("text=1 venue matches.")
    screenshot(page, "venues-list-1280")
    page.click(f"[data-testid=venue-table] >> text={VENUE}")
    page.wait_for_selector(f"h1:has-text('{VENUE}')")

    # Change a room; the change shows on the timeline.
    page.click("text=Edit rooms")
    page.fill("#rooms-2-area_m2", "24")
    page.click("button:has-text('Save rooms')")
    page.wait_for_selector("[data-testid=timeline] li[data-action='room.update']")
    change = page.inner_text("[data-testid=timeline] li[data-action='room.update']")
    assert "Room changed" in change and "VIP3" in change and "18 m²" in change and "24 m²" in change
    assert not page.is_visible("[data-testid=small-rooms]")
    screenshot(page, "venues-detail-1280")

    # Export the list as it is filtered.
    page.goto(page.base + "/venues/?q=hoa+sen")
    with page.expect_download() as download_info:
        page.click("text=Export CSV")
    download = download_info.value
    assert download.suggested_filename.startswith("venues-") and download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
    assert [r[1] for r in rows[1:]] == [VENUE] and rows[1][15] == "6"

    # Switch language: dates and areas follow.
    page.click("button[lang=vi]")
    page.wait_for_selector("html[lang=vi]")
    page.fill("#q", "hoa sen")
    page.press("#q", "Enter")
    page.click(f"[data-testid=venue-table] >> text={VENUE}")
    page.wait_for_selector("html[lang=vi]")
    assert "22,5 m²" in page.inner_text("[data-testid=rooms-table]")

    # The same on a phone.
    phone = page_factory(width=375, height=800, lang="vi")
    browser_login(phone, username)
    phone.goto(phone.base + "/venues/")
    phone.fill("#q", "HOA SEN")
    phone.press("#q", "Enter")
    phone.wait_for_selector("[data-testid=venue-cards]")
    assert phone.is_visible(f"[data-testid=venue-cards] >> text={VENUE}")
    assert not phone.is_visible("[data-testid=venue-table]")
    assert no_horizontal_scroll(phone)
    screenshot(phone, "venues-list-375")
    phone.click(f"[data-testid=venue-cards] >> text={VENUE}")
    phone.wait_for_selector(f"h1:has-text('{VENUE}')")
    assert no_horizontal_scroll(phone)
    assert phone.locator("[data-testid=timeline] > li").count() == 2
    screenshot(phone, "venues-detail-375")
    phone.click("a[href$='/rooms']")
    phone.wait_for_selector("#room-rows")
    assert no_horizontal_scroll(phone)
    phone.goto(phone.base + "/venues/new")
    assert no_horizontal_scroll(phone)
    screenshot(phone, "venues-form-375")
