"""A coaching cycle from start to finish in a real browser: the manager opens a cycle for their
rep, the rep fills in the territory plan and the manager approves it; two goals (one bound to
revenue, its progress from the deals); a field visit whose invitation reaches the SMTP server and
parses as a calendar; a debrief with two next steps that land on both home pages; both
assessments, side by side with the gaps marked."""

from __future__ import annotations

import datetime
import time

import pytest
from icalendar import Calendar
from playwright.sync_api import Browser, Page, expect

from coachflow.coaching.models import CoachingSession
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from tests.factories import PASSWORD
from tests.integration.coaching_data import account_of, won_deal

pytestmark = pytest.mark.browser


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def as_person(browser: Browser, live_server: str, email: str) -> Page:
    page = browser.new_context(base_url=live_server).new_page()
    sign_in(page, email)
    expect(page).to_have_url(f"{live_server}/")
    return page


def invitation(mailbox, address: str, timeout: float = 10.0) -> Calendar:
    deadline = time.monotonic() + timeout
    while not (messages := mailbox.to(address)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(messages) == 1
    [part] = [p for p in messages[0].iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    return Calendar.from_ical(part.get_content())


def test_a_manager_runs_a_coaching_cycle_with_their_rep(
    browser, page, live_server, app, org, mailbox
):
    today = utcnow().date()
    quarter = datetime.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    last_day = (quarter + datetime.timedelta(days=92)).replace(day=1) - datetime.timedelta(days=1)
    with app.app_context():
        account = account_of(org.rep, "Nordwind AG")
        won_deal(org, org.rep, 30_000, quarter, account=account)
        db.session.commit()

    # The manager opens the cycle.
    sign_in(page, "manager@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Coaching").click()
    page.get_by_role("link", name="Open a cycle").click()
    page.get_by_label("Rep", exact=True).select_option(str(org.rep))
    page.get_by_label("First day", exact=True).fill(quarter.isoformat())
    page.get_by_label("Last day", exact=True).fill(last_day.isoformat())
    page.get_by_role("button", name="Open the cycle").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Coaching:")
    cycle_url = page.url

    # The rep fills in the plan and hands it in.
    rep = as_person(browser, live_server, "rep@example.com")
    rep.goto(cycle_url)
    rep.get_by_role("link", name="Fill in the plan").click()
    rep.locator("#key_accounts-0-account").select_option(label="Nordwind AG")
    rep.locator("#key_accounts-0-strategy").fill("Renew the service contract early")
    rep.get_by_label("Channel partners", exact=True).fill("Schmidt Systemhaus")
    rep.get_by_role("button", name="Hand the plan to my manager").click()
    expect(rep.locator("#plan")).to_contain_text("waiting for the manager's approval")

    # The manager approves it, starts the cycle and sets two goals.
    page.goto(cycle_url)
    page.get_by_label("Your comment", exact=True).fill("Agreed.")
    page.get_by_role("button", name="Approve the plan").click()
    expect(page.locator("#plan")).to_contain_text("Approved on")
    expect(page.locator("#plan")).to_contain_text("Nordwind AG")
    page.get_by_role("button", name="Start the cycle").click()
    for title, metric, target in (
        ("Quarterly revenue", "revenue", "40000"),
        ("Demos", "manual", "4"),
    ):
        page.get_by_label("Goal", exact=True).fill(title)
        page.get_by_label("Metric", exact=True).select_option(metric)
        page.get_by_label("Target", exact=True).fill(target)
        page.get_by_label("Due date", exact=True).fill(last_day.isoformat())
        page.get_by_role("button", name="Add the goal").click()
    revenue_row = page.locator("#goals tr", has_text="Quarterly revenue")
    expect(revenue_row).to_contain_text("€30,000.00")
    expect(page.locator("#goals tr", has_text="Demos")).to_be_visible()

    # A field visit: both get an invitation that parses as a calendar.
    page.get_by_role("link", name="Schedule a session").click()
    page.get_by_label("Kind", exact=True).select_option("field_visit")
    starts = (utcnow() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT10:00")
    page.get_by_label("Date and time", exact=True).fill(starts)
    page.get_by_label("Place", exact=True).fill("Nordwind AG, Hamburg")
    page.get_by_role("button", name="Schedule and send the invitation").click()
    expect(page.locator(".cycle-story")).to_contain_text("Field visit")
    for address in ("rep@example.com", "manager@example.com"):
        calendar = invitation(mailbox, address)
        [event] = calendar.walk("VEVENT")
        assert calendar["METHOD"] == "REQUEST"
        assert event.decoded("DTSTART").utcoffset() == datetime.timedelta(0)
        assert "Nordwind AG, Hamburg" in str(event["LOCATION"])

    # The visit took place; the manager debriefs it with two next steps.
    with app.app_context():
        session = db.session.scalars(db.select(CoachingSession)).one()
        session.starts_at = utcnow() - datetime.timedelta(hours=2)
        db.session.commit()
    page.goto(cycle_url)
    page.get_by_role("link", name="Debrief").click()
    page.get_by_label("What happened", exact=True).fill("Met the buyer and the plant manager")
    page.get_by_label("What went well", exact=True).fill("Good questions")
    due = (today + datetime.timedelta(days=7)).isoformat()
    for index, (text, owner) in enumerate(
        (("Send the proposal", org.rep), ("Call their CFO", org.manager))
    ):
        page.locator(f"#next_steps-{index}-text").fill(text)
        page.locator(f"#next_steps-{index}-owner").select_option(str(owner))
        page.locator(f"#next_steps-{index}-due_on").fill(due)
    page.get_by_role("button", name="Save the debrief").click()
    expect(page.locator("#action-items")).to_contain_text("Send the proposal")
    for person in (page, rep):
        person.goto("/")
        items = person.locator("section", has=person.get_by_role("heading", name="Action items"))
        expect(items).to_contain_text("Send the proposal")
        expect(items).to_contain_text("Call their CFO")

    # The rep assesses themselves first; then the manager, without seeing the rep's.
    rep.goto(cycle_url)
    rep.get_by_role("link", name="Your self-assessment").click()
    selects = rep.locator("select[name^=rating-]")
    for index in range(selects.count()):
        selects.nth(index).select_option("4")
    rep.get_by_role("button", name="Hand in").click()
    expect(rep.locator("#assessments")).to_contain_text("Self-assessment: handed in")

    page.goto(cycle_url)
    expect(page.locator("#assessments")).not_to_contain_text("gap of two or more")
    page.get_by_role("link", name="Your assessment of the rep").click()
    selects = page.locator("select[name^=rating-]")
    for index in range(selects.count()):
        selects.nth(index).select_option("2" if index == 0 else "4")
    page.get_by_role("button", name="Hand in").click()

    for person in (page, rep):
        person.goto(cycle_url)
        side_by_side = person.locator("#assessments table")
        expect(side_by_side.locator("tr.gap-marked")).to_have_count(1)
        expect(side_by_side.locator("tr.gap-marked")).to_contain_text("gap of two or more")
    rep.context.close()
