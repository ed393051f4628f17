"""Use cases of CSV imports (upload, map columns, check, import; web and CLI alike) and of the
API's writes, which the same importer validates."""

from __future__ import annotations

import codecs
import datetime
import io
import logging
import os
from collections.abc import Iterator
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from coachflow.accounts.models import ApiToken, User
from coachflow.lib.csvio import CsvFormatError, open_csv
from coachflow.platform import audit, jobs, progress
from coachflow.platform.errors import Conflict, DomainError
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.sales import records
from coachflow.sales.models import (
    ImportFileChunk,
    ImportKind,
    ImportMapping,
    ImportRun,
    ImportStatus,
)
from coachflow.sales.records import N_, ParseOptions, Problem
from coachflow.sales.services.importing import ImportRejected, ImportResult, import_records

log = logging.getLogger(__name__)

FILE_CHUNK_BYTES = 1024 * 1024
PREVIEW_ROWS = 10

# What each file-level problem says, by CsvFormatError code.
FORMAT_MESSAGES = {
    "empty": N_("The file is empty."),
    "binary": N_("This is not a CSV file (it contains binary data). Export the report as CSV."),
    "encoding": N_(
        "Line %(line)s contains characters that are not valid in the file's "
        "encoding. Save the file as UTF-8 and try again."
    ),
    "no_header": N_("The first line must name the columns."),
    "blank_header": N_("Column %(position)s has no name in the first line."),
    "duplicate_header": N_("The column “%(name)s” appears twice in the first line."),
    "malformed": N_("Line %(line)s cannot be read as CSV (a quote is probably not closed)."),
    "field_too_large": N_(
        "Line %(line)s has a value longer than %(limit_kib)s KiB, the most one value may hold. "
        "Shorten it, or check that its quotation marks are closed."
    ),
    "too_many_fields": N_("This row has %(found)d values but the header has %(expected)d columns."),
}


def format_problem(error: CsvFormatError) -> Problem:
    """A file-level CSV error as a problem the pages, CLI and API show alike."""
    return Problem(
        error.params.get("line"),
        "",
        FORMAT_MESSAGES.get(error.code, str(error)),
        dict(error.params),
    )


def describe(problem: Problem | dict) -> str:
    """The problem's message in the reader's language."""
    data = problem if isinstance(problem, dict) else problem.as_dict()
    template, params = data["message"], data["params"]
    return _(template, **params)


class _Chunks(io.RawIOBase):
    """Reads an uploaded file back from the database, one stored chunk at a time."""

    def __init__(self, run_id: int) -> None:
        self.run_id, self.seq, self.pending, self.bytes_read = run_id, 0, b"", 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self.pending:
            self.pending = (
                db.session.scalar(
                    select(ImportFileChunk.data).where(
                        ImportFileChunk.run_id == self.run_id, ImportFileChunk.seq == self.seq
                    )
                )
                or b""
            )
            self.seq += 1
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        self.bytes_read += size
        return size


def _file_too_large() -> DomainError:
    limit = current_app.config["IMPORT_MAX_BYTES"] // (1024 * 1024)
    return DomainError(
        _(
            "The file is larger than %(mb)d MB. Split it into smaller files and import them one "
            "after the other.",
            mb=limit,
        ),
        field="file",
    )


def saved_mappings(kind: ImportKind | None) -> list[ImportMapping]:
    """The remembered column mappings for ``kind`` (or every kind), by name."""
    query = select(ImportMapping).order_by(ImportMapping.kind, ImportMapping.name)
    if kind is not None:
        query = query.where(ImportMapping.kind == kind)
    return list(db.session.scalars(query))


def runs():
    """Past and running imports, newest first, with who started them."""
    return (
        select(ImportRun)
        .options(selectinload(ImportRun.created_by))
        .order_by(ImportRun.created_at.desc(), ImportRun.id.desc())
    )


def _mapping(kind: ImportKind, name: str) -> ImportMapping:
    mapping = db.session.scalar(
        select(ImportMapping).where(ImportMapping.kind == kind, ImportMapping.name == name)
    )
    if mapping is None:
        raise DomainError(
            _(
                "There is no saved mapping called “%(name)s” for %(kind)s.",
                name=name,
                kind=kind.value,
            ),
            field="mapping",
        )
    return mapping


def start_upload(
    kind: ImportKind, filename: str, stream: BinaryIO, *, by: User | None, mapping_name: str = ""
) -> ImportRun:
    """Store an uploaded file in the database and read its header; columns are guessed, or
    taken from the saved mapping ``mapping_name``."""
    run = ImportRun(
        kind=kind,
        status=ImportStatus.UPLOADED,
        filename=filename[:255],
        created_by_id=by.id if by else None,
    )
    db.session.add(run)
    db.session.flush()
    size, seq = 0, 0
    limit = current_app.config["IMPORT_MAX_BYTES"]
    while piece := stream.read(FILE_CHUNK_BYTES):
        size += len(piece)
        if size > limit:
            db.session.rollback()
            raise _file_too_large()
        db.session.execute(insert(ImportFileChunk).values(run_id=run.id, seq=seq, data=piece))
        seq += 1
    run.size_bytes = size
    try:
        source = open_csv(io.BufferedReader(_Chunks(run.id)))
    except CsvFormatError as error:
        db.session.rollback()
        raise DomainError(describe(format_problem(error)), field="file") from error
    run.encoding, run.delimiter, run.header = source.encoding, source.delimiter, source.header
    if mapping_name:
        run.columns = dict(_mapping(kind, mapping_name).columns)
        run.mapping_name = mapping_name
    else:
        run.columns = records.guess_columns(kind.value, source.header)
    audit.record(by, "import.uploaded", filename, f"kind={kind.value} bytes={size}")
    db.session.commit()
    return run


def set_columns(
    run: ImportRun, columns: dict[str, str], *, remember_as: str = "", by: User | None
) -> None:
    """Choose which file column feeds each CoachFlow field; optionally remember the choice."""
    if run.status not in (
        ImportStatus.UPLOADED,
        ImportStatus.MAPPED,
        ImportStatus.CHECKED,
        ImportStatus.REJECTED,
    ):
        raise DomainError(_("This import has already started."))
    columns = {name: column for name, column in columns.items() if column}
    unknown = [column for column in columns.values() if column not in run.header]
    if unknown:
        raise DomainError(_("The file has no column “%(name)s”.", name=unknown[0]))
    missing = records.missing_required(run.kind.value, columns)
    if missing:
        raise DomainError(
            _(
                "Choose a column for every required field: %(fields)s.",
                fields=", ".join(_(records.FIELD_LABELS.get(name, name)) for name in missing),
            )
        )
    run.columns = columns
    run.status = ImportStatus.MAPPED
    run.problems, run.problem_count = [], 0
    if remember_as.strip():
        name = remember_as.strip()[:120]
        mapping = db.session.scalar(
            select(ImportMapping).where(ImportMapping.kind == run.kind, ImportMapping.name == name)
        )
        if mapping is None:
            mapping = ImportMapping(kind=run.kind, name=name, created_by_id=by.id if by else None)
            db.session.add(mapping)
        mapping.columns = columns
        run.mapping_name = name
    db.session.commit()


def preview(run: ImportRun) -> list[tuple[int, dict[str, str]]]:
    """The first rows of the file as CoachFlow fields, as the import will read them."""
    source = open_csv(io.BufferedReader(_Chunks(run.id)))
    shown = []
    for line, values in source.rows():
        if isinstance(values, dict):
            shown.append((line, records.map_row(values, run.columns)))
        if len(shown) == PREVIEW_ROWS:
            break
    return shown


def _rows(source_rows: Iterator, columns: dict[str, str]) -> Iterator:
    for line, values in source_rows:
        yield (
            line,
            values if isinstance(values, CsvFormatError) else records.map_row(values, columns),
        )


def _run(run: ImportRun, stream: io.RawIOBase, *, dry_run: bool) -> ImportResult:
    """Read ``stream`` and import it for ``run``, recording the outcome on the run."""
    key = f"import:{run.id}"
    run_id, total = run.id, run.size_bytes
    progress.report(key, rows=0, bytes=0, total=total)
    reader = stream  # _Chunks or _Counted: both count the bytes read

    def on_progress(rows: int) -> None:
        progress.report(key, rows=rows, bytes=reader.bytes_read, total=total)

    try:
        source = open_csv(io.BufferedReader(reader))
        result = import_records(
            run.kind.value,
            _rows(source.rows(), run.columns),
            run_id=run_id,
            dry_run=dry_run,
            on_progress=on_progress,
        )
    except ImportRejected as rejected:
        return _finish(
            run_id,
            ImportStatus.CHECKED if dry_run else ImportStatus.REJECTED,
            problems=rejected.problems,
            problem_count=rejected.problem_count,
        )
    except CsvFormatError as error:
        db.session.rollback()
        return _finish(
            run_id,
            ImportStatus.CHECKED if dry_run else ImportStatus.REJECTED,
            problems=[format_problem(error)],
            problem_count=1,
        )
    except Exception:
        db.session.rollback()
        log.exception("import %s failed", run_id)
        _finish(
            run_id,
            ImportStatus.FAILED,
            problems=[
                Problem(
                    None, "", N_("The import stopped on an unexpected error. Nothing was written.")
                )
            ],
            problem_count=1,
        )
        raise
    status = ImportStatus.CHECKED if dry_run else ImportStatus.DONE
    return _finish(run_id, status, result=result, commit_import=not dry_run)


def _finish(
    run_id: int,
    status: ImportStatus,
    *,
    result: ImportResult | None = None,
    problems: list[Problem] | None = None,
    problem_count: int = 0,
    commit_import: bool = False,
) -> ImportResult:
    run = db.session.get(ImportRun, run_id)
    run.status = status
    run.problems = [p.as_dict() for p in problems or []]
    run.problem_count = problem_count
    result = result or ImportResult()
    run.rows_done = result.rows
    if commit_import:
        run.rows_created, run.rows_updated = result.created, result.updated
        run.finished_at = utcnow()
        # The uploaded file has served its purpose once the data is in.
        db.session.execute(delete(ImportFileChunk).where(ImportFileChunk.run_id == run_id))
        audit.record(
            run.created_by,
            "import.done",
            run.filename,
            f"kind={run.kind.value} created={result.created} updated={result.updated}",
        )
    elif status is ImportStatus.REJECTED:
        run.finished_at = utcnow()
    # One commit: the imported rows (if any) and the run's outcome land together.
    db.session.commit()
    progress.report(
        f"import:{run_id}",
        rows=result.rows,
        bytes=run.size_bytes,
        total=run.size_bytes,
        finished=True,
    )
    return result


class _Counted(io.RawIOBase):
    """Counts the bytes read from a local file, for progress."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw, self.bytes_read = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        size = self.raw.readinto(buffer)
        self.bytes_read += size or 0
        return size or 0


# The jobs that run an import's check and the import itself (see coachflow/sales/tasks.py).
CHECK_IMPORT = "coachflow.check_import"
EXECUTE_IMPORT = "coachflow.execute_import"


def start_check(run: ImportRun) -> None:
    """Check an uploaded file in the background; its page shows the progress."""
    jobs.start(CHECK_IMPORT, run.id)


def start_import(run: ImportRun) -> None:
    """Import a checked file in the background; its page shows the progress."""
    jobs.start(EXECUTE_IMPORT, run.id)


def check_run(run_id: int) -> None:
    """Dry run of an uploaded file: row count and every problem, nothing written."""
    run = db.session.get(ImportRun, run_id)
    if run is None:  # deleted since it was queued: an erasure removed the upload
        return
    run.status = ImportStatus.CHECKING
    db.session.commit()
    _run(run, _Chunks(run_id), dry_run=True)


def execute_run(run_id: int) -> None:
    """Import an uploaded file, all or nothing."""
    run = db.session.get(ImportRun, run_id)
    if run is None:  # deleted since it was queued: an erasure removed the upload
        return
    run.status = ImportStatus.IMPORTING
    db.session.commit()
    _run(run, _Chunks(run_id), dry_run=False)


def ready_to_import(run: ImportRun) -> bool:
    return run.status is ImportStatus.CHECKED and run.problem_count == 0


def import_local_file(
    kind: ImportKind, path: str, *, mapping_name: str = "", dry_run: bool = False
) -> ImportRun:
    """The CLI's import: read a file from disk, map its columns, import it (or only check)."""
    size = os.path.getsize(path)
    if size > current_app.config["IMPORT_MAX_BYTES"]:
        raise _file_too_large()
    with open(path, "rb") as handle:
        try:
            header = open_csv(handle).header
        except CsvFormatError as error:
            raise DomainError(describe(format_problem(error)), field="file") from error
    columns = (
        dict(_mapping(kind, mapping_name).columns)
        if mapping_name
        else records.guess_columns(kind.value, header)
    )
    missing = records.missing_required(kind.value, columns)
    if missing:
        raise DomainError(
            _(
                "The file has no column for: %(fields)s. Name the columns as the "
                "README lists, or use --mapping.",
                fields=", ".join(missing),
            )
        )
    run = ImportRun(
        kind=kind,
        status=ImportStatus.CHECKING if dry_run else ImportStatus.IMPORTING,
        filename=os.path.basename(path)[:255],
        size_bytes=size,
        header=header,
        columns=columns,
        mapping_name=mapping_name,
    )
    db.session.add(run)
    db.session.commit()
    with open(path, "rb", buffering=0) as raw:
        _run(run, _Counted(raw), dry_run=dry_run)
    db.session.refresh(run)
    return run


# Files not imported yet: a person's erasure removes the uploads that hold their address.
PENDING_STATUSES = (
    ImportStatus.UPLOADED,
    ImportStatus.MAPPED,
    ImportStatus.CHECKED,
    ImportStatus.REJECTED,
    ImportStatus.FAILED,
)


def delete_uploads_holding(email: str, *, by: User | None) -> list[int]:
    """Delete the stored files not imported yet (and their runs) that contain ``email``, in any
    letter case, in the caller's transaction (the caller commits); the deletion is audited
    without the address. Returns the runs' ids.

    An upload being checked or imported at this moment is left alone: the suppression list
    refuses the address when its rows are written."""
    needle = email.strip().lower()
    if not needle:
        return []
    encodings = dict(
        db.session.execute(
            select(ImportRun.id, ImportRun.encoding).where(ImportRun.status.in_(PENDING_STATUSES))
        ).all()
    )
    if not encodings:
        return []
    found: set[int] = set()
    current, decoder, tail = None, None, ""
    # The chunks in file order, streamed: an address split between two chunks is found through
    # the tail of text carried over from the previous one.
    for run_id, data in db.session.execute(
        select(ImportFileChunk.run_id, ImportFileChunk.data)
        .where(ImportFileChunk.run_id.in_(encodings))
        .order_by(ImportFileChunk.run_id, ImportFileChunk.seq)
        .execution_options(yield_per=4)
    ):
        if run_id in found:
            continue
        if run_id != current:
            current, decoder, tail = run_id, _decoder(encodings[run_id]), ""
        text = tail + decoder.decode(data).lower()
        if needle in text:
            found.add(run_id)
        tail = text[-(len(needle) - 1) :] if len(needle) > 1 else ""
    if found:
        ids = sorted(found)
        db.session.execute(delete(ImportFileChunk).where(ImportFileChunk.run_id.in_(ids)))
        db.session.execute(delete(ImportRun).where(ImportRun.id.in_(ids)))
        audit.record(
            by,
            "import.deleted_for_erasure",
            "uploads not yet imported",
            "runs=" + ",".join(str(i) for i in ids),
        )
    return sorted(found)


RUNNING_STATUSES = (ImportStatus.CHECKING, ImportStatus.IMPORTING)
# An upload not imported within this many days is deleted by the periodic purge.
UPLOAD_KEPT_DAYS = 7
PURGE_UPLOADS = "coachflow.purge_uploads"


def deletable(run: ImportRun) -> bool:
    """Whether ``run`` may be deleted: finished, abandoned or failed, not being read now."""
    return run.status not in RUNNING_STATUSES


def delete_run(run: ImportRun, *, by: User | None) -> None:
    """Delete an import and its stored file (records it wrote stay); audited."""
    if not deletable(run):
        raise Conflict(_("This file is being read. Delete it once the check or import is over."))
    filename, kind, status = run.filename, run.kind.value, run.status.value
    try:
        db.session.execute(delete(ImportFileChunk).where(ImportFileChunk.run_id == run.id))
        db.session.execute(delete(ImportRun).where(ImportRun.id == run.id))
        audit.record(by, "import.deleted", filename, f"kind={kind} status={status}")
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def purge_stale_uploads() -> int:
    """Delete the uploads (and their runs) not imported within ``UPLOAD_KEPT_DAYS`` days: the
    files may hold personal data that nobody needs any more. Returns how many went."""
    cutoff = utcnow() - datetime.timedelta(days=UPLOAD_KEPT_DAYS)
    stale = (ImportRun.status.in_(PENDING_STATUSES), ImportRun.created_at < cutoff)
    ids = list(db.session.scalars(select(ImportRun.id).where(*stale)))
    if not ids:
        return 0
    try:
        db.session.execute(delete(ImportFileChunk).where(ImportFileChunk.run_id.in_(ids)))
        db.session.execute(delete(ImportRun).where(ImportRun.id.in_(ids), *stale))
        audit.record(
            None,
            "import.purged",
            "uploads not imported",
            f"deleted={len(ids)}",
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return len(ids)


def _decoder(encoding: str) -> codecs.IncrementalDecoder:
    try:
        factory = codecs.getincrementaldecoder(encoding or "utf-8")
    except LookupError:
        factory = codecs.getincrementaldecoder("utf-8")
    return factory(errors="replace")


# JSON writes numbers with a decimal point, always; dates are ISO first.
API_PARSE_OPTIONS = ParseOptions(decimal_hint=".")


def upsert_records(
    kind: str, rows: list[tuple[int, dict[str, str]]], *, token: ApiToken
) -> ImportResult:
    """Create or update sales records sent through the API, all or nothing, validated exactly as
    a CSV import is; raises ``ImportRejected`` naming each problem's record and field."""
    try:
        result = import_records(kind, rows, options=API_PARSE_OPTIONS)
        audit.record(
            token.user,
            f"api.{kind}.upserted",
            f"{kind} ({token.prefix})",
            f"token={token.name} created={result.created} updated={result.updated}",
        )
        db.session.commit()
    except IntegrityError as error:
        # Two requests created the same new record at the same moment; the other one won.
        db.session.rollback()
        raise Conflict(
            _("Another request changed the same records at the same time. Send this one again.")
        ) from error
    return result
