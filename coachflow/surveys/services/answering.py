"""Answering a survey from an emailed link: open it, check the answers, keep exactly one response.

The link's token is the only credential; the database holds its SHA-256. An answer is one short
transaction that waits on nothing else (no mail, no PDFs). Two submissions at once (two tabs)
both pass the "not answered yet" check, but the database's ``UNIQUE(invitation_id)`` on
responses lets only the first commit; the second is told its first answer is kept. The page and
the checks of the answers are the questionnaire's (``coachflow.questionnaires.answers``); what
is here is the link, its invitation and the writes.

Messages are lazy strings: the page renders them in the respondent's language, not the
browser's, because the view renders inside ``force_locale(page.language)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from functools import cache
from typing import Any, TypeVar

import psycopg
from flask_babel import lazy_gettext as _l
from psycopg.pq import ExecStatus
from psycopg.types.json import Json
from sqlalchemy import (
    JSON,
    Executable,
    Insert,
    Integer,
    Select,
    Text,
    Update,
    bindparam,
    case,
    column,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from coachflow.lib import tokens
from coachflow.platform.errors import InvalidToken
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.questionnaires.answers import (
    SurveyPage,
    build_page,
    check_answers,
    page_language,
)
from coachflow.questionnaires.models import (
    Question,
    QuestionType,
    Survey,
    SurveyStatus,
    SurveyVersion,
)
from coachflow.sales.models import Contact
from coachflow.surveys.models import Answer, Invitation, InvitationStatus, Response
from coachflow.surveys.signals import response_stored

# A derived token is 43 URL-safe characters; anything else cannot be one, so no lookup is spent.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{20,128}")
# States from which opening the link moves the invitation to "opened".
NOT_YET_OPENED = (InvitationStatus.QUEUED, InvitationStatus.SENT, InvitationStatus.FAILED)
POSTGRESQL = PGDialect_psycopg()  # compiles the statements run on psycopg's cursor

# The answer path is the busiest write of the app. It reads and writes plain rows through the
# tables, not mapped objects and the unit of work, with statements built once, on a connection of
# its own rather than the session, so a request spends its time on the database rather than in
# Python. On PostgreSQL that connection is in autocommit mode and the answer is stored by one
# statement (data-modifying CTEs), so a submission costs two round trips (read the link, store
# the answer) instead of seven (BEGIN, SELECT, three writes, COMMIT); see ``_link_connection``.
invitation_rows = Invitation.__table__
response_rows = Response.__table__
answer_rows = Answer.__table__
survey_rows = Survey.__table__
version_rows = SurveyVersion.__table__
question_rows = Question.__table__


T = TypeVar("T")


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


# Use cases -------------------------------------------------------------------------------------


def open_invitation(token: str) -> SurveyPage:
    """The answer form behind ``token``; the first opening marks the invitation opened.

    Raises ``InvalidLink`` (404), ``AlreadyAnswered`` (200), ``SurveyClosed`` or ``LinkExpired``
    (410).
    """
    return _on_live_connection(lambda connection: _open(connection, token))


def _open(connection: Connection, token: str) -> SurveyPage:
    link = _find(token, questions=True, connection=connection)
    _check_open(link)
    if link.opened_at is None:
        # One conditional UPDATE: a concurrent answer's "answered" is never overwritten.
        _run(
            connection,
            _statements().mark_opened,
            {"invitation": link.invitation_id, "now": utcnow()},
        )
        connection.commit()
    return link.page


def submit(token: str, values: Mapping[str, Sequence[str]]) -> SurveyPage:
    """Check ``values`` (form field → submitted strings) against the invitation's survey version
    and store the response and its answers in one transaction; the invitation becomes answered.

    Raises ``AnswersRefused`` (422) naming each problem, or a ``LinkProblem``; after a refusal
    nothing is stored. Returns the page, whose ``thanks`` the thank-you page shows.
    """
    return _on_live_connection(
        lambda connection: _submit(connection, token, values),
        again=lambda connection: _submit_again(connection, token, values),
    )


def _submit_again(
    connection: Connection, token: str, values: Mapping[str, Sequence[str]]
) -> SurveyPage:
    """The retry after a lost connection: the first try may have committed before the reply was
    lost, so an answer already there is this person's own; they get their thank-you page."""
    try:
        return _submit(connection, token, values)
    except AlreadyAnswered as error:
        if error.page is None:
            raise
        return error.page


def _submit(connection: Connection, token: str, values: Mapping[str, Sequence[str]]) -> SurveyPage:
    link = _find(token, questions=True, connection=connection)
    _check_open(link, resubmitted=True)
    answers = check_answers(link.page, values)
    try:
        response_id = _store(connection, link, answers)
        connection.commit()
    except (IntegrityError, psycopg.IntegrityError):
        connection.rollback()
        # Another submission for this invitation committed first: keep it, tell this one
        # kindly.
        kept = _run(connection, _statements().kept, {"invitation": link.invitation_id})
        if kept:
            raise AlreadyAnswered(link.page, resubmitted=True) from None
        raise
    response_stored.send(None, response_id=response_id)
    return link.page


def _store(connection: Connection, link: Link, answers: list[dict]) -> int:
    """Write the response, its answers and the invitation's "answered" state (not committed);
    the response's id."""
    statements = _statements()
    # Parameter names are no column names: an UPDATE would SET columns named like them.
    response = {
        "invitation": link.invitation_id,
        "survey": link.survey_id,
        "version": link.version_id,
        "rep": link.rep_id,
        "team": link.team_id,
        "in_language": link.page.language,
        "now": utcnow(),
    }
    if connection.dialect.name == "postgresql":  # one statement
        rows = _run(connection, statements.store_answer, {**response, "answers": Json(answers)})
        return rows[0][0]
    response_id = connection.scalar(statements.add_response, response)
    if answers:
        connection.execute(statements.add_answers, _answer_params(response_id, answers))
    connection.execute(statements.mark_answered, response)
    return response_id


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
    mark_opened: Update
    add_response: Insert
    add_answers: Insert
    mark_answered: Update
    store_answer: Select  # the three writes above as one statement, for PostgreSQL
    kept: Select  # the response an invitation has


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
    this_invitation = i.id == bindparam("invitation")
    add_response = insert(response_rows).values(
        invitation_id=bindparam("invitation"),
        survey_id=bindparam("survey"),
        version_id=bindparam("version"),
        rep_id=bindparam("rep"),
        team_id=bindparam("team"),
        language=bindparam("in_language"),
        submitted_at=now,
    )
    mark_answered = (
        update(invitation_rows)
        .where(this_invitation)
        .values(
            status=InvitationStatus.ANSWERED,
            answered_at=now,
            opened_at=func.coalesce(i.opened_at, now),
        )
    )
    return _Statements(
        find=find,
        find_with_questions=find_with_questions,
        mark_opened=update(invitation_rows)
        .where(this_invitation, i.opened_at.is_(None))
        .values(
            opened_at=now,
            status=case(
                (
                    or_(*(i.status == status for status in NOT_YET_OPENED)),
                    literal(InvitationStatus.OPENED, i.status.type),
                ),
                else_=i.status,
            ),
        ),
        add_response=add_response.returning(response_rows.c.id),
        # No choices is SQL NULL, not a JSON null.
        add_answers=insert(answer_rows).values(
            choices=bindparam("choices", type_=JSON(none_as_null=True))
        ),
        mark_answered=mark_answered,
        store_answer=_one_statement(add_response, mark_answered),
        kept=select(response_rows.c.id).where(
            response_rows.c.invitation_id == bindparam("invitation")
        ),
    )


def _one_statement(add_response: Insert, mark_answered: Update) -> Select:
    """The response, its answers (a JSON array of objects with ``question_id`` and ``score``,
    ``choices`` or ``text``) and the invitation's "answered" state in one PostgreSQL statement.

    Every data-modifying CTE runs exactly once, whether or not the main query reads it, and the
    statement is atomic: a second response to the invitation violates ``UNIQUE(invitation_id)``
    and nothing of it is kept.
    """
    response = add_response.returning(response_rows.c.id).cte("response")
    given = (
        func.json_to_recordset(bindparam("answers", type_=JSON))
        .table_valued(
            column("question_id", Integer),
            column("score", Integer),
            column("choices", JSON),
            column("text", Text),
        )
        .render_derived(name="given", with_types=True)
    )
    answers = insert(answer_rows).from_select(
        ["response_id", "question_id", "score", "choices", "text"],
        select(response.c.id, given.c.question_id, given.c.score, given.c.choices, given.c.text)
        .select_from(response)
        .join(given, true()),
    )
    return select(response.c.id).add_cte(answers.cte("answers"), mark_answered.cte("answered"))


@contextmanager
def _link_connection() -> Iterator[Connection]:
    """A connection of the engine's pool for one answer-page request.

    On PostgreSQL it runs in autocommit mode: each statement is its own transaction, so reading
    the link costs no BEGIN and storing an answer, one statement, no COMMIT. Elsewhere (SQLite)
    statements run in a transaction that ``commit()`` ends.
    """
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT")
        yield connection


def _on_live_connection(
    use: Callable[[Connection], T], *, again: Callable[[Connection], T] | None = None
) -> T:
    """``use(connection)`` on a pooled connection; if the connection turns out to be lost (the
    database restarted, a proxy or an administrator dropped it), once more on a fresh one
    (``again``, when the second try must read the first one's possible effect differently).

    Safe to repeat: reading is, marking opened is conditional, and an answer is stored by one
    statement (or one transaction) that the unique key on its invitation lets commit only once.
    """
    with _link_connection() as connection:
        try:
            return use(connection)
        except (DBAPIError, psycopg.OperationalError) as error:
            if not _lost(connection, error):
                raise
            connection.invalidate()
    with _link_connection() as connection:
        return (again or use)(connection)


def _lost(connection: Connection, error: Exception) -> bool:
    """Whether ``error`` means the connection is gone (rather than a bad statement)."""
    if isinstance(error, DBAPIError):
        return bool(error.connection_invalidated)
    try:
        driver = connection.connection.driver_connection
    except DBAPIError:
        return True
    return bool(getattr(driver, "broken", False) or getattr(driver, "closed", False))


def _run(
    connection: Connection | Session, statement: Executable, params: Mapping[str, Any]
) -> Sequence[Sequence[Any]]:
    """The rows of ``statement`` (none for a write without RETURNING), each a plain tuple.

    On a PostgreSQL connection the statement, compiled once, goes straight to psycopg's cursor:
    SQLAlchemy's result machinery would cost as much CPU as the rest of the request. The
    parameters must then be what psycopg takes (plain values, ``Json`` for JSON), and result
    values come as psycopg gives them (strings for enums, JSON already decoded).
    """
    if isinstance(connection, Connection) and connection.dialect.name == "postgresql":
        sql, literals = _compiled(statement)
        cursor = connection.connection.driver_connection.cursor()
        cursor.execute(sql, {**literals, **params}, prepare=True)
        # Asking for ``cursor.description`` would build a column object for each column.
        returned = cursor.pgresult is not None and cursor.pgresult.status == ExecStatus.TUPLES_OK
        return cursor.fetchall() if returned else ()
    result = connection.execute(statement, params)
    return result.all() if result.returns_rows else ()


@cache
def _compiled(statement: Executable) -> tuple[str, dict[str, Any]]:
    """``statement`` as psycopg's SQL text, and the values of the literals it binds (an enum
    member as its value)."""
    compiled = statement.compile(dialect=POSTGRESQL)
    if compiled.post_compile_params:
        raise ValueError("an expanding parameter (IN list) cannot go to the cursor as it is")
    literals = {
        name: value.value if isinstance(value, Enum) else value
        for name, value in compiled.params.items()
        if value is not None
    }
    return compiled.string, literals


def _find(token: str, *, questions: bool, connection: Connection | Session | None = None) -> Link:
    """The invitation behind ``token`` with its survey page (and questions), or ``InvalidLink``.

    One query: the invitation joined to its survey and version, and to the version's questions
    (one row each) when they are wanted. Without ``connection``, the session's.
    """
    if not TOKEN_PATTERN.fullmatch(token):
        raise InvalidLink()
    statements = _statements()
    query = statements.find_with_questions if questions else statements.find
    executor = db.session if connection is None else connection
    rows = _run(executor, query, {"token_hash": tokens.hash_token(token)})
    if not rows:
        raise InvalidLink()
    (
        invitation_id,
        survey_id,
        version_id,
        contact_id,
        rep_id,
        team_id,
        wanted_language,
        status,
        expires_at,
        opened_at,
        answered_at,
        survey_status,
        name,
        default_language,
        texts,
    ) = rows[0][:15]
    language = page_language(wanted_language, texts, default_language)
    page = build_page(
        language,
        default_language,
        name,
        texts,
        [
            (question_id, QuestionType(qtype), required, question_texts, options)
            for question_id, qtype, required, question_texts, options in (r[15:] for r in rows)
            if question_id is not None
        ]
        if questions
        else (),
    )
    return Link(
        invitation_id,
        survey_id,
        version_id,
        contact_id,
        rep_id,
        team_id,
        InvitationStatus(status),
        expires_at,
        opened_at,
        answered_at,
        SurveyStatus(survey_status),
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
