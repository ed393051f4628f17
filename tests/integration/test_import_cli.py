"""``flask import …``: the files CRMs and spreadsheets really write."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from coachflow.platform.extensions import db
from coachflow.sales.models import CustomerAccount, Deal, DealStage
from tests.factories import ProductLineFactory

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(autouse=True)
def product_lines(app, org):
    with app.app_context():
        ProductLineFactory(code="SW", name="Software")
        ProductLineFactory(code="SVC", name="Services")
        db.session.commit()


def run_import(app, *args):
    return app.test_cli_runner().invoke(args=["import", *args])


def import_accounts(app):
    result = run_import(app, "accounts", str(DATA / "accounts.csv"))
    assert result.exit_code == 0, result.output
    return result


def test_german_semicolon_file_with_decimal_commas_imports(app, org):
    import_accounts(app)
    result = run_import(app, "deals", str(DATA / "german_deals.csv"))
    assert result.exit_code == 0, result.output
    assert "3 rows imported: 3 created, 0 updated." in result.output
    with app.app_context():
        deals = {d.external_id: d for d in db.session.scalars(select(Deal))}
        assert deals["D-1"].amount_minor == 123456
        assert deals["D-1"].margin_minor == 30010
        assert deals["D-2"].amount_minor == 1200000
        assert deals["D-1"].stage is DealStage.WON
        assert str(deals["D-1"].closed_on) == "2026-03-07"
        assert deals["D-3"].closed_on is None


def test_salesforce_export_with_bom_imports(app, org):
    import_accounts(app)
    result = run_import(app, "deals", str(DATA / "salesforce_deals.csv"))
    assert result.exit_code == 0, result.output
    with app.app_context():
        won = db.session.scalar(select(Deal).where(Deal.external_id == "006A1"))
        assert (won.amount_minor, won.margin_minor, won.stage) == (1250000, 310000, DealStage.WON)
        assert db.session.scalar(select(CustomerAccount.name)) == "Müller Maschinenbau GmbH"


def test_importing_the_same_file_twice_changes_nothing(app, org):
    import_accounts(app)
    run_import(app, "deals", str(DATA / "german_deals.csv"))
    result = run_import(app, "deals", str(DATA / "german_deals.csv"))
    assert "0 created, 3 updated" in result.output
    with app.app_context():
        assert len(db.session.scalars(select(Deal)).all()) == 3


def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row(app, org, tmp_path):
    import_accounts(app)
    bad = tmp_path / "bad.csv"
    text = (DATA / "german_deals.csv").read_text().replace("1.234,56", "zwölf")
    bad.write_text(text, encoding="cp1252")
    result = run_import(app, "deals", str(bad))
    assert result.exit_code == 1
    assert "row 2, amount: “zwölf” is not a number." in result.output
    assert "nothing was imported" in result.output
    with app.app_context():
        assert db.session.scalars(select(Deal)).all() == []


def test_every_problem_of_a_row_is_named_at_once(app, org, tmp_path):
    import_accounts(app)
    bad = tmp_path / "bad.csv"
    text = (DATA / "german_deals.csv").read_text()
    line = 'D-2;001X;rep@example.com;SW;"12.000,00";EUR;"8.400,00";won;15.03.2026'
    assert line in text
    text = text.replace(line, "D-2;001X;ghost@example.com;SW;abc;EUR;;won;31.02.2026")
    bad.write_text(text)
    result = run_import(app, "deals", str(bad))
    assert result.exit_code == 1
    assert "row 3, amount: “abc” is not a number." in result.output
    assert "row 3, closed_on: “31.02.2026” is not a date." in result.output
    assert "row 3, rep_email: No CoachFlow user has the email “ghost@example.com”." in result.output
    assert "3 problem(s); nothing was imported" in result.output
    with app.app_context():
        assert db.session.scalars(select(Deal)).all() == []


def test_dry_run_checks_and_writes_nothing(app, org):
    import_accounts(app)
    result = run_import(app, "deals", str(DATA / "german_deals.csv"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "3 rows checked, no problems" in result.output
    with app.app_context():
        assert db.session.scalars(select(Deal)).all() == []


def test_missing_required_columns_are_named(app, org, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text("external_id,amount\nD1,5\n")
    result = run_import(app, "deals", str(path))
    assert result.exit_code == 1
    assert "account_external_id, rep_email, product_line, currency, stage" in result.output


def test_empty_and_binary_files_are_refused(app, org, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "The file is empty." in run_import(app, "deals", str(empty)).output
    binary = tmp_path / "report.xlsx"
    binary.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 20)
    assert "not a CSV file" in run_import(app, "deals", str(binary)).output


def test_a_file_over_the_size_limit_is_refused(app, org, tmp_path):
    app.config["IMPORT_MAX_BYTES"] = 1000
    big = tmp_path / "big.csv"
    big.write_text("external_id,name\n" + "A,B\n" * 500)
    result = run_import(app, "accounts", str(big))
    assert result.exit_code == 1
    assert "larger than" in result.output


def test_an_unknown_saved_mapping_is_named(app, org):
    result = run_import(app, "deals", str(DATA / "german_deals.csv"), "--mapping", "Pipedrive")
    assert "no saved mapping called “Pipedrive”" in result.output
