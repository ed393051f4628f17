"""Each demo role's home page in a real browser: it answers "how are we doing and what needs
me" without a click, and axe-core finds nothing serious or critical, on a laptop and a phone."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from coachflow.accounts import demo
from coachflow.dashboards.services import give_recognition
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.sales.demo import seed_sales
from tests.browser.test_layout_and_accessibility import AXE, RUN_AXE, WIDTHS

pytestmark = pytest.mark.browser

# What each role's home must show at once: its own figures and what needs the person.
EXPECTED = {
    "rep": ["Won so far", "Forecast for the period", "Recognition received", "Leaderboard"],
    "manager": ["Needs your attention", "How the forecast is computed", "Leaderboard"],
    "hr": ["The company", "Reps by projected attainment", "How the forecast is computed"],
    "admin": ["product lines", "The company"],
}


@pytest.fixture
def demo_org(app) -> None:
    """The demo organisation with a year of sales up to today and one recognition."""
    with app.app_context():
        org = demo.seed_org(reps=12, seed=7)
        seed_sales(org, random.Random("sales:7"), today=utcnow().date())
        db.session.commit()
        manager = next(m for m in org.managers if m.email == "manager@example.com")
        rep = next(r for r in org.reps if r.email == "rep@example.com")
        give_recognition(manager, rep, "Won back the Hamburg plant after the outage")


@pytest.fixture
def axe_context(browser, live_server, width) -> Iterator[BrowserContext]:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `make axe`")
    context = browser.new_context(base_url=live_server, bypass_csp=True, **WIDTHS[width])
    context.add_init_script(path=AXE)
    yield context
    context.close()


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", EXPECTED)
def test_each_demo_role_lands_on_an_accessible_home_page(demo_org, axe_context, role, width):
    page = axe_context.new_page()
    sign_in(page, f"{role}@example.com")
    page.goto("/")
    for text in EXPECTED[role]:
        expect(page.locator("main")).to_contain_text(text)
    if role == "rep":
        expect(page.locator("main")).to_contain_text("Won back the Hamburg plant")
    findings = page.evaluate(RUN_AXE)
    assert findings == [], findings
