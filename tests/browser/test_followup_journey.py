"""The rep's side of a follow-up in a real browser: the open case on the home page and in the
list, a call logged on its timeline, then resolved with a root cause."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from coachflow.followups.models import CaseState, FollowUpCase
from coachflow.followups.services.root_causes import seed_root_causes
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from tests.browser.test_survey_journey import flash, sign_in
from tests.followup_factories import make_case

pytestmark = pytest.mark.browser

CALL_NOTE = "Called Berta: the delivery slipped a week; new date agreed."


@pytest.fixture
def open_case(app, org) -> int:
    with app.app_context():
        seed_root_causes()
        case = make_case(
            org.rep,
            org.team,
            opened_at=utcnow() - datetime.timedelta(hours=2),
            account="Kunde GmbH",
        )
        db.session.commit()
        return case.id


def test_a_rep_opens_a_case_logs_a_contact_and_resolves_it(page: Page, app, org, open_case):
    sign_in(page, "rep@example.com")
    expect(page.get_by_role("region", name="Your follow-ups")).to_contain_text("1 open case")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Follow-ups").click()
    expect(page.get_by_role("heading", level=1, name="Follow-ups")).to_be_visible()
    page.get_by_role("link", name="Kunde GmbH").click()
    expect(page.get_by_role("heading", level=1, name="Kunde GmbH")).to_be_visible()

    page.get_by_label("What happened").select_option("call")
    page.get_by_label("What was said or agreed").fill(CALL_NOTE)
    page.get_by_role("button", name="Add to the timeline").click()
    expect(flash(page, "Added to the timeline.")).to_be_visible()
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text(CALL_NOTE)
    expect(timeline).to_contain_text("Open → Contacted")

    page.get_by_label("Resolved", exact=True).check()
    page.get_by_label("Root cause").select_option(label="Delivery")
    page.get_by_label("Closing note").fill("Delivered on the new date.")
    page.get_by_role("button", name="Close the case").click()
    expect(flash(page, "The case is closed.")).to_be_visible()
    expect(page.locator(".case-state").first).to_have_text("Resolved")
    expect(page.locator("dl.facts")).to_contain_text("Delivery")
    expect(page.get_by_role("button", name="Close the case")).to_have_count(0)

    with app.app_context():
        case = db.session.scalar(select(FollowUpCase).where(FollowUpCase.id == open_case))
        assert case.state is CaseState.RESOLVED
        assert case.first_contact_at is not None
