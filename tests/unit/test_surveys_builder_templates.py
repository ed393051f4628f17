"""The ready templates: complete in every language, true to the sales performance standard."""

from __future__ import annotations

import pytest

from coachflow.questionnaires.models import QuestionType, SurveyKind
from coachflow.questionnaires.templates_library import (
    COMPETENCIES,
    CSAT_CLOSED_DEAL,
    EMPLOYEE_PULSE,
    MANAGER_ASSESSMENT,
    RELATIONSHIP_NPS,
    SELF_ASSESSMENT,
    TEMPLATES,
    fill,
)

LANGUAGES = ("en", "de", "fr")


@pytest.mark.parametrize("template", TEMPLATES.values(), ids=TEMPLATES.keys())
def test_every_template_text_exists_in_english_german_and_french(template):
    texts = [
        template.names,
        template.descriptions,
        template.titles,
        template.intros,
        template.thanks,
        *(question.texts for question in template.questions),
    ]
    for text in texts:
        assert set(text) == set(LANGUAGES)
        assert all(value.strip() for value in text.values())


@pytest.mark.parametrize("template", TEMPLATES.values(), ids=TEMPLATES.keys())
def test_every_template_asks_at_least_one_required_question(template):
    assert any(question.required for question in template.questions)


def test_relationship_nps_asks_the_recommendation_question_then_an_optional_reason():
    nps, reason = RELATIONSHIP_NPS.questions
    assert RELATIONSHIP_NPS.kind is SurveyKind.CUSTOMER_NPS
    assert (nps.type, nps.required) == (QuestionType.NPS, True)
    assert nps.texts["en"].startswith("How likely are you to recommend {company}")
    assert (reason.type, reason.required) == (QuestionType.TEXT, False)


def test_csat_after_a_closed_deal_rates_the_purchase_and_the_reps_understanding():
    rating, agreement, comment = CSAT_CLOSED_DEAL.questions
    assert CSAT_CLOSED_DEAL.kind is SurveyKind.CUSTOMER_CSAT
    assert rating.type is QuestionType.RATING
    assert "satisfied" in rating.texts["en"]
    assert agreement.type is QuestionType.AGREEMENT
    assert "needs" in agreement.texts["en"]
    assert (comment.type, comment.required) == (QuestionType.TEXT, False)


def test_pulse_is_an_enps_six_agreement_items_and_an_optional_comment():
    types = [question.type for question in EMPLOYEE_PULSE.questions]
    assert types == [QuestionType.NPS] + [QuestionType.AGREEMENT] * 6 + [QuestionType.TEXT]
    assert not EMPLOYEE_PULSE.questions[-1].required
    topics = " ".join(q.texts["en"] for q in EMPLOYEE_PULSE.questions[1:-1])
    for topic in ("manager", "training", "tools", "workload", "recognition", "goals"):
        assert topic in topics


@pytest.mark.parametrize("template", [SELF_ASSESSMENT, MANAGER_ASSESSMENT])
def test_assessments_rate_each_competency_of_the_standard_once(template):
    agreements = [q for q in template.questions if q.type is QuestionType.AGREEMENT]
    assert len(COMPETENCIES) == 14
    assert len(agreements) == len(COMPETENCIES)
    assert template.questions[-1].type is QuestionType.TEXT
    assert not template.questions[-1].required


def test_self_assessment_speaks_in_the_first_person_and_manager_assessment_about_the_rep():
    assert SELF_ASSESSMENT.questions[0].texts["en"].startswith("I ")
    assert SELF_ASSESSMENT.questions[0].texts["de"].startswith("Ich ")
    assert not MANAGER_ASSESSMENT.questions[0].texts["en"].startswith("I ")
    assert "Angebote" in SELF_ASSESSMENT.questions[4].texts["de"]  # estimate = Angebot
    assert "devis" in MANAGER_ASSESSMENT.questions[4].texts["fr"]


def test_company_name_fills_the_placeholder_or_the_text_says_our_company():
    text = RELATIONSHIP_NPS.questions[0].texts
    assert fill(text["en"], "en", "Acme") == (
        "How likely are you to recommend Acme to a colleague or business partner?"
    )
    assert "unser Unternehmen" in fill(text["de"], "de", None)
    assert "notre entreprise" in fill(text["fr"], "fr", "  ")


def test_a_company_name_with_braces_is_taken_literally():
    assert fill("{company} rocks", "en", "{x} & Co") == "{x} & Co rocks"
