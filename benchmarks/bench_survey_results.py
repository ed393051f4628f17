"""Survey results on a demo year: page time and CSV export rate as the data grows.

For 48 and 240 demo reps (8 and 40 teams, about 8,000 and 40,000 invitations) on SQLite and
PostgreSQL: how long ``seed_surveys`` takes (invitations per second, bulk inserts), the median
time of the results overview and of one survey's page as HR (everything in scope) and as a
manager (one team), with the queries each needs, and the CSV export in answers per second.
"""

from __future__ import annotations

import random
import statistics
import time

from sqlalchemy import func, select

from benchmarks.common import counted, fresh_app, kinds
from coachflow.accounts import demo
from coachflow.accounts.models import Role, User
from coachflow.accounts.services import start_session
from coachflow.platform.extensions import db
from coachflow.questionnaires.models import Survey, SurveyKind
from coachflow.sales.demo import seed_sales
from coachflow.surveys.demo import seed_surveys
from coachflow.surveys.models import Answer

SIZES = (48, 240)
REQUESTS = 5


def client_for(app, role: Role):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.role == role).order_by(User.id))
        session_id = start_session(user).session_key
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    return client


def timed_get(app, client, path: str) -> tuple[float, int, int]:
    """Median seconds over REQUESTS, the queries of one request, and the body's size."""
    times = []
    for _ in range(REQUESTS):
        with counted(app) as statements:
            started = time.perf_counter()
            response = client.get(path)
            body = response.get_data()
            times.append(time.perf_counter() - started)
            response.close()
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times), len(statements), len(body)


def run() -> list[str]:
    lines = []
    for kind in kinds():
        for reps in SIZES:
            with fresh_app(kind, "bench_survey_results") as app:
                with app.app_context():
                    org = demo.seed_org(reps=reps, seed=7)
                    seed_sales(org, random.Random("sales:7"))
                    started = time.perf_counter()
                    counts = seed_surveys(org, random.Random("surveys:7"))
                    db.session.commit()
                    seeded = time.perf_counter() - started
                    nps_id = db.session.scalar(
                        select(Survey.id).where(Survey.kind == SurveyKind.CUSTOMER_NPS)
                    )
                    answers = db.session.scalar(select(func.count()).select_from(Answer))
                lines.append(
                    f"{kind:10} {reps:4} reps: seeded {counts.invitations:,} invitations, "
                    f"{counts.answers:,} answers in {seeded:.1f} s "
                    f"({counts.invitations / seeded:,.0f} invitations/s)"
                )
                hr, manager = client_for(app, Role.HR), client_for(app, Role.MANAGER)
                for who, client in (("hr", hr), ("manager", manager)):
                    for name, path in (
                        ("overview", "/surveys/results"),
                        ("survey", f"/surveys/results/{nps_id}"),
                    ):
                        seconds, queries, size = timed_get(app, client, path)
                        lines.append(
                            f"{'':16}{name:8} as {who:7}: {seconds * 1000:6.0f} ms, "
                            f"{queries} queries, {size / 1024:.0f} KiB"
                        )
                seconds, _queries, size = timed_get(
                    app, hr, f"/surveys/results/{nps_id}/answers.csv"
                )
                nps_answers = answers  # upper bound; the export is of one survey
                lines.append(
                    f"{'':16}CSV export of the NPS survey as hr: {seconds * 1000:.0f} ms, "
                    f"{size / 1024:.0f} KiB (≤ {nps_answers / seconds:,.0f} answers/s)"
                )
    return lines
