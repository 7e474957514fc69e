"""Loans from a bank's Excel (or CSV) file: every row is checked first; any error rejects the
whole file with row-level messages and nothing is imported; otherwise every row is contracted
(and disbursed when it has a disbursement date) in one transaction."""

import hashlib
import io
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook

from innoreform.core import audit, spreadsheets
from innoreform.core.actor import Actor
from innoreform.core.errors import DomainError, ValidationFailed
from innoreform.core.models import Organisation, OrgKind
from innoreform.core.money import yuan_to_fen
from innoreform.core.regions import Region

from . import facts
from . import models as m
from . import schedule as sched
from .permissions import require
from .services import loans

COLUMNS = ["contract_no", "borrower_credit_code", "borrower_name", "city", "kind", "principal_yuan", "annual_rate",
           "term_months", "method", "period_months", "contract_on", "disbursed_on", "programme_code"]
REQUIRED = {"contract_no", "borrower_credit_code", "principal_yuan", "annual_rate", "term_months", "method",
            "contract_on"}
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 16 * 1024 * 1024
SECONDS = 20.0  # reading time budget


def template_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "loans"
    ws.append(COLUMNS)
    ws.append(["HT-2026-0001", "91441900MA000000XX", "示例企业", "441900", "standard", "1000000.00", "0.0385", 12,
               "equal_instalment", 1, "2026-01-05", "2026-01-06", ""])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def read_limits() -> spreadsheets.Limits:
    """This importer's caps for the platform's spreadsheet reader: MAX_ROWS rows below the header
    (blank ones count, so a file of empty rows stops there), and no more XML than 5,000 loans
    need (about 3 MB), so a zip bomb is refused from the zip directory before any parsing."""
    return spreadsheets.limits(max_rows=MAX_ROWS, max_uncompressed_bytes=MAX_UNPACKED_BYTES, seconds=SECONDS)


def _rows(content: bytes, filename: str) -> list[tuple]:
    return list(spreadsheets.read_rows(content, filename=filename, limit=read_limits()))


def _date(raw) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    return date.fromisoformat(str(raw).strip())


def _rate(raw):
    from decimal import Decimal

    text = str(raw).strip()
    if text.endswith("%"):
        return Decimal(text[:-1]) / 100
    return Decimal(text)


def parse_row(values: dict) -> tuple[dict, list[str]]:
    problems: list[str] = []
    out: dict = {}
    for column in REQUIRED:
        if values.get(column) in (None, ""):
            problems.append(_("%(column)s is required.") % {"column": column})
    if problems:
        return out, problems
    out["contract_no"] = str(values["contract_no"]).strip()
    out["borrower_credit_code"] = str(values["borrower_credit_code"]).strip().upper()
    out["borrower_name"] = str(values.get("borrower_name") or "").strip()[:200]
    out["region"] = str(values.get("city") or "").strip()
    out["kind"] = str(values.get("kind") or "standard").strip()
    out["method"] = str(values["method"]).strip()
    try:
        out["principal_fen"] = yuan_to_fen(values["principal_yuan"])
    except ValueError:
        problems.append(_("principal_yuan must be an amount in yuan with at most two decimals."))
    try:
        out["annual_rate"] = _rate(values["annual_rate"])
    except Exception:
        problems.append(_("annual_rate must be a fraction (0.0385) or a percentage (3.85%)."))
    for column, key in (("term_months", "term_months"), ("period_months", "period_months")):
        raw = values.get(column)
        if raw in (None, "") and column == "period_months":
            out[key] = 1
            continue
        try:
            number = float(str(raw).strip())
            if number != int(number):
                raise ValueError
            out[key] = int(number)
        except (TypeError, ValueError):
            problems.append(_("%(column)s must be a whole number.") % {"column": column})
    for column in ("contract_on", "disbursed_on"):
        raw = values.get(column)
        if raw in (None, ""):
            out[column] = None
            continue
        try:
            out[column] = _date(raw)
        except (TypeError, ValueError):
            problems.append(_("%(column)s must be a date (YYYY-MM-DD).") % {"column": column})
    if out.get("contract_on") and out.get("disbursed_on") and out["disbursed_on"] < out["contract_on"]:
        problems.append(_("disbursed_on is before contract_on."))
    out["programme_code"] = str(values.get("programme_code") or "").strip()
    return out, problems


def loan_import(*, actor: Actor, filename: str, content: bytes) -> m.LoanImport:
    """Check and apply a loan file now, or, when it unpacks to more than the platform's foreground
    size, store it and queue a background job (the LoanImport is returned as queued)."""
    require(actor, "financing.loan_manage")
    if not content or len(content) > MAX_BYTES:
        raise ValidationFailed(details={"file": [_("Upload a file of at most 5 MB.")]})
    name = (filename or "loans.xlsx").replace("/", "_").replace("\\", "_")[-200:]
    unpacked = spreadsheets.unpacked_size(content, filename=name)  # from the zip directory: no parsing
    if unpacked > MAX_UNPACKED_BYTES:
        raise spreadsheets.SpreadsheetRefused(
            _("The workbook unpacks to more than %(mb)s MB; split it into smaller files.")
            % {"mb": MAX_UNPACKED_BYTES // (1024 * 1024)}, code="spreadsheet_too_large")
    if unpacked > spreadsheets.foreground_bytes():
        return _queue(actor, name, content)
    return _check_and_apply(actor, name, content, None)


def _queue(actor: Actor, name: str, content: bytes) -> m.LoanImport:
    from innoreform.core import services as core_services

    from .tasks import process_loan_import

    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        job = core_services.job_create(actor=actor, kind="financing.loan_import") if actor.user else None
        batch = m.LoanImport.objects.create(institution=actor.organisation, filename=name, sha256=digest,
                                            status=m.LoanImport.Status.QUEUED, content=content, job=job,
                                            api_key=actor.api_key, created_by=actor.user)
        audit.record(actor=actor, action="financing.loan_import_queued", obj=batch,
                     changes={"file": name, "sha256": digest, "bytes": len(content)})
        transaction.on_commit(lambda: process_loan_import.enqueue(import_id=batch.pk))
    return batch


def loan_import_process(*, import_id: int) -> m.LoanImport:
    """The background job: the same checks and all-or-nothing apply as a small file gets."""
    from innoreform.core import services as core_services

    batch = m.LoanImport.objects.select_related("created_by", "api_key").get(pk=import_id)
    if batch.status != m.LoanImport.Status.QUEUED:
        return batch
    if batch.api_key_id:
        actor = Actor.for_api_key(batch.api_key)
    else:
        actor = Actor.for_user(batch.created_by, batch.institution_id)
    if batch.job_id:
        core_services.job_progress(job_id=batch.job_id, done=0, message=_("Checking rows"))
    try:
        batch = _check_and_apply(actor, batch.filename, bytes(batch.content), batch)
    except DomainError as exc:  # unreadable, over a cap, missing columns: the file is rejected
        messages = [str(msg) for msgs in exc.details.values() for msg in (msgs if isinstance(msgs, list) else [msgs])]
        with transaction.atomic():
            batch = _save(batch, actor, batch.filename, batch.sha256, m.LoanImport.Status.REJECTED, 0,
                          [{"row": 1, "messages": messages or [str(exc.message)]}])
    if batch.job_id:
        core_services.job_finish(job_id=batch.job_id, ok=batch.status == m.LoanImport.Status.APPLIED,
                                 result={"loan_import": batch.pk, "status": batch.status, "rows": batch.rows_total})
    return batch


def _save(batch: m.LoanImport | None, actor: Actor, name: str, digest: str, status: str, rows: int,
          errors: list[dict]) -> m.LoanImport:
    """Create the import's record, or complete a queued one (dropping the stored file)."""
    if batch is None:
        return m.LoanImport.objects.create(institution=actor.organisation, filename=name, sha256=digest,
                                           status=status, rows_total=rows, errors=errors, created_by=actor.user)
    batch.status, batch.rows_total, batch.errors, batch.content = status, rows, errors, None
    batch.save(update_fields=["status", "rows_total", "errors", "content"])
    if status == m.LoanImport.Status.REJECTED:
        audit.record(actor=actor, action="financing.loan_import_rejected", obj=batch,
                     changes={"file": name, "sha256": digest, "rows": rows, "rows_with_errors": len(errors)})
    return batch


def _check_and_apply(actor: Actor, name: str, content: bytes, queued: m.LoanImport | None) -> m.LoanImport:
    rows = _rows(content, name)  # SpreadsheetRefused (422, a spreadsheet_* code) when unreadable or over a cap
    if not rows:
        raise ValidationFailed(details={"file": [_("The file is empty.")]})
    header = [str(h or "").strip() for h in rows[0]]
    missing = REQUIRED - set(header)
    if missing:
        raise ValidationFailed(details={"file": [_("Missing columns: %(c)s.") % {"c": ", ".join(sorted(missing))}]})
    body = [r for r in rows[1:] if any(c not in (None, "") for c in r)]
    if len(body) > MAX_ROWS:
        raise ValidationFailed(details={"file": [_("At most %(n)d rows per file.") % {"n": MAX_ROWS}]})
    errors: list[dict] = []
    parsed: list[tuple[int, dict]] = []
    seen: set[str] = set()
    for number, raw in enumerate(body, start=2):
        values = dict(zip(header, raw, strict=False))
        row, problems = parse_row(values)
        if row.get("contract_no") in seen:
            problems.append(_("The contract number appears twice in the file."))
        seen.add(row.get("contract_no"))
        if not problems:
            problems = _precheck(actor, row)
        if problems:
            errors.append({"row": number, "messages": [str(p) for p in problems]})
        else:
            parsed.append((number, row))
    digest = hashlib.sha256(content).hexdigest()
    if not errors:
        try:
            with transaction.atomic():
                batch = _save(queued, actor, name, digest, m.LoanImport.Status.APPLIED, len(body), [])
                for number, row in parsed:
                    try:
                        _apply(actor, row, batch)
                    except DomainError as exc:
                        messages = [f"{k}: {msg}" for k, msgs in exc.details.items() for msg in
                                    (msgs if isinstance(msgs, list) else [msgs])] or [str(exc.message)]
                        errors.append({"row": number, "messages": messages})
                if errors:
                    raise _Rollback()
                audit.record(actor=actor, action="financing.loans_imported", obj=batch,
                             changes={"file": name, "sha256": digest, "rows": len(body)})
                return batch
        except _Rollback:
            if queued is not None:
                queued.refresh_from_db()
    with transaction.atomic():
        batch = _save(queued, actor, name, digest, m.LoanImport.Status.REJECTED, len(body), errors)
        if queued is None:
            audit.record(actor=actor, action="financing.loan_import_rejected", obj=batch,
                         changes={"file": name, "sha256": digest, "rows": len(body), "rows_with_errors": len(errors)})
    return batch


def _precheck(actor: Actor, row: dict) -> list[str]:
    """What the services would refuse, found before anything is written, so every bad row is listed."""
    problems: list[str] = []
    try:
        sched.validate(principal_fen=row["principal_fen"], annual_rate=row["annual_rate"],
                       term_months=row["term_months"], method=row["method"], period_months=row["period_months"])
    except sched.ScheduleError as exc:
        problems += [f"{field}: {_(msg)}" for field, msgs in exc.errors.items() for msg in msgs]
    if row["kind"] not in m.LoanKind.values:
        problems.append(_("kind must be one of %(k)s.") % {"k": ", ".join(m.LoanKind.values)})
    code = row["borrower_credit_code"]
    known = facts.registry_enterprise(credit_code=code) is not None or Organisation.objects.filter(
        credit_code=code, kind=OrgKind.ENTERPRISE).exists()
    if not known and not (row["borrower_name"] and row["region"] in Region.values):
        problems.append(_("The borrower is not on the platform; give borrower_name and city (division code)."))
    if m.Loan.objects.filter(institution_id=actor.organisation_id, contract_no=row["contract_no"]).exists():
        problems.append(_("A loan with this contract number exists."))
    if row["programme_code"] and not m.Programme.objects.filter(code=row["programme_code"]).exists():
        problems.append(_("Unknown programme."))
    return problems


class _Rollback(Exception):
    pass


def _apply(actor: Actor, row: dict, batch: m.LoanImport) -> None:
    programme_id = None
    if row["programme_code"]:
        programme = m.Programme.objects.filter(code=row["programme_code"]).first()
        if programme is None:
            raise ValidationFailed(details={"programme_code": [_("Unknown programme.")]})
        programme_id = programme.pk
    loan = loans.loan_contract(
        actor=actor, contract_no=row["contract_no"], contract_on=row["contract_on"],
        borrower_credit_code=row["borrower_credit_code"], principal_fen=row["principal_fen"],
        annual_rate=row["annual_rate"], term_months=row["term_months"], method=row["method"],
        period_months=row["period_months"], kind=row["kind"], programme_id=programme_id,
        borrower_name=row["borrower_name"], region=row["region"], import_batch=batch)
    if row["disbursed_on"]:
        loans.loan_disburse(actor=actor, loan_id=loan.pk, disbursed_on=row["disbursed_on"])
