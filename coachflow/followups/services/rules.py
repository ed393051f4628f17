"""The rules that turn answers into cases: kept by an admin for all teams, by a manager for
their own teams."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from coachflow.accounts.models import Role, Team
from coachflow.followups.models import FollowUpRule
from coachflow.followups.policy import visible_rules
from coachflow.platform import audit
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db
from coachflow.platform.i18n import LANGUAGES

NPS_RANGE = (0, 9)  # 10 would open a case for every answer
CSAT_RANGE = (1, 4)  # 5 likewise
DUE_RANGE = (1, 30)
MAX_WORDS = 50


@dataclass(frozen=True)
class RuleInput:
    """A rule as a form or script gives it."""

    name: str
    team_id: int | None = None
    nps_max: int | None = 6
    csat_max: int | None = 2
    keywords: dict[str, list[str]] = field(default_factory=dict)
    due_workdays: int = 2
    resurvey: bool = False
    active: bool = True


def split_words(text: str) -> list[str]:
    """Watched words from a comma- or line-separated text, without repeats, in order."""
    seen: list[str] = []
    for part in text.replace("\n", ",").replace(";", ",").split(","):
        word = " ".join(part.split()).casefold()
        if word and word not in seen:
            seen.append(word)
    return seen


def _check(data: RuleInput, by: Any) -> dict[str, Any]:
    name = " ".join((data.name or "").split())
    if not name:
        raise DomainError(_("Give the rule a name."), field="name")
    low, high = NPS_RANGE
    if data.nps_max is not None and not low <= data.nps_max <= high:
        raise DomainError(
            _("An NPS threshold is a score from %(low)d to %(high)d.", low=low, high=high),
            field="nps_max",
        )
    low, high = CSAT_RANGE
    if data.csat_max is not None and not low <= data.csat_max <= high:
        raise DomainError(
            _("A CSAT threshold is a rating from %(low)d to %(high)d.", low=low, high=high),
            field="csat_max",
        )
    low, high = DUE_RANGE
    if not low <= data.due_workdays <= high:
        raise DomainError(
            _("Give from %(low)d to %(high)d working days.", low=low, high=high),
            field="due_workdays",
        )
    keywords = {
        language: words[:MAX_WORDS]
        for language, words in (data.keywords or {}).items()
        if language in LANGUAGES and words
    }
    if data.nps_max is None and data.csat_max is None and not keywords:
        raise DomainError(
            _("Give a threshold or some words: a rule without either never opens a case."),
            field="nps_max",
        )
    if data.team_id is None:
        if by.role is not Role.ADMIN:
            raise DomainError(_("Choose one of your teams."), field="team")
    else:
        team = db.session.get(Team, data.team_id)
        if team is None or (by.role is not Role.ADMIN and team.manager_id != by.id):
            raise DomainError(_("Choose one of your teams."), field="team")
    return {
        "name": name[:120],
        "team_id": data.team_id,
        "nps_max": data.nps_max,
        "csat_max": data.csat_max,
        "keywords": keywords,
        "due_workdays": data.due_workdays,
        "resurvey": data.resurvey,
        "active": data.active,
    }


def create_rule(data: RuleInput, by: Any) -> FollowUpRule:
    """Add a rule; raises ``DomainError`` naming the field that is wrong."""
    values = _check(data, by)
    rule = FollowUpRule(**values, created_by_id=by.id)
    db.session.add(rule)
    db.session.flush()
    audit.record(by, "followup.rule_saved", values["name"], f"rule={rule.id}")
    db.session.commit()
    return rule


def update_rule(rule: FollowUpRule, data: RuleInput, by: Any) -> None:
    """Change a rule; cases it opened keep their due dates."""
    values = _check(data, by)
    for key, value in values.items():
        setattr(rule, key, value)
    audit.record(by, "followup.rule_saved", values["name"], f"rule={rule.id}")
    db.session.commit()


def rules_for(user: Any) -> list[FollowUpRule]:
    """The rules ``user`` keeps, the organisation's first."""
    return list(
        db.session.scalars(
            select(FollowUpRule)
            .where(visible_rules(user))
            .order_by(FollowUpRule.team_id.is_not(None), FollowUpRule.name, FollowUpRule.id)
        )
    )
