"""Scorecard use cases: settings, closing and re-opening periods (frozen snapshots), single
PDFs, bulk exports rendered by jobs in parallel, and the download log. Each owns its
transaction and audit; none reads the request."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import undefer

from coachflow.accounts.models import Team, User
from coachflow.accounts.organisation import branding, mail_branding
from coachflow.lib.periods import Period
from coachflow.lib.scoring.index import PARTS, Caps, Weights
from coachflow.platform import audit, jobs, mailing, progress
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.platform.web import external_url
from coachflow.scorecards import documents, queries
from coachflow.scorecards.models import (
    BulkExport,
    ClosedPeriod,
    Download,
    DownloadKind,
    ExportItem,
    ExportStatus,
    PeriodState,
    ScorecardSettings,
    Snapshot,
)

FREEZE = "coachflow.scorecards.freeze"
RENDER_CHUNK = "coachflow.scorecards.render_chunk"
CHUNK = 10  # scorecards per bulk job: enough to share the figures' queries, small to spread
ZIP_BUFFER = 64 * 1024


class PeriodProblem(DomainError):
    """A period cannot be closed or re-opened as asked."""

    status_code = 409


# Settings --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingsChange:
    weights: Weights
    caps: Caps
    few_answers: int
    estimates_multiple: int


def save_settings(actor: User, change: SettingsChange) -> ScorecardSettings:
    """Store the index settings (one row) and audit the change."""
    row = db.session.get(ScorecardSettings, 1) or ScorecardSettings(id=1)
    for name, value in change.weights.as_dict().items():
        setattr(row, f"weight_{name}", value)
    row.attainment_cap = change.caps.attainment
    row.margin_cap = change.caps.margin
    row.few_answers = change.few_answers
    row.estimates_multiple = change.estimates_multiple
    db.session.add(row)
    weights = ", ".join(f"{name} {change.weights.as_dict()[name]:g}" for name in PARTS)
    audit.record(actor, "scorecards.settings", "scorecard settings", weights)
    db.session.commit()
    return row


# Rendering -------------------------------------------------------------------------------------


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "rep"


def pdf_filename(rep_name: str, period: Period) -> str:
    return f"scorecard-{slug(rep_name)}-{period.label}.pdf"


def team_of(rep_id: int) -> Any:
    """The ids of ``rep_id`` and the sellers of their team: whom their scorecard ranks among."""
    return _team_ids_of([rep_id])


def _team_ids_of(rep_ids: Sequence[int]) -> Any:
    """The sellers of the teams of ``rep_ids`` (and those reps): whom a scorecard ranks among."""
    teams = select(User.team_id).where(User.id.in_(rep_ids), User.team_id.is_not(None))
    return select(User.id).where((User.team_id.in_(teams)) | (User.id.in_(rep_ids)))


def context_for(data: queries.Bundle, rep_id: int) -> dict[str, Any]:
    """What the page and the PDF show of one rep."""
    cards = data.current
    rep = cards.reps[rep_id]
    team_size = sum(1 for other in cards.reps.values() if other.team_id == rep.team_id)
    competencies = data.competencies.get(rep_id, [])
    return {
        "cards": cards,
        "rep": rep,
        "previous": data.previous.reps.get(rep_id),
        "team_size": team_size,
        "trend": data.rep_trend(rep_id),
        "formula": documents.index_formula(cards.settings),
        "part_labels": documents.part_labels(),
        "attainment_chart": documents.attainment_chart(rep, cards, f"attainment-{rep_id}"),
        "trend_chart": documents.nps_trend_chart(
            data.rep_trend(rep_id), f"nps-trend-{rep_id}", documents.period_label
        ),
        "organisation": branding().name,
        "competencies": competencies,
        "competency_chart": documents.competency_chart(competencies, f"competencies-{rep_id}")
        if competencies
        else None,
        "state": cards.state,
    }


def render_rep(data: queries.Bundle, rep_id: int) -> bytes:
    return documents.render_pdf(context_for(data, rep_id))


def live_pdf(period: Period, rep_id: int) -> bytes | None:
    """A rep's scorecard PDF from today's figures; None when they have no scorecard."""
    data = queries.bundle(period, _team_ids_of([rep_id]))
    if rep_id not in data.current.reps:
        return None
    return render_rep(data, rep_id)


def scorecard_pdf(period: Period, rep_id: int) -> bytes | None:
    """The PDF of a closed period as it was frozen; of any other, rendered now."""
    if queries.period_state(period) == PeriodState.CLOSED.value:
        snapshot = queries.snapshot_of(period, rep_id)
        if snapshot is not None:
            return snapshot.pdf
    return live_pdf(period, rep_id)


def record_download(
    user: User,
    kind: DownloadKind,
    period: Period,
    *,
    rep_id: int | None = None,
    export_id: int | None = None,
) -> None:
    """Log who downloaded which scorecard or ZIP, now."""
    db.session.add(
        Download(
            user_id=user.id,
            kind=kind,
            period_label=period.label,
            rep_id=rep_id,
            export_id=export_id,
        )
    )
    db.session.commit()


# Closing periods -------------------------------------------------------------------------------


def close_period(actor: User, period: Period, *, today: datetime.date) -> ClosedPeriod:
    """Close ``period`` (it must have ended): its scorecards are frozen by a job."""
    if period.end > today:
        raise PeriodProblem(_l("A period can be closed only once it has ended."))
    row = queries.closed_period(period)
    if row is not None and row.state is PeriodState.CLOSED:
        raise PeriodProblem(_l("This period is closed already."))
    if row is None:
        row = ClosedPeriod(period_kind=period.kind, period_start=period.start)
        db.session.add(row)
    row.state = PeriodState.CLOSED
    row.closed_at = utcnow()
    row.closed_by_id = actor.id
    audit.record(actor, "scorecards.close", period.label)
    db.session.commit()
    jobs.start(FREEZE, row.id)
    return row


def freeze(period_id: int) -> int:
    """Snapshot every rep's figures and PDF of a closed period (replacing earlier ones)."""
    row = db.session.get(ClosedPeriod, period_id)
    if row is None or row.state is not PeriodState.CLOSED:
        return 0
    period = row.period
    data = queries.bundle(period)
    db.session.execute(delete(Snapshot).where(Snapshot.period_id == row.id))
    for rep_id, values in data.current.reps.items():
        db.session.add(
            Snapshot(
                period_id=row.id,
                rep_id=rep_id,
                team_id=values.team_id,
                figures=values.as_dict(),
                pdf=render_rep(data, rep_id),
            )
        )
    db.session.commit()
    return len(data.current.reps)


def reopen_period(actor: User, period: Period) -> ClosedPeriod:
    """Open a closed period again: figures follow the data once more, and every page says the
    period was re-opened. Its snapshots stay until it is closed again."""
    row = queries.closed_period(period)
    if row is None or row.state is not PeriodState.CLOSED:
        raise PeriodProblem(_l("Only a closed period can be re-opened."))
    row.state = PeriodState.REOPENED
    row.reopened_at = utcnow()
    audit.record(actor, "scorecards.reopen", period.label)
    db.session.commit()
    return row


# Bulk exports ----------------------------------------------------------------------------------


def start_export(actor: User, period: Period, team_ids: Sequence[int]) -> BulkExport:
    """A ZIP of the scorecards of ``team_ids`` (empty: every rep) for ``period``: one row per
    PDF, rendered by jobs of ``CHUNK`` scorecards each, so that workers share the work."""
    ids = select(User.id)
    if team_ids:
        ids = ids.where(User.team_id.in_(team_ids))
    cards = queries.period_figures(period, ids)
    export = BulkExport(
        requested_by_id=actor.id,
        period_kind=period.kind,
        period_start=period.start,
        team_ids=list(team_ids),
        status=ExportStatus.RUNNING,
        total=len(cards.reps),
    )
    db.session.add(export)
    db.session.flush()
    names: dict[str, int] = {}
    for rep in cards.reps.values():
        name = pdf_filename(rep.name, period)
        names[name] = names.get(name, 0) + 1
        if names[name] > 1:
            name = name.replace(".pdf", f"-{rep.rep_id}.pdf")
        db.session.add(ExportItem(export_id=export.id, rep_id=rep.rep_id, filename=name))
    audit.record(actor, "scorecards.export", period.label, f"{export.total} scorecards")
    db.session.commit()
    progress.report(f"scorecards:{export.id}", done=0, total=export.total)
    rep_ids = list(cards.reps)
    if not rep_ids:
        _finish(export)
    for start in range(0, len(rep_ids), CHUNK):
        jobs.start(RENDER_CHUNK, export.id, rep_ids[start : start + CHUNK])
    return export


def render_chunk(export_id: int, rep_ids: list[int]) -> None:
    """Render some of an export's scorecards; the last chunk to finish marks it ready and
    emails the one who asked."""
    export = db.session.get(BulkExport, export_id)
    if export is None or export.status is not ExportStatus.RUNNING:
        return
    period = export.period
    frozen = queries.period_state(period) == PeriodState.CLOSED.value
    snapshots = {}
    if frozen:
        snapshots = {
            snap.rep_id: snap.pdf
            for snap in db.session.scalars(
                select(Snapshot)
                .join(ClosedPeriod, ClosedPeriod.id == Snapshot.period_id)
                .where(
                    ClosedPeriod.period_kind == period.kind,
                    ClosedPeriod.period_start == period.start,
                    Snapshot.rep_id.in_(rep_ids),
                )
                .options(undefer(Snapshot.pdf))
            )
        }
    missing = [rep for rep in rep_ids if rep not in snapshots]
    data = queries.bundle(period, _team_ids_of(missing)) if missing else None
    for rep_id in rep_ids:
        if rep_id in snapshots:
            pdf = snapshots[rep_id]
        elif data is not None and rep_id in data.current.reps:
            pdf = render_rep(data, rep_id)
        else:
            continue
        item = db.session.get(ExportItem, (export_id, rep_id))
        if item is not None:
            item.pdf = pdf
        db.session.commit()  # one PDF at a time: memory stays flat, progress is visible
        _report(export)
    _report(export, finish=True)


def _done(export_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(ExportItem)
            .where(ExportItem.export_id == export_id, ExportItem.pdf.is_not(None))
        )
        or 0
    )


def _report(export: BulkExport, *, finish: bool = False) -> None:
    done = _done(export.id)
    progress.report(f"scorecards:{export.id}", done=done, total=export.total)
    if finish and done >= export.total:
        _finish(export)


def _finish(export: BulkExport) -> None:
    """Mark the export ready once (a concurrent last chunk loses the race harmlessly)."""
    updated = db.session.execute(
        update(BulkExport)
        .where(BulkExport.id == export.id, BulkExport.status == ExportStatus.RUNNING)
        .values(status=ExportStatus.READY, finished_at=utcnow())
    )
    db.session.commit()
    if updated.rowcount and export.requested_by is not None:
        person = export.requested_by
        mailing.enqueue(
            mailing.prepare(
                person.email,
                _l("Your scorecards are ready"),
                "mail/scorecards_ready",
                language=person.language or "en",
                user=person,
                count=export.total,
                period_label=export.period.label,
                link=external_url("scorecard_admin.export", export_id=export.id),
                organisation=mail_branding(),
            )
        )


def export_progress(export: BulkExport) -> dict[str, int]:
    figures = progress.read(f"scorecards:{export.id}")
    done = figures.get("done")
    if done is None:
        done = _done(export.id)
    return {"done": int(done), "total": export.total}


class _Stream(io.RawIOBase):
    """A write-only file whose bytes are handed out as they come (the ZIP never whole)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self.chunks)
        self.chunks.clear()
        return out


def export_zip(export: BulkExport) -> Iterator[bytes]:
    """The export's ZIP, streamed: each PDF is read, written and handed out one at a time,
    then ``figures.csv`` with every figure of every rep."""
    stream = _Stream()
    ids = [
        rep
        for (rep,) in db.session.execute(
            select(ExportItem.rep_id)
            .where(ExportItem.export_id == export.id, ExportItem.pdf.is_not(None))
            .order_by(ExportItem.filename)
        )
    ]
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED) as archive:
        for rep_id in ids:
            filename, pdf = db.session.execute(
                select(ExportItem.filename, ExportItem.pdf).where(
                    ExportItem.export_id == export.id, ExportItem.rep_id == rep_id
                )
            ).one()
            archive.writestr(filename, pdf)
            yield stream.take()
        cards = queries.period_figures(export.period, ids)
        archive.writestr("figures.csv", figures_csv(cards))
    yield stream.take()


CSV_COLUMNS = (
    "rep_id",
    "rep",
    "team",
    "period",
    "revenue",
    "quota",
    "attainment",
    "margin_pct",
    "repeat_share",
    "estimates_given",
    "estimates_target",
    "nps",
    "nps_n",
    "nps_low",
    "nps_high",
    "nps_shrunk",
    "csat",
    "csat_n",
    "csat_shrunk",
    "few_answers",
    "followup_resolution_rate",
    "followups_resolved",
    "followups_not_resolved",
    "followup_hours_to_resolve",
    "coaching_sessions",
    "goals_met",
    "goals_total",
    "index",
    "rank",
    "percentile",
)


def _cell(value: object) -> object:
    if isinstance(value, float):
        return f"{value:.4f}"
    return "" if value is None else value


def figure_rows(cards: queries.ScorecardSet) -> Iterable[list[object]]:
    currency_digits = 100
    for rep in cards.reps.values():
        yield [
            _cell(v)
            for v in (
                rep.rep_id,
                rep.name,
                rep.team_name,
                cards.period.label,
                f"{rep.revenue / currency_digits:.2f}",
                None if rep.quota is None else f"{rep.quota / currency_digits:.2f}",
                rep.attainment,
                rep.margin_pct,
                rep.repeat_share,
                rep.estimates_given,
                rep.estimates_target,
                rep.nps.value,
                rep.nps.n,
                rep.nps.low,
                rep.nps.high,
                rep.nps_shrunk,
                rep.csat.share,
                rep.csat.n,
                rep.csat_shrunk,
                "yes" if rep.few_answers else "no",
                rep.followup_resolution_rate,
                rep.followups_resolved,
                rep.followups_not_resolved,
                rep.followup_hours_to_resolve,
                rep.coaching_sessions,
                rep.goals_met,
                rep.goals_total,
                rep.index,
                rep.rank,
                rep.percentile,
            )
        ]


def figures_csv(cards: queries.ScorecardSet) -> str:
    """Every figure of every rep of ``cards``, one row each (amounts in major units)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(figure_rows(cards))
    return out.getvalue()


def teams_named(names: Sequence[str]) -> list[Team]:
    return list(db.session.scalars(select(Team).where(Team.name.in_(names))))
