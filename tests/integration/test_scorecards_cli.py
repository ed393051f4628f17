"""``flask scorecards render`` writes one PDF per rep, for a team or everyone."""

from __future__ import annotations

from pypdf import PdfReader

from tests.scorecards_data import Q3, build_quarter


def test_render_writes_one_pdf_per_rep(app, org, tmp_path):
    build_quarter(app, org)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["scorecards", "render", "--period", Q3, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob("*.pdf"))
    assert len(files) == 2
    assert "2 scorecards for 2026-Q3" in result.output
    text = " ".join(PdfReader(str(files[0])).pages[0].extract_text().split())
    assert "Scorecard of" in text

    north = tmp_path / "north"
    result = runner.invoke(
        args=["scorecards", "render", "--period", Q3, "--team", "North", "--out", str(north)]
    )
    assert result.exit_code == 0, result.output
    assert len(list(north.glob("*.pdf"))) == 1


def test_render_refuses_a_bad_period_or_team(app, org, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["scorecards", "render", "--period", "Q9", "--out", str(tmp_path)])
    assert result.exit_code != 0
    assert "Q9" in result.output
    result = runner.invoke(
        args=["scorecards", "render", "--period", Q3, "--team", "Nowhere", "--out", str(tmp_path)]
    )
    assert result.exit_code != 0
    assert "Nowhere" in result.output
