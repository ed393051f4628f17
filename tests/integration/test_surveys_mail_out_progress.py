"""While a mail-out runs, the invitations page shows how far it has come and follows it; without
script, a plain link refreshes the page."""

from __future__ import annotations

import pytest

from coachflow.platform import progress
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.questionnaires.models import Survey
from coachflow.surveys.models import InvitationStatus
from coachflow.surveys.services import sending
from tests.integration.test_surveys_distribution_support import serve_smtp, survey_in
from tests.survey_factories import make_invitation

QUEUED = 34


@pytest.fixture
def smtp(app):
    yield from serve_smtp(app)


@pytest.fixture
def queued_survey(app, org) -> int:
    return queue_invitations(app, org)


def queue_invitations(app, org) -> int:
    """The manager's survey with 34 invitations queued and not yet sent."""
    with app.app_context():
        survey = survey_in(org.manager, name="Acme CSAT")
        for n in range(QUEUED):
            invitation, _token = make_invitation(
                app,
                survey,
                email=f"customer{n}@acme.example",
                rep_id=org.rep,
                team_id=org.team,
                status=InvitationStatus.QUEUED,
            )
            invitation.next_attempt_at = utcnow()
        db.session.commit()
        return survey.id


def test_the_invitations_page_shows_the_mail_out_progress_and_a_refresh_link(
    as_role, queued_survey
):
    html = as_role("manager").get(f"/surveys/{queued_survey}/invitations").get_data(as_text=True)
    assert f'data-progress-url="/surveys/{queued_survey}/invitations/progress"' in html
    assert '<progress id="mail-out-progress" max="100" value="0">' in html
    assert f"0 of {QUEUED} invitations sent or tried." in html
    assert "<noscript>" in html
    assert "Refresh to see the latest states" in html


def test_the_progress_counts_follow_the_mail_out_until_every_mail_went_out(
    app, as_role, queued_survey, smtp
):
    client = as_role("manager")
    before = client.get(f"/surveys/{queued_survey}/invitations/progress").get_json()
    assert before["busy"] is True
    assert before["counts"]["queued"] == QUEUED
    assert before["counts"]["all"] == QUEUED
    assert before["percent"] == 0
    with app.app_context():
        progress.report(sending.MAIL_OUT_PROGRESS, running=True, sent=0, failed=0)
    assert (
        "Sending now"
        in client.get(f"/surveys/{queued_survey}/invitations/progress").json["message"]
    )
    with app.app_context():
        sending.send_due()
    after = client.get(f"/surveys/{queued_survey}/invitations/progress").get_json()
    assert after["busy"] is False
    assert after["running"] is False
    assert after["counts"]["queued"] == 0
    assert after["counts"]["sent"] == QUEUED
    assert after["percent"] == 100
    html = client.get(f"/surveys/{queued_survey}/invitations").get_data(as_text=True)
    assert "data-progress-url" not in html  # nothing left to follow
    assert 'Queued <span class="count">0</span>' in html


def test_queued_invitations_of_a_closed_survey_are_not_followed(app, as_role, queued_survey):
    from coachflow.questionnaires.models import SurveyStatus

    with app.app_context():
        db.session.get(Survey, queued_survey).status = SurveyStatus.CLOSED
        db.session.commit()
    client = as_role("manager")
    assert client.get(f"/surveys/{queued_survey}/invitations/progress").json["busy"] is False
