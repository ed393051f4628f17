"""Answering a survey from the emailed link: no sign-in, one page, exactly one response kept."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from flask import render_template
from sqlalchemy import func, select

from coachflow.platform.extensions import db
from coachflow.questionnaires.answers import survey_page
from coachflow.questionnaires.models import Question, QuestionType, Survey, SurveyStatus
from coachflow.sales.models import Contact, CustomerAccount
from coachflow.surveys.models import Answer, Invitation, InvitationStatus, Response
from coachflow.surveys.services import answering
from tests.survey_factories import COMMENT_QUESTION, NPS_QUESTION, make_invitation, make_survey

GERMAN_TEXTS = {
    "title": "Ihre Meinung zählt",
    "intro": "Zwei kurze Fragen.",
    "thanks": "Vielen Dank für Ihre Antwort!",
}


def _link(
    app,
    org,
    *,
    questions=None,
    status=InvitationStatus.SENT,
    expires_in=timedelta(days=30),
    language="en",
    survey_status=SurveyStatus.ACTIVE,
    contact_email=None,
) -> str:
    """A survey invitation's token; the survey has English and German texts."""
    with app.app_context():
        survey = make_survey(owner_id=org.manager, questions=questions, status=survey_status)
        version = survey.current_version
        version.texts = {**version.texts, "de": GERMAN_TEXTS}
        contact_id = None
        if contact_email:
            account = CustomerAccount(external_id=f"A-{contact_email}", name="Muster GmbH")
            contact = Contact(
                account=account, name="Erika Muster", email=contact_email, language=language
            )
            db.session.add(contact)
            db.session.flush()
            contact_id = contact.id
        invitation, token = make_invitation(
            app,
            survey,
            email=contact_email or "customer@example.com",
            rep_id=org.rep,
            team_id=org.team,
            contact_id=contact_id,
            status=status,
            expires_in=expires_in,
        )
        invitation.language = language
        db.session.commit()
        return token


def _fields(app) -> dict[QuestionType, str]:
    """Form field names by question type (the test surveys have one question of each type)."""
    with app.app_context():
        return {q.type: f"q{q.id}" for q in db.session.scalars(select(Question))}


def _invitation(app) -> Invitation:
    with app.app_context():
        return db.session.scalars(select(Invitation)).one()


def _responses(app) -> list[tuple[int | None, str | None]]:
    """(score, text) of every stored answer."""
    with app.app_context():
        return list(db.session.execute(select(Answer.score, Answer.text).order_by(Answer.id)))


def _response_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def _page(response) -> str:
    text = response.get_data(as_text=True)
    response.close()
    return text


# Opening the link ----------------------------------------------------------------------------


def test_link_opens_the_survey_without_signing_in(app, org, client):
    token = _link(app, org)
    response = client.get(f"/s/{token}")
    page = _page(response)
    assert response.status_code == 200
    assert NPS_QUESTION["en"] in page
    assert COMMENT_QUESTION["en"] in page
    assert f'action="/s/{token}"' in page
    assert "Sign in" not in page
    assert 'class="site-nav"' not in page


@pytest.mark.parametrize(
    "token",
    [
        "x" * 43,  # well formed, but no invitation has it
        "not a token!",
        "short",
    ],
)
def test_unknown_link_is_404_with_a_kind_message_and_no_app_navigation(client, org, token):
    response = client.get(f"/s/{token}")
    page = _page(response)
    assert response.status_code == 404
    assert "This survey link is not valid." in page
    assert "Go to the home page" not in page
    assert "Sign in" not in page


def test_tampered_link_is_404(app, org, client):
    token = _link(app, org)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for method in (client.get, client.post):
        response = method(f"/s/{tampered}")
        assert response.status_code == 404
        assert "This survey link is not valid." in _page(response)
    assert _invitation(app).opened_at is None


def test_expired_link_is_410_and_says_the_survey_has_ended(app, org, client):
    token = _link(app, org, expires_in=timedelta(days=-1))
    response = client.get(f"/s/{token}")
    page = _page(response)
    assert response.status_code == 410
    assert "This survey has ended" in page
    assert "Thank you for your time all the same." in page
    assert "Relationship NPS" in page  # the person sees which survey it was


def test_link_to_a_closed_survey_is_410(app, org, client):
    token = _link(app, org, survey_status=SurveyStatus.CLOSED)
    response = client.get(f"/s/{token}")
    assert response.status_code == 410
    assert "This survey is closed and no longer takes answers." in _page(response)


def test_answered_link_tells_kindly_that_the_answer_is_recorded(app, org, client):
    token = _link(app, org)
    nps = _fields(app)[QuestionType.NPS]
    client.post(f"/s/{token}", data={nps: "9"}).close()
    response = client.get(f"/s/{token}")
    page = _page(response)
    assert response.status_code == 200
    assert "Your answer is already recorded." in page
    assert "Thank you!" in page
    assert "<form" not in page


def test_opening_marks_the_invitation_opened_the_first_time_only(app, org, client):
    token = _link(app, org)
    client.get(f"/s/{token}").close()
    first = _invitation(app)
    assert first.status is InvitationStatus.OPENED
    assert first.opened_at is not None
    client.get(f"/s/{token}").close()
    assert _invitation(app).opened_at == first.opened_at


def test_opening_an_unsubscribed_invitation_keeps_it_unsubscribed(app, org, client):
    token = _link(app, org, status=InvitationStatus.UNSUBSCRIBED)
    client.get(f"/s/{token}").close()
    invitation = _invitation(app)
    assert invitation.status is InvitationStatus.UNSUBSCRIBED
    assert invitation.opened_at is not None


# Answering ------------------------------------------------------------------------------------


def test_answer_is_kept_about_the_invitations_rep_and_team(app, org, client):
    token = _link(app, org)
    fields = _fields(app)
    response = client.post(
        f"/s/{token}", data={fields[QuestionType.NPS]: "9", fields[QuestionType.TEXT]: "Great."}
    )
    assert response.status_code == 303
    assert response.location.endswith(f"/s/{token}/thanks")
    response.close()
    with app.app_context():
        stored = db.session.scalars(select(Response)).one()
        assert (stored.rep_id, stored.team_id, stored.language) == (org.rep, org.team, "en")
        invitation = db.session.scalars(select(Invitation)).one()
        assert invitation.status is InvitationStatus.ANSWERED
        assert invitation.answered_at is not None
        assert invitation.opened_at is not None
    assert _responses(app) == [(9, None), (None, "Great.")]
    with app.app_context():  # no choices: SQL NULL, not a JSON null
        no_choices = select(func.count()).select_from(Answer).where(Answer.choices.is_(None))
        assert db.session.scalar(no_choices) == 2
    thanks = client.get(f"/s/{token}/thanks")
    assert thanks.status_code == 200
    assert "Thank you!" in _page(thanks)


def test_optional_comment_may_be_left_out(app, org, client):
    token = _link(app, org)
    nps = _fields(app)[QuestionType.NPS]
    response = client.post(f"/s/{token}", data={nps: "0"})
    assert response.status_code == 303
    response.close()
    assert _responses(app) == [(0, None)]


def test_thank_you_page_before_answering_leads_to_the_form(app, org, client):
    token = _link(app, org)
    response = client.get(f"/s/{token}/thanks")
    assert response.status_code == 303
    assert response.location.endswith(f"/s/{token}")
    response.close()


@pytest.mark.parametrize("score", ["11", "-1", "abc", "7.5", "1e1", "٣"])
def test_nps_score_outside_zero_to_ten_is_refused(app, org, client, score):
    token = _link(app, org)
    nps = _fields(app)[QuestionType.NPS]
    response = client.post(f"/s/{token}", data={nps: score})
    page = _page(response)
    assert response.status_code == 422
    assert "Choose a score from 0 to 10." in page
    assert _response_count(app) == 0
    assert _invitation(app).status is not InvitationStatus.ANSWERED


@pytest.mark.parametrize("qtype", [QuestionType.RATING, QuestionType.AGREEMENT])
def test_rating_and_agreement_take_one_to_five(app, org, client, qtype):
    token = _link(app, org, questions=[(qtype, {"en": "Were you satisfied?"}, True)])
    field = _fields(app)[qtype]
    for refused in ("0", "6"):
        response = client.post(f"/s/{token}", data={field: refused})
        assert response.status_code == 422
        assert "Choose a score from 1 to 5." in _page(response)
    response = client.post(f"/s/{token}", data={field: "5"})
    assert response.status_code == 303
    response.close()
    assert _responses(app) == [(5, None)]


def test_two_scores_for_one_question_are_refused(app, org, client):
    token = _link(app, org)
    nps = _fields(app)[QuestionType.NPS]
    response = client.post(f"/s/{token}", data={nps: ["9", "3"]})
    assert response.status_code == 422
    response.close()
    assert _response_count(app) == 0


def test_missing_required_answer_is_named_and_linked(app, org, client):
    token = _link(app, org)
    fields = _fields(app)
    response = client.post(f"/s/{token}", data={fields[QuestionType.TEXT]: "No score from me"})
    page = _page(response)
    assert response.status_code == 422
    message = f"Please answer “{NPS_QUESTION['en']}”."
    assert f'<a href="#{fields[QuestionType.NPS]}-0">{message}</a>' in page  # in the summary
    assert f'id="{fields[QuestionType.NPS]}-error">{message}</p>' in page  # beside the field
    assert "No score from me" in page  # what was written is not lost
    assert _response_count(app) == 0


CHOICES = [
    {"value": "price", "labels": {"en": "Price", "de": "Preis"}},
    {"value": "service", "labels": {"en": "Service", "de": "Service"}},
]


def _choice_link(app, org, qtype) -> str:
    token = _link(app, org, questions=[(qtype, {"en": "What mattered most?"}, True)])
    with app.app_context():
        db.session.scalars(select(Question)).one().options = CHOICES
        db.session.commit()
    return token


@pytest.mark.parametrize(
    ("qtype", "values", "message"),
    [
        (QuestionType.SINGLE_CHOICE, ["cheap"], "Choose among the answers offered."),
        (QuestionType.SINGLE_CHOICE, ["price", "service"], "Choose only one answer."),
        (QuestionType.MULTIPLE_CHOICE, ["price", "cheap"], "Choose among the answers offered."),
    ],
)
def test_choice_outside_the_options_is_refused(app, org, client, qtype, values, message):
    token = _choice_link(app, org, qtype)
    field = _fields(app)[qtype]
    response = client.post(f"/s/{token}", data={field: values})
    assert response.status_code == 422
    assert message in _page(response)
    assert _response_count(app) == 0


def test_choices_are_kept_once_each_in_the_order_given(app, org, client):
    token = _choice_link(app, org, QuestionType.MULTIPLE_CHOICE)
    field = _fields(app)[QuestionType.MULTIPLE_CHOICE]
    response = client.post(f"/s/{token}", data={field: ["service", "price", "service"]})
    assert response.status_code == 303
    response.close()
    with app.app_context():
        assert db.session.scalar(select(Answer.choices)) == ["service", "price"]


def test_comment_of_100000_characters_is_refused_with_the_limit(app, org, client):
    token = _link(app, org)
    fields = _fields(app)
    response = client.post(
        f"/s/{token}",
        data={fields[QuestionType.NPS]: "8", fields[QuestionType.TEXT]: "x" * 100_000},
    )
    page = _page(response)
    assert response.status_code == 422
    assert "Your answer has 100,000 characters, more than the limit of 10,000." in page
    assert _response_count(app) == 0


def test_too_long_comment_names_the_numbers_as_the_contacts_language_writes_them(app, org, client):
    token = _link(app, org, language="de")
    fields = _fields(app)
    response = client.post(
        f"/s/{token}", data={fields[QuestionType.NPS]: "8", fields[QuestionType.TEXT]: "x" * 12_345}
    )
    page = _page(response)
    assert response.status_code == 422
    assert "12.345" in page
    assert "10.000" in page


def test_comment_at_the_limit_is_kept_counting_a_line_break_as_one_character(app, org, client):
    token = _link(app, org)
    fields = _fields(app)
    comment = "a" * 9_990 + "\r\nb" * 5  # 10,000 characters once CRLF is a single line break
    response = client.post(
        f"/s/{token}", data={fields[QuestionType.NPS]: "8", fields[QuestionType.TEXT]: comment}
    )
    assert response.status_code == 303
    response.close()
    assert _responses(app)[1] == (None, comment.replace("\r\n", "\n"))


HOSTILE = '<script>alert("x")</script><b onmouseover="steal()">bold</b>'


def test_html_and_script_in_a_comment_are_stored_as_written_and_shown_escaped(app, org, client):
    token = _link(app, org)
    fields = _fields(app)
    refused = client.post(
        f"/s/{token}", data={fields[QuestionType.NPS]: "42", fields[QuestionType.TEXT]: HOSTILE}
    )
    page = _page(refused)
    assert refused.status_code == 422
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page  # echoed, escaped
    assert "<script>alert" not in page
    assert "<b onmouseover" not in page
    accepted = client.post(
        f"/s/{token}", data={fields[QuestionType.NPS]: "4", fields[QuestionType.TEXT]: HOSTILE}
    )
    assert accepted.status_code == 303
    accepted.close()
    assert _responses(app) == [(4, None), (None, HOSTILE)]


def test_second_submission_keeps_the_first_answer(app, org, client):
    token = _link(app, org)
    nps = _fields(app)[QuestionType.NPS]
    first = client.post(f"/s/{token}", data={nps: "9"})
    assert first.status_code == 303
    first.close()
    second = app.test_client().post(f"/s/{token}", data={nps: "2"})  # another tab, later
    page = _page(second)
    assert second.status_code == 409
    assert "You had already answered this survey, so your first answer is kept." in page
    assert _responses(app) == [(9, None)]


def test_two_submissions_at_the_same_moment_keep_exactly_one_response(app, org, monkeypatch):
    """Both tabs pass the "not answered yet" check before either commits; the database's
    UNIQUE(invitation_id) lets the first commit win and the other is told kindly."""
    token = _link(app, org)
    nps = _fields(app)[QuestionType.NPS]
    both_checked = threading.Barrier(2, timeout=10)
    check_answers = answering.check_answers

    def check_then_wait_for_the_other_tab(*args, **kwargs):
        answers = check_answers(*args, **kwargs)
        both_checked.wait()
        return answers

    monkeypatch.setattr(answering, "check_answers", check_then_wait_for_the_other_tab)
    outcomes: dict[str, tuple[int, str]] = {}

    def submit(score: str) -> None:
        response = app.test_client().post(f"/s/{token}", data={nps: score})
        outcomes[score] = (response.status_code, _page(response))

    tabs = [threading.Thread(target=submit, args=(score,)) for score in ("9", "2")]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join(timeout=30)
    assert sorted(code for code, _page_text in outcomes.values()) == [303, 409]
    kept = next(score for score, (code, _text) in outcomes.items() if code == 303)
    refused = next(text for code, text in outcomes.values() if code == 409)
    assert "your first answer is kept" in refused
    assert _responses(app) == [(int(kept), None)]
    assert _invitation(app).status is InvitationStatus.ANSWERED


def test_submitting_after_expiry_keeps_nothing_and_says_so_kindly(app, org, client):
    token = _link(app, org)
    nps = _fields(app)[QuestionType.NPS]
    client.get(f"/s/{token}").close()  # opened while still valid …
    with app.app_context():
        db.session.scalars(select(Invitation)).one().expires_at -= timedelta(days=31)
        db.session.commit()
    response = client.post(f"/s/{token}", data={nps: "10"})  # … sent after the end
    page = _page(response)
    assert response.status_code == 410
    assert "This survey has ended" in page
    assert _response_count(app) == 0


def test_answer_to_a_survey_closed_meanwhile_is_refused(app, org, client):
    token = _link(app, org)
    nps = _fields(app)[QuestionType.NPS]
    with app.app_context():
        db.session.scalars(select(Survey)).one().status = SurveyStatus.CLOSED
        db.session.commit()
    response = client.post(f"/s/{token}", data={nps: "10"})
    assert response.status_code == 410
    response.close()
    assert _response_count(app) == 0


def test_answer_needs_no_session_and_no_csrf_token(app, org):
    assert app.config.get("WTF_CSRF_ENABLED", True)
    token = _link(app, org)
    nps = _fields(app)[QuestionType.NPS]
    response = app.test_client(use_cookies=False).post(f"/s/{token}", data={nps: "7"})
    assert response.status_code == 303
    assert "Set-Cookie" not in response.headers
    response.close()


# Language -------------------------------------------------------------------------------------


def test_german_contact_reads_german_questions_and_german_page(app, org, client):
    token = _link(app, org, language="de", contact_email="kunde@example.de")
    response = client.get(f"/s/{token}", headers={"Accept-Language": "fr"})
    page = _page(response)
    assert '<html lang="de">' in page
    assert NPS_QUESTION["de"] in page
    assert COMMENT_QUESTION["de"] in page
    assert GERMAN_TEXTS["title"] in page
    assert "Zum Inhalt springen" in page  # the page's own texts follow the contact too
    assert NPS_QUESTION["en"] not in page
    nps = _fields(app)[QuestionType.NPS]
    client.post(f"/s/{token}", data={nps: "10"}).close()
    with app.app_context():
        assert db.session.scalar(select(Response.language)) == "de"
    thanks = _page(client.get(f"/s/{token}/thanks"))
    assert GERMAN_TEXTS["thanks"] in thanks
    assert '<html lang="de">' in thanks


def test_contact_language_the_survey_lacks_falls_back_to_the_survey_default(app, org, client):
    token = _link(app, org, language="fr")
    page = _page(client.get(f"/s/{token}", headers={"Accept-Language": "de"}))
    assert '<html lang="en">' in page
    assert NPS_QUESTION["en"] in page


def test_unknown_link_page_follows_the_browsers_language(client, org):
    page = _page(client.get("/s/" + "x" * 43, headers={"Accept-Language": "de"}))
    assert '<html lang="de">' in page


# The page itself -------------------------------------------------------------------------------


def _urls(page: str) -> list[str]:
    return re.findall(r'(?:src|href|action)="([^"]*)"', page)


def test_survey_pages_send_no_referrer_set_no_cookie_and_load_nothing_from_elsewhere(
    app, org, client
):
    token = _link(app, org)
    nps = _fields(app)[QuestionType.NPS]
    pages = [
        client.get(f"/s/{token}"),
        client.post(f"/s/{token}", data={nps: "99"}),
        client.get(f"/s/{token}/unsubscribe"),
        client.get("/s/" + "x" * 43),
    ]
    client.post(f"/s/{token}", data={nps: "9"}).close()
    pages.append(client.get(f"/s/{token}/thanks"))
    for response in pages:
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "Set-Cookie" not in response.headers
        page = _page(response)
        assert _urls(page), page[:200]
        for url in _urls(page):
            assert re.match(r"/[^/]|#", url), url  # this site's paths only


def test_survey_form_works_without_javascript(app, org, client):
    token = _link(app, org)
    page = _page(client.get(f"/s/{token}"))
    assert re.search(r'<form method="post" class="survey-form" novalidate action="/s/[^"]+">', page)
    assert '<button type="submit"' in page
    assert re.findall(r"<script[^>]*>", page) == []  # nothing to load, nothing to run
    assert " style=" not in page
    assert not re.search(r"\son[a-z]+=", page)


def test_scores_are_a_radio_group_in_a_fieldset_with_legend_and_anchor_labels(app, org, client):
    token = _link(app, org)
    nps = _fields(app)[QuestionType.NPS]
    page = _page(client.get(f"/s/{token}"))
    group = re.search(r'<fieldset class="question"[^>]*>(.*?)</fieldset>', page, re.S).group(1)
    assert re.search(
        rf"<legend[^>]*>{re.escape(NPS_QUESTION['en'])} <span[^>]*>\(required\)</span></legend>",
        group,
    )
    values = re.findall(rf'<input type="radio" name="{nps}" id="{nps}-\d+" value="(\d+)"', group)
    assert values == [str(n) for n in range(11)]
    assert "Not at all likely" in group
    assert "Extremely likely" in group
    comment = re.search(r'<label class="question-text" for="(q\d+)">(.*?)</label>', page, re.S)
    assert COMMENT_QUESTION["en"] in comment.group(2)
    assert "(optional)" in comment.group(2)
    assert 'maxlength="10000"' in page
    assert "Up to 10,000 characters." in page


def test_preview_shows_the_form_disabled_under_a_banner(app, org):
    with app.app_context():
        survey = make_survey(owner_id=org.manager)
        db.session.commit()
        with app.test_request_context():
            page = render_template(
                "public/survey_form.html",
                page=survey_page(survey.current_version, "en"),
                preview=True,
                back_url="/surveys/1",
            )
    assert "Preview — answers are not saved" in page
    assert '<fieldset class="survey-questions" disabled>' in page
    assert "action=" not in page
    assert NPS_QUESTION["en"] in page
    assert 'href="/surveys/1"' in page
    assert "Stop receiving survey emails" not in page


# Unsubscribe ------------------------------------------------------------------------------------


def _contact(app) -> Contact:
    with app.app_context():
        return db.session.scalars(select(Contact)).one()


def test_unsubscribe_link_asks_first_and_changes_nothing_on_get(app, org, client):
    token = _link(app, org, contact_email="kunde@example.de")
    response = client.get(f"/s/{token}/unsubscribe")
    page = _page(response)
    assert response.status_code == 200
    assert f'<form method="post" action="/s/{token}/unsubscribe">' in page
    assert "Yes, stop survey emails" in page
    assert _contact(app).opted_out_at is None
    assert _invitation(app).status is InvitationStatus.SENT


def test_one_click_unsubscribe_post_opts_the_contact_out(app, org):
    token = _link(app, org, contact_email="kunde@example.de")
    mail_client = app.test_client(use_cookies=False)  # RFC 8058: no cookie, no CSRF token
    response = mail_client.post(f"/s/{token}/unsubscribe", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You are unsubscribed" in _page(response)
    opted_out = _contact(app).opted_out_at
    assert opted_out is not None
    assert _invitation(app).status is InvitationStatus.UNSUBSCRIBED
    again = mail_client.post(f"/s/{token}/unsubscribe", data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200
    again.close()
    assert _contact(app).opted_out_at == opted_out


def test_unsubscribe_works_after_the_link_expired(app, org, client):
    token = _link(app, org, contact_email="kunde@example.de", expires_in=timedelta(days=-5))
    response = client.post(f"/s/{token}/unsubscribe")
    assert response.status_code == 200
    response.close()
    assert _contact(app).opted_out_at is not None


def test_unsubscribing_after_answering_keeps_the_answer_counted(app, org, client):
    token = _link(app, org, contact_email="kunde@example.de")
    nps = _fields(app)[QuestionType.NPS]
    client.post(f"/s/{token}", data={nps: "9"}).close()
    client.post(f"/s/{token}/unsubscribe").close()
    assert _invitation(app).status is InvitationStatus.ANSWERED
    assert _contact(app).opted_out_at is not None


def test_unsubscribe_with_an_unknown_token_is_404(client, org):
    response = client.post("/s/" + "y" * 43 + "/unsubscribe")
    assert response.status_code == 404
    response.close()


# The bare endpoint the answer benchmark measures beside the submissions ----------------------


def test_ping_answers_ok_without_signing_in(client):
    response = client.get("/ping")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


def test_an_answer_stored_just_before_its_connection_was_lost_gets_the_thank_you_page(
    app, org, client, monkeypatch
):
    # The first try committed, then the reply was lost with the connection: the retry finds
    # the invitation answered, and that answer is this person's own.
    from sqlalchemy.exc import DBAPIError

    from coachflow.surveys.services import answering

    token = _link(app, org)
    fields = _fields(app)
    real_submit = answering._submit
    tries = []

    def submit(connection, token, values):
        tries.append(len(tries) + 1)
        page = real_submit(connection, token, values)
        if len(tries) == 1:
            lost = Exception("server closed the connection")
            raise DBAPIError("INSERT", {}, lost, connection_invalidated=True)
        return page

    monkeypatch.setattr(answering, "_submit", submit)
    response = client.post(f"/s/{token}", data={fields[QuestionType.NPS]: "9"})
    assert response.status_code == 303
    assert response.location.endswith(f"/s/{token}/thanks")
    response.close()
    assert tries == [1, 2]
    assert _response_count(app) == 1
