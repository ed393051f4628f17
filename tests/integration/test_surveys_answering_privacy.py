"""A contact's data on request: export as JSON, erase name and email, keep the scores' numbers."""

from __future__ import annotations

import json

from sqlalchemy import case, func, select

from coachflow.platform.audit import AuditEvent
from coachflow.platform.extensions import db
from coachflow.questionnaires.models import Question, QuestionType
from coachflow.sales.models import Contact, CustomerAccount
from coachflow.surveys.models import Answer, Invitation, Response
from tests.helpers import csrf_token
from tests.survey_factories import NPS_QUESTION, make_invitation, make_survey

ERIKA = "erika.muster@example.de"
# (email, NPS score, comment) of the survey's answers; Erika gives two answers in two campaigns.
ANSWERS = [
    (ERIKA, 3, "Erika Muster here: the delivery was late."),
    (ERIKA, 10, None),
    ("max@example.de", 9, "Fine."),
    ("lea@example.de", 7, None),
    ("tom@example.de", 0, "Bad."),
]


def _seed(app, org) -> int:
    """A survey with answers from several contacts (Erika twice); returns the survey id."""
    with app.app_context():
        survey = make_survey(owner_id=org.manager)
        account = CustomerAccount(external_id="A-1", name="Muster GmbH", owner_id=org.rep)
        contacts: dict[str, Contact] = {}
        for email, _score, _comment in ANSWERS:
            if email not in contacts:
                contacts[email] = Contact(
                    account=account,
                    name=email.split("@")[0].title(),
                    email=email,
                    language="de",
                    external_id=f"C-{email}",
                )
        db.session.add_all(contacts.values())
        db.session.flush()
        nps, comment = survey.current_version.questions
        for email, score, text in ANSWERS:
            invitation, _token = make_invitation(
                app,
                survey,
                email=email,
                rep_id=org.rep,
                team_id=org.team,
                contact_id=contacts[email].id,
            )
            answers = [Answer(question_id=nps.id, score=score)]
            if text:
                answers.append(Answer(question_id=comment.id, text=text))
            db.session.add(
                Response(
                    invitation_id=invitation.id,
                    survey_id=survey.id,
                    version_id=survey.current_version.id,
                    rep_id=org.rep,
                    team_id=org.team,
                    answers=answers,
                )
            )
        db.session.commit()
        return survey.id


def nps_counts(app, survey_id: int) -> dict[tuple[int | None, str], int]:
    """Promoters, passives and detractors per rep, as a results page counts them."""
    band = case((Answer.score >= 9, "promoter"), (Answer.score >= 7, "passive"), else_="detractor")
    with app.app_context():
        rows = db.session.execute(
            select(Response.rep_id, band, func.count())
            .join(Answer, Answer.response_id == Response.id)
            .join(Question, Question.id == Answer.question_id)
            .where(Response.survey_id == survey_id, Question.type == QuestionType.NPS)
            .group_by(Response.rep_id, band)
        ).all()
    return {(rep, name): count for rep, name, count in rows}


def _admin_page(client) -> str:
    return csrf_token(client, "/admin/contacts/privacy")


def _find(client, email: str) -> str:
    response = client.post(
        "/admin/contacts/privacy", data={"email": email, "csrf_token": _admin_page(client)}
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    response.close()
    return text


# Finding ---------------------------------------------------------------------------------------


def test_admin_finds_a_contact_by_email_and_sees_what_is_stored(app, org, as_role):
    _seed(app, org)
    page = _find(as_role("admin"), " Erika.Muster@Example.de ")
    assert "Muster GmbH" in page
    assert "<dt>Invitations</dt><dd>2</dd>" in page
    assert "<dt>Responses</dt><dd>2</dd>" in page
    assert "Download their data (JSON)" in page


def test_unknown_email_is_told_clearly(app, org, as_role):
    _seed(app, org)
    page = _find(as_role("admin"), "nobody@example.com")
    assert "No contact and no survey invitation has this email address." in page


# Export ----------------------------------------------------------------------------------------


def test_export_holds_the_contact_account_invitations_and_answers(app, org, as_role):
    _seed(app, org)
    client = as_role("admin")
    response = client.post(
        "/admin/contacts/privacy/export", data={"email": ERIKA, "csrf_token": _admin_page(client)}
    )
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.get_data(as_text=True))
    response.close()
    assert data["contact"]["email"] == ERIKA
    assert data["contact"]["account"]["name"] == "Muster GmbH"
    assert [i["status"] for i in data["invitations"]] == ["sent", "sent"]
    first = data["invitations"][0]["response"]["answers"]
    assert first[0] == {
        "question": NPS_QUESTION["en"],
        "type": "nps",
        "score": 3,
        "choices": None,
        "text": None,
    }
    assert first[1]["text"] == "Erika Muster here: the delivery was late."
    with app.app_context():
        event = db.session.scalars(select(AuditEvent)).one()
        assert (event.action, event.actor_id) == ("contact.exported", org.admin)


# Erasure -----------------------------------------------------------------------------------------


def test_erasure_removes_name_and_email_everywhere_and_keeps_the_scores(app, org, as_role):
    survey_id = _seed(app, org)
    with app.app_context():
        contact_id = db.session.scalar(select(Contact.id).where(Contact.email == ERIKA))
    client = as_role("admin")
    response = client.post(
        "/admin/contacts/privacy/erase",
        data={"email": ERIKA, "confirm": "y", "csrf_token": _admin_page(client)},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    response.close()
    assert "Name and email erased from the contact and 2 invitation(s)" in page
    with app.app_context():
        contact = db.session.get(Contact, contact_id)
        assert (contact.name, contact.email) == ("erased", f"erased-{contact_id}@invalid")
        assert contact.external_id is None
        assert contact.opted_out_at is not None
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Invitation)
                .where(Invitation.contact_id == contact_id)
            )
            == 0
        )
        assert (
            db.session.scalar(
                select(func.count()).select_from(Invitation).where(Invitation.email == ERIKA)
            )
            == 0
        )
        texts = set(db.session.scalars(select(Answer.text).where(Answer.text.is_not(None))))
        assert texts == {"Fine.", "Bad."}  # Erika's comment named her; the others stay
        assert db.session.scalar(select(func.count()).select_from(Response)) == len(ANSWERS)
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "contact.erased")
        ).one()
        assert event.subject == f"contact {contact_id}"
        everything = " ".join(
            f"{e.subject} {e.details}" for e in db.session.scalars(select(AuditEvent))
        )
        assert ERIKA not in everything
    assert "No contact and no survey invitation" in _find(client, ERIKA)
    assert nps_counts(app, survey_id)[(org.rep, "detractor")] == 2


def test_erasure_leaves_the_nps_counts_unchanged(app, org):
    survey_id = _seed(app, org)
    before = nps_counts(app, survey_id)
    assert before == {(org.rep, "promoter"): 2, (org.rep, "passive"): 1, (org.rep, "detractor"): 2}
    result = app.test_cli_runner().invoke(args=["contacts", "erase", ERIKA, "--yes"])
    assert result.exit_code == 0, result.output
    assert nps_counts(app, survey_id) == before


def test_erasure_needs_the_confirmation(app, org, as_role):
    _seed(app, org)
    client = as_role("admin")
    response = client.post(
        "/admin/contacts/privacy/erase", data={"email": ERIKA, "csrf_token": _admin_page(client)}
    )
    page = response.get_data(as_text=True)
    response.close()
    assert response.status_code == 200
    assert "This field is required." in page
    with app.app_context():
        assert (
            db.session.scalar(select(Contact.name).where(Contact.email == ERIKA)) == "Erika.Muster"
        )


def test_invitations_to_an_address_without_a_contact_are_erased_too(app, org):
    with app.app_context():
        survey = make_survey(owner_id=org.manager)
        invitation, _token = make_invitation(
            app, survey, email="pasted@example.org", rep_id=org.rep
        )
        invitation.last_error = "550 5.1.1 <pasted@example.org>: Recipient address rejected"
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["contacts", "erase", "pasted@example.org", "--yes"])
    assert result.exit_code == 0, result.output
    assert "1 invitation(s) detached" in result.output
    with app.app_context():
        invitation = db.session.scalars(select(Invitation)).one()
        assert invitation.email is None
        assert invitation.last_error == "550 5.1.1 <erased@invalid>: Recipient address rejected"


def test_answering_after_erasure_still_works_without_a_name(app, org, client):
    """An invitation whose person was erased keeps its link working, attributed to no one."""
    with app.app_context():
        survey = make_survey(owner_id=org.manager)
        _invitation, token = make_invitation(app, survey, email="gone@example.org", rep_id=org.rep)
        db.session.commit()
        nps = f"q{survey.current_version.questions[0].id}"
    app.test_cli_runner().invoke(args=["contacts", "erase", "gone@example.org", "--yes"])
    response = client.post(f"/s/{token}", data={nps: "8"})
    assert response.status_code == 303
    response.close()
    with app.app_context():
        assert db.session.scalar(select(Response.rep_id)) == org.rep


# Command line ------------------------------------------------------------------------------------


def test_cli_exports_json_and_erases_only_when_confirmed(app, org):
    _seed(app, org)
    runner = app.test_cli_runner()
    exported = runner.invoke(args=["contacts", "export", ERIKA])
    assert exported.exit_code == 0, exported.output
    assert json.loads(exported.output)["contact"]["email"] == ERIKA
    declined = runner.invoke(args=["contacts", "erase", ERIKA], input="n\n")
    assert declined.exit_code == 1
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(Contact).where(Contact.email == ERIKA)
            )
            == 1
        )
    erased = runner.invoke(args=["contacts", "erase", ERIKA], input="y\n")
    assert erased.exit_code == 0, erased.output
    assert "2 response(s) kept unattributed, 1 comment(s) removed" in erased.output
    unknown = runner.invoke(args=["contacts", "export", ERIKA])
    assert unknown.exit_code == 1
    assert "No contact and no survey invitation" in unknown.output


def test_admin_reaches_contact_privacy_from_the_navigation(app, org, as_role):
    admin_home = as_role("admin").get("/").get_data(as_text=True)
    manager_home = as_role("manager").get("/").get_data(as_text=True)
    assert 'href="/admin/contacts/privacy"' in admin_home
    assert 'href="/admin/contacts/privacy"' not in manager_home
