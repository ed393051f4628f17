"""Building surveys: create (blank or from a template), edit questions and texts, activate, close.

A survey's questions and texts live in its current version. Once that version has answers, an
edit goes to a copy (version N+1) instead, so every answer keeps the wording it was given to and
no question is lost silently; a version without answers is edited in place. Whether it has
answers the domains that store them tell (``queries.register_answer_counter``). Each service
locks the survey row for the length of its transaction, so two edits of one survey run one after
the other, and writes the audit log.

The lifecycle is guarded: draft → active → closed, nothing else. Texts exist per language; the
default language must be complete, any other may have gaps (respondents then read the default
language there), which ``translation_gaps`` lists as warnings.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from coachflow.accounts.models import User
from coachflow.platform import audit
from coachflow.platform.errors import Conflict, DomainError
from coachflow.platform.extensions import db
from coachflow.platform.i18n import LANGUAGE_NAMES, LANGUAGES
from coachflow.questionnaires import answers
from coachflow.questionnaires.answers import SurveyPage
from coachflow.questionnaires.models import (
    Question,
    QuestionType,
    Survey,
    SurveyKind,
    SurveyStatus,
    SurveyVersion,
)
from coachflow.questionnaires.queries import has_answers
from coachflow.questionnaires.templates_library import TEMPLATES, fill

# Language names as their speakers write them (also how the language pickers show them).
TEXT_KEYS = ("title", "intro", "thanks")
CHOICE_TYPES = frozenset({QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE})

MAX_QUESTIONS = 60
MAX_OPTIONS = 20
MAX_LENGTH = {
    "name": 200,
    "question": 1000,
    "option": 200,
    "title": 200,
    "intro": 2000,
    "thanks": 1000,
}
DAYS_LIMITS = {"invitation_days": (1, 365), "reminder_days": (1, 60), "max_reminders": (0, 5)}
_VALUE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


# What the pages hand in ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionInput:
    """One option of a choice question: labels per language; ``value`` kept from an earlier save."""

    labels: Mapping[str, str]
    value: str = ""


@dataclass(frozen=True)
class QuestionInput:
    """A question as the builder's form gives it."""

    type: QuestionType | str
    required: bool
    texts: Mapping[str, str]
    options: Sequence[OptionInput] = ()


@dataclass(frozen=True)
class SurveySettings:
    """What is set on the survey itself rather than on a version."""

    name: str
    default_language: str
    invitation_days: int = 30
    reminder_days: int = 4
    max_reminders: int = 1


# The preview --------------------------------------------------------------------------------------


def preview_page(survey: Survey, language: str | None) -> SurveyPage:
    """The current version as a respondent reading ``language`` sees it: the respondent's own
    page, so the preview shows the same language choice and fallbacks."""
    version = _current(survey)
    return answers.survey_page(
        version, answers.page_language(language, version.texts, survey.default_language)
    )


# What the editor shows ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TranslationGap:
    """What has no text in ``language``, so respondents reading it see the default language."""

    language: str
    items: list[str]


@dataclass(frozen=True)
class EditorState:
    version: SurveyVersion
    has_answers: bool
    problems: list[str]  # what stops activation
    gaps: list[TranslationGap]  # warnings only


def editor_state(survey: Survey) -> EditorState:
    """The current version, whether it has answers, what blocks activation, missing translations."""
    version = _current(survey)
    return EditorState(
        version=version,
        has_answers=has_answers(version),
        problems=activation_problems(survey),
        gaps=translation_gaps(survey),
    )


def activation_problems(survey: Survey, default_language: str | None = None) -> list[str]:
    """Why the survey cannot go out yet (with ``default_language`` if given); empty when ready."""
    language = default_language or survey.default_language
    name = LANGUAGE_NAMES[language]
    version = _current(survey)
    problems = []
    if not ((version.texts or {}).get(language) or {}).get("title", "").strip():
        problems.append(_("Give the survey a title in %(language)s.", language=name))
    if not version.questions:
        problems.append(_("Add at least one question."))
    for number, question in enumerate(version.questions, start=1):
        if not (question.texts or {}).get(language, "").strip():
            problems.append(
                _("Question %(number)d has no text in %(language)s.", number=number, language=name)
            )
        if question.type in CHOICE_TYPES:
            options = question.options or []
            if len(options) < 2:
                problems.append(_("Question %(number)d needs at least two options.", number=number))
            if any(not (o.get("labels") or {}).get(language, "").strip() for o in options):
                problems.append(
                    _(
                        "An option of question %(number)d has no label in %(language)s.",
                        number=number,
                        language=name,
                    )
                )
    return problems


def translation_gaps(survey: Survey) -> list[TranslationGap]:
    """Per other language, the texts that exist in the default language but not in it."""
    default = survey.default_language
    version = _current(survey)
    texts = version.texts or {}
    labels = {"title": _("title"), "intro": _("introduction"), "thanks": _("thank-you text")}
    gaps = []
    for language in LANGUAGES:
        if language == default:
            continue
        if not any(_text(texts, language, key) for key in TEXT_KEYS):
            # The respondent's page picks a language only when the survey has texts in it.
            items = [
                _(
                    "title (without one, respondents reading %(language)s get the whole survey "
                    "in %(default)s)",
                    language=LANGUAGE_NAMES[language],
                    default=LANGUAGE_NAMES[default],
                )
            ]
        else:
            items = [
                labels[key]
                for key in TEXT_KEYS
                if _text(texts, default, key) and not _text(texts, language, key)
            ]
        for number, question in enumerate(version.questions, start=1):
            question_texts = question.texts or {}
            if question_texts.get(default) and not question_texts.get(language):
                items.append(_("question %(number)d", number=number))
            if any(
                (o.get("labels") or {}).get(default) and not (o.get("labels") or {}).get(language)
                for o in question.options or []
            ):
                items.append(_("options of question %(number)d", number=number))
        if items:
            gaps.append(TranslationGap(language, items))
    return gaps


def find_question(survey: Survey, question_id: int) -> Question | None:
    """The question of the survey's current version with this id; None when it is not the
    survey's; a DomainError when it is from an earlier version (a page opened before a change)."""
    question = db.session.get(Question, question_id)
    if question is None or question.version.survey_id != survey.id:
        return None
    if question.version_id != _current(survey).id:
        raise DomainError(
            _("That question belongs to an earlier version of the survey. Here is the current one.")
        )
    return question


# Creating -----------------------------------------------------------------------------------------


def create_survey(
    kind: SurveyKind | str, name: str, default_language: str, owner: User | None
) -> Survey:
    """A new empty draft survey (version 1, its title the survey's name)."""
    kind = _kind(kind)
    name = _name(name)
    language = _language(default_language)
    survey = Survey(
        name=name,
        kind=kind,
        status=SurveyStatus.DRAFT,
        default_language=language,
        owner_id=owner.id if owner else None,
        invitation_days=30,
        reminder_days=4,
        max_reminders=1,
    )
    SurveyVersion(
        survey=survey, number=1, texts={language: {"title": name, "intro": "", "thanks": ""}}
    )
    db.session.add(survey)
    db.session.flush()
    audit.record(owner, "survey.created", _subject(survey), f"kind {kind.value}")
    _commit()
    return survey


def create_from_template(
    key: str,
    *,
    name: str,
    owner: User | None,
    company: str | None = None,
    default_language: str = "en",
) -> Survey:
    """A new draft survey copied from a ready template; ``{company}`` in it becomes ``company``
    (or "our company"). Without a name it takes the template's name in the default language."""
    template = TEMPLATES.get(key)
    if template is None:
        raise DomainError(_("Choose one of the templates."), field="start")
    language = _language(default_language)
    name = _name(name or template.name(language))
    survey = Survey(
        name=name,
        kind=template.kind,
        status=SurveyStatus.DRAFT,
        default_language=language,
        owner_id=owner.id if owner else None,
        invitation_days=30,
        reminder_days=4,
        max_reminders=1,
    )
    version = SurveyVersion(survey=survey, number=1, texts=template.survey_texts(company))
    for position, spec in enumerate(template.questions):
        version.questions.append(
            Question(
                position=position,
                type=spec.type,
                required=spec.required,
                texts={lang: fill(text, lang, company) for lang, text in spec.texts.items()},
                options=[],
            )
        )
    db.session.add(survey)
    db.session.flush()
    audit.record(owner, "survey.created", _subject(survey), f"template {key}")
    _commit()
    return survey


# Editing questions --------------------------------------------------------------------------------


def add_question(survey: Survey, data: QuestionInput, *, by: User | None) -> Question:
    """Add a question at the end (to a new version when the current one has answers)."""
    _lock(survey)
    _editable(survey)
    values = _clean_question(data, survey.default_language)
    if len(_current(survey).questions) >= MAX_QUESTIONS:
        raise DomainError(_("A survey has at most %(n)d questions.", n=MAX_QUESTIONS))
    version = _version_to_edit(survey, by)
    question = Question(position=len(version.questions), **values)
    version.questions.append(question)
    db.session.flush()
    audit.record(
        by,
        "survey.question_added",
        _subject(survey),
        f"version {version.number}, question {len(version.questions)}",
    )
    _commit()
    return question


def edit_question(
    survey: Survey, question_id: int, data: QuestionInput, *, by: User | None
) -> Question:
    """Change a question's type, wording, options or required flag; the old wording stays with
    the answers given to it."""
    _lock(survey)
    _editable(survey)
    question = _question(survey, question_id)
    values = _clean_question(data, survey.default_language)
    if all(getattr(question, key) == value for key, value in values.items()):
        return question  # nothing changed: no new version for a save without edits
    version = _version_to_edit(survey, by)
    target = version.questions[question.position]
    for key, value in values.items():
        setattr(target, key, value)
    db.session.flush()
    audit.record(
        by,
        "survey.question_edited",
        _subject(survey),
        f"version {version.number}, question {target.position + 1}",
    )
    _commit()
    return target


def remove_question(survey: Survey, question_id: int, *, by: User | None) -> None:
    """Remove a question; when answers exist it goes from a new version and the old keeps it."""
    _lock(survey)
    _editable(survey)
    question = _question(survey, question_id)
    if survey.status is SurveyStatus.ACTIVE and len(_current(survey).questions) == 1:
        raise DomainError(_("An active survey needs at least one question."))
    version = _version_to_edit(survey, by)
    target = version.questions[question.position]
    number = target.position + 1
    version.questions.remove(target)
    db.session.flush()
    _renumber(version.questions)
    audit.record(
        by,
        "survey.question_removed",
        _subject(survey),
        f"version {version.number}, question {number}",
    )
    _commit()


def move_question(survey: Survey, question_id: int, offset: int, *, by: User | None) -> None:
    """Move a question ``offset`` places (−1: up, +1: down)."""
    _lock(survey)
    _editable(survey)
    question = _question(survey, question_id)
    count = len(_current(survey).questions)
    old_position = question.position
    new_position = old_position + offset
    if offset not in (-1, 1):
        raise DomainError(_("Choose whether to move the question up or down."))
    if not 0 <= new_position < count:
        raise DomainError(
            _("This question is already the first.")
            if offset < 0
            else _("This question is already the last.")
        )
    version = _version_to_edit(survey, by)
    ordered = list(version.questions)
    moved = ordered.pop(old_position)
    ordered.insert(new_position, moved)
    _renumber(ordered)
    audit.record(
        by,
        "survey.question_moved",
        _subject(survey),
        f"version {version.number}, question {old_position + 1} → {new_position + 1}",
    )
    _commit()


# Texts, settings, lifecycle -----------------------------------------------------------------------


def set_texts(survey: Survey, texts: Mapping[str, Mapping[str, str]], *, by: User | None) -> None:
    """Set the title, introduction and thank-you text per language; the title is required in the
    default language."""
    _lock(survey)
    _editable(survey)
    default = survey.default_language
    cleaned: dict[str, dict[str, str]] = {}
    for language in (default, *(lang for lang in LANGUAGES if lang != default)):
        given = texts.get(language) or {}
        values = {key: (given.get(key) or "").strip() for key in TEXT_KEYS}
        for key, value in values.items():
            if len(value) > MAX_LENGTH[key]:
                raise DomainError(
                    _("Use at most %(n)d characters.", n=MAX_LENGTH[key]), field=f"{key}_{language}"
                )
        if language == default and not values["title"]:
            raise DomainError(
                _(
                    "Give the survey a title in %(language)s, its default language.",
                    language=LANGUAGE_NAMES[default],
                ),
                field=f"title_{default}",
            )
        if any(values.values()):
            # The respondent's page takes a language's texts together, title included.
            if not values["title"]:
                raise DomainError(
                    _(
                        "Give the survey a title in %(language)s too, or leave all its "
                        "%(language)s texts empty.",
                        language=LANGUAGE_NAMES[language],
                    ),
                    field=f"title_{language}",
                )
            cleaned[language] = values
    if cleaned == _normalised_texts(_current(survey).texts):
        return
    version = _version_to_edit(survey, by)
    version.texts = cleaned
    audit.record(by, "survey.texts_changed", _subject(survey), f"version {version.number}")
    _commit()


def update_settings(survey: Survey, settings: SurveySettings, *, by: User | None) -> None:
    """Name, default language, how long links work, reminder delay and count (no new version:
    none of these changes what an answer was given to)."""
    _lock(survey)
    name = _name(settings.name)
    language = _language(settings.default_language)
    for key, (low, high) in DAYS_LIMITS.items():
        value = getattr(settings, key)
        if value is None or not low <= value <= high:
            raise DomainError(
                _("Enter a number from %(low)d to %(high)d.", low=low, high=high), field=key
            )
    if language != survey.default_language and survey.status is not SurveyStatus.DRAFT:
        problems = activation_problems(survey, language)
        if problems:
            raise DomainError(
                _(
                    "Respondents would miss texts in %(language)s: %(problems)s",
                    language=LANGUAGE_NAMES[language],
                    problems=" ".join(problems),
                ),
                field="default_language",
            )
    changes = [
        f"{key}: {getattr(survey, key)} → {value}"
        for key, value in (
            ("name", name),
            ("default_language", language),
            ("invitation_days", settings.invitation_days),
            ("reminder_days", settings.reminder_days),
            ("max_reminders", settings.max_reminders),
        )
        if getattr(survey, key) != value
    ]
    if not changes:
        return
    survey.name = name
    survey.default_language = language
    survey.invitation_days = settings.invitation_days
    survey.reminder_days = settings.reminder_days
    survey.max_reminders = settings.max_reminders
    audit.record(by, "survey.settings_changed", _subject(survey), "; ".join(changes))
    _commit()


def activate(survey: Survey, *, by: User | None) -> None:
    """Draft → active: invitations may go out and answers are accepted."""
    _lock(survey)
    if survey.status is not SurveyStatus.DRAFT:
        raise DomainError(_("Only a draft survey can be activated."))
    problems = activation_problems(survey)
    if problems:
        raise DomainError(" ".join(problems))
    survey.status = SurveyStatus.ACTIVE
    audit.record(by, "survey.activated", _subject(survey), f"version {_current(survey).number}")
    _commit()


def close(survey: Survey, *, by: User | None) -> None:
    """Active → closed: no more answers; the results stay."""
    _lock(survey)
    if survey.status is not SurveyStatus.ACTIVE:
        raise DomainError(_("Only an active survey can be closed."))
    survey.status = SurveyStatus.CLOSED
    audit.record(by, "survey.closed", _subject(survey))
    _commit()


# Inside -------------------------------------------------------------------------------------------


def _subject(survey: Survey) -> str:
    return f"survey {survey.id} {survey.name}"


def _commit() -> None:
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise Conflict(
            _("Someone else changed this survey at the same moment. Please try again.")
        ) from error


def _lock(survey: Survey) -> None:
    """Reload the survey and hold its row until commit (PostgreSQL; SQLite has one writer)."""
    db.session.refresh(survey, with_for_update=True)


def _current(survey: Survey) -> SurveyVersion:
    version = survey.current_version
    if version is None:  # never from the builder, which creates every survey with version 1
        raise DomainError(_("This survey has no version to edit."))
    return version


def _editable(survey: Survey) -> None:
    if survey.status is SurveyStatus.CLOSED:
        raise DomainError(_("A closed survey can no longer be changed."))


def _question(survey: Survey, question_id: int) -> Question:
    question = find_question(survey, question_id)
    if question is None:
        raise DomainError(_("This question is not part of the survey."))
    return question


def _version_to_edit(survey: Survey, by: User | None) -> SurveyVersion:
    """The current version, or a copy of it as the next version when it already has answers."""
    current = _current(survey)
    if not has_answers(current):
        return current
    questions = list(current.questions)
    version = SurveyVersion(number=current.number + 1, texts=copy.deepcopy(current.texts or {}))
    survey.versions.append(version)
    for question in questions:
        version.questions.append(
            Question(
                position=question.position,
                type=question.type,
                required=question.required,
                texts=dict(question.texts or {}),
                options=copy.deepcopy(question.options or []),
            )
        )
    db.session.flush()
    audit.record(
        by,
        "survey.version_created",
        _subject(survey),
        f"version {version.number}: version {current.number} has answers",
    )
    return version


def _renumber(ordered: Iterable[Question]) -> None:
    """Give ``ordered`` positions 0, 1, 2 … without ever breaking the unique position per version:
    first every question that moves goes past the end, then each takes its place."""
    ordered = list(ordered)
    moving = [(q, index) for index, q in enumerate(ordered) if q.position != index]
    if not moving:
        return
    parking = max(q.position for q in ordered) + 1
    for offset, (question, _index) in enumerate(moving):
        question.position = parking + offset
    db.session.flush()
    for question, index in moving:
        question.position = index
    db.session.flush()


def _kind(kind: SurveyKind | str) -> SurveyKind:
    try:
        return SurveyKind(kind)
    except ValueError:
        raise DomainError(_("Choose the kind of survey."), field="kind") from None


def _name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the survey a name."), field="name")
    if len(name) > MAX_LENGTH["name"]:
        raise DomainError(_("Use at most %(n)d characters.", n=MAX_LENGTH["name"]), field="name")
    return name


def _language(language: str) -> str:
    if language not in LANGUAGES:
        raise DomainError(_("Choose one of the offered languages."), field="default_language")
    return language


def _text(texts: Mapping[str, Any], language: str, key: str) -> str:
    return ((texts.get(language) or {}).get(key) or "").strip()


def _normalised_texts(texts: Mapping[str, Any] | None) -> dict[str, dict[str, str]]:
    result = {}
    for language in LANGUAGES:
        values = {key: _text(texts or {}, language, key) for key in TEXT_KEYS}
        if any(values.values()):
            result[language] = values
    return result


def _clean_question(data: QuestionInput, default_language: str) -> dict[str, Any]:
    """The question's column values, checked: a type, the default language's text, options."""
    try:
        qtype = QuestionType(data.type)
    except ValueError:
        raise DomainError(_("Choose a question type."), field="type") from None
    texts = {}
    for language in LANGUAGES:
        value = (data.texts.get(language) or "").strip()
        if len(value) > MAX_LENGTH["question"]:
            raise DomainError(
                _("Use at most %(n)d characters.", n=MAX_LENGTH["question"]),
                field=f"text_{language}",
            )
        if value:
            texts[language] = value
    if default_language not in texts:
        raise DomainError(
            _(
                "Write the question in %(language)s, the survey's default language.",
                language=LANGUAGE_NAMES[default_language],
            ),
            field=f"text_{default_language}",
        )
    # NPS, rating and agreement questions have fixed scales: whatever options were typed go.
    options = _clean_options(data.options, default_language) if qtype in CHOICE_TYPES else []
    return {"type": qtype, "required": bool(data.required), "texts": texts, "options": options}


def _clean_options(rows: Sequence[OptionInput], default_language: str) -> list[dict[str, Any]]:
    options: list[dict[str, Any]] = []
    taken: set[str] = set()
    seen_labels: set[str] = set()
    filled = [row for row in rows if any((label or "").strip() for label in row.labels.values())]
    if len(filled) < 2:
        raise DomainError(_("A choice question needs at least two options."), field="options")
    if len(filled) > MAX_OPTIONS:
        raise DomainError(
            _("A question has at most %(n)d options.", n=MAX_OPTIONS), field="options"
        )
    for number, row in enumerate(filled, start=1):
        labels = {}
        for language in LANGUAGES:
            label = (row.labels.get(language) or "").strip()
            if len(label) > MAX_LENGTH["option"]:
                raise DomainError(
                    _("Use at most %(n)d characters.", n=MAX_LENGTH["option"]), field="options"
                )
            if label:
                labels[language] = label
        default_label = labels.get(default_language)
        if not default_label:
            raise DomainError(
                _(
                    "Option %(number)d has no label in %(language)s, the survey's default "
                    "language.",
                    number=number,
                    language=LANGUAGE_NAMES[default_language],
                ),
                field="options",
            )
        if default_label.casefold() in seen_labels:
            raise DomainError(
                _("Two options are both called “%(label)s”.", label=default_label), field="options"
            )
        seen_labels.add(default_label.casefold())
        # An option keeps its value across edits and versions, so results add up over them.
        value = row.value if _VALUE.match(row.value or "") and row.value not in taken else ""
        value = value or _unique(_slug(default_label), taken)
        taken.add(value)
        options.append({"value": value, "labels": labels})
    return options


def _slug(label: str) -> str:
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_label.lower()).strip("-")[:32].strip("-")
    return slug or "option"


def _unique(value: str, taken: set[str]) -> str:
    candidate, number = value, 2
    while candidate in taken:
        candidate = f"{value}-{number}"
        number += 1
    return candidate
