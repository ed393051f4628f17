"""Scorecards on screen, as PDF, frozen, in bulk and through the API, on the hand-made quarter
of tests/scorecards_data.py."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from coachflow.platform.extensions import db
from coachflow.sales.models import Deal, DealStage
from coachflow.scorecards.models import Download, DownloadKind, ExportStatus, Snapshot
from tests.helpers import csrf_token
from tests.integration.test_api_support import ApiClient, issue_token
from tests.scorecards_data import Q3, build_quarter


@pytest.fixture
def quarter(app, org):
    build_quarter(app, org)
    return Q3


def post(client, path: str, form_path: str, data: dict):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, form_path)})


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_hr_downloads_a_pdf_with_revenue_nps_and_formula(app, org, as_role, quarter):
    response = as_role("hr").get(f"/scorecards/rep/{org.rep}/{Q3}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "150,000" in text  # the rep's revenue
    assert "+17" in text  # NPS …
    assert "n = 6" in text  # … with its n
    assert "index = 100 × (0.30·min(attainment, 1.2)/1.2" in text
    reader = PdfReader(io.BytesIO(response.data))
    assert "Scorecard of" in (reader.metadata.title or "")
    assert reader.trailer["/Root"].get("/Lang") == "en"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged
    with app.app_context():
        logged = db.session.scalars(select(Download)).all()
        assert [(d.user_id, d.kind, d.rep_id, d.period_label) for d in logged] == [
            (org.hr, DownloadKind.SINGLE, org.rep, Q3)
        ]


def test_a_rep_asking_for_a_colleagues_pdf_gets_404(org, as_role, quarter):
    rep = as_role("rep")
    assert rep.get(f"/scorecards/rep/{org.other_rep}/{Q3}.pdf").status_code == 404
    assert rep.get(f"/scorecards/rep/{org.other_rep}?period={Q3}").status_code == 404
    assert rep.get(f"/scorecards/team/{org.other_team}?period={Q3}").status_code == 404
    assert rep.get(f"/scorecards/rep/{org.rep}/{Q3}.pdf").status_code == 200
    manager = as_role("manager")
    assert manager.get(f"/scorecards/rep/{org.other_rep}?period={Q3}").status_code == 404
    assert manager.get(f"/scorecards/team/{org.team}?period={Q3}").status_code == 200


def test_the_page_shows_figures_linked_to_their_rows(org, as_role, quarter):
    page = as_role("manager").get(f"/scorecards/rep/{org.rep}?period={Q3}").get_data(as_text=True)
    assert "€150,000" in page
    assert f'href="/sales/reps/{org.rep}?period={Q3}"' in page
    assert f"/surveys/results?rep={org.rep}&amp;from=2026-07-01&amp;to=2026-09-30" in page
    assert "few answers" in page
    assert "<svg" in page


def test_a_bad_period_is_400_naming_it(org, as_role, quarter):
    response = as_role("hr").get("/scorecards/?period=2026-Q9")
    assert response.status_code == 400
    assert "2026-Q9" in response.get_data(as_text=True)
    assert as_role("hr").get(f"/scorecards/rep/{org.rep}/soon.pdf").status_code == 400


def test_an_empty_period_says_so(org, as_role, quarter):
    page = as_role("hr").get(f"/scorecards/rep/{org.rep}?period=2020-Q1")
    assert page.status_code == 200
    assert "Nothing happened in this period" in page.get_data(as_text=True)


def test_api_revenue_equals_the_won_deals(app, client, org, quarter):
    api = ApiClient(client, issue_token(app, org.hr))
    body = api.get(f"/scorecards?period={Q3}").get_json()
    with app.app_context():
        for item in body["reps"]:
            won = db.session.scalar(
                select(func.coalesce(func.sum(Deal.amount_minor), 0)).where(
                    Deal.rep_id == item["rep_id"],
                    Deal.stage == DealStage.WON,
                    Deal.closed_on >= datetime.date(2026, 7, 1),
                    Deal.closed_on < datetime.date(2026, 10, 1),
                )
            )
            assert item["revenue"] == won
    rep = next(item for item in body["reps"] if item["rep_id"] == org.rep)
    assert rep["nps"]["n"] == 6
    assert rep["csat"]["n"] == 0
    assert "index = 100" in body["formula"]
    # A rep's token sees only themselves; another team is 404; a bad period 400.
    mine = ApiClient(client, issue_token(app, org.rep))
    assert [r["rep_id"] for r in mine.get(f"/scorecards?period={Q3}").get_json()["reps"]] == [
        org.rep
    ]
    assert mine.get(f"/scorecards?period={Q3}&team=South").status_code == 404
    assert mine.get(f"/scorecards/{org.other_rep}/{Q3}.pdf").status_code == 404
    assert mine.get("/scorecards?period=someday").status_code == 400
    pdf = mine.get(f"/scorecards/{org.rep}/{Q3}.pdf")
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF")


def test_a_closed_period_keeps_its_pdf_and_a_reopened_one_says_so(app, org, as_role, quarter):
    hr = as_role("hr")
    before = hr.get(f"/scorecards/rep/{org.rep}/{Q3}.pdf").data
    assert (
        post(hr, "/scorecards/periods/close", "/scorecards/periods", {"period": Q3}).status_code
        == 302
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Snapshot)) == 2
        # A later import: a big deal in the closed quarter.
        deal = db.session.scalar(select(Deal).where(Deal.external_id == "D3"))
        deal.stage = DealStage.WON
        db.session.commit()
    frozen = hr.get(f"/scorecards/rep/{org.rep}/{Q3}.pdf").data
    assert "150,000" in pdf_text(frozen)
    assert "170,000" not in pdf_text(frozen)
    assert hr.get(f"/scorecards/rep/{org.rep}/{Q3}.pdf").data == frozen  # the very same file
    assert "150,000" in pdf_text(before)
    assert "is closed" in hr.get(f"/scorecards/rep/{org.rep}?period={Q3}").get_data(as_text=True)
    assert (
        post(hr, "/scorecards/periods/reopen", "/scorecards/periods", {"period": Q3}).status_code
        == 302
    )
    page = hr.get(f"/scorecards/rep/{org.rep}?period={Q3}").get_data(as_text=True)
    assert "has been re-opened" in page
    reopened = pdf_text(hr.get(f"/scorecards/rep/{org.rep}/{Q3}.pdf").data)
    assert "re-opened" in reopened
    assert "170,000" in reopened


def test_bulk_zip_with_csv_progress_and_email(app, org, as_role, quarter, mailbox):
    hr = as_role("hr")
    response = post(hr, "/scorecards/exports", "/scorecards/exports", {"period": Q3})
    assert response.status_code == 302
    export_id = int(re.search(r"/exports/(\d+)", response.headers["Location"]).group(1))
    progress = hr.get(f"/scorecards/exports/{export_id}/progress").get_json()
    assert progress["busy"] is False  # jobs run inline in the tests
    mail = mailbox.to("hr@example.com")
    assert len(mail) == 1
    assert f"/scorecards/exports/{export_id}" in mail[0].get_body(("plain",)).get_content()
    download = hr.get(f"/scorecards/exports/{export_id}.zip")
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    names = sorted(archive.namelist())
    assert len([n for n in names if n.endswith(".pdf")]) == 2
    rows = list(csv.DictReader(io.StringIO(archive.read("figures.csv").decode())))
    assert {row["revenue"] for row in rows} == {"150000.00", "80000.00"}
    with app.app_context():
        kinds = [d.kind for d in db.session.scalars(select(Download))]
        assert kinds == [DownloadKind.BULK]
        from coachflow.scorecards.models import BulkExport

        assert db.session.get(BulkExport, export_id).status is ExportStatus.READY
    log = hr.get("/scorecards/downloads").get_data(as_text=True)
    assert "ZIP of scorecards" in log


def test_admin_settings_with_weights_not_adding_up(app, org, as_role, quarter):
    admin = as_role("admin")
    data = {
        "weight_attainment": 1,
        "weight_margin": 1,
        "weight_repeat": 1,
        "weight_nps": 1,
        "weight_csat": 1,
        "weight_followups": 1,
        "attainment_cap": 1.2,
        "margin_cap": 1.2,
        "few_answers": 5,
        "estimates_multiple": 3,
    }
    assert post(admin, "/scorecards/settings", "/scorecards/settings", data).status_code == 302
    page = as_role("hr").get(f"/scorecards/rep/{org.rep}?period={Q3}").get_data(as_text=True)
    assert "were normalised" in page
    assert "0.17·min(attainment" in page
    assert as_role("hr").get("/scorecards/settings").status_code == 403
