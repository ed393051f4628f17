"""Sections of a rep's scorecard page added by later domains (recognition from the home
pages, say): scorecards come before them in the layers and may not import them, so each adds
its section here at start-up, as the home page's panels do (``coachflow.platform.home``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

from coachflow.lib.periods import Period

EXTENSION = "coachflow.scorecard_sections"


@dataclass(frozen=True)
class Section:
    """One section of the scorecard page.

    ``load(rep_id, period)`` runs a fixed number of queries and returns the template's context,
    or None when there is nothing to show (the section is then left out); ``template`` is
    rendered with that context as ``section``. ``order`` places it among the others, after the
    scorecard's own figures.
    """

    order: int
    template: str
    load: Callable[[int, Period], dict[str, Any] | None]


@dataclass(frozen=True)
class ShownSection:
    template: str
    section: dict[str, Any]


def add_scorecard_section(app: Flask, *sections: Section) -> None:
    """Add a domain's sections to the scorecard page of ``app``."""
    known = app.extensions.setdefault(EXTENSION, [])
    known.extend(sections)
    known.sort(key=lambda section: section.order)


def scorecard_sections(rep_id: int, period: Period) -> list[ShownSection]:
    """The sections with something to show on ``rep_id``'s scorecard of ``period``, in order."""
    shown = []
    for section in current_app.extensions.get(EXTENSION, []):
        context = section.load(rep_id, period)
        if context is not None:
            shown.append(ShownSection(section.template, context))
    return shown
