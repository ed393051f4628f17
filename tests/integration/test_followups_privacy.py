"""A customer's erasure and export reach the follow-up cases: the erasure blanks the copied
comment, the contact link and the timeline's text in its own transaction (the figures still
count the case), and the export lists the person's cases."""

from __future__ import annotations

import datetime
import json

import pytest
from sqlalchemy import func, select

from coachflow.accounts.models import User
from coachflow.followups.models import CaseEvent, CaseState, EventKind, FollowUpCase
from coachflow.followups.queries import figures_by_team, root_causes_by_team
from coachflow.followups.services.root_causes import seed_root_causes
from coachflow.followups.services.rules import RuleInput, create_rule
from coachflow.platform.audit import AuditEvent
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.questionnaires.models import QuestionType
from coachflow.sales.models import Contact, CustomerAccount
from coachflow.surveys.models import Invitation, Response
from coachflow.surveys.services import privacy
from coachflow.surveys.signals import contact_erased
from tests.followup_factories import make_case, root_cause
from tests.survey_factories import make_invitation, make_survey

ERIKA = "erika@acme.example"
COMMENT = "Erika Muster here: the delivery was three weeks late."
CALL = "Called Erika Muster on +49 170 1234567; new date agreed."
CLOSING = "Erika Muster confirmed the parts arrived."


@pytest.fixture(autouse=True)
def _no_csrf(app) -> None:
    """The pages' forms are posted without their token (the forms' own tests check it)."""
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def erika_case(app, org, mailbox) -> int:
    """Erika answered a detractor score with a comment naming her; the rep called her and
    resolved the case with a root cause. The case's id."""
    with app.app_context():
        seed_root_causes()
        create_rule(RuleInput(name="Detractors", due_workdays=2), db.session.get(User, org.admin))
        survey = make_survey(owner_id=org.manager)
        account = CustomerAccount(external_id="ACME", name="Acme GmbH", owner_id=org.rep)
        contact = Contact(account=account, name="Erika Muster", email=ERIKA)
        db.session.add(contact)
        db.session.flush()
        _invitation, token = make_invitation(
            app, survey, email=ERIKA, rep_id=org.rep, team_id=org.team, contact_id=contact.id
        )
        fields = {q.type: f"q{q.id}" for q in survey.current_version.questions}
        contact_id = contact.id
        db.session.commit()
    answered = app.test_client().post(
        f"/s/{token}", data={fields[QuestionType.NPS]: "2", fields[QuestionType.TEXT]: COMMENT}
    )
    assert answered.status_code in (200, 302, 303)
    with app.app_context():
        case = db.session.scalars(select(FollowUpCase)).one()
        assert (case.comment, case.contact_id) == (COMMENT, contact_id)
        return case.id


def _work(client, case_id: int) -> None:
    """The rep logs a call naming Erika and resolves the case with a closing note."""
    page = f"/followups/{case_id}"
    called = client.post(f"{page}/events", data={"event-kind": "call", "event-text": CALL})
    assert called.status_code == 302
    with client.application.app_context():
        delivery = root_cause("delivery").id
    closed = client.post(
        f"{page}/close",
        data={
            "close-outcome": "resolved",
            "close-root_cause": str(delivery),
            "close-note": CLOSING,
        },
    )
    assert closed.status_code == 302


def _erase(client, email: str = ERIKA) -> None:
    response = client.post("/admin/contacts/privacy/erase", data={"email": email, "confirm": "y"})
    assert response.status_code == 302


def _export(client, email: str = ERIKA) -> dict:
    response = client.post("/admin/contacts/privacy/export", data={"email": email})
    assert response.status_code == 200
    data = json.loads(response.get_data(as_text=True))
    response.close()
    return data


def _days_around_today() -> tuple[datetime.date, datetime.date]:
    today = utcnow().date()
    return today - datetime.timedelta(days=1), today + datetime.timedelta(days=1)


def _mentions(name: str) -> int:
    """Rows of the follow-up tables whose text still holds ``name``."""
    cases = db.session.scalar(
        select(func.count()).select_from(FollowUpCase).where(FollowUpCase.comment.contains(name))
    )
    events = db.session.scalar(
        select(func.count()).select_from(CaseEvent).where(CaseEvent.text.contains(name))
    )
    return cases + events


def test_erasure_blanks_the_case_and_its_timeline_and_the_figures_still_count_it(
    app, org, as_role, erika_case
):
    _work(as_role("rep"), erika_case)
    _erase(as_role("admin"))

    with app.app_context():
        case = db.session.get(FollowUpCase, erika_case)
        assert (case.comment, case.contact_id) == ("", None)
        # What the figures count stays: state, score, reason, rep, team, account, dates, cause.
        assert case.state is CaseState.RESOLVED
        assert (case.score, case.rep_id, case.team_id) == (2, org.rep, org.team)
        assert case.account.name == "Acme GmbH"
        assert case.first_contact_at is not None
        assert case.closed_at is not None
        assert case.root_cause.code == "delivery"
        events = db.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == erika_case).order_by(CaseEvent.id)
        ).all()
        assert [e.kind for e in events] == [
            EventKind.CALL,
            EventKind.STATE_CHANGE,
            EventKind.STATE_CHANGE,
        ]
        assert {e.text for e in events} == {""}
        assert _mentions("Erika") == 0
        assert _mentions("1234567") == 0

        start, end = _days_around_today()
        team = figures_by_team(start, end)[org.team]
        assert (team.opened, team.resolved, team.resolution_rate) == (1, 1, 1.0)
        assert team.median_hours_to_contact is not None
        assert root_causes_by_team(start, end) == {org.team: {"delivery": 1}}

        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "followup.erased")
        ).one()
        contact_id = db.session.scalar(select(Contact.id).where(Contact.name == "erased"))
        assert event.subject == f"contact {contact_id}"
        assert event.details == f"cases={erika_case} texts_removed=2"
        assert event.actor_id == org.admin

    page = as_role("admin").get(f"/followups/{erika_case}").get_data(as_text=True)
    assert "Erika" not in page
    assert ERIKA not in page


def test_erasure_leaves_other_customers_cases_alone(app, org, as_role, erika_case):
    with app.app_context():
        other = make_case(org.rep, org.team, opened_at=utcnow())
        other.comment = "Max Meier: the price went up again."
        db.session.commit()
        other_id = other.id
    _erase(as_role("admin"))
    with app.app_context():
        assert db.session.get(FollowUpCase, erika_case).comment == ""
        assert db.session.get(FollowUpCase, other_id).comment == (
            "Max Meier: the price went up again."
        )


def test_a_case_of_an_address_without_a_contact_is_found_by_its_response(app, org, as_role):
    """Invitations pasted by address have no contact: the response leads to the case."""
    with app.app_context():
        case = make_case(org.rep, org.team, opened_at=utcnow())
        case.comment = "Call me back, Jo."
        db.session.add(CaseEvent(case_id=case.id, kind=EventKind.NOTE, text="Jo is the buyer."))
        db.session.add(CaseEvent(case_id=case.id, kind=EventKind.RESURVEY, text="throttled"))
        db.session.commit()
        case_id = case.id
        address = db.session.scalar(
            select(Invitation.email)
            .join(Response, Response.invitation_id == Invitation.id)
            .where(Response.id == case.response_id)
        )
    _erase(as_role("admin"), address)
    with app.app_context():
        assert db.session.get(FollowUpCase, case_id).comment == ""
        texts = db.session.execute(
            select(CaseEvent.kind, CaseEvent.text)
            .where(CaseEvent.case_id == case_id)
            .order_by(CaseEvent.id)
        ).all()
        # The re-survey's entry is a reason code, not what someone wrote: the page needs it.
        assert texts == [(EventKind.NOTE, ""), (EventKind.RESURVEY, "throttled")]
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "followup.erased")
        ).one()
        assert event.subject == "cases without a contact"


def test_a_failing_receiver_rolls_the_whole_erasure_back(app, org, as_role, erika_case):
    """The cases are blanked inside the erasure's transaction: when a later domain fails,
    nothing is erased, neither the contact nor the case."""

    def fails(_sender, **_kwargs):
        raise RuntimeError("a later domain failed")

    with app.app_context(), contact_erased.connected_to(fails), pytest.raises(RuntimeError):
        privacy.erase_person(ERIKA, by=None)
    with app.app_context():
        assert db.session.get(FollowUpCase, erika_case).comment == COMMENT
        assert db.session.scalar(select(Contact.name).where(Contact.email == ERIKA)) == (
            "Erika Muster"
        )
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action.in_(("contact.erased", "followup.erased")))
            )
            == 0
        )


def test_the_export_lists_the_persons_cases_with_their_timeline(app, org, as_role, erika_case):
    _work(as_role("rep"), erika_case)
    with app.app_context():
        make_case(org.rep, org.team, opened_at=utcnow())  # someone else's case
        db.session.commit()
    data = _export(as_role("admin"))
    [case] = data["followup_cases"]
    assert case["id"] == erika_case
    assert case["state"] == "resolved"
    assert case["root_cause"] == "Delivery"
    assert case["comment"] == COMMENT
    assert case["opened_at"] is not None
    assert case["closed_at"] is not None
    assert (case["reason"], case["score"]) == ("nps", 2)
    assert [(e["kind"], e["text"]) for e in case["timeline"]] == [
        ("call", CALL),
        ("state_change", ""),
        ("state_change", CLOSING),
    ]


def test_the_export_of_a_person_without_cases_says_so(app, org, as_role):
    with app.app_context():
        account = CustomerAccount(external_id="QUIET", name="Quiet AG", owner_id=org.rep)
        db.session.add(Contact(account=account, name="Quiet Person", email="quiet@example.org"))
        db.session.commit()
    assert _export(as_role("admin"), "quiet@example.org")["followup_cases"] == []


def test_the_command_line_export_and_erasure_reach_the_cases(app, org, as_role, erika_case):
    _work(as_role("rep"), erika_case)
    runner = app.test_cli_runner()
    exported = runner.invoke(args=["contacts", "export", ERIKA])
    assert exported.exit_code == 0, exported.output
    [case] = json.loads(exported.output)["followup_cases"]
    assert (case["id"], case["root_cause"]) == (erika_case, "Delivery")
    erased = runner.invoke(args=["contacts", "erase", ERIKA, "--yes"])
    assert erased.exit_code == 0, erased.output
    with app.app_context():
        assert db.session.get(FollowUpCase, erika_case).comment == ""
        assert _mentions("Erika") == 0
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "followup.erased")
        ).one()
        assert event.actor_id is None
