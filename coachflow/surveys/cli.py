"""``flask surveys tick``: the periodic survey work, for cron when no Celery beat runs."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from coachflow.surveys.services import sending

surveys_cli = AppGroup("surveys", help="Survey invitations: sending, reminders, expiry.")


@surveys_cli.command("tick")
def tick() -> None:
    """Expire old links, send due invitations (and retry failed ones), send reminders."""
    report = sending.tick()
    click.echo(
        f"{report.sent} sent, {report.failed} failed, {report.reminded} reminded, "
        f"{report.expired} expired, {report.unsubscribed} not sent (opted out)."
    )
