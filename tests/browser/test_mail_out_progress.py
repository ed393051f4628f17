"""A manager watches a mail-out on the invitations page: the counts follow it without a reload,
and once every mail went out the page shows the final states."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from coachflow.platform.extensions import db
from coachflow.surveys.models import Invitation, InvitationStatus
from coachflow.surveys.services import sending
from tests.browser.test_survey_journey import sign_in
from tests.integration.test_surveys_mail_out_progress import QUEUED, queue_invitations

pytestmark = pytest.mark.browser


@pytest.fixture
def queued_survey(app, org) -> int:
    return queue_invitations(app, org)


def test_the_invitations_page_follows_the_mail_out_to_its_end(app, page, queued_survey, mailbox):
    sign_in(page, "manager@example.com")
    page.goto(f"/surveys/{queued_survey}/invitations")
    state = page.get_by_role("navigation", name="Invitations by state")
    expect(state.get_by_role("link", name=f"Queued {QUEUED}")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text=f"0 of {QUEUED}")).to_be_visible()
    page.evaluate("window.notReloaded = true")

    with app.app_context():  # the first ten went out
        first = db.session.scalars(
            select(Invitation.id).where(Invitation.survey_id == queued_survey).limit(10)
        ).all()
        db.session.execute(
            update(Invitation).where(Invitation.id.in_(first)).values(status=InvitationStatus.SENT)
        )
        db.session.commit()
    expect(state.get_by_role("link", name="Sent 10")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("status").filter(has_text=f"10 of {QUEUED}")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True  # the counts changed in place

    with app.app_context():
        sending.send_due()
    expect(state.get_by_role("link", name=f"Sent {QUEUED}")).to_be_visible(timeout=10_000)
    expect(state.get_by_role("link", name="Queued 0")).to_be_visible()
    expect(page.locator("progress")).to_have_count(0)  # reloaded: nothing left to follow
