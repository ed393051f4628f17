"""Dates, audit events and import fields read as words in the reader's language."""

from __future__ import annotations

import datetime
import io

import pytest

from coachflow.accounts.models import User
from coachflow.platform.audit import AuditEvent
from coachflow.platform.extensions import db
from coachflow.sales import services
from coachflow.sales.models import ImportKind

MOMENT = datetime.datetime(2027, 1, 4, 21, 45, tzinfo=datetime.UTC)


def admin_reading(app, as_role, org, language: str):
    with app.app_context():
        db.session.get(User, org.admin).language = language
        db.session.add(
            AuditEvent(
                at=MOMENT,
                actor_id=org.admin,
                action="import.uploaded",
                subject="deals.csv",
                details="kind=deals bytes=342",
            )
        )
        db.session.add(
            AuditEvent(at=MOMENT, actor_id=org.admin, action="survey.created", subject="NPS")
        )
        db.session.commit()
    return as_role("admin")


@pytest.mark.parametrize(
    ("language", "moment"),
    [("en", "1/4/2027"), ("de", "04.01.2027, 21:45"), ("fr", "04/01/2027 21:45")],
)
def test_dates_show_the_four_digit_year_in_every_language(app, as_role, org, language, moment):
    html = admin_reading(app, as_role, org, language).get("/admin/audit").get_data(as_text=True)
    assert moment in html
    assert "04.01.27" not in html
    assert "1/4/27," not in html


def test_the_audit_log_names_events_and_details_in_the_readers_language(app, as_role, org):
    html = admin_reading(app, as_role, org, "de").get("/admin/audit").get_data(as_text=True)
    assert "Datei zum Import hochgeladen" in html
    assert "Art: Deals" in html
    assert "Größe in Bytes: 342" in html
    assert "Umfrage erstellt" in html
    assert "survey.created" not in html
    assert "kind=deals" not in html
    with app.app_context():  # what is stored stays as it was written
        assert db.session.scalar(db.select(AuditEvent.details).limit(1)) == "kind=deals bytes=342"


def test_imports_show_their_kind_in_words_and_fields_by_their_labels(app, as_role, org):
    with app.app_context():
        run = services.start_upload(
            ImportKind.CONTACTS,
            "kontakte.csv",
            io.BytesIO(b"account_external_id,name,email\nA1,Anna,anna@a.example\n"),
            by=None,
        )
        db.session.get(User, org.admin).language = "de"
        db.session.commit()
        run_id = run.id
    admin = as_role("admin")
    index = admin.get("/sales/imports/").get_data(as_text=True)
    assert "<td>Kontakte</td>" in index
    columns = admin.get(f"/sales/imports/{run_id}/columns").get_data(as_text=True)
    assert "CRM-ID des Kunden" in columns
    assert "<code>account_external_id</code>" not in columns
