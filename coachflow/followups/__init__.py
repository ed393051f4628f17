"""Follow-ups (closing the loop): unhappy customers' answers become cases with a root cause;
won deals trigger CSAT surveys."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the follow-ups domain to ``app``."""
    from coachflow.followups import models  # noqa: F401
