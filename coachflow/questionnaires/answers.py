"""A questionnaire as a respondent sees it, and the checks of what they submit.

Whoever collects the answers (customer surveys by an emailed link, pulse surveys anonymously)
builds the page from a version's texts and questions in the respondent's language, renders it
with ``templates/questionnaires/_questions.html`` and checks the submitted form values here
before storing them its own way. Nothing here touches the database beyond reading the version
it is given, and nothing assumes an invitation.

Messages are lazy strings: the page renders them in the respondent's language, not the
browser's, when the view renders inside ``force_locale(page.language)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from flask import current_app
from flask_babel import LazyString, format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from coachflow.platform.errors import DomainError
from coachflow.questionnaires.models import SCALES, QuestionType, SurveyVersion

TEXT_LIMIT = 10_000  # characters of one free-text answer
SCORE_PATTERN = re.compile(r"[0-9]{1,3}")
T = TypeVar("T")


# What the respondent sees -------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class QuestionView:
    """One question as the respondent reads it, in one language."""

    id: int
    field: str  # the form field's name, ``q<id>``
    type: str  # a QuestionType value
    required: bool
    text: str
    points: tuple[int, ...] = ()  # the scale's scores, low to high
    choices: tuple[Choice, ...] = ()

    @property
    def is_scale(self) -> bool:
        return bool(self.points)


@dataclass(frozen=True)
class SurveyPage:
    """A survey version's texts and questions in one language (the answer form and its preview)."""

    language: str
    title: str
    intro: str
    thanks: str
    questions: tuple[QuestionView, ...] = ()
    text_limit: int = TEXT_LIMIT


def localized(texts: Mapping[str, T] | None, language: str, fallback: str) -> T | None:
    """``texts`` in ``language``, else in ``fallback``, else in any language it has."""
    texts = texts or {}
    for candidate in (language, fallback):
        if texts.get(candidate):
            return texts[candidate]
    return next((value for value in texts.values() if value), None)


def page_language(wanted: str | None, texts: Mapping[str, object] | None, default: str) -> str:
    """The respondent's language when the survey version is written in it, else the default."""
    if wanted in current_app.config["LANGUAGES"] and wanted in (texts or {}):
        return wanted
    return default


def survey_page(version: SurveyVersion, language: str) -> SurveyPage:
    """The page for ``version`` in ``language`` (falling back to the survey's default language).

    The builder's preview renders ``public/survey_form.html`` with this page and ``preview=True``.
    """
    survey = version.survey
    return build_page(
        language,
        survey.default_language,
        survey.name,
        version.texts,
        [(q.id, q.type, q.required, q.texts, q.options) for q in version.questions],
    )


def build_page(
    language: str,
    fallback: str,
    name: str,
    texts: Mapping[str, Mapping[str, str]] | None,
    questions: Sequence[tuple[int, QuestionType, bool, Mapping | None, Sequence | None]] = (),
) -> SurveyPage:
    """A page from plain values: the version's texts and its questions in order, each as
    (id, type, required, texts by language, options)."""
    chosen = localized(texts, language, fallback) or {}
    return SurveyPage(
        language=language,
        title=chosen.get("title") or name,
        intro=chosen.get("intro") or "",
        thanks=chosen.get("thanks") or "",
        questions=tuple(_question_view(q, language, fallback) for q in questions),
    )


def _question_view(question: tuple, language: str, fallback: str) -> QuestionView:
    question_id, qtype, required, texts, options = question
    low, high = SCALES.get(qtype, (0, -1))
    return QuestionView(
        id=question_id,
        field=f"q{question_id}",
        type=qtype.value,
        required=required,
        text=localized(texts, language, fallback) or "",
        points=tuple(range(low, high + 1)),
        choices=tuple(
            Choice(
                str(option["value"]),
                localized(option.get("labels"), language, fallback) or str(option["value"]),
            )
            for option in options or ()
        ),
    )


# Why answers are refused ----------------------------------------------------------------------


class AnswersRefused(DomainError):
    """Some answers do not fit their questions; ``problems`` maps form fields to messages."""

    status_code = 422

    def __init__(self, page: SurveyPage, problems: dict[str, str]) -> None:
        super().__init__(_l("Some answers need your attention."))
        self.page = page
        self.problems = problems


# Checking answers ------------------------------------------------------------------------------


def check_answers(page: SurveyPage, values: Mapping[str, Sequence[str]]) -> list[dict]:
    """The answers to store (``question_id`` and ``score``, ``choices`` or ``text``), one per
    answered question, or ``AnswersRefused`` naming every problem.

    Scores must lie on the question's scale (NPS 0–10, rating and agreement 1–5), choices among
    its options, free text within ``TEXT_LIMIT`` characters; required questions need an answer.
    """
    answers: list[dict] = []
    problems: dict[str, str] = {}
    for question in page.questions:
        raw = [v for v in values.get(question.field, ()) if isinstance(v, str)]
        try:
            answer = _answer(question, raw)
        except ValueError as problem:
            problems[question.field] = problem.args[0]
            continue
        if answer is not None:
            answers.append({"question_id": question.id, **answer})
        elif question.required:
            problems[question.field] = _l("Please answer “%(question)s”.", question=question.text)
    if problems:
        raise AnswersRefused(page, problems)
    return answers


def _answer(question: QuestionView, raw: list[str]) -> dict | None:
    """The answer to one question, None when it was left empty; ValueError(message) if invalid."""
    if question.type == QuestionType.TEXT:
        text = _clean_text(raw[0] if raw else "")
        if not text:
            return None
        if len(text) > TEXT_LIMIT:
            raise ValueError(_too_long(len(text)))
        return {"text": text}
    picked = [v.strip() for v in raw if v.strip()]
    if not picked:
        return None
    if question.is_scale:
        low, high = question.points[0], question.points[-1]
        if len(picked) > 1 or not SCORE_PATTERN.fullmatch(picked[0]):
            raise ValueError(_scale_message(low, high))
        score = int(picked[0])
        if not low <= score <= high:
            raise ValueError(_scale_message(low, high))
        return {"score": score}
    offered = {choice.value for choice in question.choices}
    chosen = list(dict.fromkeys(picked))  # once each, in the order given
    if any(value not in offered for value in chosen):
        raise ValueError(_l("Choose among the answers offered."))
    if question.type == QuestionType.SINGLE_CHOICE and len(chosen) > 1:
        raise ValueError(_l("Choose only one answer."))
    return {"choices": chosen}


def _clean_text(text: str) -> str:
    """Browsers send line breaks as CRLF (counted as one by ``maxlength``); NUL cannot be stored."""
    return text.replace("\r\n", "\n").replace("\x00", "").strip()


def _scale_message(low: int, high: int) -> LazyString:
    return _l("Choose a score from %(low)d to %(high)d.", low=low, high=high)


def _too_long(length: int) -> LazyString:
    def message() -> str:
        return _(
            "Your answer has %(length)s characters, more than the limit of %(limit)s. "
            "Please shorten it and send it again.",
            length=format_number(length),
            limit=format_number(TEXT_LIMIT),
        )

    return LazyString(message)
