"""The mail-out when things go wrong, read from real SMTP servers: an international address, a
poisoned recipient among 500, a worker killed between sends, and the one address check that
import, API and paste share."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import insert, select

from coachflow.accounts.models import User
from coachflow.lib import emails
from coachflow.platform import jobs, mailing
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.questionnaires.models import Survey
from coachflow.sales.models import Contact
from coachflow.sales.services.importing import ImportRejected, import_records
from coachflow.surveys.models import Invitation, InvitationStatus
from coachflow.surveys.services import distribution, sending
from coachflow.surveys.services.distribution import Criteria, Reason
from tests.helpers import csrf_token
from tests.integration.test_api_support import ApiClient, contact, issue_token
from tests.integration.test_surveys_distribution_support import (
    customer,
    invitations_of,
    make_due,
    serve_smtp,
    survey_in,
)

RENE = "rené@exemple.fr"
MANY = 500


@pytest.fixture(autouse=True)
def _public_address(app):
    app.config["PUBLIC_BASE_URL"] = "https://feedback.example"


@pytest.fixture
def smtp(app):
    yield from serve_smtp(app)


@pytest.fixture
def smtputf8(app):
    yield from serve_smtp(app, enable_SMTPUTF8=True)


@pytest.fixture
def ascii_only(app):
    yield from serve_smtp(app, enable_SMTPUTF8=False)


def crowd(app, org, *odd: str, count: int = MANY) -> int:
    """``count`` contacts of the rep's account, the last ones with the ``odd`` addresses, and
    an active survey; the survey's id."""
    with app.app_context():
        account = customer(org.rep, "A1", "Acme")
        now = utcnow()
        addresses = [f"c{n}@acme.example" for n in range(count - len(odd))] + list(odd)
        db.session.execute(
            insert(Contact),
            [
                {
                    "account_id": account.id,
                    "name": f"Customer {n}",
                    "email": address,
                    "language": "en",
                    "created_at": now,
                    "updated_at": now,
                }
                for n, address in enumerate(addresses)
            ],
        )
        survey = survey_in(org.manager)
        db.session.commit()
        return survey.id


def send(app, org, survey_id: int) -> None:
    with app.app_context():
        distribution.send_survey(
            db.session.get(Survey, survey_id),
            Criteria(team_id=org.team),
            db.session.get(User, org.manager),
        )


def states(app, survey_id: int) -> Counter:
    with app.app_context():
        return Counter(i.status for i in invitations_of(survey_id))


def invitation_to(app, address: str) -> Invitation:
    with app.app_context():
        found = db.session.scalar(select(Invitation).where(Invitation.email == address))
        db.session.expunge(found)
        return found


# International addresses ---------------------------------------------------------------------


def test_an_international_address_among_500_is_sent_with_smtputf8_when_the_server_offers_it(
    app, org, smtputf8
):
    survey_id = crowd(app, org, RENE, "anna@bücher.example")
    send(app, org, survey_id)
    assert len(smtputf8.messages) == MANY
    assert states(app, survey_id) == {InvitationStatus.SENT: MANY}
    [rene] = smtputf8.to(RENE)
    assert "Customer" in rene.get_body(("plain",)).get_content()
    [anna] = smtputf8.to("anna@xn--bcher-kva.example")  # the domain as IDNA, no SMTPUTF8 needed
    assert anna["Subject"]


def test_without_smtputf8_the_international_address_fails_alone_with_the_reason(
    app, org, as_role, ascii_only
):
    smtp = ascii_only
    survey_id = crowd(app, org, RENE, "anna@bücher.example")
    send(app, org, survey_id)
    assert len(smtp.messages) == MANY - 1
    assert smtp.to(RENE) == []
    assert len(smtp.to("anna@xn--bcher-kva.example")) == 1
    assert states(app, survey_id) == {InvitationStatus.SENT: MANY - 1, InvitationStatus.FAILED: 1}
    failed = invitation_to(app, RENE)
    assert failed.status is InvitationStatus.FAILED
    assert "SMTPUTF8" in failed.last_error
    page = as_role("manager").get(f"/surveys/{survey_id}/invitations?state=failed")
    assert RENE in page.get_data(as_text=True)
    assert "does not accept addresses with non-ASCII characters" in page.get_data(as_text=True)


# A bad message fails alone -------------------------------------------------------------------


def test_a_poisoned_recipient_among_500_fails_alone_with_its_reason_on_the_invitations_page(
    app, org, as_role, smtp
):
    survey_id = crowd(app, org)
    with app.app_context():
        # An address stored before the check existed, which no message can be written to.
        poisoned = db.session.scalar(select(Contact).where(Contact.email == "c250@acme.example"))
        poisoned.email = "c 250@acme.example"
        db.session.commit()
    send(app, org, survey_id)
    assert len(smtp.messages) == MANY - 1
    assert states(app, survey_id) == {InvitationStatus.SENT: MANY - 1, InvitationStatus.FAILED: 1}
    failed = invitation_to(app, "c 250@acme.example")
    assert failed.last_error.startswith("“c 250@acme.example” is not an email address")
    page = as_role("manager").get(f"/surveys/{survey_id}/invitations?state=failed")
    assert "the part before the @ has a character" in page.get_data(as_text=True)


def test_an_error_while_building_one_message_fails_only_that_invitation(
    app, org, smtp, monkeypatch
):
    survey_id = crowd(app, org, count=20)
    compose = mailing.compose

    def explode_for_c7(**kwargs):
        if kwargs["to"].normalised == "c7@acme.example":
            raise RuntimeError("the template tripped")
        return compose(**kwargs)

    monkeypatch.setattr(mailing, "compose", explode_for_c7)
    send(app, org, survey_id)
    assert len(smtp.messages) == 19
    failed = invitation_to(app, "c7@acme.example")
    assert failed.status is InvitationStatus.FAILED
    assert failed.last_error == "RuntimeError: the template tripped"


# A crash re-sends at most one message --------------------------------------------------------


class Killed(BaseException):
    """A worker killed on the spot (SIGKILL): nothing of it catches this."""


def test_a_worker_killed_after_an_accepted_message_resends_only_that_one_with_its_message_id(
    app, org, smtp, monkeypatch
):
    survey_id = crowd(app, org, count=60)
    monkeypatch.setattr(jobs, "start", lambda name, *args: None)  # queued, sent below
    send(app, org, survey_id)
    accepted = 0
    original = mailing.Connection.send

    def killed_after_the_40th(self, message, to):
        nonlocal accepted
        original(self, message, to)
        accepted += 1
        if accepted == 40:
            raise Killed

    monkeypatch.setattr(mailing.Connection, "send", killed_after_the_40th)
    with app.app_context(), pytest.raises(Killed):
        sending.send_due(batch_size=25)
    monkeypatch.setattr(mailing.Connection, "send", original)
    assert states(app, survey_id) == {InvitationStatus.SENT: 39, InvitationStatus.QUEUED: 21}

    with app.app_context():
        db.session.rollback()
        leased = [i.id for i in invitations_of(survey_id) if i.status is InvitationStatus.QUEUED]
        make_due(leased)  # as when the lease has run out
        report = sending.send_due(batch_size=25)
    assert report.sent == 21
    per_invitation = Counter(m["To"] for m in smtp.messages)
    assert len(per_invitation) == 60
    [(twice, count)] = [(to, n) for to, n in per_invitation.items() if n > 1]
    assert count == 2
    first, repeat = smtp.to(twice)
    assert first["Message-ID"] == repeat["Message-ID"]  # a receiving server can drop it
    assert states(app, survey_id) == {InvitationStatus.SENT: 60}


def test_each_message_id_is_stable_per_invitation_and_reminder(app, org, smtp, monkeypatch):
    survey_id = crowd(app, org, count=3)
    send(app, org, survey_id)
    secret = app.config["SECRET_KEY"]
    with app.app_context():
        invitation_id, address = invitations_of(survey_id)[0].id, invitations_of(survey_id)[0].email
        make_due(invitation_id)
        assert sending.send_reminders().reminded == 1
    first, reminder = smtp.to(address)
    assert first["Message-ID"] == sending.message_id(
        secret, "localhost", invitation_id, "invitation", 1
    )
    assert reminder["Message-ID"] == sending.message_id(
        secret, "localhost", invitation_id, "reminder", 1
    )
    assert first["Message-ID"] != reminder["Message-ID"]
    assert len({m["Message-ID"] for m in smtp.messages}) == len(smtp.messages)

    # Sent again after an attempt whose acceptance was lost: the same message, the same id.
    with app.app_context():
        second = invitations_of(survey_id)[1]
        second_id, second_email = second.id, second.email
        db.session.execute(
            Invitation.__table__.update()
            .where(Invitation.id == second_id)
            .values(status=InvitationStatus.FAILED.value, attempts=1)
        )
        db.session.commit()
        make_due(second_id)
        assert sending.send_due().sent == 1
    original, again = smtp.to(second_email)
    assert original["Message-ID"] == again["Message-ID"]


# The same check wherever an address enters ---------------------------------------------------


@pytest.mark.parametrize("address", ["anna@shop.test", "anna..b@acme.example", "anna@acme"])
def test_the_same_address_is_refused_with_the_same_reason_at_import_api_paste_and_user_form(
    app, org, as_role, address
):
    with pytest.raises(emails.InvalidAddress) as checked:
        emails.check(address)
    reason = str(checked.value)
    with app.app_context():
        account = customer(org.rep, "A1", "Acme")
        survey_id = survey_in(org.manager).id
        db.session.commit()

        with pytest.raises(ImportRejected) as imported:
            import_records(
                "contacts",
                [(2, {"account_external_id": account.external_id, "name": "A", "email": address})],
            )
        problems = [(p.field, p.message % p.params) for p in imported.value.problems]
        assert problems == [("email", reason)]

        selection = distribution.select_recipients(
            db.session.get(Survey, survey_id),
            Criteria(addresses=address, adhoc_rep_id=org.rep),
            db.session.get(User, org.manager),
        )
        [excluded] = selection.excluded
        assert excluded.reason is Reason.MALFORMED
        assert excluded.detail % {"value": excluded.email} == reason

    api = ApiClient(app.test_client(), issue_token(app, org.admin, "read,write"))
    response = api.put("/contacts/C1", json=contact("C1", "A1", email=address))
    assert response.status_code == 422
    assert response.get_json()["errors"] == [{"pointer": "/email", "detail": reason}]
    response = api.post(
        f"/surveys/{survey_id}/invitations",
        json={"invitations": [{"email": address, "rep_email": "rep@example.com"}]},
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == [{"pointer": "/invitations/0/email", "detail": reason}]

    admin = as_role("admin")
    page = admin.post(
        "/admin/users/new",
        data={
            "name": "Anna",
            "email": address,
            "role": "rep",
            "team_id": "",
            "language": "en",
            "csrf_token": csrf_token(admin, "/admin/users/new"),
        },
    )
    assert reason in page.get_data(as_text=True)


def test_a_batch_being_sent_keeps_renewing_its_lease_for_the_messages_still_to_go(
    app, org, smtp, monkeypatch
):
    # A short lease is safe because the sender holds the rest of its batch while it works: a
    # batch whose worker died comes back after one short lease, not a long one.
    survey_id = crowd(app, org, count=12)
    monkeypatch.setattr(jobs, "start", lambda name, *args: None)  # queued, sent below
    send(app, org, survey_id)
    clock = iter(range(0, 10_000, 50))  # every message seems to take 50 s of a 120 s lease
    monkeypatch.setattr(sending, "_clock", lambda: next(clock))
    held: list[int] = []
    original = sending._renew_lease

    def renew(ids, held_until):
        held.append(len(ids))
        return original(ids, held_until)

    monkeypatch.setattr(sending, "_renew_lease", renew)
    with app.app_context():
        report = sending.send_due(batch_size=12)
    assert report.sent == 12
    assert held  # renewed while sending, each time for the messages not yet sent
    assert held == sorted(held, reverse=True)
    assert held[0] <= 12
    assert 0 < held[-1] < held[0]


def test_a_failure_written_late_leaves_an_invitation_another_worker_sent_alone(
    app, org, smtp, monkeypatch
):
    # This worker's lease ran out, another worker sent the invitation; this one then writes
    # the failure it met: the sent invitation keeps its state, its reminder date and no error.
    survey_id = crowd(app, org, count=1)
    monkeypatch.setattr(jobs, "start", lambda name, *args: None)
    send(app, org, survey_id)
    with app.app_context():
        [invitation] = invitations_of(survey_id)
        rows = sending._batch_rows([invitation.id])
        assert sending.send_due().sent == 1  # the other worker
        sending._record(
            rows, sending.Outcome([], {invitation.id: ("550 refused", False)}), {}, reminder=False
        )
        [after] = invitations_of(survey_id)
        assert after.status is InvitationStatus.SENT
        assert after.last_error == ""
        assert after.next_attempt_at is not None  # its reminder


def test_a_sender_that_lost_its_lease_leaves_the_rest_to_the_worker_that_took_it(
    app, org, smtp, monkeypatch
):
    survey_id = crowd(app, org, count=12)
    monkeypatch.setattr(jobs, "start", lambda name, *args: None)  # queued, sent below
    send(app, org, survey_id)
    clock = iter(range(0, 10_000, 50))  # every message seems to take 50 s of a 120 s lease
    monkeypatch.setattr(sending, "_clock", lambda: next(clock))
    original = sending._renew_lease

    def renew_after_another_worker_took_over(ids, held_until):
        # The lease ran out while a message hung; another worker claimed the rest.
        db.session.execute(
            Invitation.__table__.update()
            .where(Invitation.id.in_(ids))
            .values(next_attempt_at=utcnow() + sending.lease() * 2)
        )
        db.session.commit()
        return original(ids, held_until)

    monkeypatch.setattr(sending, "_renew_lease", renew_after_another_worker_took_over)
    with app.app_context():
        report = sending.send_due(batch_size=12)
    assert report.sent < 12
    assert len(smtp.messages) == report.sent  # nothing sent that was no longer ours
    assert states(app, survey_id)[InvitationStatus.QUEUED] == 12 - report.sent
