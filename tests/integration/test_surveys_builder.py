"""Building surveys: templates, every question type, reorder, versions, lifecycle, preview."""

from __future__ import annotations

import html
import re
import threading

import pytest
from sqlalchemy import func, select

from coachflow.accounts.models import User
from coachflow.platform.audit import AuditEvent
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db
from coachflow.questionnaires import queries, services
from coachflow.questionnaires.models import (
    Question,
    QuestionType,
    Survey,
    SurveyKind,
    SurveyStatus,
    SurveyVersion,
)
from coachflow.questionnaires.templates_library import TEMPLATES
from coachflow.surveys.models import Answer, Response
from tests.conftest import TEST_DB
from tests.helpers import csrf_token
from tests.survey_factories import make_invitation, make_survey


def _user(user_id: int) -> User:
    return db.session.get(User, user_id)


def _from_template(app, org, key: str = "relationship_nps", **kwargs) -> int:
    with app.app_context():
        survey = services.create_from_template(
            key, name=kwargs.pop("name", ""), owner=_user(org.manager), **kwargs
        )
        return survey.id


def _blank(app, org, kind=SurveyKind.CUSTOMER_CSAT, language="en") -> int:
    with app.app_context():
        return services.create_survey(kind, "Blank CSAT", language, _user(org.manager)).id


def _post(client, path: str, data: dict | None = None):
    token = csrf_token(client, "/surveys/new")
    return client.post(path, data={**(data or {}), "csrf_token": token})


def _question_form(
    qtype: str,
    en: str,
    de: str = "",
    fr: str = "",
    *,
    required: bool = True,
    options: list[tuple[str, ...]] = (),
    values: list[str] = (),
) -> dict:
    data = {
        "question-type": qtype,
        "question-text_en": en,
        "question-text_de": de,
        "question-text_fr": fr,
    }
    if required:
        data["question-required"] = "y"
    for index, labels in enumerate(options):
        for language, label in zip(("en", "de", "fr"), labels, strict=False):
            data[f"question-options-{index}-label_{language}"] = label
        if index < len(values):
            data[f"question-options-{index}-value"] = values[index]
    return data


def _questions(app, survey_id: int, number: int | None = None) -> list[Question]:
    """The questions of the survey's current version (or of version ``number``), in order."""
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        versions = {v.number: v for v in survey.versions}
        version = versions[number] if number else survey.current_version
        questions = list(version.questions)
        for question in questions:
            db.session.expunge(question)
        return questions


def _versions(app, survey_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(SurveyVersion)
            .where(SurveyVersion.survey_id == survey_id)
        )


def _answer(app, org, survey_id: int, score: int = 9) -> int:
    """A customer's response to the survey's current version; returns the answer's id."""
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        version = survey.current_version
        invitation, _token = make_invitation(
            app, survey, email="kunde@example.com", rep_id=org.rep, team_id=org.team
        )
        answer = Answer(question_id=version.questions[0].id, score=score)
        db.session.add(
            Response(
                invitation_id=invitation.id,
                survey_id=survey.id,
                version_id=version.id,
                rep_id=org.rep,
                team_id=org.team,
                answers=[answer],
            )
        )
        db.session.commit()
        return answer.id


def _page(response) -> str:
    text = html.unescape(response.get_data(as_text=True))
    response.close()
    return text


def _words(page: str) -> str:
    """The page's text without its tags and with single spaces, as a reader sees it."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))


# Starting a survey --------------------------------------------------------------------------------


@pytest.mark.parametrize("key", TEMPLATES)
def test_each_template_becomes_a_draft_with_its_questions_in_three_languages(app, org, key):
    survey_id = _from_template(app, org, key, company="Acme")
    template = TEMPLATES[key]
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        version = survey.current_version
        assert (survey.kind, survey.status, version.number) == (
            template.kind,
            SurveyStatus.DRAFT,
            1,
        )
        assert survey.name == template.names["en"]
        assert (survey.reminder_days, survey.max_reminders) == (4, 1)
        assert [q.type for q in version.questions] == [q.type for q in template.questions]
        assert all(set(q.texts) == {"en", "de", "fr"} for q in version.questions)
        assert set(version.texts) == {"en", "de", "fr"}
        assert "{company}" not in str([q.texts for q in version.questions])
        assert services.activation_problems(survey) == []
        assert services.translation_gaps(survey) == []


def test_relationship_nps_names_the_company_in_every_language(app, org):
    survey_id = _from_template(app, org, company="Muster AG")
    nps = _questions(app, survey_id)[0]
    assert nps.texts["en"].startswith("How likely are you to recommend Muster AG")
    assert "dass Sie Muster AG einem Kollegen" in nps.texts["de"]
    assert "recommandiez Muster AG" in nps.texts["fr"]


def test_manager_starts_from_a_template_on_the_new_survey_page(app, org, as_role):
    client = as_role("manager")
    page = _page(client.get("/surveys/new?template=csat_closed_deal"))
    assert "CSAT after a closed deal" in page
    response = _post(
        client,
        "/surveys/new",
        {
            "start": "csat_closed_deal",
            "name": "",
            "kind": "",
            "default_language": "de",
            "company": "Acme",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        survey = db.session.scalar(select(Survey))
        assert survey.name == "CSAT nach Auftragsabschluss"  # the template's name, in German
        assert (survey.default_language, survey.owner_id) == ("de", org.manager)
    editor = _page(client.get(response.location))
    # Each question shows in the default language first, then its translations.
    assert '<p class="question-text" lang="de">Wie zufrieden sind Sie insgesamt' in editor
    assert "Default language: Deutsch" in editor


def test_blank_survey_is_an_empty_draft_at_version_one(app, org, as_role):
    client = as_role("manager")
    response = _post(
        client,
        "/surveys/new",
        {
            "start": "blank",
            "name": "Q3 CSAT Hamburg",
            "kind": "customer_csat",
            "default_language": "en",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        survey = db.session.scalar(select(Survey))
        assert (survey.name, survey.kind, survey.status) == (
            "Q3 CSAT Hamburg",
            SurveyKind.CUSTOMER_CSAT,
            SurveyStatus.DRAFT,
        )
        assert survey.current_version.number == 1
        assert survey.current_version.questions == []
    editor = _page(client.get(response.location))
    assert "No questions yet" in editor
    assert "Add at least one question." in editor


def test_a_blank_survey_needs_a_name_and_a_kind(app, org, as_role):
    client = as_role("manager")
    page = _page(
        _post(
            client,
            "/surveys/new",
            {"start": "blank", "name": "", "kind": "customer_nps", "default_language": "en"},
        )
    )
    assert "Give the survey a name." in page
    page = _page(
        _post(
            client,
            "/surveys/new",
            {"start": "blank", "name": "X", "kind": "", "default_language": "en"},
        )
    )
    assert "Choose the kind of survey." in page


def test_an_empty_list_offers_to_start_from_a_template(as_role, org):
    page = _page(as_role("manager").get("/surveys"))
    assert "No surveys yet." in page
    assert "Start from a template" in page


# Questions ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qtype", "options"),
    [
        ("nps", []),
        ("rating", []),
        ("agreement", []),
        ("single_choice", [("Price", "Preis", "Prix"), ("Service", "Service", "Service")]),
        (
            "multiple_choice",
            [("Hardware", "Hardware", "Matériel"), ("Software", "Software", "Logiciel")],
        ),
        ("text", []),
    ],
)
def test_every_question_type_can_be_added(app, org, as_role, qtype, options):
    survey_id = _blank(app, org)
    client = as_role("manager")
    response = _post(
        client,
        f"/surveys/{survey_id}/questions",
        _question_form(
            qtype, "What do you think?", "Was denken Sie?", "Qu'en pensez-vous ?", options=options
        ),
    )
    assert response.status_code == 302
    [question] = _questions(app, survey_id)
    assert question.type is QuestionType(qtype)
    assert question.texts == {
        "en": "What do you think?",
        "de": "Was denken Sie?",
        "fr": "Qu'en pensez-vous ?",
    }
    assert question.required
    assert [o["labels"]["en"] for o in question.options] == [o[0] for o in options]
    editor = _page(client.get(f"/surveys/{survey_id}"))
    assert "Question 1 added." in editor
    assert "What do you think?" in editor


def test_an_optional_question_is_saved_as_optional(app, org, as_role):
    survey_id = _blank(app, org)
    _post(
        as_role("manager"),
        f"/surveys/{survey_id}/questions",
        _question_form("text", "Anything else?", required=False),
    )
    assert not _questions(app, survey_id)[0].required


def test_a_choice_question_needs_two_options(app, org, as_role):
    survey_id = _blank(app, org)
    page = _page(
        _post(
            as_role("manager"),
            f"/surveys/{survey_id}/questions",
            _question_form("single_choice", "Why did you buy?", options=[("Price",)]),
        )
    )
    assert "A choice question needs at least two options." in page
    assert _questions(app, survey_id) == []


def test_an_option_needs_a_label_in_the_default_language(app, org, as_role):
    survey_id = _blank(app, org)
    page = _page(
        _post(
            as_role("manager"),
            f"/surveys/{survey_id}/questions",
            _question_form("single_choice", "Why?", options=[("Price", "Preis"), ("", "Service")]),
        )
    )
    assert "Option 2 has no label in English, the survey's default language." in page


def test_a_question_needs_its_text_in_the_default_language(app, org, as_role):
    survey_id = _blank(app, org)
    page = _page(
        _post(
            as_role("manager"),
            f"/surveys/{survey_id}/questions",
            _question_form("nps", "", de="Wie wahrscheinlich …"),
        )
    )
    assert "Write the question in English, the survey's default language." in page
    assert _questions(app, survey_id) == []


def test_an_unknown_question_type_is_refused(app, org, as_role):
    survey_id = _blank(app, org)
    page = _page(
        _post(
            as_role("manager"),
            f"/surveys/{survey_id}/questions",
            _question_form("slider", "How much?"),
        )
    )
    assert "Not a valid choice" in page
    assert _questions(app, survey_id) == []


def test_scale_questions_have_a_fixed_scale_and_drop_typed_options(app, org, as_role):
    survey_id = _blank(app, org)
    _post(
        as_role("manager"),
        f"/surveys/{survey_id}/questions",
        _question_form("rating", "How satisfied are you?", options=[("1 star",), ("10 stars",)]),
    )
    assert _questions(app, survey_id)[0].options == []


def test_options_keep_their_values_when_relabelled(app, org, as_role):
    survey_id = _blank(app, org)
    client = as_role("manager")
    _post(
        client,
        f"/surveys/{survey_id}/questions",
        _question_form("single_choice", "Main reason?", options=[("Price",), ("Delivery time",)]),
    )
    question = _questions(app, survey_id)[0]
    assert [o["value"] for o in question.options] == ["price", "delivery-time"]
    edit_page = _page(client.get(f"/surveys/{survey_id}/questions/{question.id}"))
    assert 'value="delivery-time"' in edit_page
    _post(
        client,
        f"/surveys/{survey_id}/questions/{question.id}",
        _question_form(
            "single_choice",
            "Main reason?",
            options=[("Price", "Preis"), ("Lead time", "Lieferzeit")],
            values=["price", "delivery-time"],
        ),
    )
    question = _questions(app, survey_id)[0]
    assert [o["value"] for o in question.options] == ["price", "delivery-time"]
    assert question.options[1]["labels"] == {"en": "Lead time", "de": "Lieferzeit"}


def test_questions_move_up_and_down_with_buttons(app, org, as_role):
    survey_id = _from_template(app, org, "csat_closed_deal")
    rating, agreement, comment = _questions(app, survey_id)
    client = as_role("manager")
    _post(client, f"/surveys/{survey_id}/questions/{comment.id}/move", {"direction": "up"})
    assert [q.id for q in _questions(app, survey_id)] == [rating.id, comment.id, agreement.id]
    _post(client, f"/surveys/{survey_id}/questions/{rating.id}/move", {"direction": "down"})
    assert [q.id for q in _questions(app, survey_id)] == [comment.id, rating.id, agreement.id]
    assert [q.position for q in _questions(app, survey_id)] == [0, 1, 2]
    editor = _page(client.get(f"/surveys/{survey_id}"))
    assert editor.index("Is there anything else") < editor.index("Overall, how satisfied")


def test_the_first_question_cannot_move_up(app, org, as_role):
    survey_id = _from_template(app, org)
    first = _questions(app, survey_id)[0]
    client = as_role("manager")
    response = _post(client, f"/surveys/{survey_id}/questions/{first.id}/move", {"direction": "up"})
    assert response.status_code == 302
    assert "This question is already the first." in _page(client.get(response.location))


def test_removing_a_question_closes_the_gap(app, org, as_role):
    survey_id = _from_template(app, org, "csat_closed_deal")
    rating, agreement, comment = _questions(app, survey_id)
    _post(as_role("manager"), f"/surveys/{survey_id}/questions/{agreement.id}/delete")
    assert [(q.id, q.position) for q in _questions(app, survey_id)] == [
        (rating.id, 0),
        (comment.id, 1),
    ]
    assert _versions(app, survey_id) == 1


# Versions: answers keep their wording -------------------------------------------------------------


def test_editing_a_survey_without_answers_changes_it_in_place(app, org, as_role):
    survey_id = _from_template(app, org)
    nps = _questions(app, survey_id)[0]
    _post(
        as_role("manager"),
        f"/surveys/{survey_id}/questions/{nps.id}",
        _question_form("nps", "Would you recommend us?", "Würden Sie uns empfehlen?"),
    )
    assert _versions(app, survey_id) == 1
    [edited, _reason] = _questions(app, survey_id)
    assert (edited.id, edited.texts["en"]) == (nps.id, "Would you recommend us?")


def test_editing_a_survey_with_answers_makes_version_two_and_old_answers_keep_their_wording(
    app, org, as_role
):
    survey_id = _from_template(app, org, company="Acme")
    old_nps = _questions(app, survey_id)[0]
    answer_id = _answer(app, org, survey_id)
    client = as_role("manager")
    editor = _page(client.get(f"/surveys/{survey_id}"))
    assert "People have answered version 1. Saving any change" in editor
    assert "creates version 2" in editor

    response = _post(
        client,
        f"/surveys/{survey_id}/questions/{old_nps.id}",
        _question_form(
            "nps", "Would you recommend Acme to a friend?", "Würden Sie Acme empfehlen?"
        ),
    )
    assert response.status_code == 302
    assert _versions(app, survey_id) == 2
    new_nps, new_reason = _questions(app, survey_id)
    assert new_nps.id != old_nps.id
    assert new_nps.texts["en"] == "Would you recommend Acme to a friend?"
    assert new_reason.texts["en"] == "What is the main reason for your score?"
    with app.app_context():
        answer = db.session.get(Answer, answer_id)
        assert answer.question.version.number == 1
        assert answer.question.texts["en"].startswith("How likely are you to recommend Acme")
        assert answer.response.version_id == answer.question.version_id
        audit = db.session.scalars(select(AuditEvent.action)).all()
        assert "survey.version_created" in audit
        assert "survey.question_edited" in audit
    assert "Version 2" in _page(client.get(f"/surveys/{survey_id}"))


def test_a_second_edit_after_the_new_version_stays_in_it(app, org):
    survey_id = _from_template(app, org)
    _answer(app, org, survey_id)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        manager = _user(org.manager)
        services.add_question(
            survey, services.QuestionInput("rating", True, {"en": "Rate us"}), by=manager
        )
        services.add_question(
            survey, services.QuestionInput("text", False, {"en": "Why?"}), by=manager
        )
    assert _versions(app, survey_id) == 2
    assert len(_questions(app, survey_id)) == 4
    assert len(_questions(app, survey_id, 1)) == 2


def test_removing_an_answered_question_keeps_it_in_the_old_version(app, org, as_role):
    survey_id = _from_template(app, org)
    nps, reason = _questions(app, survey_id)
    answer_id = _answer(app, org, survey_id)
    _post(as_role("manager"), f"/surveys/{survey_id}/questions/{nps.id}/delete")
    assert [q.texts["en"] for q in _questions(app, survey_id)] == [reason.texts["en"]]
    assert [q.id for q in _questions(app, survey_id, 1)] == [nps.id, reason.id]
    with app.app_context():
        assert db.session.get(Answer, answer_id).question_id == nps.id


def test_reordering_an_answered_survey_makes_a_new_version(app, org, as_role):
    survey_id = _from_template(app, org)
    nps, reason = _questions(app, survey_id)
    _answer(app, org, survey_id)
    _post(
        as_role("manager"), f"/surveys/{survey_id}/questions/{reason.id}/move", {"direction": "up"}
    )
    assert [q.type for q in _questions(app, survey_id)] == [QuestionType.TEXT, QuestionType.NPS]
    assert [q.id for q in _questions(app, survey_id, 1)] == [nps.id, reason.id]


def test_a_question_from_an_earlier_version_sends_the_editor_back_to_the_current_one(
    app, org, as_role
):
    survey_id = _from_template(app, org)
    old_nps = _questions(app, survey_id)[0]
    _answer(app, org, survey_id)
    client = as_role("manager")
    _post(client, f"/surveys/{survey_id}/texts", {"texts-title_en": "New title"})
    response = client.get(f"/surveys/{survey_id}/questions/{old_nps.id}")
    assert response.status_code == 302
    assert "belongs to an earlier version" in _page(client.get(response.location))


def test_a_save_without_changes_makes_no_new_version(app, org):
    survey_id = _from_template(app, org)
    _answer(app, org, survey_id)
    nps = _questions(app, survey_id)[0]
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        services.edit_question(
            survey, nps.id, services.QuestionInput("nps", True, nps.texts), by=_user(org.manager)
        )
    assert _versions(app, survey_id) == 1


# Texts, settings, translations --------------------------------------------------------------------


def test_survey_texts_are_saved_per_language(app, org, as_role):
    survey_id = _blank(app, org)
    response = _post(
        as_role("manager"),
        f"/surveys/{survey_id}/texts",
        {
            "texts-title_en": "Your purchase",
            "texts-intro_en": "Three questions.",
            "texts-thanks_en": "Thank you!",
            "texts-title_de": "Ihr Kauf",
            "texts-title_fr": "",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        texts = db.session.get(Survey, survey_id).current_version.texts
        assert texts == {
            "en": {"title": "Your purchase", "intro": "Three questions.", "thanks": "Thank you!"},
            "de": {"title": "Ihr Kauf", "intro": "", "thanks": ""},
        }


def test_the_title_is_required_in_the_default_language(app, org, as_role):
    survey_id = _blank(app, org)
    page = _page(
        _post(
            as_role("manager"),
            f"/surveys/{survey_id}/texts",
            {"texts-title_en": " ", "texts-title_de": "Ihr Kauf"},
        )
    )
    assert "Give the survey a title in English, its default language." in page


def test_missing_translations_are_warnings_that_do_not_stop_activation(app, org, as_role):
    survey_id = _blank(app, org)
    client = as_role("manager")
    _post(
        client,
        f"/surveys/{survey_id}/questions",
        _question_form("nps", "How likely …?", de="Wie wahrscheinlich …?"),
    )
    editor = _page(client.get(f"/surveys/{survey_id}"))
    assert "Missing translations" in editor
    assert "Deutsch: title (without one" in _words(editor)
    _post(client, f"/surveys/{survey_id}/texts", {"texts-title_en": "T", "texts-title_fr": "T"})
    editor = _page(client.get(f"/surveys/{survey_id}"))
    assert "Français: question 1" in _words(editor)
    response = _post(client, f"/surveys/{survey_id}/activate")
    assert "The survey is active" in _page(client.get(response.location))


def test_settings_default_to_a_reminder_after_four_days_once(app, org, as_role):
    survey_id = _blank(app, org)
    page = _page(as_role("manager").get(f"/surveys/{survey_id}"))
    assert re.search(r'name="settings-reminder_days"[^>]*type="number" value="4"', page)
    assert re.search(r'name="settings-max_reminders"[^>]*type="number" value="1"', page)


def test_settings_are_saved_and_checked(app, org, as_role):
    survey_id = _blank(app, org)
    client = as_role("manager")
    settings = {
        "settings-name": "Renamed",
        "settings-default_language": "en",
        "settings-invitation_days": "14",
        "settings-reminder_days": "3",
        "settings-max_reminders": "2",
    }
    assert _post(client, f"/surveys/{survey_id}/settings", settings).status_code == 302
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        assert (
            survey.name,
            survey.invitation_days,
            survey.reminder_days,
            survey.max_reminders,
        ) == ("Renamed", 14, 3, 2)
    page = _page(
        _post(client, f"/surveys/{survey_id}/settings", {**settings, "settings-reminder_days": "0"})
    )
    assert "Enter a number from 1 to 60." in page


def test_an_active_survey_keeps_a_default_language_whose_texts_are_complete(app, org):
    survey_id = _blank(app, org)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        manager = _user(org.manager)
        services.add_question(
            survey, services.QuestionInput("nps", True, {"en": "How likely?"}), by=manager
        )
        services.activate(survey, by=manager)
        settings = services.SurveySettings(name=survey.name, default_language="de")
        with pytest.raises(DomainError, match="Respondents would miss texts in Deutsch"):
            services.update_settings(survey, settings, by=manager)


# Lifecycle ----------------------------------------------------------------------------------------


def test_a_survey_without_questions_cannot_be_activated(app, org, as_role):
    survey_id = _blank(app, org)
    client = as_role("manager")
    response = _post(client, f"/surveys/{survey_id}/activate")
    assert "Add at least one question." in _page(client.get(response.location))
    with app.app_context():
        assert db.session.get(Survey, survey_id).status is SurveyStatus.DRAFT


def test_the_lifecycle_goes_draft_active_closed_and_no_other_way(app, org):
    survey_id = _from_template(app, org)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        manager = _user(org.manager)
        with pytest.raises(DomainError, match=re.escape("Only an active survey can be closed.")):
            services.close(survey, by=manager)
        services.activate(survey, by=manager)
        with pytest.raises(DomainError, match=re.escape("Only a draft survey can be activated.")):
            services.activate(survey, by=manager)
        services.close(survey, by=manager)
        with pytest.raises(DomainError, match=re.escape("Only a draft survey can be activated.")):
            services.activate(survey, by=manager)
        with pytest.raises(DomainError, match=re.escape("Only an active survey can be closed.")):
            services.close(survey, by=manager)
        with pytest.raises(
            DomainError, match=re.escape("A closed survey can no longer be changed.")
        ):
            services.add_question(
                survey, services.QuestionInput("text", False, {"en": "More?"}), by=manager
            )
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert {"survey.created", "survey.activated", "survey.closed"} <= set(actions)


def test_activate_and_close_buttons_change_the_status(app, org, as_role):
    survey_id = _from_template(app, org)
    client = as_role("manager")
    editor = _page(client.get(f"/surveys/{survey_id}"))
    assert ">Activate</button>" in editor
    _post(client, f"/surveys/{survey_id}/activate")
    editor = _page(client.get(f"/surveys/{survey_id}"))
    assert ">Close survey</button>" in editor
    _post(client, f"/surveys/{survey_id}/close")
    editor = _page(client.get(f"/surveys/{survey_id}"))
    assert "This survey is closed." in editor
    assert "Add a question" not in editor


def test_an_active_survey_keeps_at_least_one_question(app, org):
    survey_id = _blank(app, org)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        manager = _user(org.manager)
        question = services.add_question(
            survey, services.QuestionInput("nps", True, {"en": "How likely?"}), by=manager
        )
        services.activate(survey, by=manager)
        with pytest.raises(
            DomainError, match=re.escape("An active survey needs at least one question.")
        ):
            services.remove_question(survey, question.id, by=manager)


# Who sees what ------------------------------------------------------------------------------------


def test_a_manager_lists_their_own_surveys_and_hr_lists_all(app, org, as_role):
    _from_template(app, org, name="Mine")
    with app.app_context():
        make_survey(owner_id=org.other_manager, name="Theirs")
        db.session.commit()
    mine = _page(as_role("manager").get("/surveys"))
    assert "Mine" in mine
    assert "Theirs" not in mine
    everything = _page(as_role("hr").get("/surveys"))
    assert "Mine" in everything
    assert "Theirs" in everything


def test_a_manager_cannot_open_or_change_another_managers_survey(app, org, as_role):
    with app.app_context():
        survey = make_survey(owner_id=org.other_manager, status=SurveyStatus.DRAFT)
        db.session.commit()
        survey_id, question_id = survey.id, survey.current_version.questions[0].id
    client = as_role("manager")
    assert client.get(f"/surveys/{survey_id}").status_code == 404
    response = _post(client, f"/surveys/{survey_id}/questions/{question_id}/delete")
    assert response.status_code == 404
    assert len(_questions(app, survey_id)) == 2


def test_the_list_shows_counts_of_questions_versions_and_answers(app, org, as_role):
    survey_id = _from_template(app, org, "csat_closed_deal")
    _answer(app, org, survey_id, score=5)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        services.add_question(
            survey, services.QuestionInput("text", False, {"en": "More?"}), by=_user(org.manager)
        )
        counts = queries.survey_counts([survey_id])[survey_id]
    assert counts == queries.SurveyCounts(versions=2, questions=4, responses=1)
    page = _page(as_role("manager").get("/surveys"))
    assert "CSAT after a closed deal" in page


def test_the_list_is_filtered_by_status(app, org, as_role):
    _from_template(app, org, name="Draft one")
    with app.app_context():
        make_survey(owner_id=org.manager, name="Active one")
        db.session.commit()
    page = _page(as_role("manager").get("/surveys?status=active"))
    assert "Active one" in page
    assert "Draft one" not in page


# Preview ------------------------------------------------------------------------------------------


def test_the_preview_in_german_shows_german_text_and_falls_back_to_the_default_language(
    app, org, as_role
):
    survey_id = _from_template(app, org, company="Acme")
    client = as_role("manager")
    _post(
        client,
        f"/surveys/{survey_id}/questions",
        _question_form("text", "Which product line did you buy?"),
    )  # English only
    response = client.get(f"/surveys/{survey_id}/preview?lang=de")
    assert response.status_code == 200
    page = _page(response)
    assert "Ihre Meinung ist uns wichtig" in page
    assert "Wie wahrscheinlich ist es, dass Sie Acme einem Kollegen" in page
    assert "Which product line did you buy?" in page  # no German text: the default language
    assert "Überhaupt nicht wahrscheinlich" in page or "Not at all likely" in page
    assert "Preview" in page or "Vorschau" in page
    assert '<fieldset class="survey-questions" disabled>' in page
    assert 'lang="de"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_the_preview_in_the_default_language_shows_every_control(app, org, as_role):
    survey_id = _blank(app, org)
    client = as_role("manager")
    for qtype, options in [
        ("nps", []),
        ("rating", []),
        ("agreement", []),
        ("single_choice", [("Price",), ("Service",)]),
        ("multiple_choice", [("Hardware",), ("Software",)]),
        ("text", []),
    ]:
        _post(
            client,
            f"/surveys/{survey_id}/questions",
            _question_form(qtype, f"Question {qtype}", options=options),
        )
    page = _page(client.get(f"/surveys/{survey_id}/preview?lang=en"))
    assert "Preview — answers are not saved" in page
    assert page.count('type="radio"') == 11 + 5 + 5 + 2
    assert page.count('type="checkbox"') == 2
    assert "<textarea" in page
    assert "Not at all likely" in page
    assert "Extremely likely" in page
    assert "Strongly disagree" in page


def test_an_unknown_preview_language_shows_the_default_language(app, org, as_role):
    survey_id = _from_template(app, org)
    page = _page(as_role("manager").get(f"/surveys/{survey_id}/preview?lang=xx"))
    assert "Your opinion matters to us" in page


# Fixed query counts and concurrent edits ----------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "path"), [("hr", "/surveys"), ("manager", "/surveys"), ("manager", "/surveys/{id}")]
)
def test_builder_pages_answer_in_a_fixed_number_of_queries(app, org, as_role, role, path):
    from tests.integration.test_query_counts import counting_queries

    survey_id = _from_template(app, org, "csat_closed_deal")
    client = as_role(role)
    url = path.format(id=survey_id)
    client.get(url).close()  # warm up: the first request loads what every request needs
    with counting_queries(app) as small:
        assert client.get(url).status_code == 200
    for _ in range(6):
        _from_template(app, org, "self_assessment")
    _answer(app, org, survey_id)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        services.add_question(
            survey,
            services.QuestionInput(
                "single_choice",
                True,
                {"en": "Why?"},
                [services.OptionInput({"en": "Price"}), services.OptionInput({"en": "Service"})],
            ),
            by=_user(org.manager),
        )
    with counting_queries(app) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), large


@pytest.mark.skipif(TEST_DB == "sqlite", reason="row locks need PostgreSQL; SQLite has one writer")
def test_two_edits_at_once_of_an_answered_survey_make_one_new_version(app, org):
    survey_id = _from_template(app, org)
    _answer(app, org, survey_id)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def add(text: str) -> None:
        with app.app_context():
            survey = db.session.get(Survey, survey_id)
            manager = _user(org.manager)
            barrier.wait()
            try:
                services.add_question(
                    survey, services.QuestionInput("text", False, {"en": text}), by=manager
                )
            except BaseException as error:  # reported below, in the test's thread
                errors.append(error)

    threads = [threading.Thread(target=add, args=(text,)) for text in ("First?", "Second?")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _versions(app, survey_id) == 2
    assert sorted(q.texts["en"] for q in _questions(app, survey_id)[2:]) == ["First?", "Second?"]


def test_an_active_survey_links_to_sending_its_invitations_and_results(app, org, as_role):
    survey_id = _from_template(app, org)
    client = as_role("manager")
    _post(client, f"/surveys/{survey_id}/activate")
    page = _page(client.get(f"/surveys/{survey_id}"))
    assert f'href="/surveys/{survey_id}/send"' in page
    assert f'href="/surveys/{survey_id}/invitations"' in page


def test_a_translation_with_an_introduction_needs_its_title_too(app, org, as_role):
    survey_id = _blank(app, org)
    page = _page(
        _post(
            as_role("manager"),
            f"/surveys/{survey_id}/texts",
            {"texts-title_en": "Your purchase", "texts-intro_fr": "Trois questions."},
        )
    )
    assert "Give the survey a title in Français too, or leave all its Français texts empty." in page


def test_a_language_without_survey_texts_is_warned_to_show_the_whole_survey_in_the_default(
    app, org, as_role
):
    survey_id = _blank(app, org)
    client = as_role("manager")
    _post(
        client,
        f"/surveys/{survey_id}/questions",
        _question_form("nps", "How likely?", de="Wie wahrscheinlich?", fr="Quelle probabilité ?"),
    )
    words = _words(_page(client.get(f"/surveys/{survey_id}")))
    assert "respondents reading Deutsch get the whole survey in English" in words
