"""A manager checks the audit log on a phone: filters it, opens a record's history and checks integrity."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login, screenshot


@pytest.mark.browser
def test_manager_reviews_and_checks_the_log_on_a_phone(page_factory, db, make_user, some_history):
    username = make_user("manager", full_name="Nguyễn Thị Lan").username
    db.session.commit()  # end this thread's read: on SQLite it would hold the write lock the server needs
    page = page_factory(width=375, lang="en")
    browser_login(page, username)

    page.goto(page.base + "/audit/")
    assert page.locator("[data-testid=audit-event]").count() > 5
    assert page.locator("#audit-filters").is_hidden()  # folded away on a phone, one tap to open
    page.get_by_role("button", name="Filters").click()
    # the panel slides open: act on it once it is shown, not while it animates (a click then could miss the button)
    expect(page.locator("#audit-filters")).to_have_class(re.compile(r"\bshow\b"))
    page.select_option("#action", "venue.")
    with page.expect_navigation():  # wait for the filtered page, not the load state of the one still shown
        page.get_by_role("button", name="Filter", exact=True).click()
    titles = page.locator("[data-testid=audit-event] .fw-semibold").all_inner_texts()
    assert titles and all(t in ("Venue registered", "Venue details changed") for t in titles)
    screenshot(page, "audit-filtered-375")

    with page.expect_navigation():
        page.locator("[data-testid=audit-event] [data-testid=record-history]").first.click()
    assert page.locator("h1").inner_text().startswith("History of venue")
    screenshot(page, "audit-history-375")

    page.goto(page.base + "/audit/")
    page.get_by_test_id("verify-chain").click()
    page.wait_for_load_state()
    assert "Intact." in page.get_by_test_id("integrity-ok").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone
    screenshot(page, "audit-verified-375")


@pytest.mark.browser
def test_audit_log_on_a_desktop_in_vietnamese(page_factory, db, make_user, some_history):
    username = make_user("manager").username
    db.session.commit()
    page = page_factory(width=1280, lang="vi")
    browser_login(page, username)
    page.goto(page.base + "/audit/")
    assert page.locator("#audit-filters").is_visible()
    assert page.get_by_test_id("integrity").is_visible()
    screenshot(page, "audit-index-1280-vi")
