"""The demo's coaching: most reps have a closed and an active cycle, every session kind,
debriefs, action items, both assessments, and some goals behind pace."""

from __future__ import annotations

import random
from collections import Counter

from sqlalchemy import func, select

from coachflow.accounts import demo
from coachflow.coaching import queries
from coachflow.coaching.demo import seed_coaching
from coachflow.coaching.models import (
    ActionItem,
    Assessment,
    AssessmentKind,
    CoachingCycle,
    CoachingSession,
    CycleState,
    Debrief,
)
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.sales.demo import seed_sales


def test_the_demo_coaches_most_reps_in_the_last_two_quarters(app):
    with app.app_context():
        org = demo.seed_org(reps=12, seed=3)
        seed_sales(org, random.Random("sales:3"))
        summary = seed_coaching(org, random.Random("coaching:3"))
        db.session.commit()

        states = Counter(db.session.scalars(select(CoachingCycle.state)))
        coached = db.session.scalar(select(func.count(func.distinct(CoachingCycle.rep_id))))
        kinds = set(db.session.scalars(select(CoachingSession.kind)))
        assessments = Counter(
            db.session.execute(
                select(Assessment.kind, CoachingCycle.state).join(
                    CoachingCycle, CoachingCycle.id == Assessment.cycle_id
                )
            ).all()
        )
        progress = queries.progress_of(queries.goal_rows(), utcnow().date())
        debriefs = db.session.scalar(select(func.count(Debrief.id)))
        items = db.session.scalar(select(func.count(ActionItem.id)))

    assert coached >= 12 * 0.6
    assert states[CycleState.CLOSED] == states[CycleState.ACTIVE] == coached
    assert summary.cycles == 2 * coached
    assert kinds == set(queries.SessionKind)
    assert assessments[(AssessmentKind.SELF, CycleState.CLOSED)] == coached
    assert assessments[(AssessmentKind.MANAGER, CycleState.CLOSED)] == coached
    assert debriefs > 0
    assert items > 0
    assert any(p.pace.behind for p in progress)
    assert any(p.pace.met for p in progress)
