"""Commands: ``flask api-token create | revoke | list``."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from coachflow.accounts.models import User
from coachflow.accounts.services import normalise_email
from coachflow.api import tokens
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db

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
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
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
