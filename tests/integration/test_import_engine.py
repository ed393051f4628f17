"""The import engine on the real database: all or nothing, idempotent, every problem listed."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from coachflow.platform.extensions import db
from coachflow.sales.models import Contact, CustomerAccount, Deal, DealStage, Quota
from coachflow.sales.services.importing import ImportRejected, import_records


def rows(*dicts):
    return [(index + 2, d) for index, d in enumerate(dicts)]


def account(ext="A1", **over):
    return {
        "external_id": ext,
        "name": f"Company {ext}",
        "owner_email": "rep@example.com",
        "territory": "North",
        **over,
    }


def deal(ext="D1", **over):
    return {
        "external_id": ext,
        "account_external_id": "A1",
        "rep_email": "rep@example.com",
        "product_line": "HW",
        "amount": "1200.50",
        "currency": "EUR",
        "margin": "300",
        "stage": "won",
        "closed_on": "2026-03-07",
        **over,
    }


@pytest.fixture
def ctx(app, org):
    with app.app_context():
        import_records("accounts", rows(account("A1"), account("A2")))
        db.session.commit()
        yield org


def test_deals_import_and_a_second_import_changes_nothing(ctx):
    first = import_records("deals", rows(deal("D1"), deal("D2", stage="open", closed_on="")))
    db.session.commit()
    assert (first.created, first.updated) == (2, 0)
    again = import_records("deals", rows(deal("D1"), deal("D2", stage="open", closed_on="")))
    db.session.commit()
    assert (again.created, again.updated) == (0, 2)
    d1 = db.session.scalar(select(Deal).where(Deal.external_id == "D1"))
    assert (d1.amount_minor, d1.margin_minor, d1.stage) == (120050, 30000, DealStage.WON)
    assert len(db.session.scalars(select(Deal)).all()) == 2


def test_a_deal_that_moves_to_another_rep_moves(ctx):
    import_records("deals", rows(deal("D1")))
    import_records("deals", rows(deal("D1", rep_email="other.rep@example.com")))
    db.session.commit()
    assert db.session.scalar(select(Deal.rep_id)) == ctx.other_rep


def test_one_bad_row_writes_nothing_and_names_row_and_field(ctx):
    with pytest.raises(ImportRejected) as rejected:
        import_records("deals", rows(deal("D1"), deal("D2", amount="-5", margin=""), deal("D3")))
    assert [(p.row, p.field) for p in rejected.value.problems] == [(3, "amount")]
    assert db.session.scalars(select(Deal)).all() == []


def test_every_kind_of_problem_is_reported(ctx):
    with pytest.raises(ImportRejected) as rejected:
        import_records(
            "deals",
            rows(
                deal("D1", rep_email="ghost@example.com"),
                deal("D2", product_line="Spaceships"),
                deal("D3", margin="5000"),
                deal("D4", closed_on="31.02.2026"),
                deal("D5", account_external_id="nope"),
                deal("D6", currency="USD"),
                deal("D1"),
                deal("D8", stage="maybe"),
            ),
        )
    found = {(p.row, p.field) for p in rejected.value.problems}
    assert found == {
        (2, "rep_email"),
        (3, "product_line"),
        (4, "margin"),
        (5, "closed_on"),
        (6, "account_external_id"),
        (7, "currency"),
        (8, "external_id"),
        (9, "stage"),
    }


def test_duplicates_are_found_across_chunks(ctx, monkeypatch):
    monkeypatch.setattr("coachflow.sales.services.importing.CHUNK_SIZE", 2)
    from coachflow.sales.models import ImportKind, ImportRun, ImportStatus

    run = ImportRun(kind=ImportKind.DEALS, status=ImportStatus.IMPORTING, filename="x.csv")
    db.session.add(run)
    db.session.commit()
    with pytest.raises(ImportRejected) as rejected:
        import_records("deals", rows(deal("D1"), deal("D2"), deal("D3"), deal("D1")), run_id=run.id)
    assert [(p.row, p.field) for p in rejected.value.problems] == [(5, "external_id")]


def test_dry_run_writes_nothing(ctx):
    result = import_records("deals", rows(deal("D1")), dry_run=True)
    assert result.created == 1
    assert db.session.scalars(select(Deal)).all() == []


def test_contacts_upsert_by_id_or_email_and_never_resubscribe(ctx):
    import_records(
        "contacts",
        rows(
            {
                "external_id": "C1",
                "account_external_id": "A1",
                "name": "Ada",
                "email": "Ada@x.com",
                "language": "de",
                "opted_out": "yes",
            },
            {"external_id": "", "account_external_id": "A2", "name": "Bo", "email": "bo@x.com"},
        ),
    )
    db.session.commit()
    import_records(
        "contacts",
        rows(
            {
                "external_id": "C1",
                "account_external_id": "A1",
                "name": "Ada L.",
                "email": "ada@x.com",
                "opted_out": "no",
            },
            {
                "external_id": "C2",
                "account_external_id": "A2",
                "name": "Bo B.",
                "email": "bo@x.com",
            },
        ),
    )
    db.session.commit()
    ada = db.session.scalar(select(Contact).where(Contact.email == "ada@x.com"))
    bo = db.session.scalar(select(Contact).where(Contact.email == "bo@x.com"))
    assert ada.name == "Ada L."
    assert ada.opted_out_at is not None
    assert (bo.external_id, bo.name) == ("C2", "Bo B.")
    with pytest.raises(ImportRejected) as rejected:
        import_records(
            "contacts",
            rows(
                {
                    "external_id": "C3",
                    "account_external_id": "A1",
                    "name": "X",
                    "email": "ada@x.com",
                },
            ),
        )
    assert rejected.value.problems[0].field == "email"


def test_quotas_default_estimates_to_three_times_bookings(ctx):
    import_records(
        "quotas",
        rows(
            {
                "rep_email": "rep@example.com",
                "period": "2026-Q1",
                "product_line": "Hardware",
                "currency": "EUR",
                "revenue_target": "50.000,00",
                "bookings_target": "4",
            },
        ),
    )
    import_records(
        "quotas",
        rows(
            {
                "rep_email": "rep@example.com",
                "period": "Q1 2026",
                "product_line": "hw",
                "currency": "EUR",
                "revenue_target": "60000",
                "bookings_target": "5",
                "estimates_target": "12",
            },
        ),
    )
    db.session.commit()
    [quota] = db.session.scalars(select(Quota)).all()
    assert (quota.revenue_target_minor, quota.bookings_target, quota.estimates_target) == (
        6000000,
        5,
        12,
    )


def test_accounts_need_a_known_owner(ctx):
    with pytest.raises(ImportRejected) as rejected:
        import_records("accounts", rows(account("A9", owner_email="hr@example.com")))
    assert rejected.value.problems[0].field == "owner_email"
    assert (
        db.session.scalar(select(CustomerAccount).where(CustomerAccount.external_id == "A9"))
        is None
    )


def test_values_the_database_cannot_hold_are_problems_not_errors(ctx):
    with pytest.raises(ImportRejected) as rejected:
        import_records(
            "deals",
            rows(
                deal("D1", amount="10.005", margin=""),
                deal("D2", amount="99999999999999", margin=""),
                deal("D3", account_external_id="A1\x00"),
            ),
        )
    assert {(p.row, p.field) for p in rejected.value.problems} == {
        (2, "amount"),
        (3, "amount"),
        (4, "account_external_id"),
    }
    assert db.session.scalars(select(Deal)).all() == []


def problems_of(rejected):
    return [(p.row, p.field, p.message % p.params) for p in rejected.value.problems]


def test_a_deal_row_that_does_not_parse_still_names_its_unknown_references(ctx):
    with pytest.raises(ImportRejected) as rejected:
        import_records(
            "deals",
            rows(
                deal("D1"),
                deal("D2", amount="abc", closed_on="31.02.2026", rep_email="ghost@example.com"),
                deal(
                    "D3",
                    stage="maybe",
                    account_external_id="nope",
                    product_line="Spaceships",
                    currency="USD",
                ),
            ),
        )
    assert problems_of(rejected) == [
        (3, "amount", "“abc” is not a number."),
        (3, "closed_on", "“31.02.2026” is not a date."),
        (3, "rep_email", "No CoachFlow user has the email “ghost@example.com”."),
        (4, "stage", "“maybe” is not a stage: use won, lost or open."),
        (4, "product_line", "“Spaceships” is not a product line of CoachFlow."),
        (4, "account_external_id", "No account has the id “nope”; import the accounts first."),
        (4, "currency", "CoachFlow reports in EUR; this row is in USD."),
    ]
    assert rejected.value.problem_count == 7
    assert db.session.scalars(select(Deal)).all() == []


def test_references_that_do_not_parse_are_not_looked_up(ctx):
    with pytest.raises(ImportRejected) as rejected:
        import_records(
            "deals",
            rows(
                deal(
                    "D1",
                    amount="abc",
                    rep_email="not-an-email",
                    currency="EURO",
                    account_external_id="",
                    product_line="Spaceships",
                ),
                deal("D2", amount="abc", product_line="x" * 121, rep_email="hr@example.com"),
            ),
        )
    assert problems_of(rejected) == [
        (2, "amount", "“abc” is not a number."),
        (2, "currency", "“EURO” is not a three-letter currency code."),
        (2, "account_external_id", "This value is required."),
        (2, "rep_email", "“not-an-email” is not an email address."),
        (2, "product_line", "“Spaceships” is not a product line of CoachFlow."),
        (3, "amount", "“abc” is not a number."),
        (3, "product_line", "Longer than 120 characters."),
        (3, "rep_email", "“hr@example.com” is not an active rep or manager."),
    ]
    assert db.session.scalars(select(Deal)).all() == []


def quota(**over):
    return {
        "rep_email": "rep@example.com",
        "period": "2026-Q1",
        "product_line": "HW",
        "currency": "EUR",
        "revenue_target": "50000",
        **over,
    }


def test_a_quota_row_that_does_not_parse_still_names_its_unknown_references(ctx):
    with pytest.raises(ImportRejected) as rejected:
        import_records(
            "quotas",
            rows(
                quota(),
                quota(
                    period="2026-Q5",
                    revenue_target="abc",
                    rep_email="ghost@example.com",
                    product_line="Spaceships",
                    currency="USD",
                ),
                quota(period="2026-Q2", bookings_target="1.5", rep_email="hr@example.com"),
            ),
        )
    assert problems_of(rejected) == [
        (3, "period", "“2026-Q5” is not a period: write 2026, 2026-Q2 or 2026-05."),
        (3, "revenue_target", "“abc” is not a number."),
        (3, "rep_email", "No CoachFlow user has the email “ghost@example.com”."),
        (3, "product_line", "“Spaceships” is not a product line of CoachFlow."),
        (3, "currency", "CoachFlow reports in EUR; this row is in USD."),
        (4, "bookings_target", "Must be a whole number."),
        (4, "rep_email", "“hr@example.com” is not an active rep or manager."),
    ]
    assert db.session.scalars(select(Quota)).all() == []


def contact(ext="C1", **over):
    return {
        "external_id": ext,
        "account_external_id": "A1",
        "name": f"Contact {ext}",
        "email": f"{ext.lower()}@x.com",
        **over,
    }


def test_a_contact_row_that_does_not_parse_still_names_its_unknown_account(ctx):
    with pytest.raises(ImportRejected) as rejected:
        import_records(
            "contacts",
            rows(
                contact("C1"),
                contact("C2", language="xx", opted_out="31.02.2026", account_external_id="nope"),
                contact("C3", email="not-an-email", account_external_id="A1\x00"),
            ),
        )
    assert problems_of(rejected) == [
        (3, "language", "“xx” is not one of en, de, fr."),
        (3, "opted_out", "“31.02.2026” is not a date."),
        (3, "account_external_id", "No account has the id “nope”; import the accounts first."),
        (
            4,
            "account_external_id",
            "Contains characters that cannot be stored (control or invalid characters).",
        ),
        (4, "email", "“not-an-email” is not an email address."),
    ]
    assert db.session.scalars(select(Contact)).all() == []


def test_an_account_row_that_does_not_parse_still_names_its_unknown_owner(ctx):
    with pytest.raises(ImportRejected) as rejected:
        import_records(
            "accounts",
            rows(
                account("A3"),
                account("A4", name="", owner_email="ghost@example.com"),
                account("A" * 65, owner_email="hr@example.com"),
                account("A6", name="", owner_email="not-an-email"),
            ),
        )
    assert problems_of(rejected) == [
        (3, "name", "This value is required."),
        (3, "owner_email", "No CoachFlow user has the email “ghost@example.com”."),
        (4, "external_id", "Longer than 64 characters."),
        (4, "owner_email", "“hr@example.com” is not an active rep or manager."),
        (5, "name", "This value is required."),
        (5, "owner_email", "“not-an-email” is not an email address."),
    ]
    assert db.session.scalars(select(CustomerAccount.external_id)).all() == ["A1", "A2"]


def test_rows_that_do_not_parse_add_no_queries_per_row(ctx):
    def statements_for(n):
        statements = []

        def count(conn, cursor, statement, *args):
            statements.append(statement)

        bad = [
            deal(
                f"D{i}",
                amount="abc",
                rep_email=f"ghost{i}@example.com",
                account_external_id=f"X{i}",
            )
            for i in range(n)
        ]
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            with pytest.raises(ImportRejected) as rejected:
                import_records("deals", rows(deal("D"), *bad))
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert rejected.value.problem_count == 3 * n
        return statements

    assert len(statements_for(30)) == len(statements_for(2))
