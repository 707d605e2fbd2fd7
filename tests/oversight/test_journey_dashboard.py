"""Journey 3: the manager reviews what is expiring, previews the reminders, sends them (to a real local SMTP
server), sees the delivery log on the operator's timeline, and exports the list to XLSX."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from registry.db import today_local
from tests.conftest import browser_login, screenshot
from tests.factories import make_operator, make_venue, unit
from tests.oversight import helpers


@pytest.fixture
def scene(db, make_user):
    """Lê Chân and Ngô Quyền venues with things falling due, one operator reading Vietnamese, one English."""
    from registry.reference.models import AdminUnit

    today = today_local()
    le_chan, ngo_quyen = unit("HP-D-LECHAN"), unit("HP-D-NGOQUYEN")

    def ward_of(district):
        return db.session.execute(select(AdminUnit).where(AdminUnit.parent_id == district.id)
                                  .order_by(AdminUnit.code)).scalars().first()

    hoa_sen = make_operator(name="Công ty TNHH Giải trí Hoa Sen", email="hoasen@example.vn", language="vi")
    harbour = make_operator(name="Harbour Leisure JSC", email="ops@harbour.example", language="en")
    v1 = make_venue(hoa_sen, name="Karaoke Hoa Sen", ward=ward_of(le_chan), district_id=le_chan.id)
    v2 = make_venue(harbour, name="Harbour Sky Karaoke", ward=ward_of(ngo_quyen), district_id=ngo_quyen.id)
    manager = make_user("manager", full_name="Nguyễn Thị Lan")
    clerk = make_user("clerk", full_name="Phạm Văn Minh")
    # the permit the manager opens is issued through the licensing workflow (its page reads the real snapshot)
    permit = helpers.issue_event_permit(v1, ends_on=today + timedelta(days=30), clerk=clerk, manager=manager,
                                        today=today)
    helpers.make_document(v1, kind="fire_safety", expires_on=today + timedelta(days=12))
    helpers.make_licence(v2, type_code="HP-EVENT", expires_on=today - timedelta(days=2))
    helpers.make_document(v2, kind="security_order", expires_on=today + timedelta(days=50))
    values = {"manager": manager.username, "permit": permit.id, "permit_number": permit.number_display,
              "operator": hoa_sen.id, "le_chan": le_chan.id, "harbour": harbour.id}
    # read before committing: a read after the commit would open a (write) transaction the live server waits on
    db.session.commit()
    return values


@pytest.mark.browser
def test_manager_reviews_what_is_due_and_sends_reminders(page_factory, scene, inbox):
    page = page_factory(width=1280)
    page.on("dialog", lambda dialog: dialog.accept())
    browser_login(page, scene["manager"])

    # the manager's home is the dashboard
    assert page.locator('[data-testid="tiles"]').is_visible()
    screenshot(page, "oversight-dashboard-1280")

    # filter to one district
    page.locator("details.filters > summary").click()
    page.select_option("#district", str(scene["le_chan"]))
    page.click('[data-testid="filters"] button[type=submit]')
    page.wait_for_load_state()
    items = page.locator('[data-testid="due-list"] .due-item')
    assert items.count() == 2  # the permit due in 30 days and the fire-safety acceptance; not Ngô Quyền's
    row = page.locator(f'.due-item[data-kind="licence_expiry"][data-id="{scene["permit"]}"]')
    assert row.get_attribute("data-days") == "30"
    screenshot(page, "oversight-dashboard-filtered-1280")

    # open the item expiring in 30 days
    row.locator("a").first.click()
    page.wait_for_load_state()
    assert scene["permit_number"] in page.content()
    page.go_back()

    # preview the reminders: one digest per operator, in their language
    page.goto(page.base + "/reminders/?horizon=30")
    digests = page.locator('[data-testid="digests"] tbody tr')
    assert digests.count() == 2
    page.locator(f'tr[data-operator="{scene["operator"]}"] [data-testid="open-digest"]').click()
    preview_subject = page.locator('[data-testid="digest-subject"]').inner_text()
    preview_text = page.locator('[data-testid="digest-text"]').inner_text()
    assert "Kính gửi: Công ty TNHH Giải trí Hoa Sen" in preview_text
    screenshot(page, "oversight-reminder-preview-1280")

    # send them (to the local SMTP server)
    page.goto(page.base + "/reminders/?horizon=30")
    page.locator('[data-testid="send-form"] button[type=submit]').click()
    page.wait_for_load_state()
    assert page.locator('[data-testid="run-digests"] li[data-status="sent"]').count() == 2
    screenshot(page, "oversight-delivery-log-1280")
    [message] = inbox.to("hoasen@example.vn")
    assert message["Subject"] == preview_subject
    assert inbox.text(message).strip() == preview_text.strip()
    [english] = inbox.to("ops@harbour.example")
    assert inbox.text(english).startswith("To: Harbour Leisure JSC")

    # the delivery log is on the operator's timeline
    page.goto(page.base + f"/operators/{scene['operator']}")
    timeline = page.locator("#history").inner_text()
    assert "Reminder sent" in timeline or "reminder.sent" in timeline
    assert "hoasen@example.vn" in timeline

    # export the list to XLSX
    page.goto(page.base + "/dashboard/due?window=due90")
    with page.expect_download() as download_info:
        page.click('[data-testid="export-xlsx"]')
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(open(download.path(), "rb").read())).active
    records = [row[6].value for row in sheet.iter_rows(min_row=2)]
    assert scene["permit_number"] in records and len(records) == 4


@pytest.mark.browser
def test_dashboard_on_a_phone(page_factory, scene):
    page = page_factory(width=375, lang="vi")
    browser_login(page, scene["manager"])
    page.goto(page.base + "/dashboard")
    # nothing wider than the screen except inside scrollable tables
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 375
    assert page.locator('[data-testid="due-list"] .due-item').count() == 3
    screenshot(page, "oversight-dashboard-375")
    page.goto(page.base + "/reminders/?horizon=30")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "oversight-reminders-375")
