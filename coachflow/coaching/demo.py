"""Demo coaching: cycles for most reps over the last two quarters.

The previous quarter's cycle is closed: an approved plan, goals, sessions of every kind with
debriefs, action items (most done), both assessments handed in and the manager's summary. The
current quarter's is active: past sessions debriefed, sessions still to come, open action items,
the rep's self-assessment handed in, and goals of which some are behind pace. Deterministic for
a seed and a day; built on the demo organisation and its sales data.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from sqlalchemy import select

from coachflow.coaching import metrics
from coachflow.coaching.models import (
    ActionItem,
    AgendaItem,
    Assessment,
    AssessmentKind,
    CoachingCycle,
    CoachingSession,
    CompetencyList,
    CycleState,
    Debrief,
    Goal,
    KeyAccount,
    Metric,
    Rating,
    SessionKind,
    TerritoryPlan,
)
from coachflow.coaching.services import standard_competencies
from coachflow.lib.periods import Period, PeriodKind
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.sales.models import CustomerAccount

SHARE_COACHED = 0.85  # most reps, not all
STRATEGIES = (
    "Meet the new purchasing lead and renew the service contract early.",
    "Cross-sell software to the hardware base; demo at their plant.",
    "Win back after last year's delivery issue: monthly check-ins.",
    "Expand to their second site through the channel partner.",
)
AGENDA = ("Pipeline review", "Forecast for the quarter", "Key account strategy", "Training needs")
WHAT_HAPPENED = (
    "The buyer confirmed the budget; the technical lead raised integration questions.",
    "We presented the new service plan; the customer asked for references.",
    "A short call: the decision moves to next month.",
)
WENT_WELL = ("Clear discovery questions.", "Good preparation of the figures.", "Listened well.")
DIFFERENTLY = ("Ask for the next step earlier.", "Talk less about features.", "Bring a reference.")
NEXT_STEPS = (
    "Send the proposal",
    "Arrange a reference call",
    "Book the product demo",
    "Call the purchasing lead",
    "Update the opportunity in the CRM",
)


@dataclass
class CoachingSummary:
    cycles: int = 0
    sessions: int = 0
    action_items: int = 0

    def summary(self) -> str:
        return (
            f"Coaching: {self.cycles} cycles, {self.sessions} sessions, "
            f"{self.action_items} action items."
        )


def _competencies() -> CompetencyList:
    existing = db.session.scalars(select(CompetencyList).order_by(CompetencyList.version)).first()
    if existing is not None:
        return existing
    made = standard_competencies()
    db.session.add(made)
    db.session.flush()
    return made


def seed_coaching(org, rng: random.Random) -> CoachingSummary:
    """Add the demo cycles to the session (the caller commits)."""
    done = CoachingSummary()
    competencies = _competencies()
    now = utcnow()
    current = Period.containing(now.date(), PeriodKind.QUARTER)
    previous = Period.containing(current.start - datetime.timedelta(days=1), PeriodKind.QUARTER)
    accounts: dict[int, list[int]] = {}
    for account_id, owner_id in db.session.execute(
        select(CustomerAccount.id, CustomerAccount.owner_id).where(
            CustomerAccount.owner_id.in_([rep.id for rep in org.reps])
        )
    ):
        accounts.setdefault(owner_id, []).append(account_id)
    last_revenue = metrics.revenue([rep.id for rep in org.reps], previous.start, previous.end)
    for rep in org.reps:
        base = last_revenue.get(rep.id) or 100_000.0
        if rng.random() > SHARE_COACHED or rep.team is None or rep.team.manager_id is None:
            continue
        for period, closed in ((previous, True), (current, False)):
            target = round(base * rng.uniform(0.75, 1.15), -3)
            _cycle(
                rep, period, closed, rng, now, competencies, accounts.get(rep.id, []), done, target
            )
        db.session.flush()
    return done


def _cycle(rep, period, closed, rng, now, competencies, account_ids, done, target) -> None:
    manager_id = rep.team.manager_id
    cycle = CoachingCycle(
        rep_id=rep.id,
        manager_id=manager_id,
        period_start=period.start,
        period_end=period.end,
        state=CycleState.CLOSED if closed else CycleState.ACTIVE,
        summary=(
            "A solid quarter: the key accounts moved, the pipeline is healthier. Next: "
            "earlier closing questions."
            if closed
            else ""
        ),
        closed_at=now if closed else None,
    )
    keys = rng.sample(account_ids, min(3, len(account_ids)))
    cycle.plan = TerritoryPlan(
        new_business_percent=rng.choice((20, 30, 40)),
        channel_partners="Schmidt Systemhaus; Nordtech Distribution",
        targets="Grow the key accounts by 10 %, win two new logos.",
        manager_comment="Agreed; let us review the key accounts monthly.",
        submitted_at=now,
        approved_at=now,
        approved_by_id=manager_id,
        key_accounts=[KeyAccount(account_id=a, strategy=rng.choice(STRATEGIES)) for a in keys],
    )
    db.session.add(cycle)
    done.cycles += 1
    last_day = period.end - datetime.timedelta(days=1)
    # Revenue targets around what the rep sold the quarter before: a stretch is behind pace.
    cycle.goals = [
        Goal(title="Quarterly revenue", metric=Metric.REVENUE, target=target, due_on=last_day),
        Goal(title="Estimates given", metric=Metric.ESTIMATES, target=60, due_on=last_day),
        Goal(title="Customer NPS", metric=Metric.NPS, target=30, due_on=last_day),
        Goal(
            title="Product demos held",
            metric=Metric.MANUAL,
            target=8,
            due_on=last_day,
            manual_value=rng.randint(1, 8),
        ),
    ]
    kinds = list(SessionKind)
    rng.shuffle(kinds)
    span = (period.end - period.start).days
    for index, kind in enumerate(kinds):
        # Spread over the quarter, and over the week and day, so a manager's reps do not clash.
        offset = 5 + index * span // len(kinds) + rng.randint(0, 6)
        day = period.start + datetime.timedelta(days=offset)
        starts_at = datetime.datetime.combine(day, datetime.time(rng.randint(7, 15)), datetime.UTC)
        session = CoachingSession(
            kind=kind,
            starts_at=starts_at,
            duration_minutes=rng.choice((45, 60, 90)),
            place=rng.choice(("Office", "Video call", "At the customer's")),
            account_id=keys[0] if keys and kind is not SessionKind.SALES_MEETING else None,
            objective="Agree the next step for the renewal" if keys else "",
            agenda=[AgendaItem(text=rng.choice(AGENDA))],
        )
        cycle.sessions.append(session)
        done.sessions += 1
        if starts_at >= now:
            continue
        session.debrief = Debrief(
            what_happened=rng.choice(WHAT_HAPPENED),
            went_well=rng.choice(WENT_WELL),
            do_differently=rng.choice(DIFFERENTLY),
            author_id=manager_id,
        )
        for owner in rng.sample((rep.id, manager_id), rng.randint(1, 2)):
            due = day + datetime.timedelta(days=rng.randint(3, 14))
            cycle.action_items.append(
                ActionItem(
                    session=session,
                    text=rng.choice(NEXT_STEPS),
                    owner_id=owner,
                    due_on=due,
                    done_at=now if closed or rng.random() < 0.5 else None,
                    reminded_at=now if due <= now.date() else None,
                )
            )
            done.action_items += 1
    _assessments(cycle, rep, manager_id, competencies, rng, now, both=closed)


def _assessments(cycle, rep, manager_id, competencies, rng, now, *, both) -> None:
    people = [(AssessmentKind.SELF, rep.id)] + (
        [(AssessmentKind.MANAGER, manager_id)] if both else []
    )
    for kind, author in people:
        assessment = Assessment(
            kind=kind, version=1, list_id=competencies.id, author_id=author, submitted_at=now
        )
        assessment.ratings = [
            Rating(
                competency_id=c.id,
                rating=min(
                    5, max(1, round(rng.gauss(3.8 if kind is AssessmentKind.SELF else 3.3, 0.9)))
                ),
                comment="",
            )
            for c in competencies.competencies
        ]
        assessment.cycle = cycle
        db.session.add(assessment)
