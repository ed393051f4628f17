"""The demo organisation is seeded domain by domain: each adds its step at start-up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

# A step takes the demo organisation (people and teams) and the seed, adds its records to the
# session, and returns a line that says what it made.
DemoStep = Callable[[Any, int], str]


def add_demo(app: Flask, step: DemoStep) -> None:
    """Add a domain's part of ``flask seed-demo``; steps run in the order domains register."""
    app.extensions.setdefault("coachflow.demo", []).append(step)


def demo_steps() -> list[DemoStep]:
    """The steps the domains of the current app added."""
    return list(current_app.extensions.get("coachflow.demo", []))
