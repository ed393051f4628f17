"""Commands: ``flask seed-demo``, ``flask users create-admin`` and ``flask api-token …``."""

from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from coachflow.accounts import demo, services, tokens
from coachflow.accounts.models import User
from coachflow.lib import emails
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


api_token_cli = AppGroup("api-token", help="Issue, revoke and list REST API tokens.")


@api_token_cli.command("create")
@click.option("--user", "email", required=True, help="Email of the user the token acts as.")
@click.option("--scopes", default="read", show_default=True, help="read, or read,write.")
@click.option(
    "--name",
    default="Command line",
    show_default=True,
    help="What uses the token, to tell tokens apart.",
)
def create(email: str, scopes: str, name: str) -> None:
    """Create a token and print it once; only its hash is kept."""
    user = db.session.scalar(select(User).where(User.email == emails.normalise(email)))
    if user is None:
        raise click.ClickException(f"No user has the email {email}.")
    try:
        issued = tokens.create_token(user, name=name, scopes=scopes, by=None)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Token {issued.record.prefix}… for {user.email} ({issued.record.scopes}).")
    click.echo("Copy it now; it is not shown again:")
    click.echo(issued.token)


@api_token_cli.command("revoke")
@click.argument("prefix")
def revoke(prefix: str) -> None:
    """Revoke the token whose prefix (as `list` shows it) is PREFIX."""
    try:
        record = tokens.find_by_prefix(prefix.rstrip("…."))
    except DomainError as error:
        raise click.ClickException(error.message) from error
    tokens.revoke_token(record, by=None)
    click.echo(f"Token {record.prefix}… ({record.name}, {record.user.email}) is revoked.")


@api_token_cli.command("list")
def list_tokens() -> None:
    """List every token: prefix, scopes, user, name, created, last used, revoked."""
    rows = db.session.scalars(tokens.token_list()).all()
    if not rows:
        click.echo("No API tokens.")
        return
    for t in rows:
        used = t.last_used_at.strftime("%Y-%m-%d %H:%M") if t.last_used_at else "never"
        state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
        click.echo(
            f"{t.prefix}…  {t.scopes:<10}  {t.user.email:<32}  {t.name}  "
            f"created {t.created_at:%Y-%m-%d %H:%M}  last used {used}  {state}"
        )
