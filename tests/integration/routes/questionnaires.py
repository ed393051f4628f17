"""Who may open each questionnaires route, by role (outcome letters in routes/__init__.py)."""

from __future__ import annotations

from tests.integration.routes import SURVEY_BUILDERS, SURVEY_OWNER

ROWS: dict[str, tuple[str, dict[str, str]]] = {
    # Survey builder: a manager their own surveys (the org's manager owns "@survey"), HR/admin all.
    "surveys.index": (SURVEY_BUILDERS, {}),
    "surveys.new": (SURVEY_BUILDERS, {}),
    "surveys.edit": (SURVEY_OWNER, {"survey_id": "@survey"}),
    "surveys.add_question": (SURVEY_OWNER, {"survey_id": "@survey"}),
    "surveys.edit_question": (
        SURVEY_OWNER,
        {"survey_id": "@survey", "question_id": "@survey_question"},
    ),
    "surveys.delete_question": (
        SURVEY_OWNER,
        {"survey_id": "@survey", "question_id": "@survey_question"},
    ),
    "surveys.move_question": (
        SURVEY_OWNER,
        {"survey_id": "@survey", "question_id": "@survey_question"},
    ),
    "surveys.texts": (SURVEY_OWNER, {"survey_id": "@survey"}),
    "surveys.settings": (SURVEY_OWNER, {"survey_id": "@survey"}),
    "surveys.activate": (SURVEY_OWNER, {"survey_id": "@survey"}),
    "surveys.close": (SURVEY_OWNER, {"survey_id": "@survey"}),
    "surveys.preview": (SURVEY_OWNER, {"survey_id": "@survey"}),
}
