"""A customer survey from start to finish in a real browser: a manager builds a relationship NPS
from its template, activates it and sends it to the team's customer contact; the customer answers
through the emailed link without a session; the manager sees the answer in the results."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Locator, Page, expect

from coachflow.platform.extensions import db
from tests.factories import PASSWORD
from tests.helpers import text_of
from tests.integration.test_surveys_distribution_support import customer, person

pytestmark = pytest.mark.browser

BUYER = "buyer@kunde.example"
SURVEY_NAME = "Customer relationship 2025"
COMMENT = "Quick answers and a rep who knows our plant."
NPS_QUESTION = "How likely are you to recommend Kunde Partners to a colleague or business partner?"


@pytest.fixture
def buyer(app, org) -> None:
    """One customer account owned by the manager's rep, with one English-speaking contact."""
    with app.app_context():
        account = customer(org.rep, "K1", "Kunde GmbH")
        person(account, BUYER, name="Berta Buyer", language="en")
        db.session.commit()


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def flash(page: Page, message: str) -> Locator:
    """The flashed message with ``message``; flashes are status regions."""
    return page.get_by_role("status").filter(has_text=message)


def survey_link(mailbox, address: str, timeout: float = 10.0) -> str:
    """The path of the answer link in the one invitation sent to ``address`` (polled briefly)."""
    deadline = time.monotonic() + timeout
    while not (messages := mailbox.to(address)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(messages) == 1, [m["To"] for m in mailbox.messages]
    match = re.search(r"https?://[^/\s]+(/s/[\w-]+)(?:\s|$)", text_of(messages[0]))
    assert match, text_of(messages[0])
    return match.group(1)


def test_a_manager_sends_a_relationship_nps_and_sees_the_customers_answer(
    browser, page, live_server, org, buyer, mailbox, tmp_path
):
    sign_in(page, "manager@example.com")
    expect(page).to_have_url(f"{live_server}/")

    # Build the survey from the template.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Surveys").click()
    expect(page.get_by_role("heading", level=1, name="Surveys")).to_be_visible()
    page.get_by_role("link", name="New survey").first.click()
    expect(page.get_by_role("heading", level=1, name="New survey")).to_be_visible()
    page.get_by_label("Relationship NPS", exact=True).check()
    page.get_by_label("Name", exact=True).fill(SURVEY_NAME)
    page.get_by_label("Your company's name", exact=True).fill("Kunde Partners")
    page.get_by_role("button", name="Create survey").click()

    expect(page.get_by_role("heading", level=1, name=SURVEY_NAME)).to_be_visible()
    expect(flash(page, f"Survey “{SURVEY_NAME}” created as a draft.")).to_be_visible()
    expect(page.locator("#questions")).to_contain_text(NPS_QUESTION)
    edit_url = page.url

    page.get_by_role("button", name="Activate", exact=True).click()
    expect(
        flash(page, "The survey is active: invitations can go out and answers are accepted.")
    ).to_be_visible()

    # Send it to the contacts of the team's customers.
    page.get_by_role("link", name="Send invitations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Send “{SURVEY_NAME}”")
    page.get_by_label("Team", exact=True).select_option(label="North")
    page.get_by_role("button", name="Preview", exact=True).click()
    expect(page.get_by_role("heading", name="1 invitation to send")).to_be_visible()
    assert mailbox.to(BUYER) == []  # a preview sends nothing
    page.get_by_role("button", name="Send 1 invitation", exact=True).click()
    expect(flash(page, "1 invitation is on its way.")).to_be_visible()
    page.screenshot(path=tmp_path / "sent.png", full_page=True)

    link = survey_link(mailbox, BUYER)

    # The customer answers in a browser of their own, without a session.
    customer_context = browser.new_context(base_url=live_server)
    try:
        answer = customer_context.new_page()
        answer.goto(link)
        expect(answer.get_by_role("heading", level=1)).to_have_text("Your opinion matters to us")
        nps = answer.get_by_role("group", name=re.compile(re.escape(NPS_QUESTION)))
        expect(nps).to_be_visible()
        nps.get_by_label("9", exact=True).check()
        answer.get_by_label(re.compile(r"What is the main reason for your score\?")).fill(COMMENT)
        answer.get_by_role("button", name="Send my answers").click()
        expect(answer.get_by_role("heading", level=1)).to_have_text("Thank you!")
        expect(answer.locator("main")).to_contain_text(
            "Thank you for your feedback. We read every answer."
        )
        answer.screenshot(path=tmp_path / "thanks.png", full_page=True)
    finally:
        customer_context.close()

    # Back as the manager: the answer is counted in the survey's results.
    page.goto(edit_url)
    page.get_by_role("navigation", name="This survey").get_by_role("link", name="Results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SURVEY_NAME)
    headline = page.locator("#headline-nps")
    expect(headline).to_contain_text("n = 1 answer")
    expect(headline.locator(".figure")).to_have_text(re.compile(r"^\s*\+?100\s*$"))
    expect(page.locator("#headline-rate")).to_contain_text("1 answered of 1 delivered")
    bands = page.get_by_role("region", name="Promoters, passives and detractors")
    expect(bands).to_contain_text("Promoters (9–10): 1, 100%")
    expect(bands).to_contain_text("Detractors (0–6): 0, 0%")
    expect(page.locator("main")).to_contain_text(COMMENT)
    page.screenshot(path=tmp_path / "results.png", full_page=True)
