"""``flask import accounts|contacts|deals|quotas FILE [--mapping NAME] [--dry-run]``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from coachflow.platform.errors import DomainError
from coachflow.sales import services
from coachflow.sales.models import ImportKind, ImportStatus

import_cli = AppGroup("import", help="Import sales data from a CSV file (all or nothing).")


def _command(kind: ImportKind) -> None:
    @import_cli.command(kind.value, help=f"Import {kind.value} from FILE.")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--mapping", default="", help="A column mapping saved on the import page.")
    @click.option("--dry-run", is_flag=True, help="Check every row, write nothing.")
    def command(file: str, mapping: str, dry_run: bool) -> None:
        try:
            run = services.import_local_file(kind, file, mapping_name=mapping, dry_run=dry_run)
        except DomainError as error:
            raise click.ClickException(error.message) from error
        if run.problem_count:
            for problem in run.problems:
                where = f"row {problem['row']}" if problem["row"] else "file"
                column = run.columns.get(problem["field"], problem["field"])
                click.echo(f"{where}, {column or '-'}: {services.describe(problem)}", err=True)
            if run.problem_count > len(run.problems):
                click.echo(f"… and {run.problem_count - len(run.problems)} more.", err=True)
            raise click.ClickException(f"{run.problem_count} problem(s); nothing was imported.")
        if run.status is ImportStatus.CHECKED:
            click.echo(f"{run.rows_done} rows checked, no problems (dry run: nothing written).")
        else:
            click.echo(
                f"{run.rows_done} rows imported: {run.rows_created} created, "
                f"{run.rows_updated} updated."
            )


for _kind in ImportKind:
    _command(_kind)
