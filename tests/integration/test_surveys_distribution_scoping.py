"""A manager sending their own survey sees and acts on the invitations and customers of their
teams only: the list, its counters, resends and the preview's left-out recipients."""

from __future__ import annotations

import re

import pytest

from coachflow.platform.extensions import db
from coachflow.surveys.models import Invitation, InvitationStatus
from tests.helpers import csrf_token
from tests.integration.test_surveys_distribution_pages import preview
from tests.integration.test_surveys_distribution_support import customer, person, survey_in
from tests.survey_factories import make_invitation


@pytest.fixture
def both_teams(app, org):
    """The manager's survey with a failed invitation about their rep and one about the other
    team's rep; the other team's rep has a customer contact, Sam South."""
    with app.app_context():
        survey = survey_in(org.manager, name="North CSAT")
        ours, _ = make_invitation(
            app,
            survey,
            email="anna@north.example",
            rep_id=org.rep,
            team_id=org.team,
            status=InvitationStatus.FAILED,
        )
        theirs, _ = make_invitation(
            app,
            survey,
            email="sam@south.example",
            rep_id=org.other_rep,
            team_id=org.other_team,
            status=InvitationStatus.FAILED,
        )
        ours.last_error = "451 north greylisted"
        theirs.last_error = "550 south mailbox full"
        person(customer(org.other_rep, "S1", "South GmbH"), "sam@south.example", name="Sam South")
        db.session.commit()
        return survey.id, ours.id, theirs.id


def test_a_manager_lists_only_the_invitations_about_their_teams_people(as_role, both_teams):
    survey_id, _ours, _theirs = both_teams
    html = as_role("manager").get(f"/surveys/{survey_id}/invitations").get_data(as_text=True)
    assert "anna@north.example" in html
    assert "451 north greylisted" in html
    assert "sam@south.example" not in html
    assert "550 south mailbox full" not in html
    assert 'All <span class="count">1</span>' in html
    assert re.search(r"Failed <span class=\"count\">1</span>", html)
    assert "Send 1 failed invitation again" in html

    everyone = as_role("hr").get(f"/surveys/{survey_id}/invitations").get_data(as_text=True)
    assert "sam@south.example" in everyone
    assert 'All <span class="count">2</span>' in everyone


def test_resending_another_teams_invitation_is_refused_and_sends_nothing(
    app, as_role, both_teams, mailbox
):
    survey_id, _ours, theirs = both_teams
    client = as_role("manager")
    path = f"/surveys/{survey_id}/invitations"
    response = client.post(
        f"{path}/resend", data={"csrf_token": csrf_token(client, path), "invitation_id": theirs}
    )
    assert response.status_code == 404
    assert mailbox.messages == []
    with app.app_context():
        assert db.session.get(Invitation, theirs).status is InvitationStatus.FAILED


def test_resending_all_failed_sends_only_the_managers_own_teams_invitations(
    app, as_role, both_teams, mailbox
):
    survey_id, ours, theirs = both_teams
    client = as_role("manager")
    path = f"/surveys/{survey_id}/invitations"
    response = client.post(f"{path}/resend", data={"csrf_token": csrf_token(client, path)})
    assert response.status_code == 302
    assert "1 failed invitation is being sent again." in client.get(response.location).get_data(
        as_text=True
    )
    assert [m["To"] for m in mailbox.messages] == ["anna@north.example"]
    with app.app_context():
        assert db.session.get(Invitation, ours).status is InvitationStatus.SENT
        assert db.session.get(Invitation, theirs).status is InvitationStatus.FAILED


def test_the_preview_counts_another_teams_customers_without_naming_them(
    app, org, as_role, both_teams
):
    survey_id, _ours, _theirs = both_teams
    with app.app_context():
        person(customer(org.rep, "N1", "North AG"), "nora@north.example", name="Nora North")
        db.session.commit()
    page = preview(as_role("manager"), survey_id, addresses="sam@south.example\nnora@north.example")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "1 invitation to send" in html
    assert "Sam South" not in html
    assert "reason-not_yours" not in html  # no row names them in the left-out table
    assert re.search(r'<span class="num">1</span> A customer of someone outside your teams\.', html)
