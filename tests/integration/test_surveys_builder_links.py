"""The builder's links to other domains fit the kind of questionnaire: a customer survey links to
its sending and results, a pulse questionnaire to starting a pulse, an assessment to nothing
that does not concern it; every link leads to a page that works. Built-in surveys are marked."""

from __future__ import annotations

import html
import re

import pytest

from coachflow.followups.services.resurvey import SURVEY_NAME, resurvey_survey
from coachflow.platform.extensions import db
from coachflow.questionnaires.models import SurveyKind, SurveyStatus
from tests.survey_factories import make_survey

CUSTOMER_PAGES = ("/send", "/invitations", "/surveys/results/")


def _survey(app, org, kind: SurveyKind, status=SurveyStatus.ACTIVE) -> int:
    with app.app_context():
        survey = make_survey(kind=kind, owner_id=org.manager, status=status, name=f"{kind} one")
        db.session.commit()
        return survey.id


def _links(page: str, survey_id: int) -> list[str]:
    """The page's links to other domains: those outside the builder's own pages (its list, the
    survey's previews, questions and settings)."""
    main = page[page.index("<main") :]
    hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', main)]
    own = f"/surveys/{survey_id}"
    return [
        h
        for h in hrefs
        if not (
            h == "/surveys" or h.startswith((own + "/", own + "?", "/static/", "#")) or h == own
        )
    ]


def _editor(client, survey_id: int) -> str:
    response = client.get(f"/surveys/{survey_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("kind", [SurveyKind.CUSTOMER_NPS, SurveyKind.CUSTOMER_CSAT])
def test_a_customer_survey_links_to_its_sending_and_results(app, org, as_role, kind):
    survey_id = _survey(app, org, kind)
    hr = as_role("hr")
    page = _editor(hr, survey_id)
    assert "Send invitations" in page
    assert f"/surveys/{survey_id}/send" in page
    assert f"/surveys/{survey_id}/invitations" in page
    assert f"/surveys/results/{survey_id}" in page
    assert "Start a pulse" not in page
    # The sending pages share the builder's prefix; every link leads to a working page.
    assert _links(page, survey_id) == [f"/surveys/results/{survey_id}"]
    sending = [f"/surveys/{survey_id}/send", f"/surveys/{survey_id}/invitations"]
    for link in [*sending, f"/surveys/results/{survey_id}"]:
        assert hr.get(link).status_code == 200, link


def test_a_draft_customer_survey_offers_no_sending_yet(app, org, as_role):
    survey_id = _survey(app, org, SurveyKind.CUSTOMER_NPS, SurveyStatus.DRAFT)
    page = _editor(as_role("hr"), survey_id)
    assert "Send invitations" not in page
    assert f"/surveys/{survey_id}/invitations" not in page


def test_a_pulse_questionnaire_links_to_starting_a_pulse_not_to_customer_pages(app, org, as_role):
    survey_id = _survey(app, org, SurveyKind.EMPLOYEE_PULSE)
    hr = as_role("hr")
    page = _editor(hr, survey_id)
    for customer_page in CUSTOMER_PAGES:
        assert customer_page not in page
    assert "Send invitations" not in page
    assert "Start a pulse" in page
    assert f"/pulse/new?survey_id={survey_id}" in html.unescape(page)
    links = _links(page, survey_id)
    assert sorted(links) == ["/pulse", f"/pulse/new?survey_id={survey_id}"]
    for link in links:
        assert hr.get(link).status_code == 200, link
    # The pulse form arrives with this questionnaire chosen.
    start = hr.get(f"/pulse/new?survey_id={survey_id}").get_data(as_text=True)
    option = re.search(rf'<option[^>]*value="{survey_id}"[^>]*>', start)
    assert option is not None
    assert "selected" in option[0]


def test_a_closed_pulse_questionnaire_links_only_to_the_pulses(app, org, as_role):
    survey_id = _survey(app, org, SurveyKind.EMPLOYEE_PULSE, SurveyStatus.CLOSED)
    page = _editor(as_role("hr"), survey_id)
    assert "Start a pulse" not in page
    assert 'href="/pulse"' in page


@pytest.mark.parametrize("kind", [SurveyKind.SELF_ASSESSMENT, SurveyKind.MANAGER_ASSESSMENT])
def test_an_assessment_questionnaire_has_no_links_that_lead_nowhere(app, org, as_role, kind):
    survey_id = _survey(app, org, kind)
    page = _editor(as_role("hr"), survey_id)
    for customer_page in CUSTOMER_PAGES:
        assert customer_page not in page
    assert "Send invitations" not in page
    assert "Start a pulse" not in page
    assert _links(page, survey_id) == []


def test_the_sending_page_counts_under_the_surveys_entry(app, org, as_role):
    survey_id = _survey(app, org, SurveyKind.CUSTOMER_NPS)
    page = as_role("hr").get(f"/surveys/{survey_id}/send").get_data(as_text=True)
    assert re.search(r'<a href="/surveys" aria-current="page">', page)


def test_the_follow_ups_re_survey_is_marked_built_in(app, org, as_role):
    with app.app_context():
        built_in = resurvey_survey().id
        db.session.commit()
    own = _survey(app, org, SurveyKind.CUSTOMER_CSAT)
    admin = as_role("admin")
    listing = admin.get("/surveys").get_data(as_text=True)
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", listing, re.S) if SURVEY_NAME in r)
    assert "Built in" in row
    assert listing.count(">Built in<") == 1
    assert "Built in" in _editor(admin, built_in)
    assert "follow-ups send this survey" in _editor(admin, built_in)
    assert "Built in" not in _editor(admin, own)
