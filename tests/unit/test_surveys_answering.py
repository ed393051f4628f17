"""Checking a respondent's answers against the page they were shown (no database, no app)."""

from __future__ import annotations

import pytest

from coachflow.questionnaires.answers import (
    TEXT_LIMIT,
    AnswersRefused,
    build_page,
    check_answers,
    localized,
)
from coachflow.questionnaires.models import QuestionType

OPTIONS = [{"value": "price", "labels": {"en": "Price", "de": "Preis"}}, {"value": "speed"}]
PAGE = build_page(
    "de",
    "en",
    "Relationship NPS",
    {"en": {"title": "Your view", "thanks": "Thanks"}},
    [
        (1, QuestionType.NPS, True, {"en": "Recommend us?", "de": "Empfehlen?"}, None),
        (2, QuestionType.RATING, False, {"en": "Satisfied?"}, None),
        (3, QuestionType.SINGLE_CHOICE, False, {"en": "Why?"}, OPTIONS),
        (4, QuestionType.TEXT, False, {"en": "Comment"}, None),
    ],
)


def _problems(values: dict[str, list[str]]) -> dict[str, str]:
    with pytest.raises(AnswersRefused) as refused:
        check_answers(PAGE, values)
    return {field: str(message) for field, message in refused.value.problems.items()}


def test_texts_fall_back_to_the_default_language_then_to_any():
    assert localized({"en": "Hi", "de": "Hallo"}, "de", "en") == "Hallo"
    assert localized({"en": "Hi"}, "fr", "en") == "Hi"
    assert localized({"de": "Hallo"}, "fr", "en") == "Hallo"
    assert localized({}, "fr", "en") is None


def test_page_shows_each_question_in_the_language_it_has():
    assert PAGE.title == "Your view"  # no German title: the default language's
    assert [q.text for q in PAGE.questions] == ["Empfehlen?", "Satisfied?", "Why?", "Comment"]
    assert PAGE.questions[0].points == tuple(range(11))
    assert PAGE.questions[1].points == (1, 2, 3, 4, 5)
    assert [(c.value, c.label) for c in PAGE.questions[2].choices] == [
        ("price", "Preis"),
        ("speed", "speed"),
    ]


def test_answers_become_rows_with_score_choices_or_text():
    answers = check_answers(
        PAGE, {"q1": [" 10 "], "q2": ["1"], "q3": ["price"], "q4": ["Fast\r\nand kind\x00"]}
    )
    assert answers == [
        {"question_id": 1, "score": 10},
        {"question_id": 2, "score": 1},
        {"question_id": 3, "choices": ["price"]},
        {"question_id": 4, "text": "Fast\nand kind"},
    ]


def test_unanswered_optional_questions_store_nothing():
    assert check_answers(PAGE, {"q1": ["0"], "q4": ["   "], "unknown": ["x"]}) == [
        {"question_id": 1, "score": 0}
    ]


def test_every_problem_is_named_at_once():
    problems = _problems({"q2": ["6"], "q3": ["cheap"], "q4": ["x" * (TEXT_LIMIT + 1)]})
    too_long = problems.pop("q4")  # numbers are formatted for the page's locale when shown
    assert too_long.startswith("Your answer has 10")
    assert "characters, more than the limit of 10" in too_long
    assert problems == {
        "q1": "Please answer “Empfehlen?”.",
        "q2": "Choose a score from 1 to 5.",
        "q3": "Choose among the answers offered.",
    }


@pytest.mark.parametrize("score", ["11", "-1", "abc", "9.0", "1e1", "０", "999999"])
def test_a_score_off_the_scale_is_refused(score):
    assert _problems({"q1": [score]}) == {"q1": "Choose a score from 0 to 10."}


def test_statements_for_psycopgs_cursor_carry_their_literals_as_plain_values():
    from coachflow.surveys.services import answering

    statements = answering._statements()
    sql, literals = answering._compiled(statements.store_answer)
    assert sql.startswith("WITH response AS")
    assert "json_to_recordset(%(answers)s::JSON)" in sql
    assert literals == {"param_1": "answered"}  # the enum member's value, not the member
    assert type(literals["param_1"]) is str
    _sql, literals = answering._compiled(statements.mark_opened)
    assert sorted(literals.values()) == ["failed", "opened", "queued", "sent"]


def test_an_in_list_cannot_go_to_psycopgs_cursor_unexpanded():
    from sqlalchemy import select

    from coachflow.surveys.services import answering

    ids = select(answering.invitation_rows.c.id).where(answering.invitation_rows.c.id.in_([1, 2]))
    with pytest.raises(ValueError, match="IN list"):
        answering._compiled(ids)
