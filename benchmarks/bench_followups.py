"""Follow-up figures for 1,000 reps and about 50,000 cases: figures_by_rep's time and queries.

On SQLite and PostgreSQL: 1,000 reps in teams of six, about 50 cases each over a year in every
state (open, contacted, resolved, could not resolve) with first contacts and closings spread
over hours and days. Times ``figures_by_rep`` for the year for everyone (HR's view), for one
manager's team (a select of ids), ``figures_by_team`` and ``root_causes_by_team`` for all teams,
each the median of five runs, with the statements each needed (fixed: one or two).
``BENCH_FOLLOWUP_REPS`` and ``BENCH_FOLLOWUP_CASES`` make the data smaller for a quick run.
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager

from sqlalchemy import event, insert, select

from benchmarks.common import fresh_app, kinds
from coachflow.accounts.models import Role, Team, User
from coachflow.followups.models import CaseReason, CaseState, FollowUpCase, RootCause
from coachflow.followups.queries import figures_by_rep, figures_by_team, root_causes_by_team
from coachflow.followups.services.root_causes import seed_root_causes
from coachflow.platform.extensions import db
from coachflow.questionnaires.models import (
    Question,
    QuestionType,
    Survey,
    SurveyKind,
    SurveyStatus,
    SurveyVersion,
)
from coachflow.surveys.models import Invitation, InvitationStatus, Response

REPS = int(os.environ.get("BENCH_FOLLOWUP_REPS", "1000"))
CASES = int(os.environ.get("BENCH_FOLLOWUP_CASES", "50000"))
TEAM_SIZE = 6
CHUNK = 5000
RUNS = 5
END = datetime.date(2026, 12, 1)
START = END - datetime.timedelta(days=365)


@contextmanager
def counted():
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _chunks(rows: list[dict]):
    for first in range(0, len(rows), CHUNK):
        yield rows[first : first + CHUNK]


def seed(rng: random.Random) -> tuple[list[int], list[int]]:
    """Reps, teams, one survey, and CASES responses each with its case; (rep ids, team ids)."""
    seed_root_causes()
    causes = list(db.session.scalars(select(RootCause.id)))
    teams, reps = [], []
    for number in range(-(-REPS // TEAM_SIZE)):
        manager = User(email=f"m{number}@bench.example", name=f"M {number}", role=Role.MANAGER)
        team = Team(name=f"Team {number}", manager=manager)
        db.session.add_all([manager, team])
        teams.append(team)
    db.session.flush()
    rows = [
        {
            "email": f"r{n}@bench.example",
            "name": f"Rep {n}",
            "role": Role.REP,
            "team_id": teams[n // TEAM_SIZE].id,
            "language": "en",
            "active": True,
            "session_version": 1,
        }
        for n in range(REPS)
    ]
    for chunk in _chunks(rows):
        reps.extend(db.session.scalars(insert(User).returning(User.id), chunk).all())
    team_of = {rep_id: teams[index // TEAM_SIZE].id for index, rep_id in enumerate(reps)}
    survey = Survey(name="NPS", kind=SurveyKind.CUSTOMER_NPS, status=SurveyStatus.ACTIVE)
    version = SurveyVersion(survey=survey, number=1, texts={"en": {"title": "NPS"}})
    version.questions.append(Question(position=0, type=QuestionType.NPS, texts={"en": "NPS?"}))
    db.session.add(survey)
    db.session.flush()
    start = datetime.datetime.combine(START, datetime.time(), tzinfo=datetime.UTC)
    now = datetime.datetime.combine(END, datetime.time(), tzinfo=datetime.UTC)
    for first in range(0, CASES, CHUNK):
        count = min(CHUNK, CASES - first)
        picked = [rng.choice(reps) for _ in range(count)]
        opened = [start + datetime.timedelta(minutes=rng.randrange(525_000)) for _ in picked]
        invitations = db.session.scalars(
            insert(Invitation).returning(Invitation.id, sort_by_parameter_order=True),
            [
                {
                    "survey_id": survey.id,
                    "version_id": version.id,
                    "email": f"c{first + i}@customer.example",
                    "language": "en",
                    "rep_id": rep,
                    "team_id": team_of[rep],
                    "token_salt": "s",
                    "token_hash": f"bench-{first + i}",
                    "status": InvitationStatus.ANSWERED,
                    "created_at": at,
                    "expires_at": at + datetime.timedelta(days=30),
                    "attempts": 1,
                    "last_error": "",
                    "reminders_sent": 0,
                    "adhoc": False,
                }
                for i, (rep, at) in enumerate(zip(picked, opened, strict=True))
            ],
        ).all()
        responses = db.session.scalars(
            insert(Response).returning(Response.id, sort_by_parameter_order=True),
            [
                {
                    "invitation_id": invitation,
                    "survey_id": survey.id,
                    "version_id": version.id,
                    "rep_id": rep,
                    "team_id": team_of[rep],
                    "language": "en",
                    "submitted_at": at,
                }
                for invitation, rep, at in zip(invitations, picked, opened, strict=True)
            ],
        ).all()
        cases = []
        for response, rep, at in zip(responses, picked, opened, strict=True):
            state = rng.choices(list(CaseState), weights=(10, 10, 60, 20))[0]
            contact = at + datetime.timedelta(hours=rng.uniform(1, 80))
            closed = contact + datetime.timedelta(hours=rng.uniform(1, 200))
            cases.append(
                {
                    "response_id": response,
                    "rep_id": rep,
                    "team_id": team_of[rep],
                    "reason": CaseReason.NPS,
                    "score": rng.randrange(7),
                    "comment": "",
                    "state": state,
                    "opened_at": at,
                    "due_at": at + datetime.timedelta(days=2),
                    "first_contact_at": None if state is CaseState.OPEN else min(contact, now),
                    "closed_at": min(closed, now) if state.is_closed else None,
                    "root_cause_id": rng.choice(causes) if state.is_closed else None,
                }
            )
        db.session.execute(insert(FollowUpCase), cases)
    db.session.commit()
    return reps, [team.id for team in teams]


def timed(call: Callable[[], object]) -> tuple[float, int, int]:
    """Median seconds over RUNS, statements of one run, and the size of what it returned."""
    times, statements, size = [], 0, 0
    for _ in range(RUNS):
        db.session.expire_all()
        with counted() as seen:
            started = time.perf_counter()
            result = call()
            times.append(time.perf_counter() - started)
        statements, size = len(seen), len(result)  # type: ignore[arg-type]
    return statistics.median(times), statements, size


def measures(reps: list[int], teams: list[int]) -> list[tuple[str, Callable[[], object]]]:
    one_team = select(User.id).where(User.team_id == teams[0])
    return [
        ("figures_by_rep, every rep", lambda: figures_by_rep(START, END)),
        ("figures_by_rep, one team (select)", lambda: figures_by_rep(START, END, one_team)),
        ("figures_by_rep, 100 ids", lambda: figures_by_rep(START, END, reps[:100])),
        ("figures_by_team, every team", lambda: figures_by_team(START, END)),
        ("root_causes_by_team", lambda: root_causes_by_team(START, END)),
    ]


def run():
    for kind in kinds():
        with fresh_app(kind, "bench_followups") as app, app.app_context():
            started = time.perf_counter()
            reps, teams = seed(random.Random(7))
            yield (
                f"{kind}: seeded {len(reps)} reps in {len(teams)} teams, {CASES} cases "
                f"in {time.perf_counter() - started:.1f} s"
            )
            for label, call in measures(reps, teams):
                seconds, statements, size = timed(call)
                yield (
                    f"{kind}: {label}: {seconds * 1000:.0f} ms, {statements} statement(s), "
                    f"{size} rows"
                )
