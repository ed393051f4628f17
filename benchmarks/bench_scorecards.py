"""Scorecards: company figures beside a GROUP BY floor, one PDF beside a plain page, bulk ZIPs.

A generated organisation of ``BENCH_SCORECARD_REPS`` reps (1,000 by default) in teams of ten,
with ``DEALS_PER_REP`` decided deals and ``ANSWERS_PER_REP`` survey answers each in 2026-Q3
(about 200,000 deals and 300,000 answers; the sizes can be lowered through the environment):

- **figures**: ``period_figures`` for every rep of the quarter, median of three, with its query
  count, beside one hand-written ``GROUP BY`` of won revenue per rep (the floor); on SQLite and
  PostgreSQL. Target: within 3× of the floor, a query count that does not grow with the reps.
- **one PDF**: median render time of one scorecard (figures fetched once), beside WeasyPrint
  rendering a plain page with the same text and no styling. Target: within 2×.
- **bulk**: a ZIP of ``BULK`` scorecards rendered by 1 and by 2 worker processes (chunks of
  ``services.CHUNK``, as the Celery jobs do): wall time, speed-up, and each worker's resident
  memory after its first and its last chunk. Targets: 1.8× on 2 processes, flat memory.
"""

from __future__ import annotations

import concurrent.futures
import datetime
import multiprocessing
import os
import random
import re
import statistics
import time

from sqlalchemy import event, func, insert, select, text

from benchmarks.common import fresh_app, kinds
from coachflow.accounts.models import ProductLine, Role, Team, User
from coachflow.app import create_app
from coachflow.lib.periods import PeriodKind, parse_period
from coachflow.platform.extensions import db
from coachflow.questionnaires.models import (
    Question,
    QuestionType,
    Survey,
    SurveyKind,
    SurveyStatus,
    SurveyVersion,
)
from coachflow.sales.models import CustomerAccount, Deal, DealStage, Quota
from coachflow.scorecards import queries, services
from coachflow.scorecards.models import BulkExport, ExportItem, ExportStatus
from coachflow.surveys.models import Answer, Invitation, InvitationStatus, Response
from config import TestConfig

REPS = int(os.environ.get("BENCH_SCORECARD_REPS", "1000"))
DEALS_PER_REP = int(os.environ.get("BENCH_SCORECARD_DEALS", "200"))
ANSWERS_PER_REP = int(os.environ.get("BENCH_SCORECARD_ANSWERS", "300"))  # 2 per response
BULK = int(os.environ.get("BENCH_SCORECARD_BULK", "200"))
TEAM_SIZE = 10
ACCOUNTS_PER_REP = 20
PAGE = 5000
QUARTER = parse_period("2026-Q3")
FLOOR_SQL = (
    "SELECT rep_id, sum(amount_minor) FROM deals WHERE stage = 'won' "
    "AND closed_on >= :start AND closed_on < :end GROUP BY rep_id"
)


def _insert(table, rows: list[dict]) -> None:
    for start in range(0, len(rows), PAGE):
        db.session.execute(insert(table), rows[start : start + PAGE])


def generate(rng: random.Random) -> None:
    """The organisation, its deals, quotas and answers (core INSERTs with explicit ids)."""
    lines = [ProductLine(code=c, name=n) for c, n in (("HW", "Hardware"), ("SW", "Software"))]
    db.session.add_all(lines)
    teams = []
    for t in range(max(1, REPS // TEAM_SIZE)):
        manager = User(email=f"m{t}@bench.example", name=f"Manager {t}", role=Role.MANAGER)
        teams.append(Team(name=f"Team {t:03d}", manager=manager))
    db.session.add_all(teams)
    reps = [
        User(
            email=f"r{i}@bench.example",
            name=f"Rep {i:04d}",
            role=Role.REP,
            team=teams[i // TEAM_SIZE],
        )
        for i in range(REPS)
    ]
    db.session.add_all(reps)
    db.session.flush()
    line_ids = [line.id for line in lines]
    rep_ids = [(r.id, r.team.id) for r in reps]
    accounts, deals, quotas = [], [], []
    for n, (rep_id, _team) in enumerate(rep_ids):
        base = n * ACCOUNTS_PER_REP
        for a in range(ACCOUNTS_PER_REP):
            accounts.append(
                {
                    "id": base + a + 1,
                    "external_id": f"A{base + a}",
                    "name": f"Account {base + a}",
                    "owner_id": rep_id,
                }
            )
        for line_id in line_ids:
            quotas.append(
                {
                    "rep_id": rep_id,
                    "product_line_id": line_id,
                    "period_kind": PeriodKind.QUARTER,
                    "period_start": QUARTER.start,
                    "currency": "EUR",
                    "revenue_target_minor": 40_000_000,
                    "margin_target_minor": 10_000_000,
                    "bookings_target": 40,
                    "estimates_target": 120,
                }
            )
        for d in range(DEALS_PER_REP):
            amount = rng.randrange(50_000, 1_000_000)
            deals.append(
                {
                    "id": n * DEALS_PER_REP + d + 1,
                    "external_id": f"D{n}-{d}",
                    "account_id": base + rng.randrange(ACCOUNTS_PER_REP) + 1,
                    "rep_id": rep_id,
                    "product_line_id": line_ids[d % 2],
                    "amount_minor": amount,
                    "margin_minor": amount // rng.randrange(3, 6),
                    "currency": "EUR",
                    "stage": DealStage.WON if rng.random() < 0.6 else DealStage.LOST,
                    "closed_on": QUARTER.start + datetime.timedelta(days=rng.randrange(92)),
                }
            )
    _insert(CustomerAccount.__table__, accounts)
    _insert(Quota.__table__, quotas)
    _insert(Deal.__table__, deals)
    survey = Survey(name="Bench NPS", kind=SurveyKind.CUSTOMER_NPS, status=SurveyStatus.ACTIVE)
    version = SurveyVersion(survey=survey, number=1, texts={})
    nps_q = Question(position=0, type=QuestionType.NPS, texts={"en": "NPS"})
    rating_q = Question(position=1, type=QuestionType.RATING, texts={"en": "CSAT"})
    version.questions.extend([nps_q, rating_q])
    db.session.add(survey)
    db.session.flush()
    invitations, responses, answers = [], [], []
    per_rep = ANSWERS_PER_REP // 2
    when = datetime.datetime(2026, 8, 15, 12, tzinfo=datetime.UTC)
    for n, (rep_id, team_id) in enumerate(rep_ids):
        skill = rng.random()
        for k in range(per_rep):
            id_ = n * per_rep + k + 1
            invitations.append(
                {
                    "id": id_,
                    "survey_id": survey.id,
                    "version_id": version.id,
                    "email": f"c{id_}@customer.example",
                    "rep_id": rep_id,
                    "team_id": team_id,
                    "token_salt": "s",
                    "token_hash": f"h{id_}",
                    "status": InvitationStatus.ANSWERED,
                    "expires_at": when,
                    "sent_at": when,
                    "answered_at": when,
                }
            )
            responses.append(
                {
                    "id": id_,
                    "invitation_id": id_,
                    "survey_id": survey.id,
                    "version_id": version.id,
                    "rep_id": rep_id,
                    "team_id": team_id,
                    "submitted_at": when + datetime.timedelta(minutes=k),
                }
            )
            score = min(10, max(0, round(rng.gauss(5 + 5 * skill, 2.5))))
            answers.append({"response_id": id_, "question_id": nps_q.id, "score": score})
            answers.append(
                {"response_id": id_, "question_id": rating_q.id, "score": 1 + score * 4 // 10}
            )
    _insert(Invitation.__table__, invitations)
    _insert(Response.__table__, responses)
    _insert(Answer.__table__, answers)
    db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _median(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _count_queries(app, fn) -> int:
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def figures_lines(kind: str, app) -> list[str]:
    with app.app_context():
        deals = db.session.scalar(select(func.count()).select_from(Deal))
        answers = db.session.scalar(select(func.count()).select_from(Answer))
        floor = _median(
            lambda: db.session.execute(
                text(FLOOR_SQL), {"start": QUARTER.start, "end": QUARTER.end}
            ).all(),
            3,
        )
        figures = _median(lambda: queries.period_figures(QUARTER), 3)
        count = _count_queries(app, lambda: queries.period_figures(QUARTER))
        team = select(User.id).where(User.team_id == db.session.scalar(select(Team.id).limit(1)))
        team_count = _count_queries(app, lambda: queries.period_figures(QUARTER, team))
    return [
        f"{kind:10} figures of {REPS:,} reps ({deals:,} deals, {answers:,} answers): "
        f"{figures * 1000:,.0f} ms, {count} queries (one team: {team_count}); "
        f"GROUP BY floor {floor * 1000:,.0f} ms → {figures / floor:.1f}× the floor"
    ]


def pdf_lines(app) -> list[str]:
    from weasyprint import HTML

    with app.app_context(), app.test_request_context():
        rep_id = db.session.scalar(select(User.id).where(User.role == Role.REP).order_by(User.id))
        data = queries.bundle(QUARTER, services.team_of(rep_id))
        services.render_rep(data, rep_id)  # warm: fonts, templates
        styled = _median(lambda: services.render_rep(data, rep_id), 5)
        from coachflow.scorecards import documents

        html = documents.render_html(
            {
                **services.context_for(data, rep_id),
                "generated_at": datetime.datetime.now(datetime.UTC),
                "lang": "en",
            }
        )
        words = re.sub(r"\s+", " ", re.sub(r"<style.*?</style>|<[^>]+>", " ", html, flags=re.S))
        plain = f"<html><body><p>{words}</p></body></html>"
        HTML(string=plain).write_pdf()
        floor = _median(lambda: HTML(string=plain).write_pdf(), 5)
    return [
        f"one PDF: {styled * 1000:.0f} ms median; plain WeasyPrint page with the same text "
        f"{floor * 1000:.0f} ms → {styled / floor:.1f}× the floor"
    ]


# Bulk: worker processes, as Celery workers would be ------------------------------------------

_WORKER_APP = None


def _worker_init(url: str) -> None:
    global _WORKER_APP
    _WORKER_APP = create_app(TestConfig(url, SQLALCHEMY_ENGINE_OPTIONS={}))


def _rss_kib() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def _peak_kib() -> int:
    """The process's own peak resident memory (VmHWM; ``ru_maxrss`` would carry the parent's
    peak across the exec of a spawned worker)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def _render(export_id: int, rep_ids: list[int]) -> tuple[int, int, int]:
    with _WORKER_APP.app_context():
        services.render_chunk(export_id, rep_ids)
        db.session.remove()
    return os.getpid(), _rss_kib(), _peak_kib()


def _warm(_n: int) -> int:
    time.sleep(0.2)
    return os.getpid()


def bulk_lines(app, url: str) -> list[str]:
    lines = []
    with app.app_context():
        rep_ids = list(
            db.session.scalars(
                select(User.id).where(User.role == Role.REP).order_by(User.id).limit(BULK)
            )
        )
    walls = {}
    for workers in (1, 2):
        with app.app_context():
            export = BulkExport(
                period_kind=QUARTER.kind,
                period_start=QUARTER.start,
                team_ids=[],
                status=ExportStatus.RUNNING,
                total=len(rep_ids),
            )
            db.session.add(export)
            db.session.flush()
            db.session.add_all(
                ExportItem(export_id=export.id, rep_id=r, filename=f"r{r}.pdf") for r in rep_ids
            )
            db.session.commit()
            export_id = export.id
        chunks = [rep_ids[i : i + services.CHUNK] for i in range(0, len(rep_ids), services.CHUNK)]
        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(
            workers, mp_context=context, initializer=_worker_init, initargs=(url,)
        ) as pool:
            list(pool.map(_warm, range(workers * 2)))  # start-up is not rendering
            started = time.perf_counter()
            results = list(pool.map(_render, [export_id] * len(chunks), chunks))
            walls[workers] = time.perf_counter() - started
        memory: dict[int, list[int]] = {}
        peak: dict[int, int] = {}
        for pid, rss, maxrss in results:
            memory.setdefault(pid, []).append(rss)
            peak[pid] = max(peak.get(pid, 0), maxrss)
        with app.app_context():
            size = sum(
                len(part) for part in services.export_zip(db.session.get(BulkExport, export_id))
            )
            status = db.session.get(BulkExport, export_id).status.value
        per_worker = "; ".join(
            f"worker {n + 1}: {len(rss)} chunks, RSS {rss[0] / 1024:.0f} → "
            f"{rss[-1] / 1024:.0f} MiB, peak {peak[pid] / 1024:.0f} MiB"
            for n, (pid, rss) in enumerate(sorted(memory.items()))
        )
        lines.append(
            f"bulk ZIP of {len(rep_ids)} with {workers} process{'es' if workers > 1 else ''}: "
            f"{walls[workers]:.1f} s ({len(rep_ids) / walls[workers]:.1f} PDFs/s), "
            f"ZIP {size / 1024 / 1024:.1f} MiB, {status}; {per_worker}"
        )
    lines.append(f"bulk speed-up on 2 processes: {walls[1] / walls[2]:.2f}×")
    return lines


def run() -> list[str]:
    lines = []
    for kind in kinds():
        with fresh_app(kind, "bench_scorecards") as app:
            started = time.perf_counter()
            with app.app_context():
                generate(random.Random(21))
            lines.append(f"{kind:10} generated in {time.perf_counter() - started:.0f} s")
            lines.extend(figures_lines(kind, app))
            if kind == kinds()[-1]:
                lines.extend(pdf_lines(app))
                url = app.config["SQLALCHEMY_DATABASE_URI"]
                lines.extend(bulk_lines(app, url))
    return lines
