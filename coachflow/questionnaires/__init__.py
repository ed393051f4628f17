"""Questionnaires: surveys' versions and questions, the builder, ready templates, the respondent's
page and the checks of its answers; customer surveys, pulse and coaching assessments use them.

Nothing here assumes how answers are collected (a customer's invitation link, an anonymous pulse
response): the domains that store answers report their counts through
``queries.register_answer_counter``.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

# The builder's pages; the domains that send questionnaires add theirs (``add_sections``).
SURVEY_SECTIONS = (
    "surveys.new",
    "surveys.edit",
    "surveys.edit_question",
    "surveys.preview",
    "surveys.add_question",
    "surveys.texts",
    "surveys.settings",
)


def register(app: Flask) -> None:
    """Add the questionnaires domain to ``app``: the survey builder's pages and its navigation."""
    from coachflow.platform.navigation import NavEntry, add_navigation
    from coachflow.questionnaires import policy, views

    app.register_blueprint(views.bp)
    add_navigation(
        app, NavEntry(40, "surveys.index", _l("Surveys"), policy.MANAGE_SURVEYS, SURVEY_SECTIONS)
    )
