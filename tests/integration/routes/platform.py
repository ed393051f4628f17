"""Who may open each platform route, by role (outcome letters in routes/__init__.py)."""

from __future__ import annotations

from tests.integration.routes import PUBLIC

ROWS: dict[str, tuple[str, dict[str, str]]] = {
    # endpoint: (outcomes, URL arguments by name of an Org attribute or a literal)
    "static": (PUBLIC, {"filename": "css/app.css"}),
    "health.healthz": (PUBLIC, {}),
    "health.ping": (PUBLIC, {}),
    "api.openapi": (PUBLIC, {}),
}
