"""Closing the loop: an unhappy answer opens a case by a job, rep and manager are mailed, the
rep logs a contact and resolves it with a root cause, the figures show it; won deals imported
by CSV get their CSAT invitation after the delay."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import func, select

from coachflow.accounts.models import User
from coachflow.followups.models import (
    CaseEvent,
    CaseState,
    EventKind,
    FollowUpCase,
    FollowUpEvaluation,
    FollowUpRule,
    TriggeredDeal,
    TriggerOutcome,
)
from coachflow.followups.queries import figures_by_team, root_causes_by_team
from coachflow.followups.services import tick as tick_service
from coachflow.followups.services import triggers as trigger_service
from coachflow.followups.services.evaluation import evaluate_response
from coachflow.followups.services.root_causes import seed_root_causes
from coachflow.followups.services.rules import RuleInput, create_rule
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.questionnaires.models import Question, QuestionType, SurveyKind
from coachflow.sales.models import Contact, CustomerAccount, Deal
from coachflow.surveys.models import Answer, Invitation, Response
from tests.factories import ProductLineFactory
from tests.followup_factories import make_case, make_response, root_cause
from tests.helpers import csrf_token, text_of
from tests.survey_factories import make_invitation, make_survey

REP, MANAGER = "rep@example.com", "manager@example.com"


@pytest.fixture
def rule(app, org):
    """The organisation's rule: NPS up to 6, ratings up to 2, "cancel" in English comments."""
    with app.app_context():
        seed_root_causes()
        admin = db.session.get(User, org.admin)
        rule = create_rule(
            RuleInput(name="Detractors", keywords={"en": ["cancel"]}, due_workdays=2), admin
        )
        return rule.id


def _answer_link(app, org) -> tuple[str, dict[QuestionType, str]]:
    """A link to an NPS survey sent to a contact of a customer of the org's rep."""
    with app.app_context():
        survey = make_survey(owner_id=org.manager)
        account = CustomerAccount(external_id="ACME", name="Acme GmbH", owner_id=org.rep)
        contact = Contact(account=account, name="Erika Muster", email="erika@acme.example")
        db.session.add(contact)
        db.session.flush()
        _invitation, token = make_invitation(
            app,
            survey,
            email=contact.email,
            rep_id=org.rep,
            team_id=org.team,
            contact_id=contact.id,
        )
        fields = {q.type: f"q{q.id}" for q in survey.current_version.questions}
        db.session.commit()
        return token, fields


def _answer(client, token: str, fields, score: int, comment: str = "") -> None:
    page = client.get(f"/s/{token}")
    assert page.status_code == 200
    data = {fields[QuestionType.NPS]: str(score), fields[QuestionType.TEXT]: comment}
    response = client.post(f"/s/{token}", data=data)
    assert response.status_code in (200, 302, 303), response.status_code


def _cases(app) -> list[FollowUpCase]:
    with app.app_context():
        return list(db.session.scalars(select(FollowUpCase).order_by(FollowUpCase.id)))


def test_detractor_answer_opens_a_case_and_mails_rep_and_manager(app, org, rule, mailbox):
    token, fields = _answer_link(app, org)
    app.config["WTF_CSRF_ENABLED"] = False
    _answer(app.test_client(), token, fields, 3, "The delivery was three weeks late.")

    [case] = _cases(app)
    assert (case.rep_id, case.team_id, case.score) == (org.rep, org.team, 3)
    assert case.state is CaseState.OPEN
    assert case.comment == "The delivery was three weeks late."
    assert case.due_at > case.opened_at
    for address in (REP, MANAGER):
        [mail] = mailbox.to(address)
        assert mail["Subject"] == "A customer needs a follow-up"
        body = text_of(mail)
        assert "Acme GmbH" in body
        assert f"/followups/{case.id}" in body


def test_a_promoter_answer_opens_no_case_but_is_marked_evaluated(app, org, rule, mailbox):
    token, fields = _answer_link(app, org)
    app.config["WTF_CSRF_ENABLED"] = False
    _answer(app.test_client(), token, fields, 9, "Great work.")
    assert _cases(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FollowUpEvaluation)) == 1
    assert mailbox.to(REP) == []


def test_a_watched_word_in_a_comment_opens_a_case(app, org, rule, mailbox):
    token, fields = _answer_link(app, org)
    app.config["WTF_CSRF_ENABLED"] = False
    _answer(app.test_client(), token, fields, 8, "We may cancel the contract.")
    [case] = _cases(app)
    assert case.reason.value == "keyword"


def test_the_same_answer_processed_twice_opens_one_case(app, org, rule, mailbox):
    token, fields = _answer_link(app, org)
    app.config["WTF_CSRF_ENABLED"] = False
    _answer(app.test_client(), token, fields, 2)
    [case] = _cases(app)
    mailbox.clear()
    with app.app_context():
        response_id = db.session.scalar(select(Response.id))
        # A retried job: the evaluation record is gone, the case stands.
        db.session.execute(db.delete(FollowUpEvaluation))
        db.session.commit()
        assert evaluate_response(response_id) == case.id
        assert evaluate_response(response_id) == case.id
    assert len(_cases(app)) == 1
    assert mailbox.messages == []


def _stored_answer(app, org, score: int) -> int:
    """A response stored without the signal (as if its job was lost)."""
    with app.app_context():
        survey = make_survey(owner_id=org.manager)
        response_id = make_response(org.rep, org.team, survey.id)
        question = db.session.scalar(
            select(Question.id).where(
                Question.version_id == survey.current_version.id,
                Question.type == QuestionType.NPS,
            )
        )
        db.session.add(Answer(response_id=response_id, question_id=question, score=score))
        db.session.commit()
        return response_id


def test_the_tick_catches_an_answer_no_job_evaluated(app, org, rule, mailbox):
    response_id = _stored_answer(app, org, 1)
    with app.app_context():
        report = tick_service.tick()
    assert report.evaluated == 1
    [case] = _cases(app)
    assert case.response_id == response_id
    assert len(mailbox.to(REP)) == 1
    with app.app_context():
        assert tick_service.tick().evaluated == 0


def _case(app, org, **kwargs) -> int:
    with app.app_context():
        seed_root_causes()
        case = make_case(
            org.rep, org.team, opened_at=utcnow() - datetime.timedelta(hours=3), **kwargs
        )
        db.session.commit()
        return case.id


def _post(client, path: str, data: dict):
    return client.post(
        path, data={**data, "csrf_token": csrf_token(client, path.rsplit("/", 1)[0])}
    )


def test_rep_logs_a_contact_and_resolves_with_a_root_cause(app, org, as_role):
    case_id = _case(app, org, account="Acme GmbH")
    rep = as_role("rep")
    page = f"/followups/{case_id}"
    token = csrf_token(rep, page)
    response = rep.post(
        f"{page}/events",
        data={"csrf_token": token, "event-kind": "call", "event-text": "Apologised, new date."},
    )
    assert response.status_code == 302
    with app.app_context():
        case = db.session.get(FollowUpCase, case_id)
        assert case.state is CaseState.CONTACTED
        assert case.first_contact_at is not None
        delivery = root_cause("delivery").id
    response = rep.post(
        f"{page}/close",
        data={
            "csrf_token": token,
            "close-outcome": "resolved",
            "close-root_cause": str(delivery),
            "close-note": "Delivered; customer happy again.",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        case = db.session.get(FollowUpCase, case_id)
        assert case.state is CaseState.RESOLVED
        assert (case.closed_by_id, case.root_cause_id) == (org.rep, delivery)
        kinds = [e.kind for e in db.session.scalars(select(CaseEvent).order_by(CaseEvent.id))]
        assert kinds == [
            EventKind.CALL,
            EventKind.STATE_CHANGE,
            EventKind.STATE_CHANGE,
        ]
        today = utcnow().date()
        start, end = today - datetime.timedelta(days=1), today + datetime.timedelta(days=1)
        team = figures_by_team(start, end)[org.team]
        assert (team.opened, team.resolved, team.resolution_rate) == (1, 1, 1.0)
        assert team.median_hours_to_contact == pytest.approx(3.0, abs=0.1)
        assert root_causes_by_team(start, end) == {org.team: {"delivery": 1}}
    shown = rep.get(page).data.decode()
    assert "Apologised, new date." in shown
    assert "Delivery" in shown
    figures = as_role("manager").get("/followups/figures").data.decode()
    assert "North" in figures
    assert "Delivery" in figures


def test_closing_twice_is_refused_and_changes_nothing(app, org, as_role):
    case_id = _case(app, org)
    manager = as_role("manager")
    with app.app_context():
        price, delivery = root_cause("price").id, root_cause("delivery").id
    page = f"/followups/{case_id}"
    token = csrf_token(manager, page)
    first = manager.post(
        f"{page}/close",
        data={"csrf_token": token, "close-outcome": "resolved", "close-root_cause": str(price)},
    )
    assert first.status_code == 302
    with app.app_context():
        closed = db.session.get(FollowUpCase, case_id)
        before = (closed.state, closed.closed_at, closed.root_cause_id)
    second = manager.post(
        f"{page}/close",
        data={
            "csrf_token": token,
            "close-outcome": "could_not_resolve",
            "close-root_cause": str(delivery),
        },
    )
    assert second.status_code == 409
    assert "already closed" in second.data.decode()
    with app.app_context():
        case = db.session.get(FollowUpCase, case_id)
        assert (case.state, case.closed_at, case.root_cause_id) == before
        assert db.session.scalar(select(func.count()).select_from(CaseEvent)) == 1


def test_closing_needs_a_root_cause(app, org, as_role):
    case_id = _case(app, org)
    rep = as_role("rep")
    page = f"/followups/{case_id}"
    response = rep.post(
        f"{page}/close",
        data={"csrf_token": csrf_token(rep, page), "close-outcome": "resolved"},
    )
    assert response.status_code == 422
    assert "Choose the root cause." in response.data.decode()
    with app.app_context():
        assert db.session.get(FollowUpCase, case_id).state is CaseState.OPEN


def test_a_note_by_someone_who_may_not_see_the_case_is_404(app, org, as_role):
    case_id = _case(app, org)
    app.config["WTF_CSRF_ENABLED"] = False
    for role in ("other_rep", "other_manager"):
        response = as_role(role).post(
            f"/followups/{case_id}/events", data={"event-kind": "note", "event-text": "Hi"}
        )
        assert response.status_code == 404, role
    assert as_role("hr").post(f"/followups/{case_id}/events", data={}).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CaseEvent)) == 0


def test_the_manager_reassigns_within_the_team_only(app, org, as_role):
    case_id = _case(app, org)
    with app.app_context():
        colleague = User(
            email="colleague@example.com", name="Colleague", role="rep", team_id=org.team
        )
        db.session.add(colleague)
        db.session.commit()
        colleague_id = colleague.id
    manager = as_role("manager")
    page = f"/followups/{case_id}"
    token = csrf_token(manager, page)
    refused = manager.post(
        f"{page}/reassign", data={"csrf_token": token, "assign-rep": str(org.other_rep)}
    )
    assert refused.status_code == 422
    done = manager.post(
        f"{page}/reassign", data={"csrf_token": token, "assign-rep": str(colleague_id)}
    )
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(FollowUpCase, case_id).rep_id == colleague_id
        event = db.session.scalars(select(CaseEvent)).one()
        assert (event.kind, event.to_user_id, event.by_id) == (
            EventKind.REASSIGNMENT,
            colleague_id,
            org.manager,
        )


def test_a_rule_with_an_impossible_threshold_is_refused_naming_the_field(app, org, as_role):
    manager = as_role("manager")
    response = manager.post(
        "/followups/rules",
        data={
            "csrf_token": csrf_token(manager, "/followups/rules"),
            "name": "North detractors",
            "team": str(org.team),
            "nps_max": "11",
            "csat_max": "2",
            "due_workdays": "2",
        },
    )
    assert response.status_code == 422
    page = response.data.decode()
    assert 'id="nps_max-error"' in page
    assert "An NPS threshold is a score from 0 to 9." in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FollowUpRule)) == 0


def test_a_manager_keeps_rules_only_for_their_own_teams(app, org, as_role):
    manager = as_role("manager")
    response = manager.post(
        "/followups/rules",
        data={
            "csrf_token": csrf_token(manager, "/followups/rules"),
            "name": "South",
            "team": str(org.other_team),
            "nps_max": "6",
            "due_workdays": "2",
        },
    )
    assert response.status_code == 422
    assert "Choose one of your teams." in response.data.decode()


def test_an_overdue_case_mails_rep_and_manager_once(app, org, mailbox):
    with app.app_context():
        seed_root_causes()
        make_case(
            org.rep,
            org.team,
            opened_at=utcnow() - datetime.timedelta(days=5),
            due_in=datetime.timedelta(days=2),
            account="Acme GmbH",
        )
        db.session.commit()
        assert tick_service.tick().overdue == 1
        assert tick_service.tick().overdue == 0
    for address in (REP, MANAGER):
        [mail] = mailbox.to(address)
        assert mail["Subject"] == "A follow-up is overdue"
        assert "Acme GmbH" in text_of(mail)


# Deal triggers --------------------------------------------------------------------------------


def _import(app, kind: str, tmp_path, text: str) -> None:
    path = tmp_path / f"{kind}.csv"
    path.write_text(text, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import", kind, str(path)])
    assert result.exit_code == 0, result.output


@pytest.fixture
def trigger(app, org):
    with app.app_context():
        survey = make_survey(kind=SurveyKind.CUSTOMER_CSAT, owner_id=org.manager, name="CSAT")
        admin = db.session.get(User, org.admin)
        return trigger_service.create_trigger(survey.id, 3, admin).id


def _clock_moved(monkeypatch, days: int) -> None:
    later = utcnow() + datetime.timedelta(days=days)
    monkeypatch.setattr(trigger_service, "utcnow", lambda: later)


def test_a_won_deal_imported_by_csv_gets_its_csat_invitation_after_the_delay(
    app, org, trigger, tmp_path, mailbox, monkeypatch
):
    today = utcnow().date().isoformat()
    _import(
        app, "accounts", tmp_path, "external_id,name,owner_email\nACME,Acme GmbH,rep@example.com\n"
    )
    _import(
        app,
        "contacts",
        tmp_path,
        "external_id,account_external_id,name,email,language\n"
        "C1,ACME,Erika Muster,erika@acme.example,en\n",
    )
    _import(
        app,
        "deals",
        tmp_path,
        "external_id,account_external_id,rep_email,product_line,amount,currency,stage,closed_on\n"
        f"D-1,ACME,rep@example.com,HW,1000,EUR,won,{today}\n",
    )
    with app.app_context():
        assert tick_service.tick().invited == 0  # not before the delay
    assert mailbox.to("erika@acme.example") == []

    _clock_moved(monkeypatch, 3)
    with app.app_context():
        assert tick_service.tick().invited == 1
        deal = db.session.scalars(select(Deal)).one()
        invitation = db.session.scalars(select(Invitation)).one()
        assert (invitation.deal_id, invitation.rep_id) == (deal.id, org.rep)
        handled = db.session.scalars(select(TriggeredDeal)).one()
        assert (handled.outcome, handled.invitation_id) == (TriggerOutcome.INVITED, invitation.id)
        assert tick_service.tick().invited == 0  # handled once
    [mail] = mailbox.to("erika@acme.example")
    assert "/s/" in text_of(mail)


def test_a_won_deal_without_a_contact_is_listed_on_the_trigger_page(
    app, org, trigger, monkeypatch, as_role
):
    with app.app_context():
        ProductLineFactory(code="SW", name="Software")
        account = CustomerAccount(external_id="LONE", name="Lonely AG", owner_id=org.rep)
        db.session.add(account)
        db.session.flush()
        db.session.add(
            Deal(
                external_id="D-LONE",
                account_id=account.id,
                rep_id=org.rep,
                product_line_id=org.product_line,
                amount_minor=100,
                currency="EUR",
                stage="won",
                closed_on=utcnow().date(),
            )
        )
        db.session.commit()
    _clock_moved(monkeypatch, 4)
    with app.app_context():
        report = tick_service.tick()
    assert (report.invited, report.no_contact) == (0, 1)
    page = as_role("admin").get(f"/followups/triggers/{trigger}").data.decode()
    section = page.split('id="no-contact"')[1].split("<h2>")[0]
    assert "D-LONE" in section
    assert "Lonely AG" in section


# The re-survey -------------------------------------------------------------------------------


def _resurvey_rule(app, org) -> None:
    with app.app_context():
        seed_root_causes()
        admin = db.session.get(User, org.admin)
        create_rule(RuleInput(name="Detractors, asked again", resurvey=True), admin)


def _resolve(app, client, case_id: int) -> None:
    with app.app_context():
        delivery = root_cause("delivery").id
    page = f"/followups/{case_id}"
    response = client.post(
        f"{page}/close",
        data={"close-outcome": "resolved", "close-root_cause": str(delivery)},
    )
    assert response.status_code == 302


def test_resolving_asks_the_customer_again_and_shows_the_answer(app, org, as_role, mailbox):
    import re

    _resurvey_rule(app, org)
    app.config["SURVEY_THROTTLE_DAYS"] = 0  # the first survey was moments ago
    app.config["WTF_CSRF_ENABLED"] = False
    token, fields = _answer_link(app, org)
    _answer(app.test_client(), token, fields, 4, "Nobody called back.")
    [case] = _cases(app)
    rep = as_role("rep")
    _resolve(app, rep, case.id)

    [mail] = mailbox.to("erika@acme.example")
    link = re.search(r"https?://[^/\s]+(/s/[\w-]+)(?:\s|$)", text_of(mail)).group(1)
    customer = app.test_client()
    page = customer.get(link).data.decode()
    assert "Has your concern been resolved?" in page
    with app.app_context():
        survey_questions = db.session.scalars(
            select(Question)
            .join(Invitation, Invitation.version_id == Question.version_id)
            .where(Invitation.id == db.session.get(FollowUpCase, case.id).resurvey_invitation_id)
            .order_by(Question.position)
        ).all()
        choice, comment = (f"q{q.id}" for q in survey_questions)
    answered = customer.post(link, data={choice: "no", comment: "Still waiting for the parts."})
    assert answered.status_code in (200, 302, 303)
    shown = rep.get(f"/followups/{case.id}").data.decode()
    section = shown.split('id="resurvey"')[1].split("<h2")[0]
    assert "Has your concern been resolved?" in section
    assert "No" in section
    assert "Still waiting for the parts." in section


def test_the_throttle_holds_back_the_re_survey_and_the_timeline_says_so(app, org, as_role, mailbox):
    _resurvey_rule(app, org)
    app.config["WTF_CSRF_ENABLED"] = False
    token, fields = _answer_link(app, org)
    _answer(app.test_client(), token, fields, 4)
    [case] = _cases(app)
    rep = as_role("rep")
    _resolve(app, rep, case.id)
    assert mailbox.to("erika@acme.example") == []
    with app.app_context():
        assert db.session.get(FollowUpCase, case.id).resurvey_invitation_id is None
    shown = rep.get(f"/followups/{case.id}").data.decode()
    assert "Surveyed in the last 90 days." in shown
