"""Panels of the home page: each domain adds what a person should see on landing (an open
pulse to answer, action items due, overdue follow-ups), so the home page needs no import of
the domains after ``accounts``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app


@dataclass(frozen=True)
class HomePanel:
    """One panel of the home page.

    ``load(user)`` runs a fixed number of queries and returns the template's context, or None
    when the panel has nothing to show that person (the panel is then left out); ``template``
    is rendered with that context as ``panel``. ``order`` places it among other domains'.
    """

    order: int
    name: str
    template: str
    load: Callable[[Any], dict[str, Any] | None]


@dataclass(frozen=True)
class ShownPanel:
    name: str
    template: str
    panel: dict[str, Any]


def add_home_panel(app: Flask, *panels: HomePanel) -> None:
    """Add a domain's panels to the home page of ``app``."""
    known = app.extensions.setdefault("coachflow.home_panels", [])
    known.extend(panels)
    known.sort(key=lambda panel: panel.order)


def home_panels(user: Any) -> list[ShownPanel]:
    """The panels with something to show ``user``, in order."""
    shown = []
    for panel in current_app.extensions.get("coachflow.home_panels", []):
        context = panel.load(user)
        if context is not None:
            shown.append(ShownPanel(panel.name, panel.template, context))
    return shown
