"""Every action the code base writes to the audit log shows in words, whichever domain wrote it:
the accounts' catalogue and the labels the later domains register at start-up."""

from __future__ import annotations

import ast
from pathlib import Path

from flask_babel import force_locale

from coachflow.accounts import audit_catalogue
from coachflow.platform import audit
from coachflow.platform.extensions import db

SOURCE = Path(__file__).resolve().parents[2] / "coachflow"


def _written_codes() -> dict[str, str]:
    """Each literal action code passed to ``audit.record(...)`` in the source, with where."""
    found = {}
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
                and len(node.args) > 1
            ):
                continue
            code = node.args[1]
            options = [code.body, code.orelse] if isinstance(code, ast.IfExp) else [code]
            for option in options:
                if isinstance(option, ast.Constant) and isinstance(option.value, str):
                    found[option.value] = f"{path.relative_to(SOURCE.parent)}:{node.lineno}"
    return found


def test_the_scan_sees_the_new_domains():
    codes = _written_codes()
    prefixes = {code.split(".")[0] for code in codes}
    assert {"pulse", "followup", "coaching", "scorecards", "team", "user", "survey"} <= prefixes
    assert len(codes) > 60


def test_every_action_written_has_a_label_in_every_language(app):
    codes = _written_codes()
    with app.test_request_context():
        for language in ("en", "de", "fr"):
            with force_locale(language):
                raw = {
                    code: where
                    for code, where in codes.items()
                    if audit_catalogue.action_label(code) == code
                }
                assert raw == {}, f"no label in {language}"
        with force_locale("de"):
            assert audit_catalogue.action_label("pulse.started") == "Pulsbefragung gestartet"
            assert audit_catalogue.action_label("api.deals.upserted") != "api.deals.upserted"


def test_the_new_domains_details_read_in_words(app):
    with app.test_request_context():
        pulse = audit_catalogue.details("schedule=monthly")
        assert [(d.label, d.value) for d in pulse] == [("Schedule", "Every month")]
        closed = audit_catalogue.details("outcome=could_not_resolve")
        assert [(d.label, d.value) for d in closed] == [("Outcome", "Could not resolve")]
        weights = audit_catalogue.details("attainment 0.3, margin 0.2, nps 0.1")
        assert [d.label for d in weights] == ["Quota attainment", "Margin", "NPS"]
        assert [d.value for d in weights] == ["0.3", "0.2", "0.1"]
        session = audit_catalogue.details("field_visit")
        assert [(d.label, d.value) for d in session] == [("", "Field visit")]
        # What nobody registered stays as stored.
        assert audit_catalogue.action_label("nobody.did_this") == "nobody.did_this"


def test_the_audit_page_shows_a_new_domains_event_in_words(app, as_role):
    with app.app_context():
        audit.record(None, "pulse.started", "pulse 1 Team mood", "schedule=weekly")
        db.session.commit()
    page = as_role("admin").get("/admin/audit")
    assert b"Pulse started" in page.data
    assert b"pulse.started" not in page.data
    assert b"Schedule: Every week" in page.data
