"""The main navigation: domains add their entries at start-up; each entry shows only for
those the permission layer lets in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from flask import Flask, current_app, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from coachflow.platform.formatting import date_and_time
from coachflow.platform.permissions import Action, action_named, allowed


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class NavEntry:
    """One entry of the main navigation.

    ``order`` places it among the other domains' entries; ``sections`` are the endpoints whose
    pages belong to it; ``link(user)`` may replace the label and URL per person, or hide the
    entry by returning None.
    """

    order: int
    endpoint: str
    label: Any
    action: Action
    sections: tuple[str, ...] = ()
    link: Callable[[Any], tuple[str, str] | None] | None = None


def add_navigation(app: Flask, *entries: NavEntry) -> None:
    """Add a domain's entries to the navigation of ``app``."""
    known = app.extensions.setdefault("coachflow.navigation", [])
    known.extend(entries)
    known.sort(key=lambda entry: entry.order)


def add_sections(app: Flask, endpoint: str, *sections: str) -> None:
    """Count the pages of ``sections`` (a later domain's endpoints) under the entry of
    ``endpoint``, so the entry is marked current on them."""
    known: list[NavEntry] = app.extensions.get("coachflow.navigation", [])
    for index, entry in enumerate(known):
        if entry.endpoint == endpoint:
            known[index] = replace(entry, sections=(*entry.sections, *sections))


def navigation() -> list[NavItem]:
    """The entries the signed-in user may open, in order."""
    entries: list[NavEntry] = current_app.extensions.get("coachflow.navigation", [])
    endpoint = request.endpoint or ""
    current = next((e.endpoint for e in entries if endpoint in e.sections), endpoint)
    items = []
    for entry in entries:
        if not allowed(current_user, entry.action):
            continue
        is_current = current == entry.endpoint
        if entry.link is not None:
            link = entry.link(current_user)
            if link is not None:
                items.append(NavItem(link[0], link[1], is_current))
            continue
        items.append(NavItem(str(entry.label), url_for(entry.endpoint), is_current))
    return items


@dataclass(frozen=True)
class PersonLink:
    """A page about one person that a later domain offers wherever people are listed (the
    team page): ``url(person)`` gives its address, ``visible(viewer, person)`` who sees it."""

    order: int
    label: Any
    url: Callable[[Any], str]
    visible: Callable[[Any, Any], bool]


def add_person_link(app: Flask, *links: PersonLink) -> None:
    """Offer ``links`` beside each person on the pages that list people."""
    known = app.extensions.setdefault("coachflow.person_links", [])
    known.extend(links)
    known.sort(key=lambda link: link.order)


def person_links(person: Any) -> list[NavItem]:
    """The pages about ``person`` that the signed-in user may open, in order."""
    links: list[PersonLink] = current_app.extensions.get("coachflow.person_links", [])
    return [
        NavItem(str(link.label), link.url(person), False)
        for link in links
        if link.visible(current_user, person)
    ]


def init_templates(app: Flask) -> None:
    """Make the navigation, the permission check and the locale available to every template."""
    app.jinja_env.globals.update(
        navigation=navigation,
        person_links=person_links,
        can=lambda name, target=None: allowed(current_user, action_named(name), target),
        format_datetime=date_and_time,
        current_locale=lambda: str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
    )
