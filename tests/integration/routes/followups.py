"""Who may open each follow-ups route, by role (outcome letters in routes/__init__.py).

The case is the org's rep's, in the manager's team; the rule is that team's."""

from __future__ import annotations

from tests.integration.routes import ADMIN_ONLY, BEARER_ONLY, SIGNED_IN

CASE_READERS = "LANANAA"  # the rep, their manager, HR, admin; the others see no such case
CASE_WORKERS = "LANANDA"  # as readers, but HR only reads
CASE_LEADERS = "LDDANDA"  # the team's manager and admin reassign
FIGURE_READERS = "LDDAAAA"
RULE_KEEPERS = "LDDAADA"  # managers (their teams' rules) and admin
TEAM_RULE = "LDDANDA"  # one team's rule: its manager and admin

ROWS: dict[str, tuple[str, dict[str, str]]] = {
    "followups.index": (SIGNED_IN, {}),
    "followups.case": (CASE_READERS, {"case_id": "@followup_case"}),
    "followups.log_event": (CASE_WORKERS, {"case_id": "@followup_case"}),
    "followups.close": (CASE_WORKERS, {"case_id": "@followup_case"}),
    "followups.reassign": (CASE_LEADERS, {"case_id": "@followup_case"}),
    "followups.figures": (FIGURE_READERS, {}),
    "followups.rules": (RULE_KEEPERS, {}),
    "followups.rule": (TEAM_RULE, {"rule_id": "@followup_rule"}),
    "followups.root_cause_list": (ADMIN_ONLY, {}),
    "followups.toggle_root_cause": (ADMIN_ONLY, {"cause_id": "@root_cause"}),
    "followups.trigger_list": (ADMIN_ONLY, {}),
    "followups.trigger": (ADMIN_ONLY, {"trigger_id": "@deal_trigger"}),
    "followups.toggle_trigger": (ADMIN_ONLY, {"trigger_id": "@deal_trigger"}),
    "api.list_followups": (BEARER_ONLY, {}),
    "api.get_followup": (BEARER_ONLY, {"case_id": "@followup_case"}),
}


def _case(app, org, _resolved) -> int:
    import datetime

    from coachflow.followups.services.root_causes import seed_root_causes
    from coachflow.platform.extensions import db
    from coachflow.platform.time import utcnow
    from tests.followup_factories import make_case

    with app.app_context():
        seed_root_causes()
        case = make_case(
            org.rep,
            org.team,
            opened_at=utcnow() - datetime.timedelta(hours=1),
            account="Matrix AG",
        )
        db.session.commit()
        return case.id


def _rule(app, org, _resolved) -> int:
    from coachflow.followups.models import FollowUpRule
    from coachflow.platform.extensions import db

    with app.app_context():
        rule = FollowUpRule(name="North detractors", team_id=org.team, nps_max=6, csat_max=2)
        db.session.add(rule)
        db.session.commit()
        return rule.id


def _root_cause(app, _org, _resolved) -> int:
    from sqlalchemy import select

    from coachflow.followups.models import RootCause
    from coachflow.followups.services.root_causes import seed_root_causes
    from coachflow.platform.extensions import db

    with app.app_context():
        seed_root_causes()
        db.session.commit()
        return db.session.scalar(select(RootCause.id).order_by(RootCause.id))


def _trigger(app, org, _resolved) -> int:
    from coachflow.followups.models import DealTrigger
    from coachflow.platform.extensions import db
    from coachflow.platform.time import utcnow
    from coachflow.questionnaires.models import SurveyKind
    from tests.survey_factories import make_survey

    with app.app_context():
        survey = make_survey(kind=SurveyKind.CUSTOMER_CSAT, owner_id=org.manager, name="CSAT")
        trigger = DealTrigger(survey_id=survey.id, delay_days=3, starts_on=utcnow().date())
        db.session.add(trigger)
        db.session.commit()
        return trigger.id


FIXTURES = {
    "@followup_case": _case,
    "@followup_rule": _rule,
    "@root_cause": _root_cause,
    "@deal_trigger": _trigger,
}
