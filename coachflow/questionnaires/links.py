"""Links from the survey builder to the pages of the domains that use a questionnaire.

The questionnaires package sits below the domains that collect answers (customer surveys, pulse,
coaching) and imports none of them: each registers, at start-up, the pages that fit the kinds of
questionnaire it uses (``add_survey_links``). The editor then offers exactly those, so a pulse
questionnaire never links to the customer survey's sending page. The same goes for surveys a
domain builds and sends itself (``add_built_in_survey``): the builder marks them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, url_for

from coachflow.platform.permissions import allowed
from coachflow.questionnaires.models import Survey, SurveyKind, SurveyStatus

_LINKS = "coachflow.survey_links"
_BUILT_IN = "coachflow.built_in_surveys"
SENT = (SurveyStatus.ACTIVE, SurveyStatus.CLOSED)


@dataclass(frozen=True)
class SurveyLink:
    """A page of another domain about one questionnaire.

    ``url_args(survey)`` gives the endpoint's URL arguments; the link shows while the survey has
    one of ``statuses`` and to those the endpoint's declared action lets in; a ``primary`` link
    is the editor's main button.
    """

    endpoint: str
    label: Any
    url_args: Callable[[Survey], dict[str, Any]]
    statuses: tuple[SurveyStatus, ...] = SENT
    primary: bool = False


@dataclass(frozen=True)
class ShownLink:
    name: str
    label: str
    url: str
    primary: bool


def add_survey_links(app: Flask, kinds: Iterable[SurveyKind], links: dict[str, SurveyLink]) -> None:
    """Offer ``links`` (by name) in the builder for the questionnaires of ``kinds``."""
    known: dict[SurveyKind, dict[str, SurveyLink]] = app.extensions.setdefault(_LINKS, {})
    for kind in kinds:
        known.setdefault(kind, {}).update(links)


def survey_links(survey: Survey, user: Any) -> list[ShownLink]:
    """The registered links of ``survey``'s kind that fit its status and that ``user`` may open,
    in the order they were registered (needs a request context)."""
    registered = current_app.extensions.get(_LINKS, {}).get(survey.kind, {})
    shown = []
    for name, link in registered.items():
        view = current_app.view_functions.get(link.endpoint)
        if view is None or survey.status not in link.statuses:
            continue
        wanted = getattr(view, "required_action", None)
        if wanted is not None and not allowed(user, wanted):
            continue
        url = url_for(link.endpoint, **link.url_args(survey))
        shown.append(ShownLink(name, str(link.label), url, link.primary))
    return shown


def add_built_in_survey(app: Flask, kind: SurveyKind, name: str, note: Any) -> None:
    """Mark the survey of ``kind`` named ``name`` as one a domain made and sends itself; the
    builder shows ``note`` (a lazy string: what it is for) on its list and editor."""
    app.extensions.setdefault(_BUILT_IN, {})[(kind, name)] = note


def built_in_note(survey: Survey) -> str | None:
    """Why ``survey`` is built in, or None for a survey people made."""
    note = current_app.extensions.get(_BUILT_IN, {}).get((survey.kind, survey.name))
    return None if note is None else str(note)
