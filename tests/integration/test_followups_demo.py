"""The demo's follow-ups: every state over the year, root causes that differ by team, and a
demo answer to an emailed link opens a case within the tick."""

from __future__ import annotations

import datetime
import random

from sqlalchemy import func, select

from coachflow.accounts import demo
from coachflow.followups.demo import seed_followups
from coachflow.followups.models import CaseState, FollowUpCase
from coachflow.followups.queries import root_causes_by_team
from coachflow.followups.services import tick as tick_service
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.sales.demo import seed_sales
from coachflow.surveys.demo import seed_surveys


def _seed(app, now: datetime.datetime | None = None) -> object:
    now = now or datetime.datetime(2026, 11, 16, 12, tzinfo=datetime.UTC)
    today = now.date()
    with app.app_context():
        org = demo.seed_org(reps=24, seed=7)
        seed_sales(org, random.Random("sales:7"), today=today)
        seed_surveys(org, random.Random("surveys:7"), today=today)
        made = seed_followups(org, random.Random("followups:7"), now=now)
        db.session.commit()
        return made, [team.id for team in org.teams]


def test_demo_has_cases_in_every_state_and_a_delivery_team(app):
    made, teams = _seed(app)
    today = datetime.date(2026, 11, 16)
    assert made.cases > 50
    assert set(made.by_state) == set(CaseState)
    with app.app_context():
        causes = root_causes_by_team(today - datetime.timedelta(days=366), today, teams)
        first = causes[teams[0]]
        assert max(first, key=first.get) == "delivery"
        assert first["delivery"] > sum(first.values()) / 2
        second = causes[teams[1]]
        assert max(second, key=second.get) == "price"
        # No case about an answer twice; every case within the year.
        assert db.session.scalar(select(func.count(FollowUpCase.id.distinct()))) == made.cases


def test_the_tick_after_the_demo_opens_no_case_and_mails_nobody(app, mailbox):
    made, _teams = _seed(app, utcnow())
    with app.app_context():
        report = tick_service.tick()
        assert report.evaluated == 0
        assert db.session.scalar(select(func.count()).select_from(FollowUpCase)) == made.cases
    assert mailbox.messages == []


def test_a_detractor_answer_to_an_emailed_demo_link_opens_a_case(app, mailbox):
    from coachflow.accounts.models import Team, User
    from coachflow.questionnaires.models import QuestionType, Survey, SurveyKind
    from coachflow.sales.models import Contact, CustomerAccount
    from tests.survey_factories import make_invitation

    made, _teams = _seed(app, utcnow())
    with app.app_context():
        survey = db.session.scalars(
            select(Survey).where(Survey.kind == SurveyKind.CUSTOMER_NPS)
        ).first()
        contact, rep_id = db.session.execute(
            select(Contact, CustomerAccount.owner_id)
            .join(CustomerAccount)
            .where(Contact.opted_out_at.is_(None), CustomerAccount.owner_id.is_not(None))
            .order_by(Contact.id)
        ).first()
        rep = db.session.get(User, rep_id)
        manager = db.session.get(Team, rep.team_id).manager
        _invitation, token = make_invitation(
            app,
            survey,
            email=contact.email,
            rep_id=rep.id,
            team_id=rep.team_id,
            contact_id=contact.id,
        )
        fields = {q.type: f"q{q.id}" for q in survey.current_version.questions}
        addresses = (rep.email, manager.email)
        rep_id = rep.id
        db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    client.get(f"/s/{token}")
    nps = fields[QuestionType.NPS]
    data = {name: "" for name in fields.values() if name != nps}
    client.post(f"/s/{token}", data={**data, nps: "2"})
    with app.app_context():
        tick_service.tick()
        assert db.session.scalar(select(func.count()).select_from(FollowUpCase)) == made.cases + 1
        case = db.session.scalars(select(FollowUpCase).order_by(FollowUpCase.id.desc())).first()
        assert (case.rep_id, case.score, case.state) == (rep_id, 2, CaseState.OPEN)
    for address in addresses:
        assert [m["Subject"] for m in mailbox.to(address)] == ["A customer needs a follow-up"]
