"""Answer submissions under gunicorn (2 workers) on PostgreSQL, beside a bare endpoint's ceiling.

Invitations with known tokens are created in a fresh database; gunicorn serves the app as
production does (``gunicorn -w 2 wsgi:app``, configured from the environment), once with sync
workers and once with gthread workers (8 threads each, ``DATABASE_POOL_SIZE=8``). A load tool
in a second process (``python -m benchmarks.bench_answers load``: threads and ``http.client``,
16 connections at once, keep-alive when the server offers it) first GETs ``/ping`` of the same
app (no database: the ceiling of the framework and the server) 5,000 times, then POSTs one
answer to each of 5,000 invitations. Afterwards every accepted submission (303) must have its
response in the database. The CPU time the gunicorn workers and the PostgreSQL backends spent
is read from ``/proc`` around each measurement and shown per request. Loopback only; every loop
is bounded by the number of requests.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import func, insert, select, text, update

from benchmarks.common import POSTGRES_SERVER, fresh_app, postgres_available
from coachflow.accounts.models import Role, Team, User
from coachflow.lib import tokens
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.questionnaires.models import (
    Question,
    QuestionType,
    Survey,
    SurveyKind,
    SurveyStatus,
    SurveyVersion,
)
from coachflow.surveys.models import Invitation, InvitationStatus, Response

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "bench_answers"
SECRET_KEY = "bench-answers-fixed-secret-key"  # noqa: S105 (a throwaway benchmark database)
INVITATIONS = 5_000
WARM_UP = 300
CONCURRENCY = 16
WORKERS = 2
# Each configuration: its label, gunicorn's options and the environment it is configured with.
SERVERS = (
    ("sync workers", (), {}),
    ("gthread workers, 8 threads each", ("--threads", "8"), {"DATABASE_POOL_SIZE": "8"}),
)
COMMENTS = ("Quick and friendly.", "Delivery was late.", "", "Great support from our rep.")


def run() -> list[str]:
    if not postgres_available():
        return [f"PostgreSQL at {POSTGRES_SERVER} is not reachable: skipped."]
    lines = [
        f"gunicorn -w {WORKERS}, {CONCURRENCY} concurrent connections, {INVITATIONS:,} requests "
        f"per measurement, PostgreSQL, {os.cpu_count()} CPUs shared by server, database and load "
        "tool"
    ]
    per_server = WARM_UP + INVITATIONS
    with fresh_app("postgresql", DATABASE) as app:
        links, fields = seed(app, per_server * len(SERVERS))
        for n, (label, options, settings) in enumerate(SERVERS):
            batch = links[n * per_server : (n + 1) * per_server]
            lines += measure(
                app, label, (options, settings), batch[:WARM_UP], batch[WARM_UP:], fields
            )
    return lines


def measure(app, label, server, warm_up, measured, fields) -> list[str]:
    """The bare endpoint and the answers on one server configuration, and what was kept."""
    with gunicorn(f"{POSTGRES_SERVER}/{DATABASE}", *server) as (port, server_pid):
        load(port, [("GET", "/ping", "")] * WARM_UP)
        load(port, [answer_request(t, fields, n) for n, t in enumerate(warm_up)])
        processes = CpuMeter(app, server_pid)
        bare = load(port, [("GET", "/ping", "")] * len(measured))
        bare_cpu = processes.spent()
        answers = load(port, [answer_request(t, fields, n) for n, t in enumerate(measured)])
        answers_cpu = processes.spent()
    accepted = [t for t, status in zip(measured, answers["statuses"], strict=True) if status == 303]
    refused = [t for t, status in zip(measured, answers["statuses"], strict=True) if status != 303]
    stored, unacknowledged = stored_responses(app, accepted), stored_responses(app, refused)
    bare_rate = len(measured) / bare["elapsed"]
    answer_rate = len(measured) / answers["elapsed"]
    return [
        f"{label}:",
        f"  bare /ping (same app, no database): {bare_rate:,.0f} req/s, "
        f"p95 {p95(bare['latencies']):.1f} ms, non-200: {count_not(bare, 200)}, "
        f"load tool busy {bare['client_cpu']:.0%} of a CPU",
        f"  answer submissions: {answer_rate:,.0f} submissions/s, "
        f"p95 {p95(answers['latencies']):.1f} ms, accepted (303): {len(accepted):,}, "
        f"refused: {len(refused)}, load tool busy {answers['client_cpu']:.0%} of a CPU",
        f"  ratio to the bare ceiling: {answer_rate / bare_rate:.2f} (target >= 0.50); "
        f"p95 target < 100 ms",
        f"  CPU per request: /ping {per_request(bare_cpu, measured)}; "
        f"answer {per_request(answers_cpu, measured)}",
        f"  submissions lost: {len(accepted) - stored} (accepted and stored: {stored:,}; "
        f"stored though not acknowledged: {unacknowledged})",
    ]


def per_request(spent: dict[str, float], requests: list) -> str:
    """CPU milliseconds per request, by group of processes."""
    return ", ".join(
        f"{group} {seconds / len(requests) * 1000:.2f} ms" for group, seconds in spent.items()
    )


class CpuMeter:
    """CPU time spent by the gunicorn workers and by the app's PostgreSQL backends (Linux
    ``/proc``), between one reading and the next: where a request's cost goes."""

    TICKS = os.sysconf("SC_CLK_TCK")

    def __init__(self, app, server_pid: int) -> None:
        self.app, self.server_pid = app, server_pid
        self.last = self.readings()

    def spent(self) -> dict[str, float]:
        now = self.readings()
        spent = {
            group: sum(now[group].get(pid, 0.0) - seconds for pid, seconds in last.items())
            + sum(seconds for pid, seconds in now[group].items() if pid not in last)
            for group, last in self.last.items()
        }
        self.last = now
        return spent

    def readings(self) -> dict[str, dict[int, float]]:
        with self.app.app_context():
            backends = db.session.scalars(
                text(
                    "SELECT pid FROM pg_stat_activity"
                    " WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": DATABASE},
            ).all()
            db.session.rollback()
        workers = [pid for pid in _processes() if _parent(pid) == self.server_pid]
        return {
            "gunicorn workers": {pid: _cpu_seconds(pid) for pid in workers},
            "PostgreSQL": {pid: _cpu_seconds(pid) for pid in backends},
        }


def _processes() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _stat_fields(pid: int) -> list[str]:
    """The fields of ``/proc/<pid>/stat`` after the command name; empty once it has exited."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _parent(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[1]) if fields else None


def _cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a process so far."""
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / CpuMeter.TICKS if fields else 0.0


# Data ------------------------------------------------------------------------------------------


def seed(app, count: int) -> tuple[list[str], dict[str, str]]:
    """An active NPS survey with an optional comment and ``count`` sent invitations; returns
    their link tokens and the form field names."""
    with app.app_context():
        team = Team(name="Bench", territory="")
        rep = User(email="rep@bench.example", name="Bench Rep", role=Role.REP, team=team)
        survey = Survey(
            name="Relationship NPS",
            kind=SurveyKind.CUSTOMER_NPS,
            status=SurveyStatus.ACTIVE,
            default_language="en",
        )
        version = SurveyVersion(
            survey=survey,
            number=1,
            texts={"en": {"title": "Relationship NPS", "intro": "", "thanks": "Thank you!"}},
        )
        version.questions = [
            Question(
                position=0,
                type=QuestionType.NPS,
                required=True,
                texts={"en": "How likely are you to recommend us?"},
            ),
            Question(
                position=1,
                type=QuestionType.TEXT,
                required=False,
                texts={"en": "What is the main reason for your score?"},
            ),
        ]
        db.session.add_all([rep, survey])
        db.session.flush()
        now = utcnow()
        salts = [tokens.new_salt() for _ in range(count)]
        ids = db.session.scalars(
            insert(Invitation).returning(Invitation.id, sort_by_parameter_order=True),
            [
                {
                    "survey_id": survey.id,
                    "version_id": version.id,
                    "email": f"customer{n}@bench.example",
                    "language": "en",
                    "rep_id": rep.id,
                    "team_id": team.id,
                    "token_salt": salt,
                    "token_hash": f"pending-{n}",
                    "status": InvitationStatus.SENT,
                    "created_at": now,
                    "expires_at": now + timedelta(days=30),
                    "sent_at": now,
                    "attempts": 1,
                    "last_error": "",
                    "reminders_sent": 0,
                }
                for n, salt in enumerate(salts)
            ],
        ).all()
        links = [tokens.derive(SECRET_KEY, i, salt) for i, salt in zip(ids, salts, strict=True)]
        db.session.execute(
            update(Invitation),
            [
                {"id": i, "token_hash": tokens.hash_token(t)}
                for i, t in zip(ids, links, strict=True)
            ],
        )
        db.session.commit()
        fields = {q.type.value: f"q{q.id}" for q in version.questions}
    return links, fields


def answer_request(token: str, fields: dict[str, str], n: int) -> tuple[str, str, str]:
    rng = random.Random(n)
    body = urlencode({fields["nps"]: str(rng.randint(0, 10)), fields["text"]: rng.choice(COMMENTS)})
    return ("POST", f"/s/{token}", body)


def stored_responses(app, links: list[str]) -> int:
    """How many of these invitations have their response in the database."""
    hashes = [tokens.hash_token(t) for t in links]
    stored = 0
    with app.app_context():
        for start in range(0, len(hashes), 1_000):
            stored += db.session.scalar(
                select(func.count())
                .select_from(Response)
                .join(Invitation, Invitation.id == Response.invitation_id)
                .where(Invitation.token_hash.in_(hashes[start : start + 1_000]))
            )
    return stored


# The server ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, options: tuple[str, ...] = (), settings: dict | None = None):
    """``gunicorn -w 2 [options] wsgi:app`` on a free loopback port, configured as production
    is (from the environment); yields the port and the gunicorn master's process id."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "MAIL_SERVER")}
    with tempfile.TemporaryDirectory() as instance:
        # No periodic work beside the measurement (without a broker the app would tick itself).
        env.update(
            DATABASE_URL=database_url,
            SECRET_KEY=SECRET_KEY,
            COACHFLOW_INSTANCE_DIR=instance,
            EMBEDDED_SCHEDULER="0",
        )
        env.update(settings or {})
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                str(WORKERS),
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                *options,
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            wait_until_serving(port, server)
            yield port, server.pid
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=5)


def wait_until_serving(port: int, server: subprocess.Popen) -> None:
    for _attempt in range(300):  # at most ~30 s
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            status, _latency = one_request(port, "GET", "/ping", "")
        except OSError:
            time.sleep(0.1)
            continue
        if status == 200:
            return
    raise RuntimeError("gunicorn did not answer /ping within 30 s")


# The load tool (runs in its own process) --------------------------------------------------------


def load(port: int, requests: list[tuple[str, str, str]]) -> dict:
    """Send ``requests`` from a second process, ``CONCURRENCY`` at a time; its measurements."""
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_answers", "load", str(port), str(CONCURRENCY)],
        input=json.dumps(requests),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=600,
    )
    return json.loads(result.stdout)


def one_request(port: int, method: str, path: str, body: str) -> tuple[int, float]:
    """One request on a connection of its own."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        return timed_request(connection, method, path, body)
    finally:
        connection.close()


def timed_request(
    connection: http.client.HTTPConnection, method: str, path: str, body: str
) -> tuple[int, float]:
    """Status and milliseconds of one request; the connection is kept when the server keeps it
    (gthread workers) and opened anew when the server closed it (sync workers)."""
    started = time.perf_counter()
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    connection.request(method, path, body=body or None, headers=headers)
    response = connection.getresponse()
    response.read()
    if response.will_close:
        connection.close()
    return response.status, (time.perf_counter() - started) * 1000


def drive(port: int, concurrency: int, requests: list[tuple[str, str, str]]) -> dict:
    """Every request exactly once, by ``concurrency`` threads taking the next one in turn."""
    statuses: list[int] = [0] * len(requests)
    latencies: list[float] = [0.0] * len(requests)
    pending = iter(range(len(requests)))
    lock = threading.Lock()

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while True:
                with lock:
                    index = next(pending, None)
                if index is None:
                    return
                try:
                    statuses[index], latencies[index] = timed_request(connection, *requests[index])
                except (OSError, http.client.HTTPException):
                    statuses[index] = -1  # counted as refused; never sent twice
                    connection.close()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "elapsed": elapsed,
        "statuses": statuses,
        "latencies": latencies,
        "client_cpu": (time.process_time() - cpu) / elapsed,
    }


def p95(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] if ordered else 0.0


def count_not(result: dict, status: int) -> int:
    return sum(1 for s in result["statuses"] if s != status)


if __name__ == "__main__" and sys.argv[1:2] == ["load"]:
    port_arg, concurrency_arg = int(sys.argv[2]), int(sys.argv[3])
    print(json.dumps(drive(port_arg, concurrency_arg, json.load(sys.stdin))))
