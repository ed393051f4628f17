"""The follow-up pages: cases and their work, figures, and the admin's lists (rules, root
causes, deal triggers). One blueprint, ``followups``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("followups", __name__, url_prefix="/followups")

from coachflow.followups.views import admin, cases, figures  # noqa: E402, F401 (routes on bp)
