"""Commands: ``flask seed-demo`` and ``flask users create-admin``."""

from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext

from coachflow.accounts import demo, services
from coachflow.platform.demo import demo_steps
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db


@click.command("seed-demo")
@click.option(
    "--reps",
    default=24,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="How many reps (teams of six).",
)
@click.option("--seed", default=7, show_default=True, help="Random seed; same seed, same data.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has users.")
@with_appcontext
def seed_demo(reps: int, seed: int, if_empty: bool) -> None:
    """Fill the database with a realistic demo organisation and print its logins."""
    if not demo.is_empty():
        if if_empty:
            click.echo("The database already has data; not seeding the demo.")
            return
        raise click.ClickException("The database already has users; seed an empty database.")
    org = demo.seed_org(reps=reps, seed=seed)
    summaries = [step(org, seed) for step in demo_steps()]
    db.session.commit()
    click.echo(f"Demo organisation: {len(org.teams)} teams, {len(org.reps)} reps.")
    for summary in summaries:
        click.echo(summary)
    click.echo(f"Every demo login uses the password: {demo.DEMO_PASSWORD}")
    click.echo(f"  admin    {org.admin.email}")
    click.echo(f"  hr       {org.hr.email}")
    for manager, team in zip(org.managers, org.teams, strict=True):
        click.echo(f"  manager  {manager.email:<32} {team.name}")
    for rep in org.reps[: len(org.teams) * 2]:
        click.echo(f"  rep      {rep.email:<32} {rep.team.name}")
    if len(org.reps) > len(org.teams) * 2:
        click.echo(f"  … and {len(org.reps) - len(org.teams) * 2} more reps")


users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", default="Administrator", show_default=True)
@click.password_option()
def create_admin(email: str, name: str, password: str) -> None:
    """Create an admin account (the first sign-in of a fresh installation)."""
    try:
        user = services.create_admin(email, name, password)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Admin {user.email} created.")
