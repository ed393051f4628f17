"""Quality-of-revenue scorecards: figures per rep, team and company for a period, the index,
pages and PDFs, closed periods frozen as snapshots, bulk ZIPs, CLI and API."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the scorecards domain to ``app``."""
    from coachflow.scorecards import models  # noqa: F401
