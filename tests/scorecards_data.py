"""A small hand-made quarter (2026-Q3) for the scorecard tests.

rep (team North), product line Hardware:
    won 100,000.00 on 10 Jul (margin 30,000.00), account A1's first win: new business
    won  50,000.00 on 15 Aug (margin 10,000.00), A1 again: repeat business
    lost 20,000.00 on  1 Sep; won 40,000.00 on 2 Oct (next quarter, not counted)
    quota Q3: revenue 200,000.00, margin 50,000.00, bookings 4, estimates 12
    → revenue 150,000.00, attainment 75 %, margin 26.7 %, repeat share 1/3,
      estimates given 3 (two won, one lost) of 12
    NPS answers in Q3: 10, 9, 9, 8, 6, 3 → P 3, Pa 1, D 2, NPS +16.7 (n 6, few answers);
      one more (0) in October, not counted
other rep (team South): won 80,000.00 on 20 Jul, no margin, no quota;
    NPS answers 10, 10, 7, 7 → NPS +50 (n 4)
    index: repeat 0 (weight .15) and NPS (50 + 100)/200 = .75 (weight .15) → 37.5
"""

from __future__ import annotations

import datetime

from coachflow.lib.periods import PeriodKind
from coachflow.platform.extensions import db
from coachflow.questionnaires.models import QuestionType
from coachflow.sales.models import CustomerAccount, Deal, DealStage, Quota
from tests.integration.test_surveys_results import answer
from tests.survey_factories import make_survey

Q3 = "2026-Q3"


def _at(month: int, day: int) -> datetime.datetime:
    return datetime.datetime(2026, month, day, 12, tzinfo=datetime.UTC)


def build_quarter(app, org) -> None:
    with app.app_context():
        a1 = CustomerAccount(external_id="A1", name="Hansa Technik GmbH", owner_id=org.rep)
        a2 = CustomerAccount(external_id="A2", name="Lumière SARL", owner_id=org.other_rep)
        db.session.add_all([a1, a2])
        db.session.flush()
        deals = [
            ("D1", a1, org.rep, 100_000_00, 30_000_00, DealStage.WON, datetime.date(2026, 7, 10)),
            ("D2", a1, org.rep, 50_000_00, 10_000_00, DealStage.WON, datetime.date(2026, 8, 15)),
            ("D3", a1, org.rep, 20_000_00, None, DealStage.LOST, datetime.date(2026, 9, 1)),
            ("D4", a1, org.rep, 40_000_00, None, DealStage.WON, datetime.date(2026, 10, 2)),
            ("D5", a2, org.other_rep, 80_000_00, None, DealStage.WON, datetime.date(2026, 7, 20)),
        ]
        for external_id, account, rep, amount, margin, stage, closed in deals:
            db.session.add(
                Deal(
                    external_id=external_id,
                    account_id=account.id,
                    rep_id=rep,
                    product_line_id=org.product_line,
                    amount_minor=amount,
                    margin_minor=margin,
                    currency="EUR",
                    stage=stage,
                    closed_on=closed,
                )
            )
        db.session.add(
            Quota(
                rep_id=org.rep,
                product_line_id=org.product_line,
                period_kind=PeriodKind.QUARTER,
                period_start=datetime.date(2026, 7, 1),
                currency="EUR",
                revenue_target_minor=200_000_00,
                margin_target_minor=50_000_00,
                bookings_target=4,
                estimates_target=12,
            )
        )
        survey = make_survey(owner_id=org.manager)
        for index, score in enumerate((10, 9, 9, 8, 6, 3)):
            answer(
                app,
                survey,
                rep_id=org.rep,
                team_id=org.team,
                scores={QuestionType.NPS: score},
                at=_at(8, index + 1),
            )
        answer(
            app,
            survey,
            rep_id=org.rep,
            team_id=org.team,
            scores={QuestionType.NPS: 0},
            at=_at(10, 5),
        )
        for index, score in enumerate((10, 10, 7, 7)):
            answer(
                app,
                survey,
                rep_id=org.other_rep,
                team_id=org.other_team,
                scores={QuestionType.NPS: score},
                at=_at(9, index + 1),
            )
        db.session.commit()
