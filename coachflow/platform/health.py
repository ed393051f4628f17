"""Health checks for load balancers and monitors; they need no sign-in."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from coachflow.platform.extensions import db
from coachflow.platform.permissions import PUBLIC, requires

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@requires(PUBLIC)
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.route("/ping")
@requires(PUBLIC)
def ping():
    """Liveness without touching the database; also the bare ceiling of the answer benchmark."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
