"""Journey 4 in Chromium: a clerk downloads a licence PDF, anyone scans its QR code and sees the live status."""
from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from registry.db import today_local
from registry.documents import licences as licence_docs
from registry.documents import notices
from tests.conftest import ARTIFACTS, browser_login, screenshot
from tests.documents import helpers
from tests.factories import make_venue


def qr_of(pdf: Path) -> str:
    subprocess.run(["pdftoppm", "-r", "200", "-f", "1", "-l", "1", "-png", "-singlefile", str(pdf),
                    str(pdf.with_suffix(""))], check=True)
    return subprocess.run(["zbarimg", "--raw", "-q", str(pdf.with_suffix(".png"))], check=True,
                          capture_output=True, text=True).stdout.strip()


def render_png(data: bytes, name: str, resolution: int = 60) -> Path:
    """A page-1 PNG of a PDF under test-artifacts/ (looked at by people)."""
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / f"{name}.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", str(resolution), "-f", "1", "-l", "1", "-png", "-singlefile", str(pdf),
                    str(ARTIFACTS / name)], check=True)
    return ARTIFACTS / f"{name}.png"


@pytest.mark.browser
def test_clerk_prints_anyone_verifies_manager_suspends(app, db, live_server, page_factory, make_user, tmp_path):
    app.config["PUBLIC_BASE_URL"] = live_server.url
    clerk, manager = make_user("clerk"), make_user("manager")
    venue = make_venue(name="Karaoke Hòa Bình", street="Lê Lợi")
    licence = helpers.make_licence(venue, issued_on=date(2025, 2, 5))
    stored = licence_docs.issue_licence_pdf(licence, issued_by=clerk).blob.content
    licence_id, token, clerk_name, manager_id = licence.id, licence.verify_token, clerk.username, manager.id
    db.session.commit()
    db.session.close()  # the live server's requests must not wait for this thread's SQLite lock

    # the clerk downloads the stored PDF from the licence's documents
    page = page_factory(width=1280)
    browser_login(page, clerk_name)
    page.goto(f"{page.base}/documents/licences/{licence_id}")
    screenshot(page, "documents-licence-panel")
    with page.expect_download() as download_info:
        page.click("[data-testid=download-licence-vi]")
    pdf = tmp_path / "licence.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes() == stored
    url = qr_of(pdf)
    assert url == f"{live_server.url}/verify/{token}"

    # an anonymous visitor scans it on a phone
    visitor = page_factory(width=375, height=800, lang="vi")
    visitor.goto(url)
    banner = visitor.locator("[data-testid=status-banner]")
    assert banner.get_attribute("data-status") == "valid"
    assert visitor.locator("[data-testid=venue-name]").inner_text() == "Karaoke Hòa Bình"
    assert visitor.locator("[data-testid=public-host]").inner_text() == live_server.url.removeprefix("http://")
    assert visitor.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(visitor, "verify-valid-375")

    # a manager suspends the licence (the licensing service when present), with its notice
    from registry.auth.models import User
    from registry.licences.models import Licence

    licence, manager = db.session.get(Licence, licence_id), db.session.get(User, manager_id)
    try:
        from registry.licences.lifecycle import suspend
    except ImportError:  # the licensing services are not installed: record it as they would
        sanction = helpers.suspend(licence, starts_on=today_local(), days=30)
    else:
        sanction = suspend(licence, starts_on=today_local(), reason="Vi phạm lần thứ hai", by=manager)
    notice_pdf = notices.issue_suspension_notice(licence, sanction, issued_by=manager).blob.content
    db.session.commit()
    db.session.close()

    visitor.reload()
    assert visitor.locator("[data-testid=status-banner]").get_attribute("data-status") == "suspended"
    screenshot(visitor, "verify-suspended-375")
    visitor.click("a[lang=en]")
    assert visitor.locator("html").get_attribute("lang") == "en"
    assert "SUSPENDED" in visitor.locator("[data-testid=status-banner]").inner_text().upper()

    # what people will look at: the licence and the notice as printed, the register on a phone
    render_png(pdf.read_bytes(), "licence-page1", 70)
    render_png(notice_pdf, "suspension-notice-page1", 70)
    visitor.goto(f"{live_server.url}/register/?q=hoa+binh")
    assert "Karaoke Hòa Bình" in visitor.locator("[data-testid=register-results]").inner_text()
    assert visitor.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(visitor, "register-375")
    visitor.goto(f"{live_server.url}/open-data/")
    screenshot(visitor, "open-data-375")
