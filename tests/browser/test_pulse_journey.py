"""A pulse from start to answer in a real browser: HR starts a pulse for a team; the rep opens
the emailed link in a browser without a session, reads that the pulse is anonymous before any
question, answers, and is told kindly when opening the used link again."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from coachflow.platform.extensions import db
from tests.browser.test_survey_journey import sign_in
from tests.helpers import text_of
from tests.pulse_factories import ENPS, SUPPORT, make_pulse_survey

pytestmark = pytest.mark.browser


def pulse_link(mailbox, address: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while not (messages := mailbox.to(address)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(messages) == 1, [m["To"] for m in mailbox.messages]
    match = re.search(r"https?://[^/\s]+(/p/[\w-]+)(?:\s|$)", text_of(messages[0]))
    assert match, text_of(messages[0])
    return match.group(1)


def test_an_employee_answers_a_pulse_from_the_emailed_link(
    app, browser, page, live_server, org, mailbox
):
    with app.app_context():
        make_pulse_survey(org.hr)
        db.session.commit()

    sign_in(page, "hr@example.com")
    page.goto("/pulse/new")
    page.get_by_label("Name", exact=True).fill("March pulse")
    page.get_by_label("Teams", exact=True).select_option(label="North")
    page.get_by_label("Repeat", exact=True).select_option(label="Once")
    page.get_by_role("button", name="Start the pulse").click()
    expect(
        page.get_by_role("status").filter(has_text="Pulse “March pulse” started.")
    ).to_be_visible()

    link = pulse_link(mailbox, "rep@example.com")
    employee = browser.new_context(base_url=live_server)
    try:
        answer = employee.new_page()
        answer.goto(link)
        notice = answer.get_by_role("note")
        expect(notice).to_contain_text("This pulse is anonymous.")
        first_question = answer.get_by_role("group", name=re.compile(re.escape(ENPS["en"])))
        assert notice.bounding_box()["y"] < first_question.bounding_box()["y"]
        first_question.get_by_label("9", exact=True).check()
        answer.get_by_role("group", name=re.compile(re.escape(SUPPORT["en"]))).get_by_label(
            "4", exact=True
        ).check()
        answer.get_by_label(re.compile("Anything else")).fill("Good month.")
        answer.get_by_role("button", name="Send my answers").click()
        expect(answer.get_by_role("heading", level=1)).to_have_text("Thank you!")

        answer.goto(link)
        expect(answer.locator("main")).to_contain_text("your first answer stands")
    finally:
        employee.close()
