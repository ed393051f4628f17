"""Who may open each surveys route, by role (outcome letters in routes/__init__.py)."""

from __future__ import annotations

from tests.integration.routes import (
    ADMIN_ONLY,
    APPROVERS,
    BEARER_ONLY,
    PUBLIC,
    SIGNED_IN,
    SURVEY_OWNER,
)

ROWS: dict[str, tuple[str, dict[str, str]]] = {
    # Survey links: the token is the credential, so whoever holds one may answer (no sign-in).
    "public.answer": (PUBLIC, {"token": "@survey_token"}),
    "public.thanks": (PUBLIC, {"token": "@survey_token"}),
    "public.unsubscribe": (PUBLIC, {"token": "@survey_token"}),
    # Sending a survey: the same people as its builder (an empty confirm or resend redirects).
    "survey_sending.send": (SURVEY_OWNER, {"survey_id": "@survey"}),
    "survey_sending.confirm": (SURVEY_OWNER, {"survey_id": "@survey"}),
    "survey_sending.invitations": (SURVEY_OWNER, {"survey_id": "@survey"}),
    "survey_sending.invitations_progress": (SURVEY_OWNER, {"survey_id": "@survey"}),
    "survey_sending.resend": (SURVEY_OWNER, {"survey_id": "@survey"}),
    # A manager's send to pasted addresses, held for approval: HR and admin decide.
    "survey_sending.approvals": (APPROVERS, {}),
    "survey_sending.approve": (APPROVERS, {"send_id": "@adhoc_send"}),
    "survey_sending.reject": (APPROVERS, {"send_id": "@adhoc_send"}),
    # Survey results: everyone signed in; the figures inside are scoped to visible_sellers(user).
    "survey_results.overview": (SIGNED_IN, {}),
    "survey_results.survey": (SIGNED_IN, {"survey_id": "@results_survey"}),
    "survey_results.export": (SIGNED_IN, {"survey_id": "@results_survey"}),
    "contact_privacy.index": (ADMIN_ONLY, {}),
    "contact_privacy.export": (ADMIN_ONLY, {}),
    "contact_privacy.erase": (ADMIN_ONLY, {}),
    "contact_privacy.suppressions": (ADMIN_ONLY, {}),
    "api.list_surveys": (BEARER_ONLY, {}),
    "api.create_invitations": (BEARER_ONLY, {"survey_id": "@survey"}),
}
