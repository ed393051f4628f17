"""The builder learns of answers only from the domains that store them (their answer counters):
customer surveys' responses to invitations today, anonymous pulse answers later."""

from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from coachflow.accounts.models import User
from coachflow.platform.extensions import db
from coachflow.questionnaires import queries, services
from coachflow.questionnaires.models import Survey, SurveyVersion
from coachflow.questionnaires.queries import ANSWER_COUNTERS, AnswerCounter
from coachflow.surveys.models import Answer, Response
from tests.survey_factories import make_invitation, make_survey


def _survey_with_a_customer_response(app, org) -> int:
    with app.app_context():
        survey = make_survey(owner_id=org.manager, name="Quarterly NPS")
        version = survey.current_version
        invitation, _token = make_invitation(
            app, survey, email="kunde@example.com", rep_id=org.rep, team_id=org.team
        )
        db.session.add(
            Response(
                invitation_id=invitation.id,
                survey_id=survey.id,
                version_id=version.id,
                answers=[Answer(question_id=version.questions[0].id, score=9)],
            )
        )
        db.session.commit()
        return survey.id


def _add_question(app, org, survey_id: int) -> None:
    with app.app_context():
        services.add_question(
            db.session.get(Survey, survey_id),
            services.QuestionInput("text", False, {"en": "Anything else?"}),
            by=db.session.get(User, org.manager),
        )


def _versions(app, survey_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(SurveyVersion)
            .where(SurveyVersion.survey_id == survey_id)
        )


def _responses_column(page: str, name: str) -> str:
    """The list's "responses" cell of the survey called ``name``."""
    cell_end = r"</a>[^<]*(?:<span[^>]*>[^<]*</span>)?</th>"  # a "Built in" badge may follow
    row = re.search(rf">{name}{cell_end}(.*?)</tr>", html.unescape(page), re.S).group(1)
    return re.findall(r'<td class="num">(\d+)</td>', row)[2]


def test_a_customer_response_counts_in_the_survey_list_and_sends_an_edit_to_a_new_version(
    app, org, as_role
):
    survey_id = _survey_with_a_customer_response(app, org)
    assert (
        _responses_column(
            as_role("manager").get("/surveys").get_data(as_text=True), "Quarterly NPS"
        )
        == "1"
    )
    _add_question(app, org, survey_id)
    assert _versions(app, survey_id) == 2


def test_with_no_domain_counting_answers_a_survey_shows_none_and_is_edited_in_place(
    app, org, as_role, monkeypatch
):
    survey_id = _survey_with_a_customer_response(app, org)
    monkeypatch.setitem(app.extensions, ANSWER_COUNTERS, [])
    page = as_role("manager").get("/surveys").get_data(as_text=True)
    assert _responses_column(page, "Quarterly NPS") == "0"
    _add_question(app, org, survey_id)
    assert _versions(app, survey_id) == 1


def test_answers_without_an_invitation_from_another_domain_add_up_and_protect_their_wording(
    app, org, as_role
):
    """A pulse-like domain stores anonymous answers (no invitation, no response row here)."""
    with app.app_context():
        survey = make_survey(owner_id=org.manager, name="Team pulse")
        db.session.commit()
        survey_id, version_id = survey.id, survey.current_version.id
    asked: list[list[int]] = []

    def anonymous_per_survey(survey_ids):
        asked.append(list(survey_ids))
        return {survey_id: 6} if survey_id in survey_ids else {}

    queries.register_answer_counter(
        app,
        AnswerCounter(
            responses_per_survey=anonymous_per_survey,
            answered_versions=lambda version_ids: {version_id} & set(version_ids),
        ),
    )
    page = as_role("manager").get("/surveys").get_data(as_text=True)
    assert _responses_column(page, "Team pulse") == "6"
    assert len(asked) == 1  # one call for the whole page, not one per survey
    _add_question(app, org, survey_id)
    assert _versions(app, survey_id) == 2
    with app.app_context():
        counts = queries.survey_counts([survey_id])[survey_id]
    assert counts == queries.SurveyCounts(versions=2, questions=3, responses=6)
