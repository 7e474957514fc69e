"""Bank loan import from Excel: every row checked; any bad row rejects the file with row-level
messages and imports nothing; a clean file contracts and disburses every loan."""

import base64
import io
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import Workbook

from innoreform.financing import imports
from innoreform.financing import models as m

from .conftest import api_client

pytestmark = pytest.mark.django_db


def workbook(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(imports.COLUMNS)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def row(code, contract="HT-1", principal="100000.00", rate="3.85%", term=12, method="equal_instalment", **kw):
    day = (timezone.localdate() - timedelta(days=60)).isoformat()
    values = {"contract_no": contract, "borrower_credit_code": code, "borrower_name": "", "city": "",
              "kind": "standard", "principal_yuan": principal, "annual_rate": rate, "term_months": term,
              "method": method, "period_months": 1, "contract_on": day, "disbursed_on": day, "programme_code": ""}
    values.update(kw)
    return [values[c] for c in imports.COLUMNS]


def test_row_level_errors_reject_the_whole_file(sme, bank):
    code = sme.organisation.credit_code
    content = workbook([
        row(code, "HT-1"),
        row(code, "HT-2", principal="12.345"),
        row(code, "HT-3", term=10, method="interest_only", period_months=3),
        row(code, "HT-1"),
        row("91440000MA0000000X", "HT-5"),
        row(code, "HT-6", method="balloon", contract_on="2026-13-01"),
    ])
    batch = imports.loan_import(actor=bank, filename="loans.xlsx", content=content)
    assert batch.status == "rejected"
    by_row = {e["row"]: " ".join(e["messages"]) for e in batch.errors}
    assert set(by_row) == {3, 4, 5, 6, 7}
    assert "two decimals" in by_row[3]
    assert "whole number of instalment periods" in by_row[4]
    assert "twice" in by_row[5]
    assert "not on the platform" in by_row[6]
    assert "contract_on" in by_row[7]
    assert not m.Loan.objects.exists()


def test_clean_file_imports_and_disburses(sme, bank):
    code = sme.organisation.credit_code
    content = workbook([row(code, "HT-1"), row(code, "HT-2", principal="250000", rate="0.04", method="equal_principal"),
                        row("91441900MA0000009X", "HT-3", borrower_name="外部企业", city="441900", disbursed_on="")])
    client = api_client(bank)
    r = client.post("/api/bank/v1/financing/loan-imports",
                    {"filename": "loans.xlsx", "content_base64": base64.b64encode(content).decode()},
                    content_type="application/json", headers={"Idempotency-Key": "imp-1"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "applied" and len(body["loan_ids"]) == 3
    loans = {x.contract_no: x for x in m.Loan.objects.all()}
    assert loans["HT-1"].principal_outstanding_fen == 10_000_000 and loans["HT-1"].status == "active"
    assert loans["HT-2"].annual_rate == m.Loan._meta.get_field("annual_rate").to_python("0.040000")
    assert loans["HT-3"].status == "contracted" and loans["HT-3"].borrower_id is None
    assert sum(i.principal_fen for i in loans["HT-1"].instalments.all()) == 10_000_000


@pytest.mark.parametrize(("empty_rows", "code"), [
    (3_000_000, "spreadsheet_too_large"),  # the reported bomb: refused from the zip directory
    (200_000, "spreadsheet_too_many_rows"),  # under the size cap: refused at row 5,002 while streaming
])
def test_spreadsheet_bomb_is_refused_quickly_with_an_envelope(bank, empty_rows, code):
    """#19.2: a small .xlsx of millions of empty rows held a web worker for 28 s and 500 MB."""
    from innoreform.core.testing import xlsx_bomb

    content = xlsx_bomb(empty_rows=empty_rows, header=tuple(imports.COLUMNS))
    client = api_client(bank)
    started = time.perf_counter()
    r = client.post("/api/bank/v1/financing/loan-imports",
                    {"filename": "loans.xlsx", "content_base64": base64.b64encode(content).decode()},
                    content_type="application/json", headers={"Idempotency-Key": f"bomb-{empty_rows}"})
    elapsed = time.perf_counter() - started
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["code"] == code and body["message"] and body["details"]["file"] == [body["message"]]
    assert elapsed < 3, elapsed
    assert not m.LoanImport.objects.exists()


def test_large_file_is_checked_by_a_background_job(sme, bank, settings, django_capture_on_commit_callbacks):
    """A file that unpacks to more than the foreground size is queued (202), never parsed in the
    request; the job applies it exactly as a small file would be, and the bank polls for it."""
    settings.SPREADSHEET_FOREGROUND_BYTES = 1000
    code = sme.organisation.credit_code
    content = workbook([row(code, "HT-1"), row(code, "HT-2")])
    client = api_client(bank)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/api/bank/v1/financing/loan-imports",
                        {"filename": "loans.xlsx", "content_base64": base64.b64encode(content).decode()},
                        content_type="application/json", headers={"Idempotency-Key": "imp-big"})
    assert r.status_code == 202, r.content
    assert r.json()["status"] == "queued"
    polled = client.get(f"/api/bank/v1/financing/loan-imports/{r.json()['id']}")
    assert polled.status_code == 200
    assert polled.json()["status"] == "applied" and len(polled.json()["loan_ids"]) == 2
    batch = m.LoanImport.objects.get()
    assert batch.content is None  # the stored file is dropped once checked


def test_background_job_rejects_a_bad_file_with_the_reason(bank, settings, django_capture_on_commit_callbacks):
    from innoreform.core.testing import xlsx_bomb

    settings.SPREADSHEET_FOREGROUND_BYTES = 1000
    with django_capture_on_commit_callbacks(execute=True):
        batch = imports.loan_import(actor=bank, filename="loans.xlsx",
                                    content=xlsx_bomb(empty_rows=20_000, header=tuple(imports.COLUMNS)))
    batch.refresh_from_db()
    assert batch.status == "rejected"
    assert "5000" in batch.errors[0]["messages"][0]


def test_other_institutions_imports_are_not_found(sme, bank, other_bank):
    content = workbook([row(sme.organisation.credit_code)])
    batch = imports.loan_import(actor=bank, filename="loans.xlsx", content=content)
    assert api_client(bank).get(f"/api/bank/v1/financing/loan-imports/{batch.pk}").status_code == 200
    assert api_client(other_bank).get(f"/api/bank/v1/financing/loan-imports/{batch.pk}").status_code == 404
