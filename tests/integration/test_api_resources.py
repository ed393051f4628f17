"""The REST API on the real database: every resource round-trips, batches are all or nothing,
lists page and filter, tokens see only what their user may, and every error is a problem."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from coachflow.platform.audit import AuditEvent
from coachflow.platform.extensions import db
from coachflow.sales.models import Contact, CustomerAccount, Deal, Quota
from tests.integration.test_api_support import (
    ApiClient,
    account,
    assert_problem,
    contact,
    deal,
    issue_token,
    quota,
    without,
)


@pytest.fixture
def api(app, org, client) -> ApiClient:
    """An admin's read-and-write client, with accounts A1 (the rep's) and A2 (the other rep's)."""
    writer = ApiClient(client, issue_token(app, org.admin, "read,write"))
    response = writer.post(
        "/accounts/batch",
        json={
            "records": [
                account("A1"),
                account("A2", owner="other.rep@example.com"),
            ]
        },
    )
    assert response.status_code == 200, response.get_json()
    return writer


def reader(app, user_id: int) -> ApiClient:
    return ApiClient(app.test_client(), issue_token(app, user_id, "read"))


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


# Round trips --------------------------------------------------------------------------------------


def test_an_account_is_created_fetched_listed_and_updated(api):
    created = api.put("/accounts/A3", json=without(account("A3", territory="East"), "external_id"))
    assert created.status_code == 201
    assert created.headers["Location"] == "/api/v1/accounts/A3"
    fetched = api.get("/accounts/A3").get_json()
    assert (fetched["name"], fetched["owner_email"], fetched["territory"]) == (
        "Company A3",
        "rep@example.com",
        "East",
    )

    listed = api.get("/accounts", query_string={"rep": "REP@example.com"}).get_json()
    assert [a["external_id"] for a in listed["data"]] == ["A1", "A3"]

    updated = api.put("/accounts/A3", json={"name": "Renamed", "owner_email": None})
    assert updated.status_code == 200
    assert (updated.get_json()["name"], updated.get_json()["owner_email"]) == ("Renamed", None)
    assert api.get("/accounts/A3").get_json()["name"] == "Renamed"


def test_a_contact_round_trips_and_an_opt_out_stays(api):
    created = api.put(
        "/contacts/C1", json=without(contact("C1", opted_out="2026-01-15"), "external_id")
    )
    assert created.status_code == 201
    body = created.get_json()
    assert body["opted_out"] is True
    assert body["opted_out_at"].startswith("2026-01-15T00:00:00")
    assert (body["email"], body["language"], body["account_external_id"]) == (
        "c1@customer.example",
        "de",
        "A1",
    )

    api.put("/contacts/C2", json=contact("C2", account_ext="A2", opted_out=False))
    listed = api.get("/contacts", query_string={"account": "A2"}).get_json()["data"]
    assert [(c["external_id"], c["opted_out"]) for c in listed] == [("C2", False)]

    updated = api.put("/contacts/C1", json=contact("C1", name="Ada Lovelace", opted_out=False))
    assert updated.status_code == 200
    assert updated.get_json()["name"] == "Ada Lovelace"
    assert updated.get_json()["opted_out"] is True  # an import never resubscribes


def test_a_deal_round_trips_with_amounts_as_decimal_strings(api):
    created = api.put(
        "/deals/D1", json=without(deal("D1", amount=1234567.89, margin=0.1), "external_id")
    )
    assert created.status_code == 201
    body = api.get("/deals/D1").get_json()
    assert body["amount"] == "1234567.89"
    assert body["margin"] == "0.10"
    assert body["currency"] == "EUR"
    assert (body["stage"], body["closed_on"], body["rep_email"], body["product_line"]) == (
        "won",
        "2026-03-07",
        "rep@example.com",
        "HW",
    )

    updated = api.put(
        "/deals/D1",
        json=deal("D1", amount="1500", margin=None, stage="lost", rep="other.rep@example.com"),
    )
    assert updated.status_code == 200
    body = updated.get_json()
    assert (body["amount"], body["margin"], body["stage"], body["rep_email"]) == (
        "1500.00",
        None,
        "lost",
        "other.rep@example.com",
    )


def test_a_quota_is_created_by_rep_period_and_line_and_updated_by_id(api, app):
    created = api.post("/quotas", json=quota(product_line="Hardware"))
    assert created.status_code == 201
    body = created.get_json()
    assert created.headers["Location"] == f"/api/v1/quotas/{body['id']}"
    assert (body["period"], body["period_kind"], body["period_start"]) == (
        "2026-Q1",
        "quarter",
        "2026-01-01",
    )
    assert (body["revenue_target"], body["bookings_target"], body["estimates_target"]) == (
        "50000.00",
        4,
        12,
    )
    assert api.get(f"/quotas/{body['id']}").get_json() == body

    again = api.post("/quotas", json=quota(period="Q1 2026", revenue_target=60000))
    assert again.status_code == 200
    assert again.get_json()["id"] == body["id"]

    changed = api.put(
        f"/quotas/{body['id']}",
        json={
            "currency": "EUR",
            "revenue_target": "70000.50",
            "bookings_target": 5,
            "estimates_target": 20,
            "period": "2026-Q1",
        },
    )
    assert changed.status_code == 200
    assert (changed.get_json()["revenue_target"], changed.get_json()["estimates_target"]) == (
        "70000.50",
        20,
    )
    moved = api.put(f"/quotas/{body['id']}", json=quota(period="2026-Q2"))
    assert assert_problem(moved, 422)["errors"][0]["pointer"] == "/period"
    assert count(app, Quota) == 1


def test_lists_filter_by_period_rep_close_date_and_update_time(api):
    api.post(
        "/quotas/batch",
        json={
            "records": [
                quota(period="2026-Q1"),
                quota(period="2026-Q2"),
                quota(rep="other.rep@example.com", period="2026-Q2"),
            ]
        },
    )
    in_q2 = api.get("/quotas", query_string={"period": "2026-Q2"}).get_json()["data"]
    assert sorted(q["rep_email"] for q in in_q2) == ["other.rep@example.com", "rep@example.com"]
    mine = api.get("/quotas", query_string={"period": "2026-Q2", "rep": "rep@example.com"})
    assert [q["period"] for q in mine.get_json()["data"]] == ["2026-Q2"]

    api.post(
        "/deals/batch",
        json={
            "records": [
                deal("D1", closed_on="2026-01-31"),
                deal("D2", closed_on="2026-02-01"),
                deal("D3", closed_on="2026-02-28"),
                deal("D4", closed_on="2026-03-01"),
                deal("D5", stage="open", closed_on=None),
            ]
        },
    )
    february = api.get(
        "/deals", query_string={"closed_from": "2026-02-01", "closed_to": "2026-02-28"}
    ).get_json()["data"]
    assert [d["external_id"] for d in february] == ["D2", "D3"]

    stamp = api.get("/deals/D4").get_json()["updated_at"]
    api.put("/deals/D4", json=deal("D4", amount="99"))
    recent = api.get("/deals", query_string={"updated_since": stamp}).get_json()["data"]
    assert "D4" in [d["external_id"] for d in recent]
    future = api.get("/deals", query_string={"updated_since": "2999-01-01T00:00:00Z"})
    assert future.get_json()["data"] == []


def test_lists_are_paginated_with_next_links_to_follow(api):
    api.post("/accounts/batch", json={"records": [account(f"B{i}") for i in range(5)]})
    seen, pages, url = [], [], "/api/v1/accounts?per_page=3"
    while url:
        response = api.client.get(url, headers=api.headers)
        body = response.get_json()
        pages.append(body["page"])
        seen += [a["external_id"] for a in body["data"]]
        url = body["links"]["next"]
        if url:
            assert f'<{url}>; rel="next"' in response.headers["Link"]
            assert url.startswith("http://localhost/api/v1/accounts?")
            url = url.removeprefix("http://localhost")
    assert pages == [1, 2, 3]
    assert seen == ["A1", "A2", "B0", "B1", "B2", "B3", "B4"]
    last = api.get("/accounts", query_string={"per_page": 3, "page": 3})
    assert 'rel="prev"' in last.headers["Link"]
    assert 'rel="next"' not in last.headers["Link"]


def test_bad_query_parameters_are_400_naming_the_parameter(api):
    for query, name in (
        ({"per_page": "501"}, "per_page"),
        ({"page": "0"}, "page"),
        ({"closed_from": "yesterday"}, "closed_from"),
        ({"updated_since": "soon"}, "updated_since"),
    ):
        body = assert_problem(api.get("/deals", query_string=query), 400)
        assert body["errors"][0]["parameter"] == name
    assert assert_problem(api.get("/quotas", query_string={"period": "Q5"}), 400)["errors"]


# Batches ------------------------------------------------------------------------------------------


def test_a_batch_of_1000_deals_is_written_in_one_call_and_resent_changes_nothing(api, app):
    records = [deal(f"D{i:04d}", amount=f"{1000 + i}.25") for i in range(1000)]
    first = api.post("/deals/batch", json={"records": records})
    assert first.status_code == 200, first.get_json()
    assert first.get_json() == {"records": 1000, "created": 1000, "updated": 0}
    again = api.post("/deals/batch", json={"records": records})
    assert again.get_json() == {"records": 1000, "created": 0, "updated": 1000}
    assert count(app, Deal) == 1000
    assert api.get("/deals/D0999").get_json()["amount"] == "1999.25"
    too_many = api.post("/deals/batch", json={"records": [*records, deal("D1000")]})
    assert assert_problem(too_many, 422)["errors"][0]["pointer"] == "/records"


def test_a_batch_with_one_bad_record_writes_nothing_and_points_at_it(api, app):
    records = [deal(f"D{i}") for i in range(6)]
    records[3].update(amount="-5", margin=None)
    body = assert_problem(api.post("/deals/batch", json={"records": records}), 422)
    assert body["errors"] == [{"pointer": "/records/3/amount", "detail": "Must not be negative."}]
    assert "nothing was written" in body["detail"]
    assert count(app, Deal) == 0


def test_every_problem_of_a_batch_is_listed_with_its_pointer(api, app):
    records = [
        deal("D0", rep="ghost@example.com"),
        deal("D1", product_line="Spaceships"),
        deal("D2", margin="5000"),
        deal("D3", amount=True),
        deal("D4", amout="12"),
        deal("D5", currency="USD"),
        deal("D0"),
        deal("D7", account_external_id="nope"),
        deal("D8", amount="1.005"),
        "not a record",
    ]
    body = assert_problem(api.post("/deals/batch", json={"records": records}), 422)
    pointers = {e["pointer"] for e in body["errors"]}
    # Type problems are found before the importer runs; it then finds the rest.
    assert pointers == {"/records/3/amount", "/records/4/amout", "/records/8/amount", "/records/9"}
    records = [r for r in records[:9] if r not in (records[3], records[4], records[8])]
    body = assert_problem(api.post("/deals/batch", json={"records": records}), 422)
    assert {e["pointer"] for e in body["errors"]} == {
        "/records/0/rep_email",
        "/records/1/product_line",
        "/records/2/margin",
        "/records/3/currency",
        "/records/4/external_id",
        "/records/5/account_external_id",
    }
    assert count(app, Deal) == 0


def test_contacts_and_accounts_batches_upsert_by_their_keys(api, app):
    first = api.post(
        "/contacts/batch", json={"records": [contact("C1"), without(contact("C2"), "external_id")]}
    )
    assert first.get_json() == {"records": 2, "created": 2, "updated": 0}
    second = api.post(
        "/contacts/batch",
        json={"records": [contact("C1", name="New name", opted_out=True), contact("C2")]},
    )
    assert second.get_json() == {"records": 2, "created": 0, "updated": 2}
    with app.app_context():
        c1 = db.session.scalar(select(Contact).where(Contact.external_id == "C1"))
        assert c1.name == "New name"
        assert c1.opted_out_at is not None
    assert count(app, Contact) == 2
    assert api.post("/accounts/batch", json={"records": [account("A1")]}).get_json()["updated"] == 1
    assert count(app, CustomerAccount) == 2


def test_writes_are_in_the_audit_log_with_the_tokens_user(api, app, org):
    api.post("/deals/batch", json={"records": [deal("D1"), deal("D2")]})
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "api.deals.upserted")
        )
        assert event.actor_id == org.admin
        assert "created=2" in event.details


# Who sees what ------------------------------------------------------------------------------------


@pytest.fixture
def sales(api):
    api.post(
        "/deals/batch",
        json={
            "records": [
                deal("MINE"),
                deal("THEIRS", account_ext="A2", rep="other.rep@example.com"),
                deal("MANAGERS", rep="manager@example.com"),
            ]
        },
    )
    api.put("/accounts/ORPHAN", json=account("ORPHAN", owner=None))
    api.post("/contacts/batch", json={"records": [contact("C1"), contact("C2", "A2")]})
    api.post("/quotas/batch", json={"records": [quota(), quota(rep="other.rep@example.com")]})
    return api


def _ids(client: ApiClient, kind: str) -> list[str]:
    key = "rep_email" if kind == "quotas" else "external_id"
    return sorted(r[key] for r in client.get(f"/{kind}").get_json()["data"])


def test_a_managers_token_sees_only_their_teams_records(app, org, sales):
    manager = reader(app, org.manager)
    assert _ids(manager, "deals") == ["MANAGERS", "MINE"]
    assert _ids(manager, "accounts") == ["A1"]
    assert _ids(manager, "contacts") == ["C1"]
    assert _ids(manager, "quotas") == ["rep@example.com"]
    assert manager.get("/deals/MINE").status_code == 200
    # Outside one's scope looks exactly like an unknown id: no probing which ids exist.
    assert_problem(manager.get("/deals/THEIRS"), 404)
    assert_problem(manager.get("/accounts/A2"), 404)
    assert_problem(manager.get("/contacts/C2"), 404)
    other_manager = reader(app, org.other_manager)
    assert _ids(other_manager, "deals") == ["THEIRS"]
    assert (
        other_manager.get("/deals", query_string={"rep": "rep@example.com"}).get_json()["data"]
        == []
    )


def test_a_reps_token_sees_only_their_own_records(app, org, sales):
    rep = reader(app, org.rep)
    assert _ids(rep, "deals") == ["MINE"]
    assert _ids(rep, "accounts") == ["A1"]
    assert_problem(rep.get("/deals/MANAGERS"), 404)
    with app.app_context():
        quota_id = db.session.scalar(select(Quota.id).order_by(Quota.id.desc()))
    assert_problem(rep.get(f"/quotas/{quota_id}"), 404)


def test_hr_and_admin_tokens_see_everything_even_unowned_accounts(app, org, sales):
    for user in (org.hr, org.admin):
        everyone = reader(app, user)
        assert _ids(everyone, "deals") == ["MANAGERS", "MINE", "THEIRS"]
        assert _ids(everyone, "accounts") == ["A1", "A2", "ORPHAN"]
    assert_problem(reader(app, org.manager).get("/accounts/ORPHAN"), 404)


def test_only_an_admins_token_writes_whatever_its_scope_says(app, org, sales):
    from coachflow.accounts.models import ApiToken

    token = issue_token(app, org.hr)
    with app.app_context():  # as if HR's token had been given the write scope by hand
        db.session.scalar(select(ApiToken).where(ApiToken.user_id == org.hr)).scopes = "read,write"
        db.session.commit()
    assert_problem(ApiClient(app.test_client(), token).put("/deals/X", json=deal("X")), 403)


# Errors: one shape --------------------------------------------------------------------------------


def test_malformed_json_is_400(api):
    for body in (b"{bad", b"", b'{"records": NaN}', b"\xff\xfe"):
        problem = assert_problem(
            api.post("/deals/batch", data=body, content_type="application/json"), 400
        )
        assert "JSON" in problem["detail"]


def test_a_body_that_is_not_records_is_422(api):
    assert assert_problem(api.post("/deals/batch", json=[deal()]), 422)["errors"] == [
        {"pointer": "", "detail": "The body must be a JSON object."}
    ]
    body = assert_problem(api.post("/deals/batch", json={"records": {}, "extra": 1}), 422)
    assert {e["pointer"] for e in body["errors"]} == {"/records", "/extra"}
    mismatch = assert_problem(api.put("/deals/D1", json=deal("D2")), 422)
    assert mismatch["errors"][0]["pointer"] == "/external_id"


def test_unknown_records_and_addresses_are_404_problems(api, client):
    assert_problem(api.get("/deals/NOPE"), 404)
    assert_problem(api.get("/quotas/99999"), 404)
    assert_problem(api.get("/quotas/99999999999999999999"), 404)
    assert_problem(api.get("/nothing/here"), 404)
    assert_problem(api.put("/quotas/42", json=quota()), 404)
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert page.mimetype == "text/html"


def test_a_wrong_method_is_405_with_the_allowed_ones(api):
    response = api.open("DELETE", "/deals/D1")
    assert_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "PUT"}


def test_a_body_larger_than_the_limit_is_413(api, app):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    records = [deal(f"D{i}") for i in range(100)]
    assert_problem(
        api.post(
            "/deals/batch", data=json.dumps({"records": records}), content_type="application/json"
        ),
        413,
    )


def test_amounts_the_database_cannot_hold_are_422_not_500(api, app):
    cases = {"amount": "1e20", "margin": "0.001"}
    for name, value in cases.items():
        body = assert_problem(api.put("/deals/D1", json=deal("D1", **{name: value})), 422)
        assert body["errors"][0]["pointer"] == f"/{name}"
    nul = assert_problem(api.put("/deals/D1", json=deal("D1", stage="won\x00")), 422)
    assert nul["errors"][0]["pointer"] == "/stage"
    huge = assert_problem(api.post("/quotas", json=quota(bookings_target=2**40)), 422)
    assert huge["errors"][0]["pointer"] == "/bookings_target"
    assert count(app, Deal) == 0


def test_an_unexpected_error_is_a_500_problem_and_nothing_is_written(api, app, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("coachflow.sales.services.import_records", explode)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    body = assert_problem(api.put("/deals/D1", json=deal()), 500)
    assert "boom" not in json.dumps(body)


def test_too_many_requests_for_one_token_are_429_with_retry_after(api, app, org):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    statuses = [api.get("/deals").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = api.get("/deals")
    assert_problem(refused, 429)
    assert int(refused.headers["Retry-After"]) > 0
    # Another token has its own budget.
    assert reader(app, org.hr).get("/deals").status_code == 200
