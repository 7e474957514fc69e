"""API schemas (explicit In/Out; no ModelSchema for writes). Money in integer fen; rates are
annual fractions given as decimal strings ("0.0435")."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

# core's Fen is the strict integer type; this module's own Fen (below) is the bounds.
from innoreform.core.api_support import Fen as StrictFen
from innoreform.core.api_support import Name

from . import models as m

# Choices other apps may compare with (the pools' claim rules): part of financing's public surface.
from .models import LoanKind as LoanKind

Fen = Field(ge=1, le=10**15)
Months = Field(ge=1, le=360)
Rate = Field(ge=0, le=Decimal("0.36"), max_digits=9, decimal_places=6)
KindLit = Literal["loan", "guarantee", "insurance", "equity", "loan_with_warrants", "ip_pledge_loan",
                  "equipment_loan"]


class RuleIn(Schema):
    field: str = Field(max_length=40)
    op: str = Field(max_length=20)
    value: list[str] | float | int | None = None


class NeedIn(Schema):
    amount_fen: StrictFen = Fen
    term_months: int = Months
    purpose: Literal["working_capital", "equipment", "research", "expansion", "other"]
    purpose_detail: str = Field("", max_length=500)
    collateral: list[Literal["ip", "equipment", "receivables", "real_estate", "guarantee", "equity"]] = Field(
        default_factory=list, max_length=6)
    urgency: Literal["low", "normal", "high"] = "normal"
    preferred_kinds: list[KindLit] = Field(default_factory=list, max_length=7)


class NeedOut(Schema):
    id: int
    enterprise: str
    region: str
    amount_fen: int
    term_months: int
    purpose: str
    purpose_detail: str
    collateral: list[str]
    urgency: str
    preferred_kinds: list[str]
    status: str
    created_at: datetime

    @classmethod
    def build(cls, n: m.FinancingNeed) -> "NeedOut":
        return cls(id=n.pk, enterprise=n.enterprise.name, region=n.enterprise.region, amount_fen=n.amount_fen,
                   term_months=n.term_months, purpose=n.purpose, purpose_detail=n.purpose_detail,
                   collateral=n.collateral, urgency=n.urgency, preferred_kinds=n.preferred_kinds, status=n.status,
                   created_at=n.created_at)


class ProductIn(Schema):
    kind: KindLit
    name: Name = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=4000)
    min_amount_fen: StrictFen = Fen
    max_amount_fen: StrictFen = Fen
    min_term_months: int = Months
    max_term_months: int = Months
    min_rate: Decimal = Rate
    max_rate: Decimal = Rate
    rules: list[RuleIn] = Field(default_factory=list, max_length=30)


class ProductOut(Schema):
    id: int
    institution_id: int
    institution: str
    kind: str
    name: str
    description: str
    min_amount_fen: int
    max_amount_fen: int
    min_term_months: int
    max_term_months: int
    min_rate: Decimal
    max_rate: Decimal
    rules: list[dict[str, Any]]
    status: str

    @classmethod
    def build(cls, p: m.Product) -> "ProductOut":
        return cls(id=p.pk, institution_id=p.institution_id, institution=p.institution.name, kind=p.kind, name=p.name,
                   description=p.description, min_amount_fen=p.min_amount_fen, max_amount_fen=p.max_amount_fen,
                   min_term_months=p.min_term_months, max_term_months=p.max_term_months, min_rate=p.min_rate,
                   max_rate=p.max_rate, rules=p.rules, status=p.status)


class CheckOut(Schema):
    field: str
    op: str
    expected: Any = None
    actual: Any = None
    status: str
    reason: str


class MatchOut(Schema):
    rank: int
    product_id: int
    product: str
    kind: str
    institution_id: int
    institution: str
    eligible: bool
    score: float
    components: dict[str, float]
    checks: list[CheckOut]
    above_next: str


class ApplyIn(Schema):
    product_id: int = Field(ge=1, le=2**63 - 1)
    categories: list[Literal["basic", "ownership", "indicators", "qualifications", "ip", "honours", "judicial",
                             "evaluation", "innovation_index"]] = Field(min_length=1, max_length=9)
    valid_until: date
    notice_version: int = Field(ge=1, le=10**6)


class ApplicationOut(Schema):
    id: int
    need_id: int
    product_id: int
    product: str
    enterprise: str
    enterprise_credit_code: str | None
    institution_id: int
    institution: str
    status: str
    consent_grant_id: int
    consent_purpose: str
    submitted_at: datetime
    accepted_at: datetime | None
    decided_at: datetime | None
    decision_seconds: int | None
    approved_amount_fen: int | None
    approved_rate: Decimal | None
    approved_term_months: int | None
    decline_reason: str
    reported_at: datetime | None

    @classmethod
    def build(cls, a: m.Application) -> "ApplicationOut":
        return cls(id=a.pk, need_id=a.need_id, product_id=a.product_id, product=a.product.name,
                   enterprise=a.enterprise.name, enterprise_credit_code=a.enterprise.credit_code,
                   institution_id=a.institution_id, institution=a.institution.name, status=a.status,
                   consent_grant_id=a.consent_grant_id, consent_purpose=a.consent_purpose,
                   submitted_at=a.submitted_at, accepted_at=a.accepted_at, decided_at=a.decided_at,
                   decision_seconds=a.decision_seconds, approved_amount_fen=a.approved_amount_fen,
                   approved_rate=a.approved_rate, approved_term_months=a.approved_term_months,
                   decline_reason=a.decline_reason, reported_at=a.reported_at)


class ApplicationDecideIn(Schema):
    approve: bool
    amount_fen: StrictFen | None = Field(None, ge=1, le=10**15)
    annual_rate: Decimal | None = Field(None, ge=0, le=Decimal("0.36"), max_digits=9, decimal_places=6)
    term_months: int | None = Field(None, ge=1, le=360)
    reason: str = Field("", max_length=500)


class ReportIn(Schema):
    reference: str = Field(min_length=1, max_length=64)


class DataOut(Schema):
    credit_code: str
    purpose: str
    categories: list[str]
    grant_id: int
    valid_until: date
    access_id: int
    data: dict[str, Any]


class LoanIn(Schema):
    contract_no: str = Field(min_length=1, max_length=64)
    contract_on: date
    borrower_credit_code: str = Field("", max_length=18)
    application_id: int | None = Field(None, ge=1, le=2**63 - 1)
    programme_id: int | None = Field(None, ge=1, le=2**63 - 1)
    principal_fen: StrictFen | None = Field(None, ge=1, le=10**15)
    annual_rate: Decimal | None = Field(None, ge=0, le=Decimal("0.36"), max_digits=9, decimal_places=6)
    term_months: int | None = Field(None, ge=1, le=360)
    method: Literal["equal_instalment", "equal_principal", "interest_only"] = "equal_instalment"
    period_months: Literal[1, 3, 6, 12] = 1
    kind: Literal["standard", "ip_pledge", "equipment", "investment_linked", "with_warrants"] = "standard"
    purpose_category: str = Field("", max_length=40)
    purpose_text: str = Field("", max_length=300)
    central_bank_relending: bool = False


class InstalmentOut(Schema):
    number: int
    due_on: date
    principal_fen: int
    interest_fen: int
    principal_paid_fen: int
    interest_paid_fen: int


class LoanOut(Schema):
    id: int
    contract_no: str
    institution_id: int
    institution: str
    borrower_credit_code: str
    borrower_name: str
    region: str
    kind: str
    programme_id: int | None
    application_id: int | None
    principal_fen: int
    annual_rate: Decimal
    term_months: int
    method: str
    period_months: int
    contract_on: date
    disbursed_on: date | None
    maturity_on: date | None
    status: str
    classification: str
    overdue_days: int
    principal_outstanding_fen: int
    interest_scheduled_fen: int
    disbursed_fen: int

    @classmethod
    def build(cls, x: m.Loan) -> "LoanOut":
        return cls(id=x.pk, contract_no=x.contract_no, institution_id=x.institution_id, institution=x.institution.name,
                   borrower_credit_code=x.borrower_credit_code, borrower_name=x.borrower_name, region=x.region,
                   kind=x.kind, programme_id=x.programme_id, application_id=x.application_id,
                   principal_fen=x.principal_fen, annual_rate=x.annual_rate, term_months=x.term_months,
                   method=x.method, period_months=x.period_months, contract_on=x.contract_on,
                   disbursed_on=x.disbursed_on, maturity_on=x.maturity_on, status=x.status,
                   classification=x.classification, overdue_days=x.overdue_days,
                   principal_outstanding_fen=x.principal_outstanding_fen,
                   interest_scheduled_fen=x.interest_scheduled_fen, disbursed_fen=x.disbursed_fen)


class LoanDetailOut(LoanOut):
    instalments: list[InstalmentOut]


class DisburseIn(Schema):
    disbursed_on: date
    # A tranche; left out, everything not yet drawn is paid out.
    amount_fen: StrictFen | None = Field(default=None, ge=1, le=10**15)


class RepayIn(Schema):
    amount_fen: StrictFen = Fen
    paid_on: date


class RepaymentOut(Schema):
    id: int
    loan_id: int
    paid_on: date
    amount_fen: int
    principal_fen: int
    interest_fen: int
    allocation: list[list[int]]


class ClassifyIn(Schema):
    category: Literal["normal", "special_mention", "substandard", "doubtful", "loss"]
    reason: str = Field(min_length=1, max_length=500)


class RefreshIn(Schema):
    on: date | None = None


class DefaultIn(Schema):
    on: date
    reason: str = Field(min_length=1, max_length=500)


class DefaultOut(Schema):
    id: int
    loan_id: int
    declared_on: date
    overdue_days: int
    principal_fen: int
    interest_fen: int
    amount_fen: int
    recovered_fen: int
    automatic: bool
    reason: str


class RecoveryIn(Schema):
    amount_fen: StrictFen = Fen
    received_on: date
    source: Literal["borrower", "collateral", "guarantor", "other"]
    note: str = Field("", max_length=300)


class RecoveryOut(Schema):
    id: int
    default_id: int
    received_on: date
    amount_fen: int
    source: str


class PledgeItemIn(Schema):
    number: str = Field(min_length=1, max_length=64)
    appraised_value_fen: StrictFen = Field(0, ge=0, le=10**15)


class PledgeIn(Schema):
    pledges: list[PledgeItemIn] = Field(min_length=1, max_length=50)


class PledgeOut(Schema):
    id: int
    number: str
    kind: str
    title: str
    appraised_value_fen: int
    pledged_on: date


class InvoiceLineIn(Schema):
    name: Name = Field(min_length=1, max_length=200)
    category: str = Field(min_length=1, max_length=40)
    serial_no: str = Field("", max_length=100)
    amount_fen: StrictFen = Fen


class InvoiceIn(Schema):
    invoice_no: str = Field(min_length=1, max_length=64)
    seller_name: Name = Field(min_length=1, max_length=200)
    buyer_credit_code: str = Field(min_length=1, max_length=18)
    issued_on: date
    total_fen: StrictFen = Fen
    lines: list[InvoiceLineIn] = Field(min_length=1, max_length=100)


class InvoiceOut(Schema):
    id: int
    invoice_no: str
    total_fen: int
    checks: list[dict[str, Any]]
    equipment_ids: list[int]


class WarrantIn(Schema):
    share_percent: Decimal = Field(gt=0, le=100, max_digits=7, decimal_places=4)
    strike_fen: StrictFen = Fen
    expires_on: date


class WarrantOut(Schema):
    id: int
    loan_id: int
    share_percent: Decimal
    strike_fen: int
    expires_on: date
    status: str
    exercised_on: date | None


class ExerciseIn(Schema):
    on: date


class StakeIn(Schema):
    credit_code: str = Field(min_length=1, max_length=18)
    amount_fen: StrictFen = Fen
    share_percent: Decimal = Field(gt=0, le=100, max_digits=7, decimal_places=4)
    invested_on: date
    partner_bank_id: int | None = Field(None, ge=1, le=2**63 - 1)


class StakeOut(Schema):
    id: int
    credit_code: str
    enterprise_name: str
    amount_fen: int
    share_percent: Decimal
    invested_on: date
    partner_bank_id: int | None
    loan_id: int | None


class LinkStakeIn(Schema):
    stake_id: int = Field(ge=1, le=2**63 - 1)


class NoteIn(Schema):
    credit_code: str = Field(min_length=1, max_length=18)
    shared_with_id: int = Field(ge=1, le=2**63 - 1)
    text: str = Field(min_length=1, max_length=4000)


class NoteOut(Schema):
    id: int
    credit_code: str
    author: str
    shared_with: str
    text: str
    created_at: datetime


class ImportIn(Schema):
    filename: str = Field(min_length=1, max_length=200)
    content_base64: str = Field(min_length=4, max_length=2_400_000)


class ImportOut(Schema):
    id: int
    filename: str
    status: str
    rows_total: int
    errors: list[dict[str, Any]]
    loan_ids: list[int]


class DecisionTimeOut(Schema):
    institution_id: int
    institution: str
    applications: int
    decided: int
    approved: int
    approval_rate: float | None
    mean_hours: float | None
    median_hours: float | None


class ProgrammeIn(Schema):
    code: str = Field(min_length=1, max_length=40)
    name: Name = Field(min_length=1, max_length=200)
    guarantor_id: int | None = Field(None, ge=1, le=2**63 - 1)
    insurer_id: int | None = Field(None, ge=1, le=2**63 - 1)
    loss_sharing: dict[Literal["bank", "guarantor", "insurer", "public"], Decimal] | None = None
    selection_rules: list[RuleIn] = Field(default_factory=list, max_length=30)


class ProgrammeOut(Schema):
    id: int
    code: str
    name: str
    department: str
    status: str
    policy_version: int
    guarantor_id: int | None
    insurer_id: int | None
    loss_sharing: dict[str, Any]
    selection_rules: list[dict[str, Any]]

    @classmethod
    def build(cls, p: m.Programme) -> "ProgrammeOut":
        return cls(id=p.pk, code=p.code, name=p.name, department=p.department.name, status=p.status,
                   policy_version=p.policy_version, guarantor_id=p.guarantor_id, insurer_id=p.insurer_id,
                   loss_sharing=p.loss_sharing, selection_rules=p.selection_rules)


class MemberIn(Schema):
    credit_code: str = Field(min_length=1, max_length=18)
    included: bool = True
    note: str = Field("", max_length=300)


class MemberOut(Schema):
    credit_code: str
    name: str
    region: str
    source: str
    included: bool


class CreditLineIn(Schema):
    bank_id: int = Field(ge=1, le=2**63 - 1)
    line_fen: StrictFen = Fen


class SelectOut(Schema):
    considered: int
    added: int


class SubsidyComputeIn(Schema):
    year: int = Field(ge=2000, le=2100)
    quarter: int = Field(ge=1, le=4)


class SubsidyOut(Schema):
    id: int
    loan_id: int
    year: int
    quarter: int
    interest_paid_fen: int
    share_percent: Decimal
    amount_fen: int
    capped: bool
    status: str
    policy_version: int


class SubsidyDecideIn(Schema):
    approve: bool
