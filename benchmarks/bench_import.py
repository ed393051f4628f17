"""CSV import of deal rows: rows/s and peak memory, beside the database's own bulk path.

For 10,000 and 100,000 rows on SQLite and PostgreSQL: the import as ``flask import deals``
runs it (parse, validate, resolve references, upsert, one transaction), and the same rows as
ready tuples through the bulk path (COPY on PostgreSQL, executemany on SQLite) as the ceiling.
Peak memory is Python's (tracemalloc) during the import: flat means it does not grow with rows.
"""

from __future__ import annotations

import csv
import datetime
import random
import tempfile
import time
import tracemalloc
from pathlib import Path

from sqlalchemy import delete, insert, select

from benchmarks.common import fresh_app, kinds
from coachflow.accounts.models import ProductLine, Role, User
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.sales.models import CustomerAccount, Deal, ImportKind
from coachflow.sales.services import import_local_file

SIZES = (10_000, 100_000)
REPS, ACCOUNTS = 50, 2_000
HEADER = [
    "external_id",
    "account_external_id",
    "rep_email",
    "product_line",
    "amount",
    "currency",
    "margin",
    "stage",
    "closed_on",
]


def write_csv(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    start = datetime.date(2026, 1, 1)
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for n in range(rows):
            amount = rng.randint(500, 90_000)
            out.writerow(
                [
                    f"D{n:07d}",
                    f"A{rng.randrange(ACCOUNTS):05d}",
                    f"rep{rng.randrange(REPS)}@example.com",
                    rng.choice(["HW", "SW", "SVC"]),
                    f"{amount}.{rng.randrange(100):02d}",
                    "EUR",
                    f"{amount // 3}.00",
                    rng.choice(["won", "won", "lost", "open"]),
                    (start + datetime.timedelta(days=rng.randrange(300))).isoformat(),
                ]
            )


def seed(app) -> None:
    with app.app_context():
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"rep{n}@example.com",
                    "name": f"Rep {n}",
                    "role": Role.REP,
                    "language": "en",
                    "active": True,
                    "session_version": 1,
                    "created_at": utcnow(),
                }
                for n in range(REPS)
            ],
        )
        db.session.execute(
            insert(ProductLine),
            [
                {"code": c, "name": n, "active": True, "created_at": utcnow()}
                for c, n in (("HW", "Hardware"), ("SW", "Software"), ("SVC", "Services"))
            ],
        )
        db.session.execute(
            insert(CustomerAccount),
            [
                {
                    "external_id": f"A{n:05d}",
                    "name": f"Account {n}",
                    "territory": "",
                    "created_at": utcnow(),
                    "updated_at": utcnow(),
                }
                for n in range(ACCOUNTS)
            ],
        )
        db.session.commit()


def ready_rows(app, path: Path) -> list[tuple]:
    """The file's rows as the tuples the bulk path inserts (parsing is not part of the ceiling)."""
    with app.app_context():
        reps = dict(db.session.execute(select(User.email, User.id)).all())
        lines = dict(db.session.execute(select(ProductLine.code, ProductLine.id)).all())
        accounts = dict(
            db.session.execute(select(CustomerAccount.external_id, CustomerAccount.id)).all()
        )
    now = utcnow()
    rows = []
    with path.open(newline="") as handle:
        for r in csv.DictReader(handle):
            stage = r["stage"]
            rows.append(
                (
                    r["external_id"],
                    accounts[r["account_external_id"]],
                    reps[r["rep_email"]],
                    lines[r["product_line"]],
                    int(r["amount"].replace(".", "")),
                    "EUR",
                    int(r["margin"].replace(".", "")),
                    stage,
                    datetime.date.fromisoformat(r["closed_on"]),
                    now,
                    now,
                )
            )
    return rows


COLUMNS = (
    "external_id",
    "account_id",
    "rep_id",
    "product_line_id",
    "amount_minor",
    "currency",
    "margin_minor",
    "stage",
    "closed_on",
    "created_at",
    "updated_at",
)


def bulk_insert(app, rows: list[tuple]) -> float:
    with app.app_context():
        started = time.perf_counter()
        connection = db.session.connection()
        raw = connection.connection.driver_connection
        if connection.dialect.name == "postgresql":
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY deals ({', '.join(COLUMNS)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join("?" for _ in COLUMNS)
            raw.executemany(
                f"INSERT INTO deals ({', '.join(COLUMNS)}) VALUES ({placeholders})",  # noqa: S608
                [(*r[:8], r[8].isoformat(), r[9].isoformat(), r[10].isoformat()) for r in rows],
            )
        db.session.commit()
        return time.perf_counter() - started


def clear(app) -> None:
    with app.app_context():
        db.session.execute(delete(Deal))
        db.session.commit()


def timed_import(app, path: Path, *, traced: bool) -> tuple[float, int]:
    with app.app_context():
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        run = import_local_file(ImportKind.DEALS, str(path))
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if traced else 0
        if traced:
            tracemalloc.stop()
        assert run.problem_count == 0, run.problems[:3]
        return elapsed, peak


def run() -> list[str]:
    lines = []
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for size in SIZES:
            files[size] = Path(folder) / f"deals-{size}.csv"
            write_csv(files[size], size)
        for kind in kinds():
            with fresh_app(kind, "bench_import") as app:
                seed(app)
                for size in SIZES:
                    clear(app)
                    elapsed, _ = timed_import(app, files[size], traced=False)
                    clear(app)
                    _, peak = timed_import(app, files[size], traced=True)
                    clear(app)
                    ceiling = bulk_insert(app, ready_rows(app, files[size]))
                    clear(app)
                    ours, bulk = size / elapsed, size / ceiling
                    lines.append(
                        f"{kind:<10} {size:>7} rows: import {ours:>8,.0f} rows/s, "
                        f"bulk path {bulk:>9,.0f} rows/s, ratio {ours / bulk:.2f}, "
                        f"peak memory {peak / 2**20:.1f} MiB"
                    )
    return lines


if __name__ == "__main__":
    for line in run():
        print(line)
