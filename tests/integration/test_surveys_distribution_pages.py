"""The sending pages as a manager uses them: choose, preview who is left out, send, follow the
states, resend the failed."""

from __future__ import annotations

import datetime
import io
import re
from html.parser import HTMLParser

import pytest

from coachflow.accounts.models import User
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.questionnaires.models import Survey, SurveyStatus
from coachflow.surveys.models import InvitationStatus
from coachflow.surveys.services import sending
from tests.conftest import free_port
from tests.helpers import csrf_token
from tests.integration.test_query_counts import counting_queries
from tests.integration.test_surveys_distribution_support import (
    age,
    customer,
    invitations_of,
    make_due,
    person,
    serve_smtp,
    survey_in,
)
from tests.survey_factories import make_invitation


@pytest.fixture
def smtp(app):
    yield from serve_smtp(app)


@pytest.fixture
def survey_id(app, org):
    """The manager's survey; the rep's customers: two reachable, one opted out."""
    with app.app_context():
        account = customer(org.rep, "A1", "Acme")
        person(account, "anna@acme.example", name="Anna Acme")
        person(account, "bob@acme.example", name="Bob Acme", language="de")
        person(account, "otto@acme.example", name="Otto Optout", opted_out=True)
        survey = survey_in(org.manager, name="Acme CSAT")
        db.session.commit()
        return survey.id


class _Forms(HTMLParser):
    """The fields of each form of a page, by the form's action."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, list[tuple[str, str]]] = {}
        self._action: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._action = attrs.get("action", "")
            self.forms.setdefault(self._action, [])
        elif tag == "input" and self._action is not None and attrs.get("name"):
            self.forms[self._action].append((attrs["name"], attrs.get("value") or ""))
        elif tag == "textarea" and self._action is not None:
            self._textarea = attrs.get("name")
            self.forms[self._action].append((self._textarea, ""))

    def handle_data(self, data):
        if self._textarea is not None:
            name, value = self.forms[self._action][-1]
            self.forms[self._action][-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._action = None


def form_fields(page: bytes, action: str) -> dict[str, str]:
    parser = _Forms()
    parser.feed(page.decode())
    assert action in parser.forms, list(parser.forms)
    return dict(parser.forms[action])


def preview(client, survey_id: int, **data):
    path = f"/surveys/{survey_id}/send"
    return client.post(
        path,
        data={"csrf_token": csrf_token(client, path), **data},
        content_type="multipart/form-data",
    )


def test_the_send_page_labels_every_choice(as_role, survey_id):
    page = as_role("manager").get(f"/surveys/{survey_id}/send")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for name in (
        "team",
        "rep",
        "product_line",
        "last_deal_from",
        "last_deal_to",
        "addresses",
        "file",
        "adhoc_rep",
    ):
        assert re.search(rf'<label for="{name}"', html), name
    assert "<legend>Contacts of your customers</legend>" in html
    assert "<legend>Or a list of addresses</legend>" in html
    assert 'style="' not in html  # the CSP allows no inline style
    assert "<script>" not in html


def test_a_manager_previews_who_is_left_out_then_sends(app, org, as_role, survey_id, smtp):
    client = as_role("manager")
    page = preview(client, survey_id, team=str(org.team))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "2 invitations to send" in html
    assert "Opted out of surveys." in html
    assert "otto@acme.example" in html
    assert "Send 2 invitations" in html
    assert smtp.messages == []  # a preview sends nothing

    action = f"/surveys/{survey_id}/send/confirm"
    fields = form_fields(page.data, action)
    assert fields["team"] == str(org.team)
    sent = client.post(action, data=fields)
    assert sent.status_code == 302
    assert sent.location.endswith(f"/surveys/{survey_id}/invitations")
    follow = client.get(sent.location)
    assert "2 invitations are on their way." in follow.get_data(as_text=True)
    assert sorted(m["To"] for m in smtp.messages) == ["anna@acme.example", "bob@acme.example"]
    # A long header is folded onto a second line, which the parser keeps a space of.
    assert smtp.messages[0]["List-Unsubscribe"].strip().startswith("<http://localhost/s/")


def test_a_pasted_list_and_an_uploaded_file_preview_and_send(app, org, as_role, survey_id, smtp):
    client = as_role("manager")
    upload = (io.BytesIO(b"Name;E-Mail\nBob;bob@acme.example\nX;broken@\n"), "list.csv")
    page = preview(
        client,
        survey_id,
        addresses="anna@acme.example\nnew@lead.example",
        file=upload,
        adhoc_rep=str(org.rep),
    )
    html = page.get_data(as_text=True)
    assert "3 invitations to send" in html
    assert "broken@" in html
    assert "Not a valid email address." in html  # the count of malformed ones
    assert "“broken@” is not an email address." in html  # and what is wrong with each

    fields = form_fields(page.data, f"/surveys/{survey_id}/send/confirm")
    assert "new@lead.example" in fields["addresses"]
    sent = client.post(f"/surveys/{survey_id}/send/confirm", data=fields)
    assert sent.status_code == 302
    assert sorted(m["To"] for m in smtp.messages) == [
        "anna@acme.example",
        "bob@acme.example",
        "new@lead.example",
    ]


def test_a_file_without_an_email_column_is_refused_beside_the_field(as_role, survey_id):
    upload = (io.BytesIO(b"name;phone\nBob;123\n"), "list.csv")
    page = preview(as_role("manager"), survey_id, file=upload)
    html = page.get_data(as_text=True)
    assert 'id="file-error"' in html
    assert "no column named “email”" in html
    assert "to send" not in html


def test_a_manager_choosing_all_teams_previews_the_customers_of_all_their_teams(as_role, survey_id):
    html = preview(as_role("manager"), survey_id, team="").get_data(as_text=True)
    assert "2 invitations to send" in html
    assert "Choose one of your teams." not in html


def test_the_team_field_of_a_manager_with_one_team_starts_on_that_team(org, as_role, survey_id):
    html = as_role("manager").get(f"/surveys/{survey_id}/send").get_data(as_text=True)
    assert re.search(rf'<option selected value="{org.team}">North</option>', html) or re.search(
        rf'<option value="{org.team}" selected>North</option>', html
    )
    assert ">All my teams</option>" in html


def test_hr_choosing_nothing_is_told_what_to_choose_rather_than_surveying_everyone(
    app, org, as_role, survey_id
):
    with app.app_context():
        db.session.get(Survey, survey_id).owner_id = org.hr
        db.session.commit()
    client = as_role("hr")
    page = client.get(f"/surveys/{survey_id}/send").get_data(as_text=True)
    assert ">Choose…</option>" in page
    html = preview(client, survey_id).get_data(as_text=True)
    assert "Choose a team, a rep, a product line or deal dates, or list the addresses." in html


def test_a_draft_survey_says_why_it_cannot_be_sent(app, org, as_role, survey_id):
    with app.app_context():
        db.session.get(Survey, survey_id).status = SurveyStatus.DRAFT
        db.session.commit()
    html = as_role("manager").get(f"/surveys/{survey_id}/send").get_data(as_text=True)
    assert "Only an active survey can be sent. Activate it first." in html


def test_the_invitations_page_shows_each_state_and_resends_the_failed(
    app, org, as_role, survey_id, smtp
):
    client = as_role("manager")
    smtp.refused.add("bob@acme.example")
    page = preview(client, survey_id, team=str(org.team))
    client.post(
        f"/surveys/{survey_id}/send/confirm",
        data=form_fields(page.data, f"/surveys/{survey_id}/send/confirm"),
    )

    html = client.get(f"/surveys/{survey_id}/invitations").get_data(as_text=True)
    assert re.search(r"Sent <span class=\"count\">1</span>", html)
    assert re.search(r"Failed <span class=\"count\">1</span>", html)
    assert "550 5.1.1 Mailbox unavailable" in html

    failed = client.get(f"/surveys/{survey_id}/invitations?state=failed")
    html = failed.get_data(as_text=True)
    assert "bob@acme.example" in html
    assert "anna@acme.example" not in html
    assert "Attempt 1 of 6 failed; next try" in html
    assert "Send again" in html

    smtp.refused.clear()
    fields = form_fields(failed.data, f"/surveys/{survey_id}/invitations/resend")
    response = client.post(f"/surveys/{survey_id}/invitations/resend", data=fields)
    assert response.status_code == 302
    assert "state=failed" in response.location
    assert "1 failed invitation is being sent again." in client.get(response.location).get_data(
        as_text=True
    )
    assert len([m for m in smtp.messages if m["To"] == "bob@acme.example"]) == 1
    with app.app_context():
        assert {i.status for i in invitations_of(survey_id)} == {InvitationStatus.SENT}


def test_resend_all_sends_every_failed_invitation_again(app, org, as_role, survey_id, smtp):
    working = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()
    client = as_role("manager")
    page = preview(client, survey_id, team=str(org.team))
    client.post(
        f"/surveys/{survey_id}/send/confirm",
        data=form_fields(page.data, f"/surveys/{survey_id}/send/confirm"),
    )
    app.config["MAIL_PORT"] = working
    html = client.get(f"/surveys/{survey_id}/invitations").get_data(as_text=True)
    assert "Send all 2 failed invitations again" in html
    response = client.post(
        f"/surveys/{survey_id}/invitations/resend",
        data={"csrf_token": csrf_token(client, f"/surveys/{survey_id}/invitations")},
    )
    assert response.status_code == 302
    assert len(smtp.messages) == 2


def test_the_invitations_page_shows_opened_answered_expired_and_unsubscribed(
    app, org, as_role, survey_id
):
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        for n, status in enumerate(InvitationStatus):
            make_invitation(app, survey, email=f"s{n}@x.example", rep_id=org.rep, status=status)
        db.session.commit()
    html = as_role("manager").get(f"/surveys/{survey_id}/invitations").get_data(as_text=True)
    for label in ("Queued", "Sent", "Failed", "Opened", "Answered", "Expired", "Unsubscribed"):
        assert re.search(rf"{label} <span class=\"count\">1</span>", html), label
    assert 'All <span class="count">7</span>' in html


def test_the_invitations_page_is_paged_and_its_queries_do_not_grow(app, org, as_role, survey_id):
    app.config["PAGE_SIZE"] = 5
    client = as_role("manager")

    def add(n: int, start: int) -> None:
        with app.app_context():
            survey = db.session.get(Survey, survey_id)
            rep = db.session.get(User, org.rep)
            for k in range(start, start + n):
                status = list(InvitationStatus)[k % len(InvitationStatus)]
                make_invitation(app, survey, email=f"p{k}@x.example", rep_id=rep.id, status=status)
            db.session.commit()

    add(3, 0)
    with counting_queries(app) as small:
        assert client.get(f"/surveys/{survey_id}/invitations").status_code == 200
    add(40, 3)
    with counting_queries(app) as large:
        page = client.get(f"/surveys/{survey_id}/invitations")
    assert len(large) == len(small), large
    html = page.get_data(as_text=True)
    assert "Page 1 of 9" in html
    second = client.get(f"/surveys/{survey_id}/invitations?page=2").get_data(as_text=True)
    assert "Page 2 of 9" in second


def test_a_failed_invitation_past_its_last_attempt_says_so(app, org, as_role, survey_id, smtp):
    smtp.refused.add("anna@acme.example")
    client = as_role("manager")
    page = preview(client, survey_id, rep=str(org.rep))
    client.post(
        f"/surveys/{survey_id}/send/confirm",
        data=form_fields(page.data, f"/surveys/{survey_id}/send/confirm"),
    )
    with app.app_context():
        [failed] = [i.id for i in invitations_of(survey_id) if i.status is InvitationStatus.FAILED]
        age(failed, attempts=sending.MAX_ATTEMPTS - 1)
        make_due(failed)
        sending.tick()
        age(failed, expires_at=utcnow() + datetime.timedelta(days=3))
    html = client.get(f"/surveys/{survey_id}/invitations?state=failed").get_data(as_text=True)
    assert "6 attempts failed; no more automatic tries." in html


def test_any_page_about_a_survey_can_link_to_sending_it(app, org, survey_id):
    from flask import render_template_string

    from tests.conftest import login

    client = app.test_client()
    login(client, app, org.manager)
    with client:
        client.get("/")  # signs the manager in for this request context
        survey = db.session.get(Survey, survey_id)
        links = render_template_string('{% include "surveys/send/_links.html" %}', survey=survey)
    assert f'href="/surveys/{survey_id}/send"' in links
    assert f'href="/surveys/{survey_id}/invitations"' in links
