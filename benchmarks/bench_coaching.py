"""Coaching at 1,000 reps: the cycle page and figures_by_rep, time and query count.

On a demo organisation of 100 and 1,000 reps (a year of deals each, the coaching demo's two
cycles for most reps: about 1,700 cycles at 1,000 reps), on SQLite and PostgreSQL: the median
time and the queries of one cycle page as its manager, of ``figures_by_rep`` over the last two
quarters for every rep at once, and of ``competencies_by_rep`` likewise. The query counts must
not move with the number of reps. ``BENCH_COACHING_REPS`` (comma-separated) changes the sizes.
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import time

from sqlalchemy import func, select

from benchmarks.common import counted, fresh_app, kinds
from coachflow.accounts import demo
from coachflow.accounts.models import Role, User
from coachflow.accounts.services import start_session
from coachflow.coaching import queries
from coachflow.coaching.demo import seed_coaching
from coachflow.coaching.models import CoachingCycle, CycleState
from coachflow.lib.periods import Period, PeriodKind
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.sales.demo import seed_sales

SIZES = tuple(int(n) for n in os.environ.get("BENCH_COACHING_REPS", "100,1000").split(","))
REPEATS = 5


def median_run(app, work) -> tuple[float, int]:
    """Median seconds of ``work()`` over REPEATS, and the queries of one run."""
    times = []
    for _ in range(REPEATS):
        with counted(app) as statements, app.app_context():
            started = time.perf_counter()
            work()
            times.append(time.perf_counter() - started)
    return statistics.median(times), len(statements)


def run() -> list[str]:
    lines = []
    for kind in kinds():
        for reps in SIZES:
            lines += measure(kind, reps)
    return lines


def measure(kind: str, reps: int) -> list[str]:
    with fresh_app(kind, "bench_coaching") as app:
        with app.app_context():
            org = demo.seed_org(reps=reps, seed=7)
            seed_sales(org, random.Random("sales:7"))
            started = time.perf_counter()
            summary = seed_coaching(org, random.Random("coaching:7"))
            db.session.commit()
            seeded = time.perf_counter() - started
            cycle_id, manager_id = db.session.execute(
                select(CoachingCycle.id, CoachingCycle.manager_id)
                .where(CoachingCycle.state == CycleState.ACTIVE)
                .order_by(CoachingCycle.id)
                .limit(1)
            ).one()
            session_key = start_session(db.session.get(User, manager_id)).session_key
            rep_count = db.session.scalar(select(func.count(User.id)).where(User.role == Role.REP))
        lines = [f"{kind:10} {reps:5} reps: seeded {summary.summary()} in {seeded:.1f} s"]
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = session_key
            session["_fresh"] = True

        def cycle_page():
            response = client.get(f"/coaching/{cycle_id}")
            assert response.status_code == 200
            response.close()

        seconds, count = median_run(app, cycle_page)
        lines.append(f"{'':17}cycle page as manager: {seconds * 1000:6.0f} ms, {count} queries")
        current = Period.containing(utcnow().date(), PeriodKind.QUARTER)
        start = Period.containing(current.start - datetime.timedelta(days=1), PeriodKind.QUARTER)
        found = {}

        def figures():
            found["figures"] = queries.figures_by_rep(start.start, current.end)

        seconds, count = median_run(app, figures)
        lines.append(
            f"{'':17}figures_by_rep, {rep_count} reps, two quarters: {seconds * 1000:6.0f} ms, "
            f"{count} queries, {len(found['figures'])} reps with figures"
        )

        def competencies():
            found["pairs"] = queries.competencies_by_rep(start.start, current.end, language="en")

        seconds, count = median_run(app, competencies)
        lines.append(
            f"{'':17}competencies_by_rep: {seconds * 1000:6.0f} ms, {count} queries, "
            f"{len(found['pairs'])} reps"
        )
    return lines
