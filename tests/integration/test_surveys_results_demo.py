"""The demo's surveys: a year of answers, deterministic, throttled, and believable per rep."""

from __future__ import annotations

import datetime
import random
import statistics
from collections import defaultdict

from sqlalchemy import func, select

from coachflow.accounts import demo
from coachflow.accounts.models import Role, User
from coachflow.lib import tokens
from coachflow.platform.extensions import db
from coachflow.questionnaires.models import Question, QuestionType, Survey
from coachflow.sales.demo import seed_sales
from coachflow.sales.models import Contact
from coachflow.surveys.demo import (
    CSAT_COMMENTS,
    NPS_COMMENTS,
    THROTTLE_DAYS,
    EvenRolls,
    rep_profiles,
    seed_surveys,
)
from coachflow.surveys.models import Answer, Invitation, InvitationStatus, Response
from coachflow.surveys.queries import results
from tests.conftest import empty_tables

TODAY = datetime.date(2026, 11, 16)


def seed(app, reps: int = 12, seed: int = 7):
    with app.app_context():
        org = demo.seed_org(reps=reps, seed=seed)
        seed_sales(org, random.Random(f"sales:{seed}"), today=TODAY)
        counts = seed_surveys(org, random.Random(f"surveys:{seed}"), today=TODAY)
        db.session.commit()
        return counts


def fingerprint(app) -> tuple:
    with app.app_context():
        return (
            db.session.execute(
                select(
                    Invitation.email, Invitation.status, Invitation.sent_at, Invitation.token_hash
                ).order_by(Invitation.id)
            ).all(),
            db.session.execute(select(Answer.score, Answer.text).order_by(Answer.id)).all(),
        )


def test_the_same_seed_gives_the_same_answers(app):
    seed(app, reps=6, seed=3)
    first = fingerprint(app)
    empty_tables(app)
    seed(app, reps=6, seed=3)
    assert fingerprint(app) == first
    empty_tables(app)
    seed(app, reps=6, seed=4)
    assert fingerprint(app) != first


def test_demo_has_two_customer_surveys_from_the_templates_with_a_year_of_answers(app):
    counts = seed(app)
    assert counts.surveys == 2
    with app.app_context():
        names = set(db.session.scalars(select(Survey.name)))
        assert names == {"NPS", "CSAT"}  # the same in every language
        first, last = db.session.execute(
            select(func.min(Response.submitted_at), func.max(Response.submitted_at))
        ).one()
        assert (last - first).days > 330
        assert last.date() < TODAY
        # Texts in the three languages, copied from the templates.
        question = db.session.scalar(select(Question).where(Question.type == QuestionType.NPS))
        assert set(question.texts) == {"en", "de", "fr"}
    assert counts.responses / counts.invitations > 0.25
    assert counts.answers > counts.responses


def test_response_rate_is_between_30_and_45_percent(app):
    seed(app)
    with app.app_context():
        hr = db.session.scalar(select(User).where(User.role == Role.HR))
        figures = results.results(results.scope_of(hr), results.Filters(), survey=None, today=TODAY)
    assert 0.30 <= figures.total.counts.response_rate <= 0.45
    for rep in figures.reps:
        assert 0.22 <= rep.counts.response_rate <= 0.50, rep.name


def test_nps_differs_believably_between_reps(app):
    seed(app, reps=24)
    with app.app_context():
        hr = db.session.scalar(select(User).where(User.role == Role.HR))
        figures = results.results(results.scope_of(hr), results.Filters(), survey=None, today=TODAY)
    scores = sorted(rep.nps.value for rep in figures.reps)
    assert len(scores) == 24
    assert sum(1 for s in scores if s >= 50) >= 2  # a few stand out
    assert sum(1 for s in scores if s < 0) >= 2  # a couple are in trouble
    assert 20 <= statistics.median(scores) <= 40  # most are in between
    assert all(rep.nps.n >= 20 for rep in figures.reps)  # a year gives each rep a real sample


def test_no_contact_is_surveyed_twice_within_the_throttle_or_after_unsubscribing(app):
    seed(app)
    with app.app_context():
        rows = db.session.execute(
            select(Invitation.contact_id, Invitation.created_at, Invitation.status).order_by(
                Invitation.contact_id, Invitation.created_at
            )
        ).all()
        opted_out = dict(
            db.session.execute(
                select(Contact.id, Contact.opted_out_at).where(Contact.opted_out_at.is_not(None))
            )
            .tuples()
            .all()
        )
    previous: dict[int, datetime.datetime] = {}
    unsubscribed = 0
    for contact, created, status in rows:
        if contact in previous:
            assert (created - previous[contact]).days >= THROTTLE_DAYS
        previous[contact] = created
        if status is InvitationStatus.UNSUBSCRIBED:
            unsubscribed += 1
            assert opted_out[contact] >= created
        elif contact in opted_out:
            assert created < opted_out[contact]
    assert unsubscribed > 0


def test_links_of_the_demo_invitations_work(app):
    seed(app, reps=4)
    with app.app_context():
        for invitation in db.session.scalars(select(Invitation).limit(50)):
            token = tokens.derive(app.config["SECRET_KEY"], invitation.id, invitation.token_salt)
            assert tokens.hash_token(token) == invitation.token_hash


def test_comments_are_in_the_contacts_language_and_match_the_score(app):
    seed(app)
    with app.app_context():
        rows = db.session.execute(
            select(
                Response.id,
                Response.language,
                Contact.language,
                Question.type,
                Answer.score,
                Answer.text,
            )
            .join(Invitation, Invitation.id == Response.invitation_id)
            .join(Contact, Contact.id == Invitation.contact_id)
            .join(Answer, Answer.response_id == Response.id)
            .join(Question, Question.id == Answer.question_id)
        ).all()
    by_response: dict[int, dict] = defaultdict(dict)
    for response_id, language, contact_language, qtype, score, text in rows:
        assert language == contact_language
        by_response[response_id]["language"] = language
        by_response[response_id][qtype] = text if qtype is QuestionType.TEXT else score
    comments = [r for r in by_response.values() if QuestionType.TEXT in r]
    assert len(comments) > 50
    for r in comments:
        if QuestionType.NPS in r:
            score, lists = r[QuestionType.NPS], NPS_COMMENTS
            band = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
        else:
            score, lists = r[QuestionType.RATING], CSAT_COMMENTS
            band = "promoter" if score >= 4 else "passive" if score == 3 else "detractor"
        assert r[QuestionType.TEXT] in lists[r["language"]][band]


def test_csat_invitations_are_about_a_won_deal_and_its_rep(app):
    seed(app)
    with app.app_context():
        rows = db.session.execute(
            select(Invitation.deal_id, Invitation.rep_id, Survey.name).join(
                Survey, Survey.id == Invitation.survey_id
            )
        ).all()
    csat = [r for r in rows if r.name == "CSAT"]
    assert csat
    assert all(r.deal_id is not None for r in csat)
    assert all(r.deal_id is None for r in rows if r.name == "NPS")


def test_profiles_spread_reps_between_the_ends():
    profiles = rep_profiles(24, random.Random(1))
    assert sum(1 for p in profiles if p.nps > 0.5) == 3
    assert sum(1 for p in profiles if p.nps < 0) == 2
    assert all(0.30 <= p.response_rate <= 0.45 for p in profiles)


def test_even_rolls_keep_shares_close_to_their_odds():
    rolls = EvenRolls(0.3)
    hits = sum(rolls() < 0.37 for _ in range(100))
    assert 36 <= hits <= 38


def test_seed_demo_prints_the_surveys_it_added(app):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--reps", "6", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert "Demo surveys: 2 surveys," in result.output
