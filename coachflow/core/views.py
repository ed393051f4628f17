"""Home page per role, and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from coachflow.accounts import queries
from coachflow.platform.extensions import db
from coachflow.platform.permissions import Action, requires

bp = Blueprint("core", __name__)


@bp.route("/")
@requires(Action.SIGNED_IN)
def home():
    return render_template("core/home.html", overview=queries.home_overview(current_user))


@bp.route("/healthz")
@requires(Action.PUBLIC)
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.route("/ping")
@requires(Action.PUBLIC)
def ping():
    """Liveness without touching the database; also the bare ceiling of the answer benchmark."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
