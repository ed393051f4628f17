"""Pulse results for one round of 5,000 answers in 200 teams: page, CSV and API time and queries.

On SQLite and PostgreSQL: a company of ``PEOPLE`` people in ``TEAMS`` teams (sizes from 3 to
47, so some teams are hidden and the subtraction rule works), one closed round that everyone
answered (eNPS, five agreement items, a comment from a third), written with bulk INSERTs. Then
the median time and the query count of the round's page as HR (every team), its CSV export, the
API's results, the trend and ``latest_team_pulse`` for all teams. ``BENCH_PULSE_PEOPLE`` scales
it down.
"""

from __future__ import annotations

import datetime
import os
import random
import time

from sqlalchemy import insert, select

from benchmarks.bench_survey_results import client_for, counted, timed_get
from benchmarks.common import fresh_app, kinds
from coachflow.accounts.models import Role, Team, User
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.pulse import queries
from coachflow.pulse.models import (
    Pulse,
    PulseAnswer,
    PulseInvitation,
    PulseResponse,
    PulseRound,
    RoundStatus,
    Schedule,
    random_id,
)
from coachflow.questionnaires.models import (
    Question,
    QuestionType,
    Survey,
    SurveyKind,
    SurveyStatus,
    SurveyVersion,
)
from tests.integration.test_api_support import issue_token

PEOPLE = int(os.environ.get("BENCH_PULSE_PEOPLE", "5000"))
TEAMS = 200


def _seed(rng: random.Random) -> int:
    hr = User(email="hr@example.com", name="HR", role=Role.HR, language="en")
    db.session.add(hr)
    teams = [Team(name=f"Team {i:03d}") for i in range(TEAMS)]
    db.session.add_all(teams)
    db.session.flush()
    weights = [rng.randint(3, 47) for _ in teams]
    scale = PEOPLE / sum(weights)
    sizes = [max(3, round(w * scale)) for w in weights]
    people = [
        {
            "email": f"p{t}.{i}@example.com",
            "name": f"P {t}.{i}",
            "role": "rep",
            "team_id": team.id,
            "active": True,
            "session_version": 1,
        }
        for t, (team, size) in enumerate(zip(teams, sizes, strict=True))
        for i in range(size)
    ]
    db.session.execute(insert(User), people)
    survey = Survey(name="Pulse", kind=SurveyKind.EMPLOYEE_PULSE, status=SurveyStatus.ACTIVE)
    version = SurveyVersion(survey=survey, number=1, texts={"en": {"title": "Pulse"}})
    types = [QuestionType.NPS] + [QuestionType.AGREEMENT] * 5 + [QuestionType.TEXT]
    for position, qtype in enumerate(types):
        version.questions.append(
            Question(position=position, type=qtype, required=False, texts={"en": f"Q{position}"})
        )
    today = utcnow().date()
    pulse = Pulse(
        survey=survey,
        name="Pulse",
        schedule=Schedule.MONTHLY,
        everyone=True,
        starts_on=today - datetime.timedelta(days=40),
        days_open=7,
    )
    round_ = PulseRound(
        pulse=pulse,
        number=1,
        version=version,
        opens_on=pulse.starts_on,
        closes_on=pulse.starts_on + datetime.timedelta(days=6),
        status=RoundStatus.CLOSED,
    )
    db.session.add_all([survey, pulse, round_])
    db.session.flush()
    rows = db.session.execute(select(User.id, User.team_id).where(User.team_id.is_not(None))).all()
    db.session.execute(
        insert(PulseInvitation),
        [
            {
                "round_id": round_.id,
                "user_id": uid,
                "team_id": tid,
                "salt": "s",
                "token_hash": random_id() + random_id(),
                "used": True,
            }
            for uid, tid in rows
        ],
    )
    responses, answers = [], []
    for _uid, team_id in rows:
        rid = random_id()
        responses.append({"id": rid, "round_id": round_.id, "team_id": team_id})
        for question in version.questions:
            if question.type is QuestionType.NPS:
                answers.append(
                    {
                        "response_id": rid,
                        "question_id": question.id,
                        "score": rng.randint(0, 10),
                        "text": None,
                    }
                )
            elif question.type is QuestionType.AGREEMENT:
                answers.append(
                    {
                        "response_id": rid,
                        "question_id": question.id,
                        "score": rng.randint(1, 5),
                        "text": None,
                    }
                )
            elif rng.random() < 0.33:
                answers.append(
                    {
                        "response_id": rid,
                        "question_id": question.id,
                        "score": None,
                        "text": "A comment.",
                    }
                )
    db.session.execute(insert(PulseResponse), responses)
    db.session.execute(insert(PulseAnswer), answers)
    db.session.commit()
    return round_.id


def run():
    for kind in kinds():
        with fresh_app(kind, "bench_pulse") as app:
            with app.app_context():
                started = time.perf_counter()
                round_id = _seed(random.Random(7))
                seeded = time.perf_counter() - started
                pulse_id = db.session.get(PulseRound, round_id).pulse_id
                hr_id = db.session.scalar(select(User.id).where(User.role == Role.HR))
            yield f"{kind:10} {PEOPLE:,} answers in {TEAMS} teams seeded in {seeded:.1f} s"
            hr = client_for(app, Role.HR)
            for name, path in (
                ("round page", f"/pulse/rounds/{round_id}"),
                ("CSV export", f"/pulse/rounds/{round_id}/results.csv"),
                ("trend page", f"/pulse/{pulse_id}/trend"),
            ):
                seconds, count, size = timed_get(app, hr, path)
                yield (
                    f"{'':11}{name:12} as hr: {seconds * 1000:6.0f} ms, {count} queries, "
                    f"{size / 1024:.0f} KiB"
                )
            token = issue_token(app, hr_id)
            api = app.test_client()
            times = []
            for _ in range(5):
                with counted(app) as statements:
                    started = time.perf_counter()
                    response = api.get(
                        f"/api/v1/pulse/rounds/{round_id}/results",
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    times.append(time.perf_counter() - started)
                assert response.status_code == 200
            times.sort()
            yield (
                f"{'':11}{'API results':12} hr token: {times[2] * 1000:6.0f} ms, "
                f"{len(statements)} queries, {len(response.get_json()['groups'])} groups"
            )
            with app.app_context():
                hr_user = db.session.get(User, hr_id)
                team_ids = list(db.session.scalars(select(Team.id)))
                with counted(app) as statements:
                    started = time.perf_counter()
                    found = queries.latest_team_pulse(hr_user, team_ids)
                    seconds = time.perf_counter() - started
            hidden = sum(item.hidden for item in found)
            yield (
                f"{'':11}latest_team_pulse for {len(team_ids)} teams: {seconds * 1000:.0f} ms, "
                f"{len(statements)} queries, {hidden} hidden"
            )
