"""Sign in and out as each role, create an account as an administrator, on a desktop and a 375 px phone."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login, screenshot

pytestmark = pytest.mark.browser

ROLE_LABELS = {"admin": "Administrator", "manager": "Manager", "clerk": "Clerk", "inspector": "Inspector"}
NEW_PASSWORD = "thuyền về bến Bính lúc chiều tà"


@pytest.fixture
def account(make_user, db):
    """Create a user and end the test thread's transaction, so the live server can write (SQLite has one writer)."""

    def make(role, **kw):
        user = make_user(role, **kw)
        details = SimpleNamespace(username=user.username, full_name=user.full_name)
        db.session.commit()
        return details

    return make


def _open_menu_if_collapsed(page):
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
        expect(page.locator("#nav-main")).to_have_class(re.compile(r"\bcollapse show\b"))  # animation done


def _sign_out(page):
    _open_menu_if_collapsed(page)
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator(".alert-info")).to_contain_text("You have signed out.")


def _expect_signed_in_as(page, full_name, role):
    _open_menu_if_collapsed(page)
    menu = page.get_by_test_id("user-menu")
    expect(menu).to_be_visible()
    expect(menu).to_contain_text(full_name)
    expect(menu.locator(".badge")).to_have_text(ROLE_LABELS[role])


def test_each_role_signs_in_sees_its_badge_and_signs_out(page_factory, account):
    page = page_factory(width=1280)
    page.goto(page.base + "/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    screenshot(page, "auth-login-1280")
    for role in ROLE_LABELS:
        user = account(role, full_name=f"Nguyễn Văn {role.title()}")
        browser_login(page, user.username)
        _expect_signed_in_as(page, user.full_name, role)
        if role == "admin":
            screenshot(page, "auth-home-admin-1280")
        _sign_out(page)


def test_a_wrong_password_is_explained_on_the_form(page_factory, account):
    user = account("clerk")
    page = page_factory(width=375)
    browser_login(page, user.username, "not the right password")
    expect(page.locator(".alert-danger")).to_have_text(re.compile("Wrong username or password."))
    expect(page.locator("#username")).to_have_value(user.username)
    expect(page.locator("#password")).to_have_value("")
    screenshot(page, "auth-login-error-375")


def test_admin_creates_an_account_and_that_person_signs_in(page_factory, account):
    admin = account("admin", full_name="Trần Quốc Quản")
    page = page_factory(width=1280)
    browser_login(page, admin.username)
    page.get_by_test_id("user-menu").click()  # administration is in the account menu
    page.get_by_role("link", name="Users").first.click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    page.get_by_role("link", name="New account").click()

    page.fill("#full_name", "Vũ Thị Hạnh")
    page.fill("#username", "hanh.vt")
    page.fill("#email", "hanh.vt@example.gov.vn")
    page.fill("#phone", "0225 3 842 555")
    page.select_option("#role", "inspector")
    page.fill("#new_password", "short")
    page.fill("#confirm", "short")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator('[data-field="new_password"]')).to_contain_text("at least 12 characters")
    expect(page.locator("#full_name")).to_have_value("Vũ Thị Hạnh")  # the input is kept
    screenshot(page, "admin-user-new-error-1280")

    page.fill("#new_password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".alert-success")).to_contain_text("Account hanh.vt created")
    row = page.get_by_test_id("users-table").locator("tr", has_text="Vũ Thị Hạnh")
    expect(row).to_contain_text("Inspector")
    expect(row).to_contain_text("Active")
    screenshot(page, "admin-users-1280")
    row.get_by_role("link", name="Vũ Thị Hạnh", exact=True).click()
    expect(page.get_by_role("heading", name="Vũ Thị Hạnh")).to_be_visible()
    screenshot(page, "admin-user-edit-1280")
    page.get_by_role("link", name="History").click()
    expect(page.get_by_test_id("history")).to_contain_text("Account created")
    expect(page.get_by_test_id("history")).to_contain_text(admin.username)
    screenshot(page, "admin-user-history-1280")
    _sign_out(page)

    phone = page_factory(width=375)
    browser_login(phone, "hanh.vt", NEW_PASSWORD)
    _expect_signed_in_as(phone, "Vũ Thị Hạnh", "inspector")
    screenshot(phone, "auth-home-inspector-375")
    _sign_out(phone)


def test_sign_in_and_user_admin_work_on_a_phone(page_factory, account):
    admin = account("admin", full_name="Trần Quốc Quản")
    account("clerk", full_name="Phạm Văn Minh")
    page = page_factory(width=375, height=740)
    page.goto(page.base + "/")
    screenshot(page, "auth-login-375")
    browser_login(page, admin.username)
    _expect_signed_in_as(page, admin.full_name, "admin")
    screenshot(page, "auth-home-admin-375")
    page.goto(page.base + "/admin/users")
    expect(page.get_by_test_id("users-table")).to_contain_text("Phạm Văn Minh")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # the page itself does not scroll sideways
    screenshot(page, "admin-users-375")
    page.get_by_role("link", name="Phạm Văn Minh", exact=True).click()
    expect(page.get_by_role("heading", name="Phạm Văn Minh")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "admin-user-edit-375")
    page.get_by_role("link", name="Deactivate…").click()
    expect(page.get_by_role("heading", name="Deactivate Phạm Văn Minh?")).to_be_visible()
    screenshot(page, "admin-user-deactivate-375")
    page.get_by_role("button", name="Yes, deactivate").click()
    expect(page.locator(".alert-success")).to_contain_text("has been deactivated")
    expect(page.locator(".badge", has_text="Inactive")).to_be_visible()
    _sign_out(page)


def test_switching_to_vietnamese(page_factory):
    page = page_factory(width=1280, lang="en")
    page.goto(page.base + "/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="English")).to_have_class(re.compile(r"\bactive\b"))
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("button", name="Tiếng Việt")).to_have_class(re.compile(r"\bactive\b"))
    expect(page.locator("#username")).to_be_visible()  # still the sign-in page
    screenshot(page, "auth-login-vi-1280")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "vi")  # the choice is remembered
