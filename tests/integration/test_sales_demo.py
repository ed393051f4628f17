"""The demo's sales data: deterministic, proportional to --reps, and believable."""

from __future__ import annotations

import datetime
import random
import statistics
import time

import pytest
from sqlalchemy import func, select

from coachflow.accounts import demo
from coachflow.accounts.models import ProductLine, Role, User
from coachflow.lib.figures import EMPTY
from coachflow.lib.periods import parse_period
from coachflow.platform.extensions import db
from coachflow.sales import queries
from coachflow.sales.demo import performance_factors, seed_sales, stratified
from coachflow.sales.models import Contact, CustomerAccount, Deal, DealStage, Quota
from tests.conftest import empty_tables

TODAY = datetime.date(2026, 11, 16)


def seed(app, reps: int, seed: int = 7):
    with app.app_context():
        org = demo.seed_org(reps=reps, seed=seed)
        counts = seed_sales(org, random.Random(f"sales:{seed}"), today=TODAY)
        db.session.commit()
        return counts


def fingerprint(app) -> tuple:
    with app.app_context():
        return (
            db.session.execute(
                select(CustomerAccount.external_id, CustomerAccount.name).order_by(
                    CustomerAccount.external_id
                )
            ).all(),
            db.session.execute(
                select(Contact.email, Contact.language).order_by(Contact.email)
            ).all(),
            db.session.execute(
                select(
                    Deal.external_id,
                    Deal.amount_minor,
                    Deal.margin_minor,
                    Deal.stage,
                    Deal.closed_on,
                ).order_by(Deal.external_id)
            ).all(),
            db.session.execute(
                select(Quota.period_start, Quota.revenue_target_minor).order_by(Quota.id)
            ).all(),
        )


def test_the_same_seed_gives_the_same_sales(app):
    seed(app, reps=6, seed=3)
    first = fingerprint(app)
    empty_tables(app)
    seed(app, reps=6, seed=3)
    assert fingerprint(app) == first
    empty_tables(app)
    seed(app, reps=6, seed=4)
    assert fingerprint(app) != first


def test_counts_scale_with_the_number_of_reps(app):
    small = seed(app, reps=6)
    empty_tables(app)
    large = seed(app, reps=12)
    assert 6 * 36 <= small.accounts <= 6 * 44
    assert 12 * 36 <= large.accounts <= 12 * 44
    assert large.accounts / small.accounts == pytest.approx(2, rel=0.15)
    assert large.deals / small.deals == pytest.approx(2, rel=0.2)
    assert 150 * 12 <= large.deals <= 260 * 12  # about 200 a rep over the year
    assert large.accounts <= large.contacts <= 3 * large.accounts
    # A quota per rep, month and line: the twelve months of deals and the rest of the year.
    assert large.quotas == 12 * 3 * 13
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Deal)) == large.deals
        assert db.session.scalar(select(func.count()).select_from(Contact)) == large.contacts


def test_seed_demo_prints_the_sales_summary(app):
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["seed-demo", "--reps", "24"])
    elapsed = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    assert "Demo sales: " in result.output
    assert " accounts, " in result.output
    assert " deals, " in result.output
    assert elapsed < 30  # a few seconds in practice; generous for slow machines


@pytest.fixture
def demo_org(app):
    seed(app, reps=24)


def test_attainment_spreads_as_in_a_real_sales_force(app, demo_org):
    with app.app_context():
        reps = select(User.id).where(User.role == Role.REP)
        for label in ("2026-Q2", "2026-Q3"):
            figures = queries.figures_by_rep_and_line(parse_period(label), reps)
            blended: dict[int, object] = {}
            for (rep, _line), values in figures.items():
                blended[rep] = blended.get(rep, EMPTY) + values
            attainment = sorted(f.attainment for f in blended.values())
            assert len(attainment) == 24
            assert attainment[0] < 0.85, attainment  # someone is struggling
            assert attainment[-1] > 1.15, attainment  # someone is flying
            assert 0.9 <= statistics.median(attainment) <= 1.15, attainment
            middle = attainment[6:18]
            assert all(0.75 <= a <= 1.3 for a in middle), attainment


def test_margins_seasonality_and_repeat_business_look_real(app, demo_org):
    with app.app_context():
        won = Deal.stage == DealStage.WON
        margins = dict(
            db.session.execute(
                select(
                    ProductLine.code,
                    func.sum(Deal.margin_minor) * 1.0 / func.sum(Deal.amount_minor),
                )
                .join(ProductLine, ProductLine.id == Deal.product_line_id)
                .where(won)
                .group_by(ProductLine.code)
            ).all()
        )
        assert margins["HW"] == pytest.approx(0.15, abs=0.03)
        assert margins["SW"] == pytest.approx(0.70, abs=0.03)
        assert margins["SVC"] == pytest.approx(0.35, abs=0.03)

        def closed_in(month: str) -> int:
            period = parse_period(month)
            return db.session.scalar(
                select(func.count())
                .select_from(Deal)
                .where(Deal.closed_on >= period.start, Deal.closed_on < period.end)
            )

        assert closed_in("2026-03") > 1.3 * closed_in("2026-02")  # the quarter-end push
        assert closed_in("2026-08") < 0.7 * closed_in("2026-07")  # summer holidays
        win_rate = db.session.scalar(
            select(func.avg(func.cast(won, db.Integer))).where(Deal.stage != DealStage.OPEN)
        )
        assert 0.3 <= win_rate <= 0.55
        q3 = queries.won_figures(parse_period("2026-Q3"), select(User.id))
        total = sum(q3.values(), EMPTY)
        assert 0.4 <= total.repeat_share <= 0.85


def test_contacts_speak_the_territory_language_at_unique_example_addresses(app, demo_org):
    with app.app_context():
        rows = db.session.execute(
            select(Contact.email, Contact.language, User.language)
            .join(CustomerAccount, CustomerAccount.id == Contact.account_id)
            .join(User, User.id == CustomerAccount.owner_id)
        ).all()
        # rep@ and manager@ follow the browser; their customers speak Hamburg's German.
        assert all(contact == (rep or "de") for _email, contact, rep in rows)
        assert {language for _e, language, _r in rows} == {"de", "fr"}  # four teams
        emails = [email for email, _c, _r in rows]
        assert len(set(emails)) == len(emails)
        assert all(email.endswith(".example") and email.isascii() for email in emails)


def test_performance_factors_always_include_both_ends_of_the_spread():
    for seed_value in range(20):
        factors = performance_factors(12, random.Random(seed_value))
        assert min(factors) < 0.9
        assert max(factors) > 1.15
    assert len(performance_factors(2, random.Random(1))) == 2


def test_stratified_draws_follow_the_weights_closely():
    draws = stratified(["a", "b", "c"], [0.4, 0.3, 0.3], 10, random.Random(5))
    assert len(draws) == 10
    assert 3 <= draws.count("a") <= 5
    assert 2 <= draws.count("b") <= 4
