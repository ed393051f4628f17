"""Who may open each scorecards route, by role (outcome letters in routes/__init__.py)."""

from __future__ import annotations

import datetime

from tests.integration.routes import ADMIN_ONLY, BEARER_ONLY, SIGNED_IN

HR_ONLY = "LDDDDAA"  # closing periods, bulk exports, the download log: HR and admin
ONE_REP = "LANANAA"  # a rep's scorecard: the rep, their manager, HR and admin
ONE_TEAM = "LNNANAA"  # a team's scorecard: its manager, HR and admin


def _export(app, org, resolved) -> int:
    from coachflow.lib.periods import PeriodKind
    from coachflow.platform.extensions import db
    from coachflow.scorecards.models import BulkExport, ExportStatus

    with app.app_context():
        export = BulkExport(
            requested_by_id=org.hr,
            period_kind=PeriodKind.QUARTER,
            period_start=datetime.date(2026, 7, 1),
            team_ids=[],
            status=ExportStatus.READY,
            total=0,
        )
        db.session.add(export)
        db.session.commit()
        return export.id


FIXTURES = {"@scorecard_export": _export}

ROWS: dict[str, tuple[str, dict[str, str]]] = {
    # Everyone signed in has a scorecard list; a rep is sent on to their own scorecard.
    "scorecards.index": (SIGNED_IN, {}),
    "scorecards.rep": (ONE_REP, {"rep_id": "rep"}),
    "scorecards.pdf": (ONE_REP, {"rep_id": "rep", "period": "2026-Q3"}),
    "scorecards.team": (ONE_TEAM, {"team_id": "team"}),
    "scorecard_admin.periods": (HR_ONLY, {}),
    "scorecard_admin.close": (HR_ONLY, {}),
    "scorecard_admin.reopen": (HR_ONLY, {}),
    "scorecard_admin.exports": (HR_ONLY, {}),
    "scorecard_admin.export": (HR_ONLY, {"export_id": "@scorecard_export"}),
    "scorecard_admin.export_progress": (HR_ONLY, {"export_id": "@scorecard_export"}),
    "scorecard_admin.export_zip": (HR_ONLY, {"export_id": "@scorecard_export"}),
    "scorecard_admin.downloads": (HR_ONLY, {}),
    "scorecard_admin.settings": (ADMIN_ONLY, {}),
    "api.list_scorecards": (BEARER_ONLY, {}),
    "api.scorecard_pdf": (BEARER_ONLY, {"rep_id": "rep", "period": "2026-Q3"}),
}
