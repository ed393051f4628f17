"""Demo recognition: a few thanks between colleagues and from managers, in each team."""

from __future__ import annotations

import random
from typing import Any

from coachflow.dashboards.models import Recognition
from coachflow.platform.extensions import db

REASONS = (
    "Won back a key account after a difficult delivery.",
    "Shared the pricing model that closed our biggest deal.",
    "Covered my customer visits while I was ill.",
    "Ran a great product demo for the whole team.",
    "Followed up every unhappy customer within a day.",
)


def seed_recognitions(org: Any, rng: random.Random) -> str:
    """Two recognitions per team: one from its manager, one from a peer."""
    made = 0
    for team in org.teams:
        reps = [rep for rep in org.reps if rep.team_id == team.id]
        if len(reps) < 2:
            continue
        first, second = rng.sample(reps, 2)
        if team.manager_id is not None:
            db.session.add(
                Recognition(
                    giver_id=team.manager_id,
                    recipient_id=first.id,
                    team_id=team.id,
                    reason=rng.choice(REASONS),
                )
            )
            made += 1
        db.session.add(
            Recognition(
                giver_id=second.id,
                recipient_id=first.id,
                team_id=team.id,
                reason=rng.choice(REASONS),
            )
        )
        made += 1
    return f"Demo recognition: {made} thanks between colleagues."
