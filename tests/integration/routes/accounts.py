"""Who may open each accounts route, by role (outcome letters in routes/__init__.py)."""

from __future__ import annotations

from tests.integration.routes import ADMIN_ONLY, PUBLIC, SIGNED_IN

ROWS: dict[str, tuple[str, dict[str, str]]] = {
    "auth.login": (PUBLIC, {}),
    "auth.logout": (PUBLIC, {}),
    "auth.forgot_password": (PUBLIC, {}),
    "auth.reset_link": (PUBLIC, {"token": "@reset_token"}),
    "auth.reset_password": (PUBLIC, {}),
    "accounts.account": (SIGNED_IN, {}),
    "accounts.teams": (SIGNED_IN, {}),
    # team "North": its manager and rep, HR and admin see it; the other team's people do not.
    "accounts.team": ("LANANAA", {"team_id": "team"}),
    "accounts.new_team": (ADMIN_ONLY, {}),
    "accounts.edit_team": (ADMIN_ONLY, {"team_id": "team"}),
    "accounts.users": (ADMIN_ONLY, {}),
    "accounts.new_user": (ADMIN_ONLY, {}),
    "accounts.edit_user": (ADMIN_ONLY, {"user_id": "other_rep"}),
    "accounts.deactivate_user": (ADMIN_ONLY, {"user_id": "other_rep"}),
    "accounts.reactivate_user": (ADMIN_ONLY, {"user_id": "other_rep"}),
    "accounts.send_password_link": (ADMIN_ONLY, {"user_id": "other_rep"}),
    "accounts.product_lines": (ADMIN_ONLY, {}),
    "accounts.edit_product_line": (ADMIN_ONLY, {"line_id": "product_line"}),
    "accounts.audit_log": (ADMIN_ONLY, {}),
    "accounts.settings": (ADMIN_ONLY, {}),
    # The organisation's logo: survey pages and mails show it to anyone.
    "branding.logo": (PUBLIC, {"filename": "@logo"}),
    "api_tokens.index": (ADMIN_ONLY, {}),
    "api_tokens.revoke": (ADMIN_ONLY, {"token_id": "@api_token"}),
}
