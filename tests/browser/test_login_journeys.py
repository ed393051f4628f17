"""Signing in and out in a real browser: navigation per role, errors, keyboard, phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

NAVIGATION = {
    "admin": [
        "Home",
        "Forecast",
        "Teams",
        "Sales",
        "Surveys",
        "Results",
        "Approvals",
        "Pulse",
        "Follow-ups",
        "Coaching",
        "Scorecards",
        "Scorecard exports",
        "Users",
        "Product lines",
        "Imports",
        "API tokens",
        "Contact privacy",
        "Competencies",
        "Audit log",
        "Settings",
        "Scorecard settings",
        "Account",
    ],
    "hr": [
        "Home",
        "Forecast",
        "Teams",
        "Sales",
        "Surveys",
        "Results",
        "Approvals",
        "Pulse",
        "Follow-ups",
        "Coaching",
        "Scorecards",
        "Scorecard exports",
        "Competencies",
        "Account",
    ],
    "manager": [
        "Home",
        "Forecast",
        "Teams",
        "Sales",
        "Surveys",
        "Results",
        "Pulse",
        "Follow-ups",
        "Coaching",
        "Scorecards",
        "Account",
    ],
    "rep": [
        "Home",
        "Forecast",
        "My team",
        "Sales",
        "Results",
        "Pulse",
        "Follow-ups",
        "Coaching",
        "Scorecards",
        "Account",
    ],
}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
LOGIN_URL = re.compile(r"/login(\?.*)?$")


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def nav_links(page: Page) -> Locator:
    return page.locator("nav[aria-label=Main] a")


@pytest.mark.parametrize("role", NAVIGATION)
def test_each_role_sees_its_navigation_and_signs_out(page, live_server, org, role, tmp_path):
    sign_in(page, f"{role}@example.com")

    expect(page).to_have_url(f"{live_server}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(nav_links(page)).to_have_text(NAVIGATION[role])
    page.screenshot(path=tmp_path / f"home-{role}.png", full_page=True)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("heading", name="Sign in to CoachFlow")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")


def test_a_wrong_password_shows_an_error_and_does_not_sign_in(page, org):
    sign_in(page, "rep@example.com", "not the password")

    password = page.get_by_label("Password", exact=True)
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("heading", name="Sign in to CoachFlow")).to_be_visible()
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description("The email or password is not correct.")
    expect(page.locator(".field.has-error .error")).to_be_visible()

    page.goto("/")
    expect(page).to_have_url(LOGIN_URL)


def test_a_user_can_sign_in_with_the_keyboard_alone(page, live_server, org):
    page.goto("/login")
    keyboard = page.keyboard
    for target in (
        page.get_by_role("link", name="Skip to content"),
        page.get_by_role("link", name="CoachFlow"),
        page.get_by_label("Email", exact=True),
    ):
        keyboard.press("Tab")
        expect(target).to_be_focused()
    keyboard.type("manager@example.com")
    keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    keyboard.type(PASSWORD)
    keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server}/")
    expect(nav_links(page)).to_have_text(NAVIGATION["manager"])


@pytest.mark.parametrize("context_options", [PHONE], ids=["phone"])
def test_the_menu_button_toggles_the_navigation_on_a_phone(page, org, tmp_path):
    sign_in(page, "admin@example.com")
    menu = page.get_by_role("button", name="Menu")
    links = nav_links(page)
    expect(links).to_have_count(len(NAVIGATION["admin"]))

    expect(menu).to_have_attribute("aria-expanded", "false")
    for link in links.all():
        expect(link).to_be_hidden()
    page.screenshot(path=tmp_path / "phone-menu-closed.png", full_page=True)

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    for link in links.all():
        expect(link).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.screenshot(path=tmp_path / "phone-menu-open.png", full_page=True)

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(links.first).to_be_hidden()
