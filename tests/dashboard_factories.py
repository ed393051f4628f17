"""Deals and quotas for dashboard tests: a won deal today and a quota for the current quarter."""

from __future__ import annotations

import datetime
import itertools

from coachflow.lib.periods import Period, PeriodKind
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.sales.models import CustomerAccount, Deal, DealStage, Quota

_ids = itertools.count(1)


def this_quarter() -> Period:
    return Period.containing(utcnow().date(), PeriodKind.QUARTER)


def account_for(rep_id: int) -> int:
    account = CustomerAccount(external_id=f"DASH-ACC-{next(_ids)}", name="Kunde", owner_id=rep_id)
    db.session.add(account)
    db.session.flush()
    return account.id


def won_deal(rep_id: int, line_id: int, amount: int, day: datetime.date | None = None) -> None:
    """A deal won by ``rep_id`` for ``amount`` whole euros, today unless ``day`` is given."""
    db.session.add(
        Deal(
            external_id=f"DASH-DEAL-{next(_ids)}",
            account_id=account_for(rep_id),
            rep_id=rep_id,
            product_line_id=line_id,
            amount_minor=amount * 100,
            currency="EUR",
            stage=DealStage.WON,
            closed_on=day or utcnow().date(),
        )
    )


def quarter_quota(rep_id: int, line_id: int, amount: int) -> None:
    """A quota of ``amount`` whole euros for ``rep_id`` in the current quarter."""
    db.session.add(
        Quota(
            rep_id=rep_id,
            product_line_id=line_id,
            period_kind=PeriodKind.QUARTER,
            period_start=this_quarter().start,
            currency="EUR",
            revenue_target_minor=amount * 100,
        )
    )
