"""Choosing recipients: who is invited, who is left out and why, and the invitations made."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import select

from coachflow.accounts.models import ProductLine, Role, User
from coachflow.lib import tokens
from coachflow.platform.audit import AuditEvent
from coachflow.platform.errors import Conflict, DomainError
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.questionnaires.models import Survey, SurveyKind, SurveyStatus
from coachflow.sales.models import Contact, DealStage
from coachflow.surveys.models import Invitation, InvitationStatus
from coachflow.surveys.services import distribution
from coachflow.surveys.services.distribution import Criteria, Reason
from tests.factories import UserFactory
from tests.integration.test_surveys_distribution_support import (
    age,
    customer,
    invitations_of,
    person,
    serve_smtp,
    survey_in,
    won_deal,
)
from tests.survey_factories import make_invitation


@pytest.fixture
def smtp(app):
    yield from serve_smtp(app)


def who(selection) -> set[str]:
    return {r.email for r in selection.recipients}


def why(selection) -> dict[str, Reason]:
    return {e.email: e.reason for e in selection.excluded}


def user(user_id: int) -> User:
    return db.session.get(User, user_id)


@pytest.fixture
def north(app, org):
    """The manager's team North: an account of the rep and one of the manager himself, and
    a South account of the other team."""
    with app.app_context():
        rep_account = customer(org.rep, "A1")
        manager_account = customer(org.manager, "A2")
        south = customer(org.other_rep, "A3")
        person(rep_account, "anna@acme.example", name="Anna Acme", language="de")
        person(rep_account, "otto@acme.example", name="Otto Acme", opted_out=True)
        person(manager_account, "bea@beta.example", name="Bea Beta", language="fr")
        person(south, "sam@south.example", name="Sam South")
        survey = survey_in(org.manager)
        db.session.commit()
        return survey.id


def test_a_team_means_the_contacts_of_accounts_its_reps_and_manager_own(app, org, north):
    with app.app_context():
        survey = db.session.get(Survey, north)
        selection = distribution.select_recipients(
            survey, Criteria(team_id=org.team), user(org.manager)
        )
        assert who(selection) == {"anna@acme.example", "bea@beta.example"}
        assert why(selection) == {"otto@acme.example": Reason.OPTED_OUT}
        reps = {r.email: r.rep_id for r in selection.recipients}
        assert reps == {"anna@acme.example": org.rep, "bea@beta.example": org.manager}


def test_one_rep_means_the_contacts_of_the_accounts_they_own(app, org, north):
    with app.app_context():
        survey = db.session.get(Survey, north)
        selection = distribution.select_recipients(
            survey, Criteria(rep_id=org.rep), user(org.manager)
        )
        assert who(selection) == {"anna@acme.example"}


def test_a_manager_cannot_choose_another_teams_people(app, org, north):
    with app.app_context():
        survey = db.session.get(Survey, north)
        manager = user(org.manager)
        with pytest.raises(DomainError) as error:
            distribution.select_recipients(survey, Criteria(team_id=org.other_team), manager)
        assert error.value.field == "team"
        with pytest.raises(DomainError) as error:
            distribution.select_recipients(survey, Criteria(rep_id=org.other_rep), manager)
        assert error.value.field == "rep"
        listed = distribution.select_recipients(
            survey, Criteria(addresses="sam@south.example"), manager
        )
        assert listed.counts() == {Reason.NOT_YOURS: 1}
        assert listed.listed() == []  # another team's customer is counted, never named


def test_hr_may_choose_any_team(app, org, north):
    with app.app_context():
        survey = db.session.get(Survey, north)
        selection = distribution.select_recipients(
            survey, Criteria(team_id=org.other_team), user(org.hr)
        )
        assert who(selection) == {"sam@south.example"}


def test_nothing_chosen_is_refused_rather_than_surveying_everyone(app, org, north):
    with app.app_context():
        survey = db.session.get(Survey, north)
        with pytest.raises(DomainError):
            distribution.select_recipients(survey, Criteria(), user(org.admin))


def test_product_line_and_dates_keep_accounts_whose_last_won_deal_matches(app, org):
    with app.app_context():
        software = ProductLine(code="SW", name="Software")
        db.session.add(software)
        march, january = datetime.date(2026, 3, 10), datetime.date(2026, 1, 20)
        recent = customer(org.rep, "R1")
        early = customer(org.rep, "R2")
        later_other_line = customer(org.rep, "R3")
        lost_only = customer(org.rep, "R4")
        person(recent, "recent@r.example")
        person(early, "early@r.example")
        person(later_other_line, "mixed@r.example")
        person(lost_only, "lost@r.example")
        # The manager won the March deal of the rep's account: the answer is about him.
        deal = won_deal(recent, org.manager, org.product_line, march, "D1")
        won_deal(recent, org.rep, org.product_line, january, "D0")
        won_deal(early, org.rep, org.product_line, january, "D2")
        db.session.flush()
        won_deal(later_other_line, org.rep, org.product_line, march, "D3")
        won_deal(later_other_line, org.rep, software.id, datetime.date(2026, 3, 30), "D4")
        won_deal(lost_only, org.rep, org.product_line, march, "D5", stage=DealStage.LOST)
        survey = survey_in(org.manager)
        db.session.commit()

        march_hardware = Criteria(
            team_id=org.team,
            product_line_id=org.product_line,
            last_deal_from=datetime.date(2026, 3, 1),
            last_deal_to=datetime.date(2026, 3, 31),
        )
        selection = distribution.select_recipients(survey, march_hardware, user(org.manager))
        assert who(selection) == {"recent@r.example", "mixed@r.example"}
        about = {r.email: (r.rep_id, r.deal_id) for r in selection.recipients}
        assert about["recent@r.example"] == (org.manager, deal.id)

        any_line_in_march = Criteria(
            team_id=org.team,
            last_deal_from=datetime.date(2026, 3, 1),
            last_deal_to=datetime.date(2026, 3, 20),
        )
        selection = distribution.select_recipients(survey, any_line_in_march, user(org.manager))
        assert who(selection) == {"recent@r.example"}  # "mixed" last won a deal on the 30th


def test_a_contact_surveyed_by_any_survey_in_the_last_90_days_is_left_out(app, org, north):
    with app.app_context():
        survey = db.session.get(Survey, north)
        other = survey_in(org.manager, name="Another survey")
        anna = db.session.scalar(select(Contact).where(Contact.email == "anna@acme.example"))
        bea = db.session.scalar(select(Contact).where(Contact.email == "bea@beta.example"))
        recent, _token = make_invitation(
            app, other, email=anna.email, rep_id=org.rep, contact_id=anna.id
        )
        old, _token = make_invitation(
            app, other, email=bea.email, rep_id=org.manager, contact_id=bea.id
        )
        db.session.commit()
        age(recent.id, created_at=utcnow() - datetime.timedelta(days=30))
        age(old.id, created_at=utcnow() - datetime.timedelta(days=91))

        selection = distribution.select_recipients(
            survey, Criteria(team_id=org.team), user(org.manager)
        )
        assert why(selection)["anna@acme.example"] is Reason.THROTTLED
        assert "bea@beta.example" in who(selection)

        app.config["SURVEY_THROTTLE_DAYS"] = 20
        selection = distribution.select_recipients(
            survey, Criteria(team_id=org.team), user(org.manager)
        )
        assert who(selection) == {"anna@acme.example", "bea@beta.example"}
        assert selection.throttle_days == 20


def test_an_unanswered_invitation_to_the_same_survey_is_never_doubled(app, org, north):
    app.config["SURVEY_THROTTLE_DAYS"] = 0
    with app.app_context():
        survey = db.session.get(Survey, north)
        anna = db.session.scalar(select(Contact).where(Contact.email == "anna@acme.example"))
        make_invitation(app, survey, email=anna.email, rep_id=org.rep, contact_id=anna.id)
        db.session.commit()
        selection = distribution.select_recipients(
            survey, Criteria(team_id=org.team), user(org.manager)
        )
        assert why(selection)["anna@acme.example"] is Reason.ALREADY_INVITED


def test_an_account_without_an_active_owner_has_no_rep_to_ask_about(app, org):
    with app.app_context():
        gone = UserFactory(role=Role.REP, active=False)
        nobodys = customer(None, "N1")
        leavers = customer(gone.id, "N2")
        person(nobodys, "orphan@n.example")
        person(leavers, "left@n.example")
        won_deal(nobodys, org.rep, org.product_line, datetime.date(2026, 2, 1), "ND1")
        won_deal(leavers, gone.id, org.product_line, datetime.date(2026, 2, 1), "ND2")
        survey = survey_in(org.admin)
        db.session.commit()
        by_owner = distribution.select_recipients(
            survey, Criteria(addresses="orphan@n.example, left@n.example"), user(org.admin)
        )
        assert why(by_owner) == {"orphan@n.example": Reason.NO_REP, "left@n.example": Reason.NO_REP}
        by_deal = distribution.select_recipients(
            survey, Criteria(product_line_id=org.product_line), user(org.admin)
        )
        assert who(by_deal) == {"orphan@n.example"}  # about the rep who won the deal
        assert why(by_deal) == {"left@n.example": Reason.NO_REP}


def test_a_pasted_list_lists_malformed_and_repeated_addresses(app, org, north):
    with app.app_context():
        survey = db.session.get(Survey, north)
        pasted = (
            "anna@acme.example, not-an-email; ANNA@acme.example\n"
            "Bea Beta <bea@beta.example>\tfoo@@bar.example\n\n"
        )
        selection = distribution.select_recipients(
            survey, Criteria(addresses=pasted), user(org.manager)
        )
        assert who(selection) == {"anna@acme.example", "bea@beta.example"}
        assert [(e.email, e.reason) for e in selection.excluded] == [
            ("not-an-email", Reason.MALFORMED),
            ("anna@acme.example", Reason.DUPLICATE),
            ("foo@@bar.example", Reason.MALFORMED),
        ]
        assert selection.counts() == {Reason.MALFORMED: 2, Reason.DUPLICATE: 1}


def test_addresses_that_are_no_contact_are_invited_only_about_a_chosen_rep(app, org, north):
    with app.app_context():
        survey = db.session.get(Survey, north)
        manager = user(org.manager)
        listed = "new@prospect.example, anna@acme.example"
        without = distribution.select_recipients(survey, Criteria(addresses=listed), manager)
        assert who(without) == {"anna@acme.example"}
        assert why(without) == {"new@prospect.example": Reason.NOT_A_CONTACT}

        with_rep = distribution.select_recipients(
            survey, Criteria(addresses=listed, adhoc_rep_id=org.rep), manager
        )
        adhoc = next(r for r in with_rep.recipients if r.email == "new@prospect.example")
        assert (adhoc.contact_id, adhoc.rep_id) == (None, org.rep)

        with pytest.raises(DomainError) as error:
            distribution.select_recipients(
                survey, Criteria(addresses=listed, adhoc_rep_id=org.other_rep), manager
            )
        assert error.value.field == "adhoc_rep"


def test_an_address_that_unsubscribed_before_is_never_invited_again(app, org, north):
    app.config["SURVEY_THROTTLE_DAYS"] = 0
    with app.app_context():
        survey = db.session.get(Survey, north)
        make_invitation(
            app,
            survey,
            email="new@prospect.example",
            rep_id=org.rep,
            status=InvitationStatus.UNSUBSCRIBED,
        )
        db.session.commit()
        selection = distribution.select_recipients(
            survey,
            Criteria(addresses="new@prospect.example", adhoc_rep_id=org.rep),
            user(org.manager),
        )
        assert why(selection) == {"new@prospect.example": Reason.OPTED_OUT}


def test_only_an_active_customer_survey_can_be_sent(app, org, north):
    with app.app_context():
        manager = user(org.manager)
        draft = survey_in(org.manager)
        draft.status = SurveyStatus.DRAFT
        pulse = survey_in(org.manager, kind=SurveyKind.EMPLOYEE_PULSE)
        db.session.commit()
        for survey in (draft, pulse):
            with pytest.raises(Conflict):
                distribution.select_recipients(survey, Criteria(team_id=org.team), manager)


def test_invitations_carry_a_hashed_token_expiry_rep_team_and_language(app, org, north, smtp):
    with app.app_context():
        survey = db.session.get(Survey, north)
        survey.invitation_days = 14
        manager = user(org.manager)
        selection = distribution.select_recipients(survey, Criteria(team_id=org.team), manager)
        before = utcnow()
        ids = distribution.create_invitations(survey, selection.recipients, manager)

        invitations = {i.email: i for i in invitations_of(survey.id)}
        assert sorted(ids) == sorted(i.id for i in invitations.values())
        anna, bea = invitations["anna@acme.example"], invitations["bea@beta.example"]
        assert (anna.language, bea.language) == ("de", "en")  # no French texts: the default
        assert (anna.rep_id, anna.team_id) == (org.rep, org.team)
        assert (bea.rep_id, bea.team_id) == (org.manager, None)  # the manager is in no team
        for invitation in (anna, bea):
            token = tokens.derive(app.config["SECRET_KEY"], invitation.id, invitation.token_salt)
            assert invitation.token_hash == tokens.hash_token(token)
            assert len(token) >= 43  # 256 bits, URL-safe
            lifetime = invitation.expires_at - invitation.created_at
            assert lifetime == datetime.timedelta(days=14)
            assert invitation.created_at >= before
        assert token not in str(db.session.execute(select(Invitation.__table__)).all())
        audit = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "surveys.invitations.created")
        )
        assert audit.actor_id == org.manager
        assert "2 invitation" in audit.details


def test_creating_invitations_starts_the_mail_out(app, org, north, smtp):
    with app.app_context():
        survey = db.session.get(Survey, north)
        _selection, ids = distribution.send_survey(
            survey, Criteria(team_id=org.team), user(org.manager)
        )
        assert len(ids) == 2
        assert {i.status for i in invitations_of(survey.id)} == {InvitationStatus.SENT}
        assert sorted(m["To"] for m in smtp.messages) == ["anna@acme.example", "bea@beta.example"]
