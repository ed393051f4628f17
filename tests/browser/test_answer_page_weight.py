"""The respondent's first view of an emailed survey link, measured in Chromium: what crosses the
wire (headers and compressed bodies of every request), that nothing comes from another host, and
that the survey can be answered with JavaScript switched off. The organisation is the demo's:
its name, colour and SVG logo are part of the first view."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Response, expect

from coachflow.accounts import demo
from coachflow.accounts.models import User
from coachflow.platform.extensions import db
from coachflow.questionnaires.models import Survey
from coachflow.surveys.services import distribution
from coachflow.surveys.services.distribution import Criteria
from tests.helpers import text_of
from tests.integration.test_surveys_distribution_support import customer, person, survey_in

pytestmark = pytest.mark.browser

BUYER = "buyer@kunde.example"
BUDGET = 10 * 1024  # bytes on the wire for the first view of a survey link


@pytest.fixture
def emailed_link(app, org, mailbox, live_server) -> str:
    """The answer link of a survey invitation as it arrived by mail, pointing at the live server."""
    app.config["PUBLIC_BASE_URL"] = live_server
    with app.app_context():
        demo.seed_branding()
        account = customer(org.rep, "K1", "Kunde GmbH")
        person(account, BUYER, name="Berta Buyer", language="en")
        survey = survey_in(org.manager)
        db.session.commit()
        distribution.send_survey(
            db.session.get(Survey, survey.id),
            Criteria(team_id=org.team),
            db.session.get(User, org.manager),
        )
    deadline = time.monotonic() + 10
    while not (messages := mailbox.to(BUYER)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(messages) == 1
    match = re.search(r"(https?://\S+/s/[\w-]+)(?:\s|$)", text_of(messages[0]))
    assert match, text_of(messages[0])
    return match.group(1)


def first_view(browser: Browser, link: str) -> tuple[Page, list[Response]]:
    """Open ``link`` in a fresh context (empty cache) and collect every response it caused."""
    context = browser.new_context()
    page = context.new_page()
    responses: list[Response] = []
    page.on("response", lambda response: responses.append(response))
    page.goto(link, wait_until="networkidle")
    return page, responses


def transferred(response: Response) -> int:
    """Bytes on the wire for one response: its headers and its (compressed) body."""
    sizes = response.request.sizes()
    return sizes["responseHeadersSize"] + sizes["responseBodySize"]


def test_the_first_view_of_an_emailed_survey_link_is_light_and_stays_on_our_host(
    browser, emailed_link, live_server, tmp_path
):
    page, responses = first_view(browser, emailed_link)
    try:
        expect(page.get_by_role("heading", level=1)).to_have_text("How did we do?")
        expect(page.get_by_role("banner")).to_contain_text(demo.ORGANISATION)
        logo = page.locator(".public-logo")
        assert logo.evaluate("image => image.complete && image.naturalWidth > 0")
        submit = page.get_by_role("button", name="Send my answers")
        expect(submit).to_have_css("background-color", "rgb(15, 94, 102)")  # demo.ACCENT
        total = sum(transferred(response) for response in responses)
        listing = [(r.url, r.headers.get("content-encoding"), transferred(r)) for r in responses]
        print(f"first view: {len(responses)} requests, {total} bytes on the wire: {listing}")
        assert total <= BUDGET, listing
        hosts = {urlsplit(response.url).netloc for response in responses}
        assert hosts == {urlsplit(live_server).netloc}
        assert not [r.url for r in responses if r.request.resource_type == "script"]
        page.screenshot(path=tmp_path / "first-view.png", full_page=True)
    finally:
        page.context.close()


def test_a_customer_answers_the_survey_with_javascript_switched_off(
    browser, emailed_link, tmp_path
):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(emailed_link)
        question = page.get_by_role("group", name=re.compile("recommend us"))
        question.get_by_label("9", exact=True).check()
        page.get_by_label(re.compile("main reason for your score")).fill("Quick and friendly.")
        page.get_by_role("button", name="Send my answers").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you!")
        expect(page.get_by_role("banner")).to_contain_text(demo.ORGANISATION)
        page.screenshot(path=tmp_path / "thanks.png", full_page=True)
    finally:
        context.close()
