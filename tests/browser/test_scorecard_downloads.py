"""HR closes a quarter and downloads a single scorecard PDF and a bulk ZIP of it, in a real
browser (the hand-made quarter of tests/scorecards_data.py)."""

from __future__ import annotations

import io
import zipfile

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser.test_survey_journey import sign_in
from tests.scorecards_data import build_quarter

pytestmark = pytest.mark.browser


@pytest.fixture
def quarter(app, org) -> None:
    build_quarter(app, org)


def download(page: Page, name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=name).click()
    path = info.value.path()
    return path.read_bytes()


def test_hr_downloads_a_pdf_and_a_zip_of_a_closed_quarter(browser, page, live_server, org, quarter):
    sign_in(page, "hr@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Scorecards").click()
    page.get_by_label("Period").select_option("2026-Q3")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=1, name="Scorecards")).to_be_visible()

    # Close the quarter.
    page.get_by_role("link", name="Close or re-open periods").click()
    page.get_by_label("Period to close").select_option("2026-Q3")
    page.get_by_role("button", name="Close the period").click()
    expect(page.get_by_role("status").filter(has_text="The period is closed")).to_be_visible()

    # One rep's scorecard, as PDF.
    page.get_by_role("link", name="Q3 2026").click()
    expect(page.get_by_role("status").filter(has_text="This period is closed")).to_be_visible()
    rep_name = page.get_by_role("region", name="Reps").locator("tbody th").first.inner_text()
    page.get_by_role("link", name=rep_name).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(rep_name)
    pdf = download(page, "Download PDF")
    text = " ".join(page_.extract_text() for page_ in PdfReader(io.BytesIO(pdf)).pages)
    assert rep_name in text
    assert "index = 100" in " ".join(text.split())

    # Every scorecard of the quarter, as ZIP.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Scorecards").click()
    page.get_by_role("link", name="Download in bulk").click()
    page.get_by_label("Period").fill("2026-Q3")
    page.get_by_role("button", name="Prepare the ZIP").click()
    expect(page.get_by_role("link", name="Download the ZIP")).to_be_visible(timeout=30_000)
    archive = zipfile.ZipFile(io.BytesIO(download(page, "Download the ZIP")))
    names = archive.namelist()
    assert "figures.csv" in names
    assert len([n for n in names if n.endswith(".pdf")]) == 2

    # Both downloads are in the log.
    page.goto("/scorecards/downloads")
    expect(page.get_by_role("cell", name="ZIP of scorecards")).to_be_visible()
    expect(page.get_by_role("cell", name=f"Scorecard of {rep_name}")).to_be_visible()
