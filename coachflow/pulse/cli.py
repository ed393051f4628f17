"""``flask pulse tick``: the periodic pulse work, for cron when no Celery beat runs."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from coachflow.pulse import services

pulse_cli = AppGroup("pulse", help="Pulse rounds: open, remind, close, move answers.")


@pulse_cli.command("tick")
def tick() -> None:
    """Close ended rounds, open due ones, send reminders, move waiting answers."""
    services.tick()
    click.echo("Pulse rounds are up to date.")
