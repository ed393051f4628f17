"""Who may open each sales route, by role (outcome letters in routes/__init__.py)."""

from __future__ import annotations

from tests.integration.routes import ADMIN_ONLY, BEARER_ONLY, SIGNED_IN

ROWS: dict[str, tuple[str, dict[str, str]]] = {
    # The REST API: bearer tokens only; test_api_*.py check what each token may do.
    "api.list_accounts": (BEARER_ONLY, {}),
    "api.get_account": (BEARER_ONLY, {"external_id": "A1"}),
    "api.put_account": (BEARER_ONLY, {"external_id": "A1"}),
    "api.batch_accounts": (BEARER_ONLY, {}),
    "api.list_contacts": (BEARER_ONLY, {}),
    "api.get_contact": (BEARER_ONLY, {"external_id": "C1"}),
    "api.put_contact": (BEARER_ONLY, {"external_id": "C1"}),
    "api.batch_contacts": (BEARER_ONLY, {}),
    "api.list_deals": (BEARER_ONLY, {}),
    "api.get_deal": (BEARER_ONLY, {"external_id": "D1"}),
    "api.put_deal": (BEARER_ONLY, {"external_id": "D1"}),
    "api.batch_deals": (BEARER_ONLY, {}),
    "api.list_quotas": (BEARER_ONLY, {}),
    "api.create_quota": (BEARER_ONLY, {}),
    "api.get_quota": (BEARER_ONLY, {"quota_id": "1"}),
    "api.put_quota": (BEARER_ONLY, {"quota_id": "1"}),
    "api.batch_quotas": (BEARER_ONLY, {}),
    "sales_imports.index": (ADMIN_ONLY, {}),
    # Sales: everyone signed in has a sales page (a rep is sent on to their own); a rep's page
    # and their account's page are for them, their manager, HR and admin.
    "sales.overview": (SIGNED_IN, {}),
    "sales.rep": ("LANANAA", {"rep_id": "rep"}),
    "sales.account": ("LANANAA", {"account_id": "@rep_account"}),
    "sales_imports.new": (ADMIN_ONLY, {}),
    "sales_imports.columns": (ADMIN_ONLY, {"run_id": "@import_run"}),
    "sales_imports.show": (ADMIN_ONLY, {"run_id": "@import_run"}),
    "sales_imports.start": (ADMIN_ONLY, {"run_id": "@import_run"}),
    "sales_imports.progress_json": (ADMIN_ONLY, {"run_id": "@import_run"}),
    "sales_imports.delete": (ADMIN_ONLY, {"run_id": "@import_run"}),
}
