"""The import pages: upload, choose columns, check, import — and every way a file goes wrong."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from coachflow.platform.extensions import db
from coachflow.sales import services
from coachflow.sales.models import Deal, ImportMapping, ImportRun, ImportStatus
from tests.factories import ProductLineFactory
from tests.helpers import csrf_token

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def admin(app, org, as_role):
    with app.app_context():
        ProductLineFactory(code="SW", name="Software")
        ProductLineFactory(code="SVC", name="Services")
        db.session.commit()
    client = as_role("admin")
    upload(client, "accounts", (DATA / "accounts.csv").read_bytes(), "accounts.csv")
    run_id = latest_run(app)
    client.post(
        f"/sales/imports/{run_id}/columns",
        data={
            **columns_of(client, run_id),
            "csrf_token": csrf_token(client, f"/sales/imports/{run_id}/columns"),
        },
    )
    client.post(
        f"/sales/imports/{run_id}/start",
        data={"csrf_token": csrf_token(client, f"/sales/imports/{run_id}")},
    )
    return client


def upload(client, kind: str, content: bytes, name: str, mapping: str = ""):
    return client.post(
        "/sales/imports/new",
        data={
            "kind": kind,
            "mapping": mapping,
            "file": (io.BytesIO(content), name),
            "csrf_token": csrf_token(client, "/sales/imports/new"),
        },
        content_type="multipart/form-data",
    )


def latest_run(app) -> int:
    with app.app_context():
        return db.session.scalar(select(ImportRun.id).order_by(ImportRun.id.desc()))


def columns_of(client, run_id: int) -> dict[str, str]:
    """The column choices the page proposes (selected options)."""
    page = client.get(f"/sales/imports/{run_id}/columns").data.decode()
    chosen = {}
    for name, body in re.findall(r'<select[^>]*name="(field_\w+)"[^>]*>(.*?)</select>', page, re.S):
        selected = re.search(r'<option selected value="([^"]*)"', body) or re.search(
            r'<option value="([^"]*)" selected', body
        )
        chosen[name] = selected.group(1) if selected else ""
    return chosen


def check(client, run_id: int, **overrides):
    data = {
        **columns_of(client, run_id),
        **overrides,
        "csrf_token": csrf_token(client, f"/sales/imports/{run_id}/columns"),
    }
    return client.post(f"/sales/imports/{run_id}/columns", data=data)


def test_upload_check_and_import_a_german_file(app, admin):
    response = upload(admin, "deals", (DATA / "german_deals.csv").read_bytes(), "deals.csv")
    assert response.status_code == 302
    run_id = latest_run(app)
    assert columns_of(admin, run_id)["field_amount"] == "amount"
    response = check(admin, run_id, remember_as="Our CRM deals")
    assert response.status_code == 302
    page = admin.get(response.location).data.decode()
    assert "3 rows checked: no problems." in page
    assert "1.234,56" in page  # the preview shows the file's values as read
    with app.app_context():
        assert db.session.scalars(select(Deal)).all() == []
    admin.post(
        f"/sales/imports/{run_id}/start",
        data={"csrf_token": csrf_token(admin, f"/sales/imports/{run_id}")},
    )
    page = admin.get(f"/sales/imports/{run_id}").data.decode()
    assert "3 rows imported: 3 new, 0 updated." in page
    with app.app_context():
        assert len(db.session.scalars(select(Deal)).all()) == 3
        assert db.session.scalar(select(ImportMapping.name)) == "Our CRM deals"


def test_an_import_whose_database_connection_dropped_is_tried_again_and_finishes(
    app, admin, monkeypatch
):
    upload(admin, "deals", (DATA / "german_deals.csv").read_bytes(), "deals.csv")
    run_id = latest_run(app)
    check(admin, run_id)
    real = services.import_records
    calls: list[bool] = []

    def drops_once(*args, **kwargs):
        calls.append(kwargs["dry_run"])
        if not kwargs["dry_run"] and calls.count(False) == 1:
            raise OperationalError("INSERT", {}, Exception("server closed the connection"))
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "import_records", drops_once)
    admin.post(
        f"/sales/imports/{run_id}/start",
        data={"csrf_token": csrf_token(admin, f"/sales/imports/{run_id}")},
    )

    assert calls.count(False) == 2
    page = admin.get(f"/sales/imports/{run_id}").data.decode()
    assert "3 rows imported: 3 new, 0 updated." in page
    with app.app_context():
        assert len(db.session.scalars(select(Deal)).all()) == 3


def test_an_import_that_fails_for_good_says_so_on_its_page(app, admin, monkeypatch):
    upload(admin, "deals", (DATA / "german_deals.csv").read_bytes(), "deals.csv")
    run_id = latest_run(app)
    check(admin, run_id)

    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(services, "import_records", broken)
    admin.post(
        f"/sales/imports/{run_id}/start",
        data={"csrf_token": csrf_token(admin, f"/sales/imports/{run_id}")},
    )

    page = admin.get(f"/sales/imports/{run_id}").data.decode()
    assert "The import stopped on an unexpected error. Nothing was written." in page


def test_a_salesforce_export_imports_through_the_page(app, admin):
    upload(admin, "deals", (DATA / "salesforce_deals.csv").read_bytes(), "sf.csv")
    run_id = latest_run(app)
    assert columns_of(admin, run_id)["field_external_id"] == "Opportunity ID"
    check(admin, run_id)
    admin.post(
        f"/sales/imports/{run_id}/start",
        data={"csrf_token": csrf_token(admin, f"/sales/imports/{run_id}")},
    )
    with app.app_context():
        assert db.session.get(ImportRun, run_id).status is ImportStatus.DONE
        assert {d.external_id for d in db.session.scalars(select(Deal))} == {"006A1", "006A2"}


def test_a_saved_mapping_sets_the_columns_next_time(app, admin):
    content = (
        b"Ref;Kunde;Verkaeufer;Linie;Summe;W;Status;Datum\n"
        b"X1;001X;rep@example.com;HW;10;EUR;won;01.02.2026\n"
    )
    upload(admin, "deals", content, "odd.csv")
    run_id = latest_run(app)
    check(
        admin,
        run_id,
        field_external_id="Ref",
        field_account_external_id="Kunde",
        field_rep_email="Verkaeufer",
        field_product_line="Linie",
        field_amount="Summe",
        field_currency="W",
        field_stage="Status",
        field_closed_on="Datum",
        remember_as="Odd export",
    )
    upload(admin, "deals", content, "odd-again.csv", mapping="deals:Odd export")
    assert columns_of(admin, latest_run(app))["field_external_id"] == "Ref"


def test_one_bad_row_lists_the_problem_and_blocks_the_import(app, admin):
    content = (DATA / "german_deals.csv").read_text().replace("D-2", "D-1").encode()
    upload(admin, "deals", content, "dup.csv")
    run_id = latest_run(app)
    page = admin.get(check(admin, run_id).location).data.decode()
    assert "1 problem: nothing was written" in page
    assert "“D-1” appears more than once." in page
    assert "Import now" not in page
    response = admin.post(
        f"/sales/imports/{run_id}/start",
        data={"csrf_token": csrf_token(admin, f"/sales/imports/{run_id}")},
    )
    assert "correct every problem" in admin.get(response.location).data.decode()
    with app.app_context():
        assert db.session.scalars(select(Deal)).all() == []


def test_missing_required_columns_are_named_on_the_columns_page(app, admin):
    upload(admin, "deals", b"external_id,amount\nD1,5\n", "thin.csv")
    response = check(admin, latest_run(app))
    assert response.status_code == 200
    page = response.data.decode()
    assert "Choose a column for every required field: CRM id of the account" in page


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "This is not a CSV file"),
        (b'a,b\n"unclosed,1\n', None),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(app, admin, content, message):
    response = upload(admin, "accounts", content, "x.csv")
    if message is None:
        # A broken quote is found while reading the rows: the check lists it.
        run_id = latest_run(app)
        page = admin.get(check(admin, run_id, field_external_id="a", field_name="b").location)
        assert "cannot be read as CSV" in page.data.decode()
    else:
        assert response.status_code == 200
        assert message in response.data.decode()


def test_a_utf8_file_with_a_stray_byte_is_refused_naming_the_line(app, admin):
    content = "external_id,name\nA1,René Müller\n".encode() + b"A2,Bad \xff byte\n"
    response = upload(admin, "accounts", content, "stray.csv")
    assert response.status_code == 200
    assert "Line 3 contains characters that are not valid" in response.data.decode()


def test_a_value_over_128_kib_is_named_with_its_size_and_line(app, admin):
    upload(admin, "accounts", b'a,b\nA1,"' + b"x" * 200_000 + b'"\n', "long.csv")
    run_id = latest_run(app)
    page = admin.get(check(admin, run_id, field_external_id="a", field_name="b").location)
    assert "Line 2 has a value longer than 128 KiB" in page.data.decode()


def test_a_file_above_the_limit_is_refused(app, admin):
    app.config["IMPORT_MAX_BYTES"] = 2000
    response = upload(admin, "accounts", b"external_id,name\n" + b"A,B\n" * 1000, "big.csv")
    assert "larger than" in response.data.decode()


def test_a_post_far_above_the_limit_gets_413(app, admin):
    app.config["IMPORT_MAX_BYTES"] = 10_000
    response = admin.post(
        "/sales/imports/new",
        data=b"x" * (3 * 1024 * 1024),
        content_type="multipart/form-data; boundary=cf",
    )
    assert response.status_code == 413
    assert "larger than this server accepts" in response.data.decode()


def test_progress_reports_rows_and_status(app, admin):
    run_id = latest_run(app)
    state = admin.get(f"/sales/imports/{run_id}/progress").get_json()
    assert state["status"] == "done"
    assert state["busy"] is False
    assert state["percent"] == 100
