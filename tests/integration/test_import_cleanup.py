"""Imports that are over can be deleted with their stored file; forgotten uploads go by
themselves after a week."""

from __future__ import annotations

import datetime
import io

from sqlalchemy import func, select

from coachflow.platform.audit import AuditEvent
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.sales import services
from coachflow.sales.models import ImportFileChunk, ImportKind, ImportRun, ImportStatus
from tests.helpers import csrf_token

CSV = b"external_id,name\nA1,Acme\n"


def stored_upload(app, status: ImportStatus = ImportStatus.UPLOADED, age_days: int = 0) -> int:
    with app.app_context():
        run = services.start_upload(ImportKind.ACCOUNTS, "accounts.csv", io.BytesIO(CSV), by=None)
        run.status = status
        run.created_at = utcnow() - datetime.timedelta(days=age_days)
        db.session.commit()
        return run.id


def kept(app, run_id: int) -> tuple[bool, int]:
    """Whether the run is still there, and how many stored chunks its file has."""
    with app.app_context():
        chunks = db.session.scalar(
            select(func.count())
            .where(ImportFileChunk.run_id == run_id)
            .select_from(ImportFileChunk)
        )
        return db.session.get(ImportRun, run_id) is not None, chunks


def delete(client, run_id: int):
    path = f"/sales/imports/{run_id}"
    return client.post(
        f"{path}/delete", data={"csrf_token": csrf_token(client, path)}, follow_redirects=True
    )


def test_a_rejected_import_is_deleted_with_its_stored_file_after_confirming(app, as_role):
    run_id = stored_upload(app, ImportStatus.REJECTED)
    admin = as_role("admin")
    page = admin.get(f"/sales/imports/{run_id}").get_data(as_text=True)
    assert "Delete import" in page
    assert "data-confirm=" in page  # the browser asks before the form is sent
    response = delete(admin, run_id)
    assert "The import and its file were deleted." in response.get_data(as_text=True)
    assert kept(app, run_id) == (False, 0)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import.deleted"))
        assert event.subject == "accounts.csv"
        assert event.details == "kind=accounts status=rejected"


def test_an_import_being_read_cannot_be_deleted(app, as_role):
    run_id = stored_upload(app, ImportStatus.CHECKING)
    admin = as_role("admin")
    assert "Delete import" not in admin.get(f"/sales/imports/{run_id}").get_data(as_text=True)
    response = delete(admin, run_id)
    assert "This file is being read." in response.get_data(as_text=True)
    assert kept(app, run_id) == (True, 1)


def test_uploads_not_imported_within_seven_days_are_purged_by_the_periodic_task(app):
    stale = stored_upload(app, ImportStatus.MAPPED, age_days=8)
    stale_rejected = stored_upload(app, ImportStatus.REJECTED, age_days=8)
    fresh = stored_upload(app, ImportStatus.UPLOADED, age_days=2)
    imported = stored_upload(app, ImportStatus.DONE, age_days=30)
    with app.app_context():
        app.extensions["celery"].tasks["coachflow.purge_uploads"].apply()
    assert kept(app, stale) == (False, 0)
    assert kept(app, stale_rejected) == (False, 0)
    assert kept(app, fresh) == (True, 1)
    assert kept(app, imported)[0] is True
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import.purged"))
        assert event.details == "deleted=2"


def test_with_a_broker_celery_beat_purges_uploads_every_hour(database_url):
    from tests.conftest import make_app

    celery = make_app(database_url, REDIS_URL="redis://127.0.0.1:6379/15").extensions["celery"]
    schedule = celery.conf.beat_schedule["coachflow.purge_uploads"]
    assert schedule == {"task": "coachflow.purge_uploads", "schedule": 3600.0}
