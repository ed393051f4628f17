"""The API: list surveys, and trigger invitations for contacts or addresses, all or nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from coachflow.platform.extensions import db
from coachflow.questionnaires.models import Survey, SurveyStatus
from coachflow.surveys.models import Invitation, InvitationStatus
from tests.integration.test_api_support import ApiClient, assert_problem, issue_token
from tests.integration.test_surveys_distribution_support import (
    customer,
    person,
    serve_smtp,
    survey_in,
    won_deal,
)


@pytest.fixture
def smtp(app):
    yield from serve_smtp(app)


@pytest.fixture
def crm(app, org):
    """An admin's read-and-write token, the manager's survey and the rep's customers."""
    with app.app_context():
        account = customer(org.rep, "A1", "Acme")
        other = customer(org.other_rep, "A2", "Other")
        person(account, "anna@acme.example", ext="C1", language="de")
        person(account, "bob@acme.example", ext="C2")
        person(account, "otto@acme.example", ext="C3", opted_out=True)
        person(other, "sam@other.example", ext="C4")
        won_deal(account, org.manager, org.product_line, date(2026, 3, 1), "D1")
        won_deal(other, org.other_rep, org.product_line, date(2026, 3, 1), "D2")
        survey = survey_in(org.manager, name="Relationship NPS")
        draft = survey_in(org.other_manager, name="Draft CSAT")
        draft.status = SurveyStatus.DRAFT
        db.session.commit()
        survey_id = survey.id
    return ApiClient(app.test_client(), issue_token(app, org.admin, "read,write")), survey_id


def invitations(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Invitation))


def test_surveys_are_listed_a_page_at_a_time(app, org, crm):
    api, survey_id = crm
    body = api.get("/surveys").get_json()
    assert [s["name"] for s in body["data"]] == ["Relationship NPS", "Draft CSAT"]
    first = body["data"][0]
    assert first == {
        "id": survey_id,
        "name": "Relationship NPS",
        "kind": "customer_nps",
        "status": "active",
        "default_language": "en",
        "languages": ["de", "en"],
        "invitation_days": 30,
        "reminder_days": 4,
        "max_reminders": 1,
        "owner_email": "manager@example.com",
        "created_at": first["created_at"],
    }
    paged = api.get("/surveys?per_page=1")
    assert paged.get_json()["links"]["next"].endswith("page=2")
    assert 'rel="next"' in paged.headers["Link"]
    active = api.get("/surveys?status=active").get_json()["data"]
    assert [s["name"] for s in active] == ["Relationship NPS"]
    assert_problem(api.get("/surveys?status=sleeping"), 400)


def test_a_manager_lists_their_own_surveys_and_a_rep_none(app, org, crm):
    manager = ApiClient(app.test_client(), issue_token(app, org.manager))
    assert [s["name"] for s in manager.get("/surveys").get_json()["data"]] == ["Relationship NPS"]
    rep = ApiClient(app.test_client(), issue_token(app, org.rep))
    assert rep.get("/surveys").get_json()["data"] == []


def test_invitations_for_contacts_and_addresses_are_created_and_sent(app, org, crm, smtp):
    api, survey_id = crm
    response = api.post(
        f"/surveys/{survey_id}/invitations",
        json={
            "invitations": [
                {"contact_external_id": "C1"},
                {"email": "BOB@acme.example"},
                {"contact_external_id": "C3"},
                {"email": "anna@acme.example"},
                {"email": "lead@new.example", "rep_email": "rep@example.com"},
            ]
        },
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [(c["index"], c["email"], c["status"], c["rep_email"]) for c in body["created"]] == [
        (0, "anna@acme.example", "sent", "rep@example.com"),
        (1, "bob@acme.example", "sent", "rep@example.com"),
        (4, "lead@new.example", "sent", "rep@example.com"),
    ]
    assert [(e["index"], e["reason"]) for e in body["excluded"]] == [
        (2, "opted_out"),
        (3, "duplicate"),
    ]
    assert body["excluded"][0]["detail"] == "Opted out of surveys."
    assert sorted(m["To"] for m in smtp.messages) == [
        "anna@acme.example",
        "bob@acme.example",
        "lead@new.example",
    ]
    with app.app_context():
        ids = [c["id"] for c in body["created"]]
        stored = db.session.scalars(select(Invitation).where(Invitation.id.in_(ids))).all()
        assert {i.survey_id for i in stored} == {survey_id}
        assert {i.team_id for i in stored} == {org.team}


def test_a_named_deal_makes_the_invitation_about_its_rep(app, org, crm, smtp):
    api, survey_id = crm
    body = api.post(
        f"/surveys/{survey_id}/invitations",
        json={"invitations": [{"contact_external_id": "C2", "deal_external_id": "D1"}]},
    ).get_json()
    [created] = body["created"]
    assert created["rep_email"] == "manager@example.com"
    with app.app_context():
        invitation = db.session.get(Invitation, created["id"])
        assert invitation.deal.external_id == "D1"
        assert invitation.rep_id == org.manager


def test_one_wrong_recipient_creates_nothing_and_points_at_each_problem(app, org, crm, smtp):
    api, survey_id = crm
    response = api.post(
        f"/surveys/{survey_id}/invitations",
        json={
            "invitations": [
                {"contact_external_id": "C1"},
                {"contact_external_id": "NOPE"},
                {"email": "not an address"},
                {"email": "stranger@nowhere.example"},
                {"contact_external_id": "C2", "rep_email": "hr@example.com"},
                {"contact_external_id": "C2", "deal_external_id": "D2"},
            ]
        },
    )
    body = assert_problem(response, 422)
    assert body["type"] == "urn:coachflow:problem:validation"
    assert [e["pointer"] for e in body["errors"]] == [
        "/invitations/1/contact_external_id",
        "/invitations/2/email",
        "/invitations/3/email",
        "/invitations/4/rep_email",
        "/invitations/5/deal_external_id",
    ]
    assert body["errors"][0]["detail"] == "No contact has the id “NOPE”."
    assert invitations(app) == 0
    assert smtp.messages == []


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({}, "/invitations"),
        ({"invitations": []}, "/invitations"),
        ({"invitations": [{"contact_external_id": "C1"}] * 1001}, "/invitations"),
        ({"invitations": [{"contact_external_id": "C1"}], "extra": 1}, "/extra"),
        ({"invitations": ["C1"]}, "/invitations/0"),
        ({"invitations": [{}]}, "/invitations/0"),
        (
            {"invitations": [{"contact_external_id": "C1", "email": "a@b.example"}]},
            "/invitations/0/email",
        ),
        ({"invitations": [{"contact_external_id": 7}]}, "/invitations/0/contact_external_id"),
        ({"invitations": [{"email": "a@b.example", "name": "A"}]}, "/invitations/0/name"),
        (
            {"invitations": [{"contact_external_id": "C\x001"}]},
            "/invitations/0/contact_external_id",
        ),
    ],
)
def test_a_malformed_batch_is_a_problem_naming_the_place(app, crm, body, pointer):
    api, survey_id = crm
    problem = assert_problem(api.post(f"/surveys/{survey_id}/invitations", json=body), 422)
    assert pointer in [e["pointer"] for e in problem["errors"]]
    assert invitations(app) == 0


def test_only_a_write_token_may_invite(app, org, crm):
    _api, survey_id = crm
    reader = ApiClient(app.test_client(), issue_token(app, org.admin, "read"))
    response = reader.post(
        f"/surveys/{survey_id}/invitations", json={"invitations": [{"contact_external_id": "C1"}]}
    )
    assert_problem(response, 403)
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
    assert invitations(app) == 0


def test_an_inactive_or_missing_survey_is_a_problem(app, crm):
    api, _survey_id = crm
    with app.app_context():
        draft_id = db.session.scalar(select(Survey.id).where(Survey.name == "Draft CSAT"))
    body = {"invitations": [{"contact_external_id": "C1"}]}
    problem = assert_problem(api.post(f"/surveys/{draft_id}/invitations", json=body), 409)
    assert problem["detail"] == "Only an active survey can be sent. Activate it first."
    assert_problem(api.post("/surveys/999999/invitations", json=body), 404)
    assert invitations(app) == 0


def test_invited_contacts_are_not_invited_again_by_the_next_call(app, org, crm, smtp):
    api, survey_id = crm
    body = {"invitations": [{"contact_external_id": "C1"}]}
    assert len(api.post(f"/surveys/{survey_id}/invitations", json=body).get_json()["created"]) == 1
    again = api.post(f"/surveys/{survey_id}/invitations", json=body).get_json()
    assert again["created"] == []
    assert [e["reason"] for e in again["excluded"]] == ["already_invited"]
    with app.app_context():
        assert db.session.scalar(select(Invitation.status)) is InvitationStatus.SENT
