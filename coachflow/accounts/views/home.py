"""The home page, per role."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from coachflow.accounts import queries
from coachflow.platform.home import home_panels
from coachflow.platform.permissions import SIGNED_IN, requires

bp = Blueprint("home", __name__)


@bp.route("/")
@requires(SIGNED_IN)
def index():
    return render_template(
        "core/home.html",
        overview=queries.home_overview(current_user),
        panels=home_panels(current_user),
    )
