"""``flask scorecards render --period 2026-Q3 [--team NAME] --out DIR``: one PDF per rep."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from coachflow.accounts.models import Team, User
from coachflow.lib.periods import parse_period
from coachflow.platform.extensions import db
from coachflow.scorecards import queries, services

scorecards_cli = AppGroup("scorecards", help="Scorecards: render PDFs.")


@scorecards_cli.command("render")
@click.option("--period", "period_text", required=True, help="2026, 2026-Q3 or 2026-07.")
@click.option("--team", "team_name", default=None, help="Only this team (its name).")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write the PDFs to (made if missing).",
)
def render(period_text: str, team_name: str | None, out_dir: Path) -> None:
    """Write one scorecard PDF per rep (a closed period's as frozen)."""
    try:
        period = parse_period(period_text)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--period") from None
    ids = select(User.id)
    if team_name is not None:
        team = db.session.scalar(select(Team).where(Team.name == team_name))
        if team is None:
            raise click.BadParameter(f"no team is called {team_name!r}", param_hint="--team")
        ids = ids.where(User.team_id == team.id)
    out_dir.mkdir(parents=True, exist_ok=True)
    cards = queries.period_figures(period, ids)
    frozen = queries.period_state(period) == "closed"
    data = None if frozen else queries.bundle(period, ids)
    written = 0
    for rep in sorted(cards.reps.values(), key=lambda r: r.name):
        if frozen:
            document = services.scorecard_pdf(period, rep.rep_id)
        else:
            document = services.render_rep(data, rep.rep_id) if data else None
        if document is None:
            continue
        (out_dir / services.pdf_filename(rep.name, period)).write_bytes(document)
        written += 1
    click.echo(f"{written} scorecards for {period.label} written to {out_dir}.")
