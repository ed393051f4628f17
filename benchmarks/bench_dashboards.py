"""Home pages on a 1,000-rep organisation (200 teams of five): server time and queries per page.

For SQLite and PostgreSQL: a generated organisation of ``REPS`` reps in teams of five, each rep
with about 60 deals over the last year (won, lost and open) and a quarterly quota; then each
role's home page (rep, manager, HR, admin), a manager's team dashboard and HR's forecast page,
requested ``REQUESTS`` times: median and p95 server time and the queries of one request. The
target is p95 under 150 ms and a query count that does not depend on the team's size (the
integration test compares a team of 5 with one of 50). ``BENCH_DASHBOARD_REPS`` makes it smaller,
``BENCH_REQUESTS`` (20) asks each page fewer or more times.
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import time

from sqlalchemy import insert, select

from benchmarks.common import counted, fresh_app, kinds
from coachflow.accounts.models import ProductLine, Role, Team, User
from coachflow.accounts.services import start_session
from coachflow.lib.figures import shifted
from coachflow.lib.periods import Period, PeriodKind
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.sales.models import CustomerAccount, Deal, DealStage, Quota
from tests.factories import PASSWORD_HASH

REPS = int(os.environ.get("BENCH_DASHBOARD_REPS", "1000"))
TEAM_SIZE = 5
DEALS_PER_REP = 60
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "20"))


def generate(reps: int, rng: random.Random) -> dict[str, int]:
    """The organisation, in bulk inserts; the ids of one person per role and the first team."""
    today = utcnow().date()
    line = ProductLine(code="HW", name="Hardware")
    db.session.add(line)
    admin = User(email="admin@example.com", name="Admin", role=Role.ADMIN)
    hr = User(email="hr@example.com", name="HR", role=Role.HR)
    db.session.add_all([admin, hr])
    db.session.flush()
    teams = reps // TEAM_SIZE
    db.session.execute(
        insert(User),
        [
            {
                "email": f"manager{n}@example.com",
                "name": f"Manager {n}",
                "role": Role.MANAGER,
                "password_hash": PASSWORD_HASH,
            }
            for n in range(teams)
        ],
    )
    managers = list(db.session.scalars(select(User.id).where(User.role == Role.MANAGER)))
    db.session.execute(
        insert(Team),
        [{"name": f"Team {n}", "territory": "", "manager_id": m} for n, m in enumerate(managers)],
    )
    team_ids = list(db.session.scalars(select(Team.id).order_by(Team.id)))
    db.session.execute(
        insert(User),
        [
            {
                "email": f"rep{n}@example.com",
                "name": f"Rep {n:04d}",
                "role": Role.REP,
                "team_id": team_ids[n // TEAM_SIZE],
                "password_hash": PASSWORD_HASH,
            }
            for n in range(teams * TEAM_SIZE)
        ],
    )
    rep_ids = list(db.session.scalars(select(User.id).where(User.role == Role.REP)))
    db.session.execute(
        insert(CustomerAccount),
        [{"external_id": f"A{r}", "name": f"Account {r}", "owner_id": r} for r in rep_ids],
    )
    accounts = dict(db.session.execute(select(CustomerAccount.owner_id, CustomerAccount.id)).all())
    quarter = Period.containing(today, PeriodKind.QUARTER)
    deals, quotas, n = [], [], 0
    for rep in rep_ids:
        for _ in range(DEALS_PER_REP):
            n += 1
            day = today - datetime.timedelta(days=rng.randint(0, 364))
            stage = rng.choices([DealStage.WON, DealStage.LOST, DealStage.OPEN], [4, 5, 1])[0]
            deals.append(
                {
                    "external_id": f"D{n}",
                    "account_id": accounts[rep],
                    "rep_id": rep,
                    "product_line_id": line.id,
                    "amount_minor": rng.randint(50, 400) * 10_000,
                    "currency": "EUR",
                    "stage": stage,
                    "closed_on": None if stage is DealStage.OPEN else day,
                }
            )
        for back in range(4):
            quotas.append(
                {
                    "rep_id": rep,
                    "product_line_id": line.id,
                    "period_kind": PeriodKind.QUARTER,
                    "period_start": shifted(quarter, -back).start,
                    "currency": "EUR",
                    "revenue_target_minor": 15_000_000,
                }
            )
        if len(deals) > 20_000:
            db.session.execute(insert(Deal), deals)
            deals = []
    if deals:
        db.session.execute(insert(Deal), deals)
    db.session.execute(insert(Quota), quotas)
    db.session.commit()
    return {
        "admin": admin.id,
        "hr": hr.id,
        "manager": managers[0],
        "rep": rep_ids[0],
        "team": team_ids[0],
    }


def client_for(app, user_id: int):
    with app.app_context():
        key = start_session(db.session.get(User, user_id)).session_key
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = key
        session["_fresh"] = True
    return client


def measure(app, client, path: str) -> tuple[float, float, int]:
    """Median and p95 milliseconds over REQUESTS (after one warm-up), and one request's queries."""
    client.get(path).close()
    times = []
    for _ in range(REQUESTS):
        with counted(app) as statements:
            started = time.perf_counter()
            response = client.get(path)
            response.get_data()
            times.append((time.perf_counter() - started) * 1000)
            response.close()
        assert response.status_code == 200, (path, response.status_code)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    return statistics.median(times), p95, len(statements)


def run():
    for kind in kinds():
        with fresh_app(kind, "bench_dashboards") as app:
            started = time.perf_counter()
            with app.app_context():
                ids = generate(REPS, random.Random(7))
            yield (
                f"{kind}: generated {REPS} reps in {REPS // TEAM_SIZE} teams, "
                f"{REPS * DEALS_PER_REP} deals in {time.perf_counter() - started:.1f} s"
            )
            pages = [
                ("rep", "/"),
                ("manager", "/"),
                ("hr", "/"),
                ("admin", "/"),
                ("manager", f"/teams/{ids['team']}/dashboard"),
                ("hr", "/forecast"),
            ]
            for role, path in pages:
                median, p95, queries = measure(app, client_for(app, ids[role]), path)
                yield (
                    f"{kind:10} {role:8} {path:22} median {median:6.1f} ms  "
                    f"p95 {p95:6.1f} ms  {queries} queries"
                )
