"""Answering a survey from an emailed link: open it, check the answers, keep exactly one response.

The link's token is the only credential; the database holds its SHA-256. An answer is one short
transaction that waits on nothing else (no mail, no PDFs). Two submissions at once (two tabs)
both pass the "not answered yet" check, but the database's ``UNIQUE(invitation_id)`` on
responses lets only the first commit; the second is told its first answer is kept.

Messages are lazy strings: the page renders them in the respondent's language, not the
browser's, because the view renders inside ``force_locale(page.language)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TypeVar

from flask import current_app
from flask_babel import LazyString, format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Insert,
    Select,
    Update,
    bindparam,
    case,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from coachflow.errors import DomainError, InvalidToken
from coachflow.extensions import db
from coachflow.sales.models import Contact
from coachflow.surveys import tokens
from coachflow.surveys.models import (
    SCALES,
    Answer,
    Invitation,
    InvitationStatus,
    Question,
    QuestionType,
    Response,
    Survey,
    SurveyStatus,
    SurveyVersion,
)
from coachflow.timeutil import utcnow

TEXT_LIMIT = 10_000  # characters of one free-text answer
# A derived token is 43 URL-safe characters; anything else cannot be one, so no lookup is spent.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{20,128}")
SCORE_PATTERN = re.compile(r"[0-9]{1,3}")
# States from which opening the link moves the invitation to "opened".
NOT_YET_OPENED = (InvitationStatus.QUEUED, InvitationStatus.SENT, InvitationStatus.FAILED)
T = TypeVar("T")

# The answer path is the busiest write of the app: it reads and writes plain rows through the
# tables (one SELECT, two INSERTs, one UPDATE), not mapped objects and the unit of work, with
# statements built once, so a request spends its time on the database rather than in Python.
invitation_rows = Invitation.__table__
response_rows = Response.__table__
answer_rows = Answer.__table__
survey_rows = Survey.__table__
version_rows = SurveyVersion.__table__
question_rows = Question.__table__


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
    """The contact's language when the survey version is written in it, else the default."""
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


# Why a link cannot be answered ------------------------------------------------------------


class LinkProblem(InvalidToken):
    """The link cannot be answered now; ``page`` (when known) gives the language and texts."""

    kind = "invalid"

    def __init__(self, message: str, *, status_code: int, page: SurveyPage | None = None):
        super().__init__(message, status_code=status_code)
        self.page = page


class InvalidLink(LinkProblem):
    """Unknown or tampered token: nothing to say about which survey it was."""

    def __init__(self) -> None:
        super().__init__(
            _l(
                "This survey link is not valid. Check that the whole address from the email "
                "was copied, or open the link in the email again."
            ),
            status_code=404,
        )


class LinkExpired(LinkProblem):
    kind = "expired"

    def __init__(self, page: SurveyPage) -> None:
        super().__init__(
            _l(
                "This survey has ended, so answers can no longer be given through this link. "
                "Thank you for your time all the same."
            ),
            status_code=410,
            page=page,
        )


class SurveyClosed(LinkProblem):
    kind = "closed"

    def __init__(self, page: SurveyPage) -> None:
        super().__init__(
            _l(
                "This survey is closed and no longer takes answers. Thank you for your time all "
                "the same."
            ),
            status_code=410,
            page=page,
        )


class AlreadyAnswered(LinkProblem):
    """The invitation has its answer. Opening the link again is no error for the person (200);
    a second submission is refused (409) but told kindly that the first answer is kept."""

    kind = "answered"

    def __init__(self, page: SurveyPage, *, resubmitted: bool = False) -> None:
        message = (
            _l("You had already answered this survey, so your first answer is kept.")
            if resubmitted
            else _l("Your answer is already recorded.")
        )
        super().__init__(message, status_code=409 if resubmitted else 200, page=page)


class AnswersRefused(DomainError):
    """Some answers do not fit their questions; ``problems`` maps form fields to messages."""

    status_code = 422

    def __init__(self, page: SurveyPage, problems: dict[str, str]) -> None:
        super().__init__(_l("Some answers need your attention."))
        self.page = page
        self.problems = problems


# Use cases -------------------------------------------------------------------------------------


def open_invitation(token: str) -> SurveyPage:
    """The answer form behind ``token``; the first opening marks the invitation opened.

    Raises ``InvalidLink`` (404), ``AlreadyAnswered`` (200), ``SurveyClosed`` or ``LinkExpired``
    (410).
    """
    link = _find(token, questions=True)
    _check_open(link)
    if link.opened_at is None:
        # One conditional UPDATE: a concurrent answer's "answered" is never overwritten.
        db.session.execute(
            update(invitation_rows)
            .where(
                invitation_rows.c.id == link.invitation_id, invitation_rows.c.opened_at.is_(None)
            )
            .values(
                opened_at=utcnow(),
                status=case(
                    (
                        invitation_rows.c.status.in_(NOT_YET_OPENED),
                        literal(InvitationStatus.OPENED, invitation_rows.c.status.type),
                    ),
                    else_=invitation_rows.c.status,
                ),
            )
        )
        db.session.commit()
    return link.page


def submit(token: str, values: Mapping[str, Sequence[str]]) -> SurveyPage:
    """Check ``values`` (form field → submitted strings) against the invitation's survey version
    and store the response and its answers in one transaction; the invitation becomes answered.

    Raises ``AnswersRefused`` (422) naming each problem, or a ``LinkProblem``; after a refusal
    nothing is stored. Returns the page, whose ``thanks`` the thank-you page shows.
    """
    link = _find(token, questions=True)
    _check_open(link, resubmitted=True)
    answers = check_answers(link.page, values)
    now = utcnow()
    statements = _statements()
    try:
        response_id = db.session.scalar(
            statements.add_response,
            {
                "invitation_id": link.invitation_id,
                "survey_id": link.survey_id,
                "version_id": link.version_id,
                "rep_id": link.rep_id,
                "team_id": link.team_id,
                "language": link.page.language,
                "submitted_at": now,
            },
        )
        if answers:
            db.session.execute(statements.add_answers, _answer_params(response_id, answers))
        db.session.execute(
            statements.mark_answered, {"invitation_id": link.invitation_id, "now": now}
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        # Another submission for this invitation committed first: keep it, tell this one kindly.
        kept = select(response_rows.c.id).where(response_rows.c.invitation_id == link.invitation_id)
        if db.session.scalar(kept) is not None:
            raise AlreadyAnswered(link.page, resubmitted=True) from None
        raise
    return link.page


def _answer_params(response_id: int, answers: list[dict]) -> list[dict]:
    return [
        {"response_id": response_id, "score": None, "choices": None, "text": None, **answer}
        for answer in answers
    ]


def thanks(token: str) -> SurveyPage | None:
    """The page whose thanks text to show, or None while the invitation is not answered yet."""
    link = _find(token, questions=False)
    return link.page if link.status is InvitationStatus.ANSWERED else None


def unsubscribe_page(token: str) -> SurveyPage:
    """The page (language, title) of the unsubscribe confirmation; unsubscribes nobody."""
    return _find(token, questions=False).page


def unsubscribe(token: str) -> SurveyPage:
    """Stop survey emails to the invitation's contact (idempotent). Works after expiry too: the
    email with its unsubscribe link stays in the inbox. An answered invitation stays answered."""
    link = _find(token, questions=False)
    if link.contact_id is not None:
        contacts = Contact.__table__
        db.session.execute(
            update(contacts)
            .where(contacts.c.id == link.contact_id, contacts.c.opted_out_at.is_(None))
            .values(opted_out_at=utcnow())
        )
    db.session.execute(
        update(invitation_rows)
        .where(
            invitation_rows.c.id == link.invitation_id,
            invitation_rows.c.status != InvitationStatus.ANSWERED,
        )
        .values(status=InvitationStatus.UNSUBSCRIBED, next_attempt_at=None)
    )
    db.session.commit()
    return link.page


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


# Finding the invitation ------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """An invitation as the answer pages need it: its state, and the survey page to show."""

    invitation_id: int
    survey_id: int
    version_id: int
    contact_id: int | None
    rep_id: int | None
    team_id: int | None
    status: InvitationStatus
    expires_at: datetime
    opened_at: datetime | None
    answered_at: datetime | None
    survey_status: SurveyStatus
    page: SurveyPage


@dataclass(frozen=True)
class _Statements:
    find: Select
    find_with_questions: Select
    add_response: Insert
    add_answers: Insert
    mark_answered: Update


@cache
def _statements() -> _Statements:
    i, s, v, q = invitation_rows.c, survey_rows.c, version_rows.c, question_rows.c
    find = (
        select(
            i.id,
            i.survey_id,
            i.version_id,
            i.contact_id,
            i.rep_id,
            i.team_id,
            i.language,
            i.status,
            i.expires_at,
            i.opened_at,
            i.answered_at,
            s.status.label("survey_status"),
            s.name,
            s.default_language,
            v.texts,
        )
        .join(survey_rows, s.id == i.survey_id)
        .join(version_rows, v.id == i.version_id)
        .where(i.token_hash == bindparam("token_hash"))
    )
    find_with_questions = (
        find.add_columns(
            q.id.label("question_id"),
            q.type,
            q.required,
            q.texts.label("question_texts"),
            q.options,
        )
        .outerjoin(question_rows, q.version_id == i.version_id)
        .order_by(q.position)
    )
    now = bindparam("now", type_=i.answered_at.type)
    return _Statements(
        find=find,
        find_with_questions=find_with_questions,
        add_response=insert(response_rows).returning(response_rows.c.id),
        # No choices is SQL NULL, not a JSON null.
        add_answers=insert(answer_rows).values(
            choices=bindparam("choices", type_=JSON(none_as_null=True))
        ),
        mark_answered=update(invitation_rows)
        .where(i.id == bindparam("invitation_id"))
        .values(
            status=InvitationStatus.ANSWERED,
            answered_at=now,
            opened_at=func.coalesce(i.opened_at, now),
        ),
    )


def _find(token: str, *, questions: bool) -> Link:
    """The invitation behind ``token`` with its survey page (and questions), or ``InvalidLink``.

    One query: the invitation joined to its survey and version, and to the version's questions
    (one row each) when they are wanted.
    """
    if not TOKEN_PATTERN.fullmatch(token):
        raise InvalidLink()
    statements = _statements()
    query = statements.find_with_questions if questions else statements.find
    rows = db.session.execute(query, {"token_hash": tokens.hash_token(token)}).all()
    if not rows:
        raise InvalidLink()
    first = rows[0]
    language = page_language(first.language, first.texts, first.default_language)
    page = build_page(
        language,
        first.default_language,
        first.name,
        first.texts,
        [
            (r.question_id, r.type, r.required, r.question_texts, r.options)
            for r in rows
            if questions and r.question_id is not None
        ],
    )
    return Link(
        first.id,
        first.survey_id,
        first.version_id,
        first.contact_id,
        first.rep_id,
        first.team_id,
        first.status,
        first.expires_at,
        first.opened_at,
        first.answered_at,
        first.survey_status,
        page,
    )


def _check_open(link: Link, *, resubmitted: bool = False) -> None:
    """Refuse an answered, closed or expired invitation (in that order: an answered one is told
    so even after the survey ended)."""
    if link.status is InvitationStatus.ANSWERED or link.answered_at is not None:
        raise AlreadyAnswered(link.page, resubmitted=resubmitted)
    if link.survey_status is not SurveyStatus.ACTIVE:
        raise SurveyClosed(link.page)
    if link.status is InvitationStatus.EXPIRED or link.expires_at <= utcnow():
        raise LinkExpired(link.page)
