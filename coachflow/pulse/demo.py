"""Demo pulse: a monthly company-wide pulse with six closed rounds.

Beside the demo's teams of six, a small "Inside Sales" team of four joins, so that the pages
show the thresholds at work: the team of four never shows its scores (and one team of six is
hidden with it, so that it cannot be worked out from the company's figure), the teams of six
show their scores but not their comments (fewer than ten), and the company shows both. Each
team has a mood the answers follow; the last team's clearly improves round after
round. Deterministic for a seed and a day.
"""

from __future__ import annotations

import datetime
import random

from sqlalchemy import func, select

from coachflow.accounts.demo import FIRST_NAMES, LAST_NAMES, ORGANISATION, DemoOrg
from coachflow.accounts.models import Role, Team, User
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
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
    SurveyStatus,
    SurveyVersion,
)
from coachflow.questionnaires.templates_library import EMPLOYEE_PULSE, fill

ROUNDS = 6
SMALL_TEAM = ("Inside Sales", "Inside sales, all regions", 4)
COMMENTS = {
    "good": [
        "Great team spirit lately.",
        "The new CRM saves me time every day.",
        "My manager's coaching really helps.",
    ],
    "bad": [
        "Too many internal meetings.",
        "Targets changed twice this quarter.",
        "I would like more training on the new products.",
    ],
}


def seed_pulse(org: DemoOrg, rng: random.Random) -> str:
    """The small team, the pulse questionnaire, and six monthly rounds of answers (no commit)."""
    small = _small_team(org, rng)
    _fill_teams(org, rng)
    survey = _questionnaire(org)
    today = utcnow().date()
    pulse = Pulse(
        survey=survey,
        name="Monthly pulse",
        schedule=Schedule.MONTHLY,
        everyone=True,
        starts_on=_months_before(today - datetime.timedelta(days=10), ROUNDS - 1),
        days_open=7,
        created_by_id=org.hr.id,
    )
    db.session.add(pulse)
    db.session.flush()
    teams = [*org.teams, small]
    people = list(
        db.session.scalars(
            select(User).where(User.team_id.in_([t.id for t in teams]), User.active.is_(True))
        )
    )
    version = survey.current_version
    mood = {team.id: rng.uniform(-0.4, 0.6) for team in teams}
    improving = org.teams[-1].id
    mood[improving] = -1.0
    for number in range(1, ROUNDS + 1):
        _round(pulse, version, number, people, mood, rng, improving)
        mood[improving] += 0.45
    return (
        f"Pulse: {ROUNDS} monthly rounds for {len(teams)} teams "
        f"({SMALL_TEAM[0]}: {SMALL_TEAM[2]} people, hidden; {org.teams[-1].name} improving)."
    )


def _months_before(day: datetime.date, months: int) -> datetime.date:
    total = day.year * 12 + day.month - 1 - months
    return datetime.date(total // 12, total % 12 + 1, min(day.day, 28))


def _small_team(org: DemoOrg, rng: random.Random) -> Team:
    name, territory, size = SMALL_TEAM
    hash_ = org.admin.password_hash

    def person(role: Role, index: int) -> User:
        first, last = rng.choice(FIRST_NAMES["en"]), rng.choice(LAST_NAMES["en"])
        user = User(
            email=f"inside.sales{index}@example.com",
            name=f"{first} {last}",
            role=role,
            language="en",
            password_hash=hash_,
        )
        db.session.add(user)
        return user

    team = Team(name=name, territory=territory, manager=person(Role.MANAGER, 0))
    db.session.add(team)
    for index in range(1, size + 1):
        person(Role.REP, index).team = team
    db.session.flush()
    return team


def _fill_teams(org: DemoOrg, rng: random.Random) -> None:
    """Make every other team at least six people (the demo's last team may be smaller)."""
    sizes = dict(
        db.session.execute(
            select(User.team_id, func.count())
            .where(User.team_id.is_not(None))
            .group_by(User.team_id)
        ).all()
    )
    for position, team in enumerate(org.teams, start=1):  # not team.id: ids differ per database
        for index in range(sizes.get(team.id, 0), 6):
            first, last = rng.choice(FIRST_NAMES["en"]), rng.choice(LAST_NAMES["en"])
            user = User(
                email=f"team{position}.rep{index}@example.com",
                name=f"{first} {last}",
                role=Role.REP,
                language="en",
                password_hash=org.admin.password_hash,
                team_id=team.id,
            )
            db.session.add(user)
    db.session.flush()


def _questionnaire(org: DemoOrg) -> Survey:
    """The ready pulse template (eNPS, six items, an optional comment), active."""
    template = EMPLOYEE_PULSE
    survey = Survey(
        name=template.name("en"),
        kind=template.kind,
        status=SurveyStatus.ACTIVE,
        default_language="en",
        owner_id=org.hr.id,
    )
    version = SurveyVersion(survey=survey, number=1, texts=template.survey_texts(ORGANISATION))
    for position, spec in enumerate(template.questions):
        version.questions.append(
            Question(
                position=position,
                type=spec.type,
                required=spec.required,
                texts={lang: fill(text, lang, ORGANISATION) for lang, text in spec.texts.items()},
                options=[],
            )
        )
    db.session.add(survey)
    db.session.flush()
    return survey


def _round(
    pulse: Pulse,
    version: SurveyVersion,
    number: int,
    people: list[User],
    mood: dict[int, float],
    rng: random.Random,
    improving: int,
) -> None:
    opens_on = _months_before(pulse.starts_on, -(number - 1))
    round_ = PulseRound(
        pulse=pulse,
        number=number,
        version_id=version.id,
        opens_on=opens_on,
        closes_on=opens_on + datetime.timedelta(days=pulse.days_open - 1),
        status=RoundStatus.CLOSED,
        reminded=True,
    )
    db.session.add(round_)
    db.session.flush()
    sent = datetime.datetime.combine(opens_on, datetime.time(8), tzinfo=datetime.UTC)
    answers: list[PulseAnswer] = []
    by_team: dict[int, list[User]] = {}
    for person in people:
        by_team.setdefault(person.team_id, []).append(person)
    for team_id, members in by_team.items():
        # Small teams answer in full; in larger ones one person may skip a round.
        # (never in the improving team, so that its trend shows in every round).
        skips = len(members) > 5 and team_id != improving and rng.random() < 0.4
        skipping = rng.choice(members) if skips else None
        for person in members:
            answered = person is not skipping
            db.session.add(
                PulseInvitation(
                    round_id=round_.id,
                    user_id=person.id,
                    team_id=team_id,
                    salt=random_id(),
                    token_hash=random_id() + random_id(),
                    used=answered,
                    sent_at=sent,
                )
            )
            if answered:
                answers.extend(_answer(round_.id, team_id, version, mood[team_id], rng))
    db.session.flush()  # the responses before their answers
    db.session.add_all(answers)
    db.session.flush()


def _answer(
    round_id: int, team_id: int, version: SurveyVersion, mood: float, rng: random.Random
) -> list[PulseAnswer]:
    response = PulseResponse(id=random_id(), round_id=round_id, team_id=team_id)
    db.session.add(response)
    feeling = mood + rng.gauss(0, 0.7)
    answers = []
    for question in version.questions:
        score = text = None
        if question.type is QuestionType.NPS:
            score = max(0, min(10, round(7.5 + 2.2 * feeling)))
        elif question.type is QuestionType.AGREEMENT:
            score = max(1, min(5, round(3.6 + feeling + rng.gauss(0, 0.5))))
        elif rng.random() < 0.5:
            text = rng.choice(COMMENTS["good" if feeling > 0 else "bad"])
        if score is not None or text is not None:
            answers.append(
                PulseAnswer(
                    response_id=response.id, question_id=question.id, score=score, text=text
                )
            )
    return answers
