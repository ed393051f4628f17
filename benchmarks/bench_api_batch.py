"""REST API batch upsert of 1,000 deals: median and p95 seconds per call (target p95 < 1 s).

Through the Flask test client with an admin's read-and-write token, on a fresh SQLite file and,
when reachable, PostgreSQL (database ``bench``): 20 calls of ``POST /api/v1/deals/batch``,
alternating 1,000 new external ids and the same 1,000 again (updates). Each call is the whole
request: JSON parsing, validation through the importer, upsert, commit, audit line.
"""

from __future__ import annotations

import datetime
import json
import math
import random
import statistics
import time

from sqlalchemy import insert, select

from benchmarks.common import fresh_app, kinds
from coachflow.accounts import tokens
from coachflow.accounts.models import ProductLine, Role, User
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.sales.models import CustomerAccount

CALLS = 20
BATCH = 1_000
REPS, ACCOUNTS = 50, 2_000
TARGET_P95_SECONDS = 1.0


def seed(app) -> str:
    """Reps, product lines and accounts to refer to; returns an admin's write token."""
    now = utcnow()
    with app.app_context():
        people = [{"email": "admin@example.com", "name": "Admin", "role": Role.ADMIN}] + [
            {"email": f"rep{n}@example.com", "name": f"Rep {n}", "role": Role.REP}
            for n in range(REPS)
        ]
        db.session.execute(
            insert(User),
            [
                {**p, "language": "en", "active": True, "session_version": 1, "created_at": now}
                for p in people
            ],
        )
        db.session.execute(
            insert(ProductLine),
            [
                {"code": c, "name": n, "active": True, "created_at": now}
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
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(ACCOUNTS)
            ],
        )
        db.session.commit()
        admin = db.session.scalar(select(User).where(User.role == Role.ADMIN))
        return tokens.create_token(admin, name="benchmark", scopes="read,write", by=None).token


def batch_body(first_id: int, rng: random.Random) -> bytes:
    start = datetime.date(2026, 1, 1)
    records = []
    for n in range(first_id, first_id + BATCH):
        amount = rng.randint(500, 90_000)
        stage = rng.choice(["won", "won", "lost", "open"])
        records.append(
            {
                "external_id": f"D{n:07d}",
                "account_external_id": f"A{rng.randrange(ACCOUNTS):05d}",
                "rep_email": f"rep{rng.randrange(REPS)}@example.com",
                "product_line": rng.choice(["HW", "SW", "SVC"]),
                "amount": f"{amount}.{rng.randrange(100):02d}",
                "currency": "EUR",
                "margin": f"{amount // 3}.00",
                "stage": stage,
                "closed_on": (start + datetime.timedelta(days=rng.randrange(300))).isoformat(),
            }
        )
    return json.dumps({"records": records}).encode()


def p95(values: list[float]) -> float:
    """The nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def measure(kind: str) -> list[float]:
    with fresh_app(kind, "bench") as app:
        token = seed(app)
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        rng = random.Random(7)
        times = []
        for call in range(CALLS):
            # Even calls bring 1,000 new deals, odd calls send the same ids again (updates).
            first_id = (call // 2) * BATCH
            body = batch_body(first_id, rng)
            started = time.perf_counter()
            response = client.post("/api/v1/deals/batch", data=body, headers=headers)
            times.append(time.perf_counter() - started)
            result = response.get_json()
            assert response.status_code == 200, result
            expected = (BATCH, 0) if call % 2 == 0 else (0, BATCH)
            assert (result["created"], result["updated"]) == expected, result
        return times


def run() -> list[str]:
    lines = []
    for kind in kinds():
        times = measure(kind)
        slowest = p95(times)
        verdict = "meets" if slowest < TARGET_P95_SECONDS else "MISSES"
        lines.append(
            f"{kind:<10} {BATCH:,} deals per call, {CALLS} calls: median "
            f"{statistics.median(times):.3f} s, p95 {slowest:.3f} s "
            f"({verdict} the p95 target of {TARGET_P95_SECONDS:.0f} s)"
        )
    if "postgresql" not in kinds():
        lines.append("postgresql not reachable: skipped")
    return lines


if __name__ == "__main__":
    for line in run():
        print(line)
