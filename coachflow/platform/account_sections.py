"""Sections of a person's account page that later domains add (the weekly digest's switch), so
the account page needs no import of the domains after ``accounts``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

from coachflow.platform.home import ShownPanel


@dataclass(frozen=True)
class AccountSection:
    """One section: ``load(user)`` returns its template's context (as ``panel``) or None."""

    order: int
    name: str
    template: str
    load: Callable[[Any], dict[str, Any] | None]


def add_account_section(app: Flask, *sections: AccountSection) -> None:
    """Add a domain's sections to the account page of ``app``."""
    known = app.extensions.setdefault("coachflow.account_sections", [])
    known.extend(sections)
    known.sort(key=lambda section: section.order)
    app.jinja_env.globals["account_sections"] = account_sections


def account_sections(user: Any) -> list[ShownPanel]:
    """The sections with something to show ``user``, in order."""
    shown = []
    for section in current_app.extensions.get("coachflow.account_sections", []):
        context = section.load(user)
        if context is not None:
            shown.append(ShownPanel(section.name, section.template, context))
    return shown
