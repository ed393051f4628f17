"""The results pages: the numbers of a small hand-made set, exactly as a reader sees them.

The set: a relationship NPS survey with ten answers about two reps, and invitations around them.

    rep "Anna North" (team North): scores 10, 9, 9, 8, 6, 3 → P 3, Pa 1, D 2 → NPS +17
        invitations: 6 answered, 2 expired, 2 sent, 1 queued, 1 failed → 6 of 10 delivered: 60%
    rep "Ben South" (team South): scores 10, 10, 7, 7 → P 2, Pa 2, D 0 → NPS +50
        invitations: 4 answered, 4 opened → 4 of 8: 50%; their answers are about Hardware deals
    together: P 5, Pa 3, D 2 (n = 10) → NPS +30; 10 answered of 18 delivered: 56%

Intervals, 95% score intervals (Tango; z = 1.959964: where the score statistic reaches ±z, see
tests/unit/test_surveys_results_stats.py), as the page rounds them:
    all:  −21.66 to 67.53 → −22 to +68 (90%: −13.67 to 63.07 → −14 to +63)
    Anna: −48.12 to 69.19 → −48 to +69
    Ben:  −23.48 to 85.00 → −23 to +85
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass
from html import unescape

import pytest

from coachflow.accounts.models import User
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.questionnaires.models import QuestionType, Survey, SurveyKind
from coachflow.sales.models import CustomerAccount, Deal, DealStage
from coachflow.surveys.models import Answer, InvitationStatus, Response
from tests.survey_factories import COMMENT_QUESTION, make_invitation, make_survey

RATING_QUESTION = {"en": "How satisfied are you with the delivery?", "de": "Wie zufrieden…"}


@dataclass(frozen=True)
class HandMade:
    survey: int
    csat_survey: int | None = None


def _days_ago(days: int) -> datetime.datetime:
    return utcnow().replace(hour=12, minute=0, second=0, microsecond=0) - datetime.timedelta(
        days=days
    )


def answer(
    app,
    survey: Survey,
    *,
    rep_id,
    team_id,
    scores: dict[QuestionType, int | str],
    at: datetime.datetime,
    deal_id: int | None = None,
    email: str = "",
    language: str = "en",
) -> Response:
    """An answered invitation and its response, as the answering page would store them."""
    invitation, _token = make_invitation(
        app,
        survey,
        email=email or f"customer{utcnow().timestamp()}@example.com",
        rep_id=rep_id,
        team_id=team_id,
        status=InvitationStatus.ANSWERED,
    )
    invitation.deal_id = deal_id
    invitation.sent_at = at - datetime.timedelta(days=1)
    invitation.answered_at = at
    response = Response(
        invitation_id=invitation.id,
        survey_id=survey.id,
        version_id=survey.current_version.id,
        rep_id=rep_id,
        team_id=team_id,
        language=language,
        submitted_at=at,
    )
    questions = {q.type: q for q in survey.current_version.questions}
    for qtype, value in scores.items():
        if qtype is QuestionType.TEXT:
            response.answers.append(Answer(question_id=questions[qtype].id, text=value))
        else:
            response.answers.append(Answer(question_id=questions[qtype].id, score=value))
    db.session.add(response)
    db.session.flush()
    return response


def invite(
    app,
    survey: Survey,
    *,
    rep_id,
    team_id,
    status: InvitationStatus,
    count: int,
    at: datetime.datetime,
    deal_id: int | None = None,
) -> None:
    for n in range(count):
        invitation, _token = make_invitation(
            app,
            survey,
            email=f"{status.value}{n}.{rep_id}@example.com",
            rep_id=rep_id,
            team_id=team_id,
            status=status,
        )
        invitation.sent_at = at
        invitation.deal_id = deal_id


def name_people(app, org) -> None:
    with app.app_context():
        db.session.get(User, org.rep).name = "Anna North"
        db.session.get(User, org.other_rep).name = "Ben South"
        db.session.commit()


@pytest.fixture
def handmade(app, org) -> HandMade:
    return build_handmade(app, org)


def build_handmade(app, org) -> HandMade:
    """Ten answers about two reps (see the module docstring)."""
    name_people(app, org)
    with app.app_context():
        survey = make_survey(owner_id=org.manager)
        account = CustomerAccount(
            external_id="ACC-1", name="Hansa Technik GmbH", owner_id=org.other_rep
        )
        db.session.add(account)
        db.session.flush()
        deal = Deal(
            external_id="D-1",
            account_id=account.id,
            rep_id=org.other_rep,
            product_line_id=org.product_line,
            amount_minor=100_000,
            currency="EUR",
            stage=DealStage.WON,
            closed_on=utcnow().date(),
        )
        db.session.add(deal)
        db.session.flush()
        anna = [
            (10, None),
            (9, "Always quick to help."),
            (9, None),
            (8, None),
            (6, None),
            (3, "<script>alert('x')</script> Too slow & too late"),
        ]
        for index, (score, comment) in enumerate(anna):
            scores = {QuestionType.NPS: score}
            if comment:
                scores[QuestionType.TEXT] = comment
            answer(
                app,
                survey,
                rep_id=org.rep,
                team_id=org.team,
                scores=scores,
                at=_days_ago(40 - index),
            )
        ben = [(10, "Ben knows our machines inside out."), (10, None), (7, None), (7, None)]
        for index, (score, comment) in enumerate(ben):
            scores = {QuestionType.NPS: score}
            if comment:
                scores[QuestionType.TEXT] = comment
            answer(
                app,
                survey,
                rep_id=org.other_rep,
                team_id=org.other_team,
                scores=scores,
                at=_days_ago(5 + index),
                deal_id=deal.id,
            )
        invite(
            app,
            survey,
            rep_id=org.rep,
            team_id=org.team,
            status=InvitationStatus.EXPIRED,
            count=2,
            at=_days_ago(45),
        )
        invite(
            app,
            survey,
            rep_id=org.rep,
            team_id=org.team,
            status=InvitationStatus.SENT,
            count=2,
            at=_days_ago(3),
        )
        invite(
            app,
            survey,
            rep_id=org.rep,
            team_id=org.team,
            status=InvitationStatus.QUEUED,
            count=1,
            at=_days_ago(1),
        )
        invite(
            app,
            survey,
            rep_id=org.rep,
            team_id=org.team,
            status=InvitationStatus.FAILED,
            count=1,
            at=_days_ago(1),
        )
        invite(
            app,
            survey,
            rep_id=org.other_rep,
            team_id=org.other_team,
            status=InvitationStatus.OPENED,
            count=4,
            at=_days_ago(6),
            deal_id=deal.id,
        )
        db.session.commit()
        return HandMade(survey=survey.id)


def text(response) -> str:
    """The page's text without tags, spaces collapsed: what a reader sees."""
    html = response.get_data(as_text=True)
    response.close()
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def rep_rows(html: str) -> dict[str, str]:
    rows = {}
    for row in re.findall(r"<tr[^>]*>.*?</tr>", html, flags=re.S):
        cells = [
            " ".join(re.sub(r"<[^>]+>", " ", c).split())
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        ]
        if cells:
            rows[cells[0]] = " | ".join(cells[1:])
    return rows


# The numbers, exactly as shown ------------------------------------------------------------------


def test_survey_page_shows_the_headline_nps_with_its_interval_counts_and_shares(as_role, handmade):
    page = text(as_role("hr").get(f"/surveys/results/{handmade.survey}"))
    assert "Net Promoter Score +30 95% interval: −22 to +68 n = 10 answers" in page
    assert "Promoters (9–10): 5, 50%" in page
    assert "Passives (7–8): 3, 30%" in page
    assert "Detractors (0–6): 2, 20%" in page
    assert "Response rate 56% 10 answered of 18 delivered" in page


def test_the_90_percent_interval_is_narrower(as_role, handmade):
    # 90%: −13.67 … 63.07 → "−14 to +63"
    page = text(as_role("hr").get(f"/surveys/results/{handmade.survey}?level=90"))
    assert "Net Promoter Score +30 90% interval: −14 to +63 n = 10 answers" in page


def test_each_rep_and_team_has_its_own_nps_interval_n_and_response_rate(as_role, handmade):
    response = as_role("hr").get(f"/surveys/results/{handmade.survey}")
    rows = rep_rows(response.get_data(as_text=True))
    response.close()
    # columns: team | NPS | n | interval | P | Pa | D | response rate
    assert rows["Anna North few answers"] == "North | +17 | 6 | −48 to +69 | 3 | 1 | 2 | 60% (6/10)"
    assert rows["Ben South few answers"] == "South | +50 | 4 | −23 to +85 | 2 | 2 | 0 | 50% (4/8)"
    assert rows["North few answers"] == "+17 | 6 | −48 to +69 | 3 | 1 | 2 | 60% (6/10)"
    assert rows["South few answers"] == "+50 | 4 | −23 to +85 | 2 | 2 | 0 | 50% (4/8)"


def test_small_samples_are_marked_explained_and_not_ranked(as_role, handmade):
    response = as_role("hr").get(f"/surveys/results/{handmade.survey}?sort=score")
    html = response.get_data(as_text=True)
    response.close()
    page = text(as_role("hr").get(f"/surveys/results/{handmade.survey}?sort=score"))
    assert "Fewer than 30 answers: not ranked, read with care" in page
    assert "few answers" in page
    assert "Few answers: with fewer than 30, a score can move a long way" in page
    # Ben's +50 is higher, yet both are small samples: they stay in name order.
    assert html.index("Anna North") < html.index("Ben South")
    assert html.count('class="small-sample"') == 4  # two reps, two teams


def test_reps_with_enough_answers_are_ranked_above_the_small_samples(app, as_role, org, handmade):
    with app.app_context():
        survey = db.session.get(Survey, handmade.survey)
        for n in range(30):  # 30 answers, 15 promoters and 15 passives → +50
            answer(
                app,
                survey,
                rep_id=org.manager,
                team_id=org.team,
                scores={QuestionType.NPS: 9 if n % 2 else 7},
                at=_days_ago(20),
            )
        db.session.get(User, org.manager).name = "Zoe Manager"
        db.session.commit()
    response = as_role("hr").get(f"/surveys/results/{handmade.survey}?sort=score")
    html = response.get_data(as_text=True)
    response.close()
    rows = rep_rows(html)
    assert rows["Zoe Manager"].startswith("North | +50 | 30 |")  # no "few answers" badge
    # Ranked first although Z sorts last by name; the small samples follow, unranked.
    reps = html[html.index('id="reps-heading"') :]
    assert (
        reps.index("Zoe Manager") < reps.index("Fewer than 30 answers") < reps.index("Anna North")
    )


def test_csat_shows_the_top_two_box_share_its_wilson_interval_and_the_mean(app, as_role, org):
    # ratings 5,5,5,4,4,4,4,3,2,1: 7 of 10 satisfied → 70%; Wilson 95% [0.3968, 0.8922]
    # → "40% to 89%"; mean 37 / 10 = 3.7
    name_people(app, org)
    with app.app_context():
        survey = make_survey(
            kind=SurveyKind.CUSTOMER_CSAT,
            name="CSAT after a closed deal",
            questions=[
                (QuestionType.RATING, RATING_QUESTION, True),
                (QuestionType.TEXT, COMMENT_QUESTION, False),
            ],
        )
        for n, rating in enumerate([5, 5, 5, 4, 4, 4, 4, 3, 2, 1]):
            answer(
                app,
                survey,
                rep_id=org.rep,
                team_id=org.team,
                scores={QuestionType.RATING: rating},
                at=_days_ago(n + 1),
            )
        db.session.commit()
        survey_id = survey.id
    page = text(as_role("manager").get(f"/surveys/results/{survey_id}"))
    assert (
        "Customer satisfaction (CSAT) 70% 95% interval: 40% to 89% mean rating 3.7 of 5 "
        "n = 10 answers"
    ) in page
    assert "Net Promoter Score" not in page


def test_distribution_and_trend_charts_are_server_side_svg_without_inline_style(as_role, handmade):
    response = as_role("hr").get(f"/surveys/results/{handmade.survey}")
    html = response.get_data(as_text=True)
    response.close()
    assert html.count("<svg") == 3  # bands, distribution, trend
    assert 'aria-labelledby="nps-distribution-title"' in html
    assert "<title>10: 3</title>" in html  # three answers gave 10
    assert "<title>7: 2</title>" in html
    assert 'class="trend-line"' in html or 'class="trend-point' in html
    assert "style=" not in html
    assert "<script>" not in html.split("</head>")[1]
    page = text(as_role("hr").get(f"/surveys/results/{handmade.survey}"))
    assert "score 0: 0; score 1: 0; score 2: 0; score 3: 1;" in page  # the chart's data as text
    assert "score 9: 2; score 10: 3" in page


def test_comments_show_their_scores_newest_first_and_escaped(as_role, handmade):
    response = as_role("hr").get(f"/surveys/results/{handmade.survey}")
    html = response.get_data(as_text=True)
    response.close()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Too slow &amp; too late" in html
    assert "<script>alert" not in html
    page = text(as_role("hr").get(f"/surveys/results/{handmade.survey}"))
    assert "3 comments, newest first" in page
    newest, middle, oldest = (
        page.index("Ben knows our machines"),
        page.index("Too slow"),
        page.index("Always quick to help"),
    )
    assert newest < middle < oldest
    assert "NPS 10 Ben knows our machines inside out." in page
    assert "NPS 3 <script>alert('x')</script> Too slow & too late" in page  # text, not markup


def test_overview_lists_each_customer_survey_with_its_figures(app, as_role, org, handmade):
    with app.app_context():
        pulse = make_survey(kind=SurveyKind.EMPLOYEE_PULSE, name="Team pulse")
        answer(
            app,
            pulse,
            rep_id=org.rep,
            team_id=org.team,
            at=_days_ago(2),
            scores={QuestionType.NPS: 0, QuestionType.TEXT: "Too many meetings"},
        )
        db.session.commit()
    page = text(as_role("hr").get("/surveys/results"))
    assert "Customer survey results" in page
    assert "Relationship NPS few answers NPS +30 −22 to +68 — 10 56%" in page
    # Anonymous employee surveys never show here, nor count in the totals.
    assert "Team pulse" not in page
    assert "Too many meetings" not in page
    assert "Net Promoter Score +30 95% interval: −22 to +68 n = 10 answers" in page


def test_overview_without_answers_says_so(as_role, org):
    page = text(as_role("manager").get("/surveys/results"))
    assert "No answers yet." in page


# Who sees what --------------------------------------------------------------------------------


def test_a_rep_sees_only_their_own_numbers_and_comments(as_role, handmade):
    page = text(as_role("rep").get(f"/surveys/results/{handmade.survey}"))
    assert "Net Promoter Score +17 95% interval: −48 to +69 n = 6 answers" in page
    assert "Response rate 60% 6 answered of 10 delivered" in page
    assert "Ben knows our machines" not in page
    assert "Ben South" not in page
    assert "Always quick to help" in page


def test_a_rep_cannot_ask_for_another_reps_numbers(as_role, org, handmade):
    response = as_role("rep").get(f"/surveys/results/{handmade.survey}?rep={org.other_rep}")
    response.close()
    assert response.status_code == 404


def test_a_manager_sees_their_team_but_not_the_other_teams_comments(as_role, org, handmade):
    page = text(as_role("other_manager").get(f"/surveys/results/{handmade.survey}"))
    assert "Net Promoter Score +50" in page
    assert "Ben knows our machines" in page
    assert "Always quick to help" not in page
    assert "Too slow" not in page
    assert "Anna North" not in page
    refused = as_role("other_manager").get(f"/surveys/results/{handmade.survey}?team={org.team}")
    refused.close()
    assert refused.status_code == 404


def test_hr_sees_every_team(as_role, handmade):
    page = text(as_role("hr").get("/surveys/results"))
    assert "Anna North" in page
    assert "Ben South" in page


def test_employee_surveys_have_no_results_page_here(app, as_role, org):
    with app.app_context():
        pulse = make_survey(kind=SurveyKind.EMPLOYEE_PULSE, name="Team pulse")
        db.session.commit()
        pulse_id = pulse.id
    for path in (f"/surveys/results/{pulse_id}", f"/surveys/results/{pulse_id}/answers.csv"):
        response = as_role("hr").get(path)
        response.close()
        assert response.status_code == 404


# Filters --------------------------------------------------------------------------------------


def test_filtering_by_team_shows_that_teams_answers(as_role, org, handmade):
    page = text(as_role("hr").get(f"/surveys/results/{handmade.survey}?team={org.team}"))
    assert "Net Promoter Score +17" in page
    assert "Ben South" not in page


def test_filtering_by_rep_shows_that_reps_answers(as_role, org, handmade):
    page = text(as_role("manager").get(f"/surveys/results/{handmade.survey}?rep={org.rep}"))
    assert "Net Promoter Score +17" in page


def test_filtering_by_product_line_keeps_answers_about_deals_of_that_line(as_role, org, handmade):
    page = text(as_role("hr").get(f"/surveys/results/{handmade.survey}?line={org.product_line}"))
    assert "Net Promoter Score +50 95% interval: −23 to +85 n = 4 answers" in page
    assert "Response rate 50% 4 answered of 8 delivered" in page
    assert "Anna North" not in page


def test_filtering_by_dates_keeps_the_answers_of_those_days(as_role, handmade):
    start = (utcnow() - datetime.timedelta(days=10)).date().isoformat()
    end = utcnow().date().isoformat()
    page = text(as_role("hr").get(f"/surveys/results/{handmade.survey}?from={start}&to={end}"))
    # Only Ben's four answers (5–8 days ago) and the invitations sent since then.
    assert "Net Promoter Score +50" in page
    assert "n = 4 answers" in page
    # Reversed dates mean the same days.
    swapped = text(as_role("hr").get(f"/surveys/results/{handmade.survey}?from={end}&to={start}"))
    assert "Net Promoter Score +50" in swapped


def test_filters_that_match_nothing_say_so(as_role, handmade):
    page = text(
        as_role("hr").get(f"/surveys/results/{handmade.survey}?from=2001-01-01&to=2001-01-31")
    )
    assert "No answers or invitations match these filters." in page


@pytest.mark.parametrize(
    "query",
    [
        "from=yesterday&team=&level=77&sort=evil",
        "from=0001-01-01&to=9999-12-31",
        "comments_page=999999999999&reps_page=-3",
    ],
)
def test_nonsense_filter_values_are_ignored(as_role, handmade, query):
    page = text(as_role("hr").get(f"/surveys/results/{handmade.survey}?{query}"))
    assert "Net Promoter Score +30 95% interval: −22 to +68" in page


# CSV export -----------------------------------------------------------------------------------


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.is_streamed  # a generator: rows are written as they are read
    body = response.get_data(as_text=True)
    response.close()
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))


def test_csv_export_has_one_row_per_answer_and_no_contact_data(app, as_role, handmade):
    rows = _csv(as_role("hr").get(f"/surveys/results/{handmade.survey}/answers.csv"))
    assert list(rows[0]) == [
        "survey",
        "version",
        "question",
        "question_type",
        "score",
        "choices",
        "text",
        "rep",
        "team",
        "submitted_at",
        "adhoc_address",
    ]
    assert {r["adhoc_address"] for r in rows} == {"no"}
    assert len(rows) == 13  # ten scores and three comments
    assert sum(1 for r in rows if r["question_type"] == "nps") == 10
    first = rows[0]
    assert first["survey"] == "Relationship NPS"
    assert first["version"] == "1"
    assert first["question"] == "How likely are you to recommend us to a colleague?"
    assert first["score"] == "10"
    assert first["rep"] == "Anna North"
    assert first["team"] == "North"
    assert datetime.datetime.fromisoformat(first["submitted_at"]).tzinfo is not None
    with app.app_context():
        emails = [e for (e,) in db.session.execute(db.text("SELECT email FROM invitations"))]
    everything = "".join(",".join(r.values()) for r in rows)
    assert "@" not in everything
    assert not any(email in everything for email in emails)
    assert "Hansa Technik" not in everything


def test_csv_export_defuses_text_a_spreadsheet_would_run_as_a_formula(app, as_role, org):
    name_people(app, org)
    with app.app_context():
        survey = make_survey()
        answer(
            app,
            survey,
            rep_id=org.rep,
            team_id=org.team,
            at=_days_ago(1),
            scores={QuestionType.NPS: 0, QuestionType.TEXT: '=HYPERLINK("http://x","y")'},
        )
        db.session.commit()
        survey_id = survey.id
    rows = _csv(as_role("hr").get(f"/surveys/results/{survey_id}/answers.csv"))
    assert rows[1]["text"] == '\'=HYPERLINK("http://x","y")'


def test_csv_export_is_scoped_and_filtered_like_the_page(as_role, org, handmade):
    own = _csv(as_role("rep").get(f"/surveys/results/{handmade.survey}/answers.csv"))
    assert {r["rep"] for r in own} == {"Anna North"}
    line = _csv(
        as_role("hr").get(f"/surveys/results/{handmade.survey}/answers.csv?line={org.product_line}")
    )
    assert {r["rep"] for r in line} == {"Ben South"}
    refused = as_role("other_manager").get(
        f"/surveys/results/{handmade.survey}/answers.csv?team={org.team}"
    )
    refused.close()
    assert refused.status_code == 404


def test_results_entry_is_in_every_roles_navigation(as_role):
    for role in ("rep", "manager", "hr", "admin"):
        response = as_role(role).get("/surveys/results")
        html = response.get_data(as_text=True)
        response.close()
        assert re.search(r'<a href="/surveys/results" aria-current="page">Results</a>', html), role


def test_teams_stay_with_the_answer_when_a_rep_moves(app, as_role, org, handmade):
    with app.app_context():
        db.session.get(User, org.rep).team_id = org.other_team
        db.session.commit()
    response = as_role("hr").get(f"/surveys/results/{handmade.survey}")
    rows = rep_rows(response.get_data(as_text=True))
    response.close()
    assert rows["North few answers"].startswith("+17 | 6 |")


def test_answers_through_pasted_addresses_are_marked_on_the_page_and_in_the_export(
    app, as_role, org
):
    name_people(app, org)
    with app.app_context():
        survey = make_survey()
        answer(
            app,
            survey,
            rep_id=org.rep,
            team_id=org.team,
            scores={QuestionType.NPS: 9, QuestionType.TEXT: "A real customer."},
            at=_days_ago(3),
        )
        pasted = answer(
            app,
            survey,
            rep_id=org.rep,
            team_id=org.team,
            scores={QuestionType.NPS: 10, QuestionType.TEXT: "Written by a colleague."},
            at=_days_ago(2),
        )
        pasted.invitation.adhoc = True
        db.session.commit()
        survey_id = survey.id

    page = text(as_role("hr").get(f"/surveys/results/{survey_id}"))
    assert "1 of these answers came through a pasted address that is no contact" in page
    colleague, customer = page.index("Written by a colleague."), page.index("A real customer.")
    assert colleague < customer  # newest first
    assert "pasted address" in page[colleague:customer]  # the comment's line is marked
    assert "pasted address" not in page[customer : customer + 120]

    rows = _csv(as_role("hr").get(f"/surveys/results/{survey_id}/answers.csv"))
    marks = {(r["question_type"], r["score"] or r["text"]): r["adhoc_address"] for r in rows}
    assert marks == {
        ("nps", "9"): "no",
        ("text", "A real customer."): "no",
        ("nps", "10"): "yes",
        ("text", "Written by a colleague."): "yes",
    }


def test_results_without_pasted_addresses_do_not_mention_them(as_role, handmade):
    page = text(as_role("hr").get(f"/surveys/results/{handmade.survey}"))
    assert "pasted address" not in page
