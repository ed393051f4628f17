"""Pasted addresses that are no contact (ad-hoc recipients): the organisation's own addresses
are refused, the invitations are marked, and a manager's send waits for HR when the
organisation's settings ask for it; only an approved send is mailed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from coachflow.accounts.models import OrganisationSettings
from coachflow.platform.audit import AuditEvent
from coachflow.platform.extensions import db
from coachflow.surveys.models import AdhocSend, AdhocSendStatus, Invitation
from tests.helpers import csrf_token, html_of, text_of
from tests.integration.test_surveys_distribution_pages import form_fields, preview
from tests.integration.test_surveys_distribution_support import customer, person, survey_in


@pytest.fixture
def survey_id(app, org):
    """The manager's survey; their rep has one customer contact, Anna."""
    with app.app_context():
        person(customer(org.rep, "A1", "Acme"), "anna@acme.example", name="Anna Acme")
        survey = survey_in(org.manager, name="Acme CSAT")
        db.session.commit()
        return survey.id


def save_settings(client, *, domains: str = "", approval: bool = False):
    data = {"csrf_token": csrf_token(client, "/admin/settings"), "company_domains": domains}
    if approval:
        data["adhoc_needs_approval"] = "y"
    return client.post("/admin/settings", data=data)


def send(client, survey_id: int, **data):
    """Preview, then confirm what the preview offers; the page the confirmation leads to."""
    page = preview(client, survey_id, **data)
    action = f"/surveys/{survey_id}/send/confirm"
    return client.post(action, data=form_fields(page.data, action), follow_redirects=True)


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_an_admin_saves_the_company_domains_and_the_approval_switch(app, as_role):
    admin = as_role("admin")
    assert "Organisation settings" in admin.get("/admin/settings").get_data(as_text=True)
    refused = save_settings(admin, domains="coachflow.example\nnot a domain")
    assert refused.status_code == 200
    assert "“not” is not a mail domain such as example.com." in refused.get_data(as_text=True)

    saved = save_settings(admin, domains="@CoachFlow.example, sales.example", approval=True)
    assert saved.status_code == 302
    with app.app_context():
        settings = db.session.get(OrganisationSettings, 1)
        assert settings.company_domains == ["coachflow.example", "sales.example"]
        assert settings.adhoc_needs_approval is True
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert "coachflow.example\nsales.example</textarea>" in page
    assert "settings.updated" in audit_actions(app)


def test_pasted_addresses_of_our_users_and_company_domains_are_refused_as_customers(
    app, org, as_role, survey_id, mailbox
):
    save_settings(as_role("admin"), domains="coachflow.example")
    client = as_role("manager")
    addresses = "\n".join(
        [
            "Other.Manager@Example.com",  # a colleague's sign-in address, in another case
            "me@coachflow.example",
            "me@mail.coachflow.example",
            "lead@prospect.example",
        ]
    )
    page = preview(client, survey_id, addresses=addresses, adhoc_rep=str(org.rep))
    html = page.get_data(as_text=True)
    assert "1 invitation to send" in html
    assert html.count('class="reason-internal"') == 3
    assert "An address of our own organisation (a user or a company domain)" in html

    action = f"/surveys/{survey_id}/send/confirm"
    client.post(action, data=form_fields(page.data, action))
    assert [m["To"] for m in mailbox.messages] == ["lead@prospect.example"]
    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        assert (invitation.email, invitation.adhoc) == ("lead@prospect.example", True)


def test_invitations_to_contacts_are_not_marked_as_adhoc(app, org, as_role, survey_id):
    send(as_role("manager"), survey_id, addresses="anna@acme.example")
    with app.app_context():
        assert [i.adhoc for i in db.session.scalars(select(Invitation))] == [False]


def test_a_managers_adhoc_send_waits_for_hr_and_arrives_once_approved(
    app, org, as_role, survey_id, mailbox
):
    save_settings(as_role("admin"), approval=True)
    manager = as_role("manager")
    preview_html = preview(
        manager,
        survey_id,
        addresses="anna@acme.example\nlead@prospect.example",
        adhoc_rep=str(org.rep),
    ).get_data(as_text=True)
    assert "wait for HR's approval" in preview_html
    page = send(
        manager,
        survey_id,
        addresses="anna@acme.example\nlead@prospect.example",
        adhoc_rep=str(org.rep),
    ).get_data(as_text=True)
    assert "1 invitation is on its way." in page
    assert "1 pasted address waits for HR&#39;s approval before it is invited." in page
    assert [m["To"] for m in mailbox.messages] == ["anna@acme.example"]  # the contact goes now

    hr = as_role("hr")
    pending = hr.get("/surveys/approvals").get_data(as_text=True)
    assert "lead@prospect.example" in pending
    assert "Acme CSAT" in pending
    with app.app_context():
        send_id = db.session.scalar(select(AdhocSend.id))
    approved = hr.post(
        f"/surveys/approvals/{send_id}/approve",
        data={"csrf_token": csrf_token(hr, "/surveys/approvals")},
        follow_redirects=True,
    )
    assert "Approved: 1 invitation is on its way." in approved.get_data(as_text=True)
    assert "No send is waiting for approval." in approved.get_data(as_text=True)
    assert sorted(m["To"] for m in mailbox.messages) == [
        "anna@acme.example",
        "lead@prospect.example",
    ]
    with app.app_context():
        held = db.session.get(AdhocSend, send_id)
        assert (held.status, held.decided_by_id, held.invited) == (
            AdhocSendStatus.APPROVED,
            org.hr,
            1,
        )
        lead = db.session.scalar(select(Invitation).where(Invitation.email.like("lead@%")))
        assert lead.adhoc is True
    actions = audit_actions(app)
    assert "surveys.adhoc_send.requested" in actions
    assert "surveys.adhoc_send.approved" in actions


def test_a_rejected_adhoc_send_is_never_mailed(app, org, as_role, survey_id, mailbox):
    save_settings(as_role("admin"), approval=True)
    send(as_role("manager"), survey_id, addresses="lead@prospect.example", adhoc_rep=str(org.rep))
    assert mailbox.messages == []
    hr = as_role("hr")
    with app.app_context():
        send_id = db.session.scalar(select(AdhocSend.id))
    token = csrf_token(hr, "/surveys/approvals")
    rejected = hr.post(
        f"/surveys/approvals/{send_id}/reject", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Rejected: nothing is sent to these addresses." in rejected.get_data(as_text=True)
    again = hr.post(
        f"/surveys/approvals/{send_id}/approve", data={"csrf_token": token}, follow_redirects=True
    )
    assert "This send was already approved or rejected." in again.get_data(as_text=True)
    assert mailbox.messages == []
    with app.app_context():
        assert db.session.get(AdhocSend, send_id).status is AdhocSendStatus.REJECTED
        assert db.session.scalar(select(Invitation.id)) is None
    assert "surveys.adhoc_send.rejected" in audit_actions(app)


def test_hr_sends_to_pasted_addresses_without_approval(app, org, as_role, survey_id, mailbox):
    save_settings(as_role("admin"), approval=True)
    page = send(as_role("hr"), survey_id, addresses="lead@prospect.example", adhoc_rep=str(org.rep))
    assert "1 invitation is on its way." in page.get_data(as_text=True)
    assert [m["To"] for m in mailbox.messages] == ["lead@prospect.example"]
    with app.app_context():
        assert db.session.scalar(select(AdhocSend.id)) is None


def test_without_the_switch_a_managers_adhoc_send_goes_at_once(
    app, org, as_role, survey_id, mailbox
):
    send(as_role("manager"), survey_id, addresses="lead@prospect.example", adhoc_rep=str(org.rep))
    assert [m["To"] for m in mailbox.messages] == ["lead@prospect.example"]


def test_approving_an_unknown_send_is_not_found(as_role):
    hr = as_role("hr")
    response = hr.post(
        "/surveys/approvals/999/approve", data={"csrf_token": csrf_token(hr, "/surveys/approvals")}
    )
    assert response.status_code == 404


def test_an_approved_adhoc_send_links_to_the_public_address_whatever_host_is_named(
    app, org, as_role, survey_id, mailbox
):
    save_settings(as_role("admin"), approval=True)
    send(as_role("manager"), survey_id, addresses="lead@prospect.example", adhoc_rep=str(org.rep))
    assert mailbox.messages == []  # held for HR
    with app.app_context():
        send_id = db.session.scalar(select(AdhocSend.id))
    hr = as_role("hr")
    approved = hr.post(
        f"/surveys/approvals/{send_id}/approve",
        data={"csrf_token": csrf_token(hr, "/surveys/approvals")},
        headers={"X-Forwarded-Host": "evil.example"},
    )
    assert approved.status_code == 302
    [message] = mailbox.messages
    links = set()
    for part in (text_of(message), html_of(message), str(message["List-Unsubscribe"])):
        links.update(re.findall(r"https?://[^\s\"'<>/]+", part))
    assert links == {app.config["PUBLIC_BASE_URL"]}


def test_approving_twice_at_once_mails_each_address_once(app, org, as_role, survey_id, mailbox):
    from coachflow.accounts.models import User
    from coachflow.platform.errors import Conflict
    from coachflow.surveys.services import distribution

    save_settings(as_role("admin"), approval=True)
    send(as_role("manager"), survey_id, addresses="lead@prospect.example", adhoc_rep=str(org.rep))
    with app.app_context():
        send_id = db.session.scalar(select(AdhocSend.id))
        hr = db.session.get(User, org.hr)
        # A second decision that read the send as pending before the first one committed.
        db.session.execute(
            AdhocSend.__table__.update().values(status=AdhocSendStatus.PENDING.value)
        )
        assert distribution.approve_adhoc_send(send_id, hr) == 1
        with pytest.raises(Conflict):
            distribution.approve_adhoc_send(send_id, hr)
        with pytest.raises(Conflict):
            distribution.reject_adhoc_send(send_id, hr)
    assert [m["To"] for m in mailbox.messages] == ["lead@prospect.example"]


def test_an_address_erased_while_its_send_waits_is_never_invited(
    app, org, as_role, survey_id, mailbox
):
    from coachflow.accounts.models import User
    from coachflow.surveys.services import distribution, privacy

    save_settings(as_role("admin"), approval=True)
    send(
        as_role("manager"),
        survey_id,
        addresses="lead@prospect.example\nother@prospect.example",
        adhoc_rep=str(org.rep),
    )
    with app.app_context():
        send_id = db.session.scalar(select(AdhocSend.id))
        # Erased on request while the send waits (the address was invited elsewhere before).
        from coachflow.sales.models import SuppressionReason
        from coachflow.sales.services.suppression import suppress

        suppress("lead@prospect.example", reason=SuppressionReason.ERASURE, by=None)
        db.session.commit()
        privacy._strip_from_held_sends("Lead@Prospect.example")
        db.session.commit()
        assert db.session.get(AdhocSend, send_id).addresses == ["other@prospect.example"]
        assert distribution.approve_adhoc_send(send_id, db.session.get(User, org.hr)) == 1
    assert [m["To"] for m in mailbox.messages] == ["other@prospect.example"]
