"""The scorecard as a document: HTML from a Jinja template, printed to PDF by WeasyPrint.

Like the mail templates (``platform.mailing.prepare``) this renders, but decides nothing: the
services choose what to render and keep it. The PDF is A4 with print CSS, a running header
(organisation, rep, team, period) and footer (page numbers, generation time), charts as inline
SVG, the DejaVu fonts shipped in ``static/fonts`` (so it looks the same on every machine), and
it is tagged PDF/UA-1 with the document's language and title in its metadata.
"""

from __future__ import annotations

import datetime
import threading
import warnings
from pathlib import Path
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

with warnings.catch_warnings():
    # WeasyPrint 70 warns at import when the system lacks libharfbuzz-subset (it then embeds
    # whole fonts instead of subsets: bigger files, the same pages).
    warnings.filterwarnings("ignore", "HarfBuzz-Subset", DeprecationWarning)
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

from coachflow.lib.charts.bars import Bar, attainment_bars
from coachflow.lib.charts.pairs import Pair, paired_bars
from coachflow.lib.charts.trend import TrendPoint, trend_line
from coachflow.lib.periods import Period, PeriodKind
from coachflow.lib.scoring.index import formula
from coachflow.platform.formatting import nps_number
from coachflow.scorecards.queries import RepFigures, ScorecardSet, Settings

PDF_VARIANT = "pdf/ua-1"
# WeasyPrint draws inline SVG with its own renderer, which reads the styles inside the SVG only:
# the page's chart colours are repeated in each chart of the PDF.
CHART_CSS = (
    "text{font-family:'DejaVu Sans';font-size:15px;fill:#1f2933}"
    ".chart-value,.chart-target-label{fill:#52606d}"
    ".chart-axis{stroke:#9aa5b1;stroke-width:1}"
    ".chart-target{stroke:#1f2933;stroke-width:1.5;stroke-dasharray:4 3}"
    ".bar-met{fill:#2f855a}.bar-near{fill:#d69e2e}.bar-below{fill:#c05621}.bar-none{fill:none}"
    ".chart-grid{stroke:#cbd2d9;stroke-width:1}"
    ".trend-line{stroke:#1d5fbf;stroke-width:2;fill:none}"
    ".trend-interval{stroke:#7b93b8;stroke-width:2}"
    ".trend-point{fill:#1d5fbf;stroke:#fff;stroke-width:1.5}"
    ".trend-point-small{fill:#fff;stroke:#1d5fbf;stroke-width:2}"
    ".pair-first{fill:#1d5fbf}.pair-second{fill:#8a94a6}"
)

BAR_COLOURS = {"bar-met": "#2f855a", "bar-near": "#d69e2e", "bar-below": "#c05621"}


def pdf_chart(svg: Markup, font_px: int = 15) -> Markup:
    """A chart of the pages with its colours inside, for the PDF (``font_px``: its text size in
    the chart's own units; a full-width chart with long labels wants less)."""
    css = CHART_CSS.replace("font-size:15px", f"font-size:{int(font_px)}px")
    styled = str(svg).replace("<title", f"<style>{css}</style><title", 1)
    for band, colour in BAR_COLOURS.items():  # its SVG renderer matches one class per element
        styled = styled.replace(f'class="bar {band}', f'fill="{colour}" class="bar {band}')
    return Markup(styled)  # noqa: S704


def part_labels() -> dict[str, str]:
    return {
        "attainment": _("attainment"),
        "margin": _("margin attainment"),
        "repeat": _("repeat share"),
        "nps": _("NPS"),
        "csat": _("CSAT"),
        "followups": _("follow-up resolution"),
    }


def index_formula(config: Settings) -> str:
    """The index formula with the weights in force, in the reader's language."""
    return formula(config.weights, config.caps, part_labels())


def attainment_chart(rep: RepFigures | Any, cards: ScorecardSet, chart_id: str) -> Any:
    """Attainment per product line (lines with a quota or revenue) and blended."""
    names = {line.id: line.name for line in cards.lines}
    bars = [
        Bar(
            names.get(line_id, "?"),
            values.attainment,
            "—" if values.attainment is None else f"{round(100 * values.attainment)} %",
        )
        for line_id, values in sorted(rep.by_line.items(), key=lambda kv: names.get(kv[0], ""))
    ]
    blended = rep.attainment
    bars.append(
        Bar(
            _("All product lines"), blended, "—" if blended is None else f"{round(100 * blended)} %"
        )
    )
    return attainment_bars(
        bars, title=_("Quota attainment by product line"), target_label="100 %", chart_id=chart_id
    )


def competency_chart(pairs: list[Any], chart_id: str) -> Any:
    """The rep's self-assessment beside their manager's, per competency (1–5)."""
    return paired_bars(
        [Pair(p.name, p.self_rating, p.manager_rating) for p in pairs],
        title=_("Self versus manager assessment"),
        first_label=_("Self-assessment"),
        second_label=_("Manager assessment"),
        chart_id=chart_id,
    )


def period_label(period: Period) -> str:
    """``Q3 2026``, ``07/2026`` or ``2026``: short, for chart axes and PDF headers."""
    if period.kind is PeriodKind.QUARTER:
        return _(
            "Q%(quarter)d %(year)d",
            quarter=(period.start.month - 1) // 3 + 1,
            year=period.start.year,
        )
    if period.kind is PeriodKind.MONTH:
        return f"{period.start.month:02d}/{period.start.year}"
    return str(period.start.year)


def nps_trend_chart(trend: list[tuple[Period, Any]], chart_id: str, period_label: Any) -> Any:
    """NPS over the last periods, with each one's interval."""
    points = [
        TrendPoint(
            period_label(period),
            estimate.value,
            estimate.low,
            estimate.high,
            f"{period_label(period)}: NPS {nps_number(estimate.value)} (n = {estimate.n})",
            small=estimate.small,
        )
        for period, estimate in trend
    ]
    return trend_line(
        points,
        title=_("NPS over the last four periods"),
        chart_id=chart_id,
        lowest=-100,
        highest=100,
        ticks=[(-100, "−100"), (-50, "−50"), (0, "0"), (50, "+50"), (100, "+100")],
    )


def render_html(context: dict[str, Any]) -> str:
    return render_template("scorecards/pdf.html", **context)


def init_filters(app: Any) -> None:
    app.jinja_env.filters["pdf_chart"] = pdf_chart


def render_pdf(context: dict[str, Any], *, language: str | None = None) -> bytes:
    """The scorecard PDF of ``context`` (see ``templates/scorecards/pdf.html``)."""
    with force_locale(language or str(get_locale() or "en")):
        html = render_html(
            {**context, "generated_at": datetime.datetime.now(datetime.UTC), "lang": language}
        )
    static = Path(current_app.static_folder or "static")
    return HTML(string=html, base_url=str(static) + "/").write_pdf(
        font_config=_fonts(), pdf_variant=PDF_VARIANT
    )


_LOCAL = threading.local()


def _fonts() -> FontConfiguration:
    """One font configuration per thread: the @font-face files are read once, not per PDF
    (a worker renders many; WeasyPrint's configuration is not shared between threads)."""
    if not hasattr(_LOCAL, "fonts"):
        _LOCAL.fonts = FontConfiguration()
    return _LOCAL.fonts
