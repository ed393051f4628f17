"""An erasure cannot be undone: the erased address goes on a suppression list (as a keyed hash)
that imports, API writes and survey sending refuse, and uploads not yet imported that hold it are
deleted; an admin can lift the suppression."""

from __future__ import annotations

import hashlib
import hmac
import io

import pytest
from sqlalchemy import event, func, select

from coachflow.accounts.models import User
from coachflow.platform.audit import AuditEvent
from coachflow.platform.extensions import db
from coachflow.sales import services
from coachflow.sales.models import (
    Contact,
    CustomerAccount,
    ImportFileChunk,
    ImportKind,
    ImportRun,
    ImportStatus,
    SuppressedAddress,
)
from coachflow.sales.services.importing import ImportRejected, import_records
from coachflow.surveys.models import Invitation
from coachflow.surveys.services import distribution
from coachflow.surveys.services.distribution import Criteria, Reason
from tests.helpers import csrf_token
from tests.integration.test_api_support import ApiClient, assert_problem, contact, issue_token
from tests.integration.test_import_pages import check, latest_run, upload
from tests.integration.test_surveys_distribution_support import survey_in

ERIKA = "erika.muster@example.de"
REFUSED = (
    "This address was erased on request and may not be stored again; an admin can lift the "
    "suppression."
)
CONTACTS_CSV = (
    b"external_id,account_external_id,name,email,language\n"
    b"C-1,A-1,Erika Muster,Erika.Muster@Example.de,de\n"
    b"C-2,A-1,Max Meier,max@example.de,de\n"
)


@pytest.fixture
def erika(app, org) -> int:
    """Account A-1 of the rep with the contact Erika (C-1); her contact's id."""
    with app.app_context():
        account = CustomerAccount(external_id="A-1", name="Muster GmbH", owner_id=org.rep)
        erika = Contact(
            account=account, name="Erika Muster", email=ERIKA, language="de", external_id="C-1"
        )
        db.session.add(erika)
        db.session.commit()
        return erika.id


def erase(app, email: str = ERIKA) -> str:
    result = app.test_cli_runner().invoke(args=["contacts", "erase", email, "--yes"])
    assert result.exit_code == 0, result.output
    return result.output


def contacts_named(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(Contact).where(Contact.name == name)
        )


def lift(client, email: str):
    return client.post(
        "/admin/contacts/privacy/suppressions",
        data={
            "email": email,
            "csrf_token": csrf_token(client, "/admin/contacts/privacy/suppressions"),
        },
        follow_redirects=True,
    )


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# The issue's scenario: an upload checked before the erasure ------------------------------------


def test_a_contacts_upload_checked_before_the_erasure_cannot_bring_the_contact_back(
    app, org, erika, as_role
):
    admin = as_role("admin")
    upload(admin, "contacts", CONTACTS_CSV, "crm-contacts.csv")
    run_id = latest_run(app)
    page = admin.get(check(admin, run_id).location).data.decode()
    assert "2 rows checked: no problems." in page

    response = admin.post(
        "/admin/contacts/privacy/erase",
        data={
            "email": ERIKA,
            "confirm": "y",
            "csrf_token": csrf_token(admin, "/admin/contacts/privacy"),
        },
        follow_redirects=True,
    )
    assert "1 uploaded file(s) not yet imported held this address and were deleted." in (
        response.get_data(as_text=True)
    )

    started = admin.post(
        f"/sales/imports/{run_id}/start",
        data={"csrf_token": csrf_token(admin, "/sales/imports/")},
    )
    assert started.status_code == 404
    assert admin.get(f"/sales/imports/{run_id}").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ImportFileChunk)) == 0
        contact = db.session.get(Contact, erika)
        assert (contact.name, contact.email) == ("erased", f"erased-{erika}@invalid")
        assert db.session.scalar(select(func.count()).select_from(Contact)) == 1
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "import.deleted_for_erasure")
        ).one()
        assert event.details == f"runs={run_id}"
    assert contacts_named(app, "Erika Muster") == 0


def test_the_same_file_uploaded_after_the_erasure_is_refused_naming_row_and_field(
    app, org, erika, as_role
):
    erase(app)
    admin = as_role("admin")
    upload(admin, "contacts", CONTACTS_CSV, "crm-contacts.csv")
    run_id = latest_run(app)
    page = admin.get(check(admin, run_id).location).data.decode()
    assert "1 problem: nothing was written" in page
    assert REFUSED in page
    assert "Import now" not in page
    with app.app_context():
        run = db.session.get(ImportRun, run_id)
        assert run.problems[0]["row"] == 2
        assert run.problems[0]["field"] == "email"
    assert contacts_named(app, "Max Meier") == 0  # all or nothing


def test_uploads_without_the_address_are_kept(app, org, erika, as_role):
    admin = as_role("admin")
    upload(admin, "contacts", CONTACTS_CSV.replace(b"Erika.Muster", b"Erik.Other"), "other.csv")
    other = latest_run(app)
    erase(app)
    with app.app_context():
        assert db.session.get(ImportRun, other).status is ImportStatus.UPLOADED
        assert db.session.scalar(select(func.count()).select_from(ImportFileChunk)) == 1


def test_an_address_split_between_two_stored_chunks_of_a_utf16_file_is_found(
    app, org, erika, monkeypatch
):
    content = b"\xff\xfe" + CONTACTS_CSV.decode().upper().encode("utf-16-le")
    # The first stored chunk ends in the middle of the address.
    monkeypatch.setattr(
        services, "FILE_CHUNK_BYTES", content.index(ERIKA.upper().encode("utf-16-le")) + 11
    )
    with app.app_context():
        run = services.start_upload(ImportKind.CONTACTS, "utf16.csv", io.BytesIO(content), by=None)
        run_id = run.id
        assert db.session.scalar(select(func.count()).select_from(ImportFileChunk)) > 1
    output = erase(app)
    assert "Deleted 1 upload(s) not yet imported that held it." in output
    with app.app_context():
        assert db.session.get(ImportRun, run_id) is None
        assert db.session.scalar(select(func.count()).select_from(ImportFileChunk)) == 0


# The engine and the API ---------------------------------------------------------------------


def test_an_import_of_an_erased_address_is_rejected_for_that_row_and_writes_nothing(
    app, org, erika
):
    erase(app)
    with app.app_context():
        with pytest.raises(ImportRejected) as rejected:
            import_records(
                "contacts",
                [
                    (2, {"account_external_id": "A-1", "name": "Max", "email": "max@example.de"}),
                    (3, {"account_external_id": "A-1", "name": "Erika", "email": ERIKA.upper()}),
                ],
            )
        problem = rejected.value.problems[0]
        assert (problem.row, problem.field, problem.message) == (3, "email", REFUSED)
        assert rejected.value.problem_count == 1
    assert contacts_named(app, "Max") == 0


def test_an_erased_row_that_does_not_parse_still_names_the_erasure(app, org, erika):
    erase(app)
    with app.app_context():
        with pytest.raises(ImportRejected) as rejected:
            import_records(
                "contacts",
                [(2, {"account_external_id": "A-1", "name": "", "email": ERIKA})],
            )
        assert {(p.field, p.message) for p in rejected.value.problems} >= {("email", REFUSED)}


def test_suppression_lookups_are_one_query_per_chunk_not_per_row(app, org, erika):
    erase(app)
    with app.app_context():
        seen: list[str] = []

        def count(conn, cursor, statement, *args):
            if "suppressed_addresses" in statement:
                seen.append(statement)

        people = [
            (i, {"account_external_id": "A-1", "name": "N", "email": f"p{i}@x.de"})
            for i in range(2, 60)
        ]
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            with pytest.raises(ImportRejected):
                import_records(
                    "contacts",
                    [*people, (60, {"account_external_id": "A-1", "name": "E", "email": ERIKA})],
                )
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert len(seen) == 1


@pytest.fixture
def api(app, org, erika) -> ApiClient:
    return ApiClient(app.test_client(), issue_token(app, org.admin, "read,write"))


def test_api_put_of_an_erased_address_is_a_422_pointing_at_the_email(app, api):
    erase(app)
    response = api.put("/contacts/C-1", json=contact("C-1", "A-1", email=ERIKA, name="Erika"))
    body = assert_problem(response, 422)
    assert body["errors"] == [{"pointer": "/email", "detail": REFUSED}]
    assert contacts_named(app, "Erika") == 0


def test_api_batch_of_an_erased_address_is_refused_all_or_nothing(app, api):
    erase(app)
    response = api.post(
        "/contacts/batch",
        json={"records": [contact("C-2", "A-1"), contact("C-1", "A-1", email=ERIKA)]},
    )
    body = assert_problem(response, 422)
    assert body["errors"] == [{"pointer": "/records/1/email", "detail": REFUSED}]
    assert contacts_named(app, "Person C-2") == 0


# Lifting the suppression ---------------------------------------------------------------------


def test_the_list_shows_hash_prefix_date_and_reason_and_stores_no_address(app, org, erika, as_role):
    erase(app)
    with app.app_context():
        row = db.session.scalars(select(SuppressedAddress)).one()
        key = hmac.new(
            app.config["SECRET_KEY"].encode(), b"coachflow:suppressed-addresses:v1", hashlib.sha256
        ).digest()
        assert row.address_hash == hmac.new(key, ERIKA.encode(), hashlib.sha256).hexdigest()
        stored = " ".join(str(getattr(row, c.key)) for c in SuppressedAddress.__table__.columns)
        assert "erika" not in stored.lower()
        digest = row.address_hash
    page = as_role("admin").get("/admin/contacts/privacy/suppressions").get_data(as_text=True)
    assert digest[:12] in page
    assert digest not in page
    assert "erased on request" in page
    assert ERIKA not in page


def test_the_erase_page_links_to_the_suppression_list(app, org, as_role):
    page = as_role("admin").get("/admin/contacts/privacy").get_data(as_text=True)
    assert 'href="/admin/contacts/privacy/suppressions"' in page


def test_an_admin_lifts_the_suppression_and_the_api_write_is_accepted_again(app, org, as_role, api):
    erase(app)
    assert api.put("/contacts/C-1", json=contact("C-1", "A-1", email=ERIKA)).status_code == 422
    page = lift(as_role("admin"), " Erika.Muster@EXAMPLE.de ").get_data(as_text=True)
    assert "The suppression is lifted: this address may be stored again." in page
    assert "No address is suppressed." in page
    response = api.put("/contacts/C-1", json=contact("C-1", "A-1", email=ERIKA, name="Erika M."))
    assert response.status_code == 201
    assert contacts_named(app, "Erika M.") == 1
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "contact.suppression_lifted")
        ).one()
        assert event.actor_id == org.admin
        assert event.subject.startswith("suppression ")
        assert "erika" not in f"{event.subject} {event.details}".lower()


def test_after_lifting_the_suppression_the_import_is_accepted_again(app, org, erika, as_role):
    erase(app)
    admin = as_role("admin")
    lift(admin, ERIKA)
    upload(admin, "contacts", CONTACTS_CSV, "crm-contacts.csv")
    run_id = latest_run(app)
    assert "2 rows checked: no problems." in admin.get(check(admin, run_id).location).data.decode()
    admin.post(
        f"/sales/imports/{run_id}/start",
        data={"csrf_token": csrf_token(admin, f"/sales/imports/{run_id}")},
    )
    assert contacts_named(app, "Erika Muster") == 1


def test_lifting_an_address_that_is_not_suppressed_is_told_clearly(app, org, as_role):
    page = lift(as_role("admin"), "nobody@example.com").get_data(as_text=True)
    assert "This address is not on the suppression list." in page
    assert "contact.suppression_lifted" not in actions(app)


# Survey sending ---------------------------------------------------------------------------------


def test_a_pasted_erased_address_is_left_out_of_a_survey(app, org, erika):
    erase(app)
    with app.app_context():
        survey = survey_in(org.manager)
        db.session.commit()
        selection = distribution.select_recipients(
            survey,
            Criteria(addresses=f"{ERIKA}, new@prospect.example", adhoc_rep_id=org.rep),
            db.session.get(User, org.manager),
        )
        assert [r.email for r in selection.recipients] == ["new@prospect.example"]
        assert {e.email: e.reason for e in selection.excluded} == {ERIKA: Reason.ERASED}
        assert distribution.describe(Reason.ERASED, 90) == REFUSED


def test_an_api_invitation_to_an_erased_address_is_excluded_with_the_reason(app, org, api):
    erase(app)
    with app.app_context():
        survey_id = survey_in(org.manager).id
        db.session.commit()
    response = api.post(
        f"/surveys/{survey_id}/invitations",
        json={"invitations": [{"email": ERIKA, "rep_email": "rep@example.com"}]},
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["created"] == []
    assert [(e["email"], e["reason"]) for e in body["excluded"]] == [(ERIKA, "erased")]
    assert body["excluded"][0]["detail"] == REFUSED
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
