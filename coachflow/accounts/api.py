"""The API's callers: a request's bearer token becomes an ``ApiCaller`` acting as its user."""

from __future__ import annotations

from typing import Any

from coachflow.accounts.tokens import load_caller
from coachflow.platform.api import bp
from coachflow.platform.permissions import bearer_loader


@bp.record_once
def _install_bearer_loader(state: Any) -> None:
    bearer_loader(state.app, load_caller)
