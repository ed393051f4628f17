"""Each role's home page answers "how are we doing and what needs me"; bad input is refused."""

from __future__ import annotations

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from coachflow.accounts.models import Role, User
from coachflow.dashboards.models import Recognition, TeamBoard
from coachflow.platform.extensions import db
from tests.dashboard_factories import quarter_quota, won_deal
from tests.factories import UserFactory


def _figures(app, org, *, rep_won=60_000, other_won=5_000) -> None:
    with app.app_context():
        quarter_quota(org.rep, org.product_line, 100_000)
        quarter_quota(org.other_rep, org.product_line, 10_000_000)
        won_deal(org.rep, org.product_line, rep_won)
        won_deal(org.other_rep, org.product_line, other_won)
        db.session.commit()


def _team_of(app, org, size: int) -> list[int]:
    """Make the org's team ``size`` reps strong (its rep included); their ids."""
    with app.app_context():
        team = db.session.get(User, org.rep).team
        extra = UserFactory.create_batch(size - 1, role=Role.REP, team=team)
        db.session.commit()
        return [org.rep, *(u.id for u in extra)]


def test_a_rep_sees_their_attainment_pace_and_forecast_without_a_click(app, org, as_role):
    _figures(app, org)
    page = as_role("rep").get("/").get_data(as_text=True)
    assert "Won so far" in page
    assert "€60,000" in page
    assert "€100,000" in page
    assert "60%" in page  # attainment
    assert "Forecast for the period" in page
    assert "How the forecast is computed" in page


def test_a_manager_sees_their_team_and_who_needs_attention_with_the_reason(app, org, as_role):
    with app.app_context():
        quarter_quota(org.rep, org.product_line, 10_000_000)
        won_deal(org.rep, org.product_line, 100)
        db.session.commit()
    page = as_role("manager").get("/").get_data(as_text=True)
    with app.app_context():
        rep_name = str(escape(db.session.get(User, org.rep).name))
        other_name = str(escape(db.session.get(User, org.other_rep).name))
    assert "Needs your attention" in page
    assert rep_name in page
    assert "behind pace" in page
    assert "of what the quota asks by now" in page
    assert other_name not in page  # another team's rep


def test_hr_sees_company_and_team_figures_and_the_distribution(app, org, as_role):
    _figures(app, org)
    page = as_role("hr").get("/").get_data(as_text=True)
    assert "The company" in page
    assert "North" in page
    assert "South" in page
    assert "Reps by projected attainment" in page
    assert 'role="img"' in page  # the chart, with its table beside it
    assert "<table" in page


def test_admin_keeps_the_organisation_tiles_and_sees_the_company(app, org, as_role):
    _figures(app, org)
    page = as_role("admin").get("/").get_data(as_text=True)
    assert "product lines" in page
    assert "The company" in page


def test_a_period_without_data_says_what_will_appear(app, org, as_role):
    page = as_role("rep").get("/").get_data(as_text=True)
    assert "No quota or deal for" in page
    assert "your attainment, pace and forecast appear here" in page
    hr_page = as_role("hr").get("/").get_data(as_text=True)
    assert "each team's attainment and forecast appear here" in hr_page


def test_another_managers_team_dashboard_is_not_found(app, org, as_role):
    manager = as_role("manager")
    assert manager.get(f"/teams/{org.team}/dashboard").status_code == 200
    assert manager.get(f"/teams/{org.other_team}/dashboard").status_code == 404
    assert as_role("rep").get(f"/teams/{org.team}/dashboard").status_code == 403


def test_a_team_of_fewer_than_five_gets_no_leaderboard(app, org, as_role):
    _team_of(app, org, 4)
    _figures(app, org)
    page = as_role("rep").get("/").get_data(as_text=True)
    assert 'class="leaderboard"' not in page
    assert "fewer than five reps has no leaderboard" in page


def test_a_team_of_five_gets_a_leaderboard_by_the_chosen_metric(app, org, as_role):
    _team_of(app, org, 5)
    _figures(app, org)
    page = as_role("rep").get("/?board=deals").get_data(as_text=True)
    assert 'class="leaderboard"' in page
    assert '<option value="deals" selected>' in page


def test_a_manager_switches_the_leaderboard_off_for_their_team(app, org, as_role):
    app.config["WTF_CSRF_ENABLED"] = False
    _team_of(app, org, 5)
    response = as_role("manager").post(f"/teams/{org.team}/leaderboard", data={"enabled": "0"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(TeamBoard, org.team).leaderboard is False
    page = as_role("rep").get("/").get_data(as_text=True)
    assert 'class="leaderboard"' not in page
    other = as_role("other_manager").post(f"/teams/{org.team}/leaderboard", data={"enabled": "1"})
    assert other.status_code == 404


def test_recognition_reaches_the_colleagues_home(app, org, as_role):
    app.config["WTF_CSRF_ENABLED"] = False
    [_rep, peer] = _team_of(app, org, 2)
    response = as_role("manager").post(
        "/recognitions", data={"rep": org.rep, "reason": "Won back Nordtechnik after the outage"}
    )
    assert response.status_code == 302
    with app.test_client() as client:
        from tests.conftest import login

        login(client, app, peer)
        client.post("/recognitions", data={"rep": org.rep, "reason": "Helped me with a quote"})
    page = as_role("rep").get("/").get_data(as_text=True)
    assert "Won back Nordtechnik after the outage" in page
    assert "Helped me with a quote" in page


def test_recognition_for_oneself_is_refused(app, org, as_role):
    app.config["WTF_CSRF_ENABLED"] = False
    client = as_role("rep")
    response = client.post(
        "/recognitions", data={"rep": org.rep, "reason": "I was great"}, follow_redirects=True
    )
    assert "Recognition is for someone else" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Recognition)) == 0


def test_recognition_for_another_teams_rep_is_not_found(app, org, as_role):
    app.config["WTF_CSRF_ENABLED"] = False
    response = as_role("rep").post("/recognitions", data={"rep": org.other_rep, "reason": "Hi"})
    assert response.status_code == 404


def test_the_forecast_page_explains_itself_and_stays_in_scope(app, org, as_role):
    _figures(app, org)
    page = as_role("manager").get("/forecast").get_data(as_text=True)
    assert "How the forecast is computed" in page
    assert "Open deals, weighted by" in page
    with app.app_context():
        assert str(escape(db.session.get(User, org.other_rep).name)) not in page


def test_the_account_page_switches_the_weekly_digest_off(app, org, as_role):
    app.config["WTF_CSRF_ENABLED"] = False
    client = as_role("rep")
    assert "Weekly digest" in client.get("/account").get_data(as_text=True)
    assert client.post("/account/digest", data={}).status_code == 302
    from coachflow.dashboards.queries import digest_enabled

    with app.app_context():
        assert digest_enabled(org.rep) is False
    client.post("/account/digest", data={"weekly_digest": "y"})
    with app.app_context():
        assert digest_enabled(org.rep) is True


def test_overdue_follow_ups_put_a_rep_on_the_attention_list(app, org, as_role):
    import datetime

    from coachflow.platform.time import utcnow
    from tests.followup_factories import make_case

    with app.app_context():
        quarter_quota(org.rep, org.product_line, 1_000)
        won_deal(org.rep, org.product_line, 1_000)  # well ahead of pace
        make_case(org.rep, org.team, opened_at=utcnow() - datetime.timedelta(days=10))
        make_case(org.rep, org.team, opened_at=utcnow() - datetime.timedelta(days=9))
        db.session.commit()
        rep_name = str(escape(db.session.get(User, org.rep).name))
    page = as_role("manager").get("/").get_data(as_text=True)
    assert f"<strong>{rep_name}</strong>" in page
    assert "2 follow-ups overdue." in page
    assert "behind pace," not in page


def test_reps_without_a_recent_coaching_session_need_attention(app, org, as_role):
    import datetime

    from coachflow.platform.time import utcnow
    from tests.integration.coaching_data import cycle_of, session_at

    peer = _team_of(app, org, 2)[1]
    with app.app_context():
        for rep in (org.rep, peer):
            quarter_quota(rep, org.product_line, 1_000)
            won_deal(rep, org.product_line, 1_000)  # both ahead of pace
        recent = cycle_of(org)  # the org's rep: a session a week ago
        session_at(recent, utcnow() - datetime.timedelta(days=7))
        db.session.commit()
        rep_name = str(escape(db.session.get(User, org.rep).name))
        peer_name = str(escape(db.session.get(User, peer).name))
    page = as_role("manager").get("/").get_data(as_text=True)
    assert f"<strong>{peer_name}</strong>" in page
    assert "No coaching session in 6 weeks." in page
    assert f"<strong>{rep_name}</strong>" not in page


def test_a_manager_puts_a_recognition_on_the_next_sales_meeting_agenda(app, org, as_role):
    import datetime

    from coachflow.coaching.models import AgendaItem, SessionKind
    from coachflow.platform.time import utcnow
    from tests.integration.coaching_data import cycle_of, session_at

    app.config["WTF_CSRF_ENABLED"] = False
    manager = as_role("manager")
    manager.post("/recognitions", data={"rep": org.rep, "reason": "Closed the Kiel tender"})
    with app.app_context():
        recognition_id = db.session.scalar(select(Recognition.id))
    refused = manager.post(f"/recognitions/{recognition_id}/agenda", follow_redirects=True)
    assert "no sales meeting planned" in refused.get_data(as_text=True)
    with app.app_context():
        meeting = session_at(
            cycle_of(org),
            utcnow() + datetime.timedelta(days=3),
            kind=SessionKind.SALES_MEETING,
        )
        db.session.commit()
        meeting_id = meeting.id
    done = manager.post(f"/recognitions/{recognition_id}/agenda", follow_redirects=True)
    assert "Added to the agenda" in done.get_data(as_text=True)
    with app.app_context():
        [item] = db.session.scalars(select(AgendaItem)).all()
        assert item.session_id == meeting_id
        assert "Closed the Kiel tender" in item.text
    other = as_role("other_manager").post(f"/recognitions/{recognition_id}/agenda")
    assert other.status_code == 404


def test_the_manager_sees_the_team_pulse_section_and_the_rep_does_not(app, org, as_role):
    page = as_role("manager").get("/").get_data(as_text=True)
    assert "Team pulse" in page
    assert "No pulse round has closed for your teams yet" in page
    assert "Team pulse" not in as_role("rep").get("/").get_data(as_text=True)


def test_scorecard_figures_and_the_period_status_come_from_scorecards(app, org, as_role):
    _figures(app, org)
    manager = as_role("manager").get("/?sort=index&dir=desc").get_data(as_text=True)
    assert "NPS (shrunk)" in manager
    assert "CSAT (shrunk)" in manager
    assert 'aria-sort="descending"' in manager  # sorted by the index
    hr = as_role("hr").get("/").get_data(as_text=True)
    assert "Period " in hr
    assert ": open." in hr
    assert "Close or reopen periods" in hr


def test_hr_sees_the_recent_scorecard_downloads(app, org, as_role):
    from coachflow.lib.periods import parse_period
    from coachflow.scorecards.models import DownloadKind
    from coachflow.scorecards.services import record_download

    _figures(app, org)
    assert "No scorecard has been downloaded yet" in as_role("hr").get("/").get_data(as_text=True)
    with app.app_context():
        hr = db.session.get(User, org.hr)
        record_download(hr, DownloadKind.SINGLE, parse_period("2026-Q3"), rep_id=org.rep)
        hr_name = str(escape(hr.name))
        rep_name = str(escape(db.session.get(User, org.rep).name))
    page = as_role("hr").get("/").get_data(as_text=True)
    assert f"{hr_name} downloaded the scorecard of {rep_name}, 2026-Q3." in page


def _nps_answers(app, org, rep_id: int, before: list[int], now: list[int]) -> None:
    """NPS answers about ``rep_id``: ``before`` in the previous quarter, ``now`` in this one."""
    import datetime

    from coachflow.dashboards.queries import current_period
    from coachflow.lib.figures import shifted
    from coachflow.platform.time import utcnow
    from coachflow.questionnaires.models import QuestionType
    from tests.integration.test_surveys_results import answer
    from tests.survey_factories import make_survey

    period = current_period(utcnow().date())
    previous = shifted(period, -1)
    survey = make_survey(owner_id=org.manager)
    for scores, start in ((before, previous.start), (now, period.start)):
        for n, score in enumerate(scores):
            at = datetime.datetime.combine(start, datetime.time(9), datetime.UTC)
            answer(
                app,
                survey,
                rep_id=rep_id,
                team_id=org.team,
                scores={QuestionType.NPS: score},
                at=at + datetime.timedelta(minutes=n),
            )


def test_a_customer_nps_falling_by_more_than_noise_needs_attention(app, org, as_role):
    from sqlalchemy import select as select_

    from coachflow.dashboards.queries import current_period, nps_falls, scores_by_rep
    from coachflow.platform.time import utcnow

    peer = _team_of(app, org, 2)[1]
    with app.app_context():
        for rep in (org.rep, peer):
            quarter_quota(rep, org.product_line, 1_000)
            won_deal(rep, org.product_line, 1_000)  # ahead of pace
        _nps_answers(app, org, org.rep, [10] * 12 + [8] * 3, [0] * 8 + [10] * 4)  # +80 → −33
        _nps_answers(app, org, peer, [10, 10, 0], [10, 0, 0])  # +33 → −33, three answers: noise
        db.session.commit()
        period = current_period(utcnow().date())
        scope = select_(User.id).where(User.id.in_([org.rep, peer]))
        falls = nps_falls(scope, period, scores_by_rep(period, scope))
        assert set(falls) == {org.rep}
        assert falls[org.rep].delta == pytest.approx(-33.33 - 80, abs=0.01)
        assert falls[org.rep].p_value < 0.05
        rep_name = str(escape(db.session.get(User, org.rep).name))
    page = as_role("manager").get("/").get_data(as_text=True)
    assert f"<strong>{rep_name}</strong>" in page
    assert "Customer NPS fell by 113 points since the last period" in page
    assert page.count("Customer NPS fell by") == 1  # not the peer: three answers are noise


def test_hr_sees_the_spread_of_the_index_of_the_last_quarter_as_a_chart_and_a_table(
    app, org, as_role
):
    from coachflow.lib.figures import shifted
    from coachflow.lib.periods import PeriodKind
    from coachflow.sales.models import Quota
    from tests.dashboard_factories import this_quarter

    _figures(app, org)  # this quarter's figures: the company section is shown
    last = shifted(this_quarter(), -1)
    with app.app_context():
        db.session.add(
            Quota(
                rep_id=org.rep,
                product_line_id=org.product_line,
                period_kind=PeriodKind.QUARTER,
                period_start=last.start,
                currency="EUR",
                revenue_target_minor=1_000_00,
            )
        )
        # Attainment 100 % (score 1/1.2) and no repeat business: (0.30 × 0.833) / 0.45 → 55.6.
        won_deal(org.rep, org.product_line, 1_000, day=last.start)
        # No quota, a first win: the repeat share alone, 0.
        won_deal(org.other_rep, org.product_line, 500, day=last.start)
        db.session.commit()
    page = as_role("hr").get("/").get_data(as_text=True)
    assert f"Reps by quality-of-revenue index, {last.label}" in page
    assert 'id="chart-index-title"' in page
    assert '<tr><th scope="row">40–60</th><td class="num">1</td></tr>' in page
    assert '<tr><th scope="row">0–20</th><td class="num">1</td></tr>' in page
    assert '<tr><th scope="row">80–100</th><td class="num">0</td></tr>' in page


def test_index_bands_hold_their_lower_end_and_100_is_in_the_top_band():
    from coachflow.dashboards.queries import index_distribution
    from coachflow.scorecards.queries import RepFigures
    from coachflow.surveys.queries.results import Counts

    def rep(index):
        return RepFigures(1, "R", None, "", {}, Counts(), index=index)

    bands = dict(index_distribution([rep(v) for v in (0.0, 19.9, 20.0, 79.9, 80.0, 100.0, None)]))
    assert bands == {(0, 20): 2, (20, 40): 1, (40, 60): 0, (60, 80): 1, (80, 100): 2}


def test_the_scorecard_shows_the_recognition_received_in_its_period(app, org, as_role):
    import datetime

    from tests.scorecards_data import Q3, build_quarter

    build_quarter(app, org)
    with app.app_context():
        for reason, day in (
            ("Saved the Hansa renewal", datetime.date(2026, 8, 3)),
            ("Outside the quarter", datetime.date(2026, 10, 3)),
        ):
            db.session.add(
                Recognition(
                    giver_id=org.manager,
                    recipient_id=org.rep,
                    team_id=org.team,
                    reason=reason,
                    created_at=datetime.datetime.combine(day, datetime.time(12), datetime.UTC),
                )
            )
        db.session.commit()
    client = as_role("manager")
    page = client.get(f"/scorecards/rep/{org.rep}?period={Q3}").get_data(as_text=True)
    assert "Recognition received, 2026-Q3" in page
    assert "Saved the Hansa renewal" in page
    assert "Outside the quarter" not in page
    # A period without recognition leaves the section out.
    page = client.get(f"/scorecards/rep/{org.rep}?period=2026-Q2").get_data(as_text=True)
    assert "Recognition received" not in page


def test_a_rep_sees_the_latest_comments_of_their_customers_and_only_theirs(app, org, as_role):
    import datetime

    from coachflow.platform.time import utcnow
    from coachflow.questionnaires.models import QuestionType
    from tests.integration.test_surveys_results import answer
    from tests.survey_factories import make_survey

    with app.app_context():
        survey = make_survey(owner_id=org.manager)
        now = utcnow()
        for n, (rep_id, team_id, text) in enumerate(
            [
                (org.rep, org.team, "Oldest comment about the rep"),
                (org.rep, org.team, "Quick & helpful delivery"),
                (org.rep, org.team, "Second newest"),
                (org.rep, org.team, "Newest comment about the rep"),
                (org.other_rep, org.other_team, "About someone else"),
            ]
        ):
            answer(
                app,
                survey,
                rep_id=rep_id,
                team_id=team_id,
                scores={QuestionType.NPS: 9, QuestionType.TEXT: text},
                at=now - datetime.timedelta(days=10 - n),
            )
        db.session.commit()
    page = as_role("rep").get("/").get_data(as_text=True)
    assert "What your customers wrote" in page
    assert "Newest comment about the rep" in page
    assert "Quick &amp; helpful delivery" in page  # escaped, never markup
    assert "Oldest comment about the rep" not in page  # three at most
    assert "About someone else" not in page
    assert "likelihood to recommend: 9 of 10" in page


def test_a_rep_without_comments_is_told_where_they_will_appear(org, as_role):
    page = as_role("rep").get("/").get_data(as_text=True)
    assert "No customer comment yet." in page
