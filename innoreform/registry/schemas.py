"""API schemas (explicit In/Out; no ModelSchema for writes)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from innoreform.core.api_support import Fen

from . import evaluation as ev
from . import models as m

# Choices other apps may use (forms, rules): part of the registry's public surface.
from .models import DataCategory as DataCategory
from .models import QualificationKind as QualificationKind


class EvaluationLineOut(Schema):
    key: str
    group: str
    ok: bool | None = None
    points: int | None = None
    max_points: int | None = None
    label: str
    detail: str
    params: dict[str, Any] = {}


class EvaluationOut(Schema):
    passed: bool
    score: int
    tech_staff_points: int
    rd_points: int
    results_points: int
    route: str | None
    failed_conditions: list[str]
    policy_version: int
    lines: list[EvaluationLineOut]

    @classmethod
    def build(cls, data: dict) -> "EvaluationOut":
        return cls(**{k: data[k] for k in ("passed", "score", "tech_staff_points", "rd_points", "results_points",
                                           "route", "failed_conditions", "policy_version")},
                   lines=ev.explain(data))


class FiguresIn(Schema):
    year: int = Field(ge=2000, le=2100)
    staff_total: int = Field(ge=0, le=10**7)
    tech_staff: int = Field(ge=0, le=10**7)
    sales_fen: Fen = Field(ge=0, le=10**16)
    total_assets_fen: Fen = Field(ge=0, le=10**16)
    rd_expense_fen: Fen = Field(ge=0, le=10**16)
    total_cost_fen: Fen = Field(ge=0, le=10**16)
    major_incident: bool = False


class DeclarationOut(Schema):
    id: int
    credit_code: str
    enterprise: str
    year: int
    status: str
    score: int
    passed: bool
    route: str | None
    policy_version: int
    registration_number: str | None
    risk_flags: list[str]
    sampled: bool
    submitted_at: datetime
    revoke_reason: str

    @classmethod
    def build(cls, d: m.Declaration) -> "DeclarationOut":
        return cls(id=d.pk, credit_code=d.enterprise.credit_code, enterprise=d.enterprise.name, year=d.year,
                   status=d.status, score=d.score, passed=d.passed, route=d.route or None,
                   policy_version=d.policy_version, registration_number=d.registration_number,
                   risk_flags=d.risk_flags, sampled=d.sampled, submitted_at=d.submitted_at,
                   revoke_reason=d.revoke_reason)


class DeclarationDetailOut(DeclarationOut):
    evaluation: EvaluationOut

    @classmethod
    def build(cls, d: m.Declaration) -> "DeclarationDetailOut":
        base = DeclarationOut.build(d).model_dump()
        return cls(**base, evaluation=EvaluationOut.build(d.evaluation))


class DeclarationReviewIn(Schema):
    recommend: Literal["approve", "reject"]
    note: str = Field("", max_length=500)


class DeclarationDecideIn(Schema):
    approve: bool
    note: str = Field("", max_length=500)


class RevokeIn(Schema):
    reason: str = Field(min_length=1, max_length=500)
    falsification: bool = False


class NoticeOut(Schema):
    version: int
    text: str


class GrantIn(Schema):
    institution_id: int
    categories: list[str] = Field(min_length=1, max_length=20)
    purpose: str = Field(max_length=20)
    valid_until: date
    notice_version: int


class GrantOut(Schema):
    id: int
    credit_code: str
    institution_id: int
    institution: str
    categories: list[str]
    purpose: str
    valid_until: date
    notice_version: int
    granted_at: datetime
    revoked_at: datetime | None
    valid: bool

    @classmethod
    def build(cls, g: m.ConsentGrant) -> "GrantOut":
        from .selectors import grant_is_valid

        return cls(id=g.pk, credit_code=g.enterprise.credit_code, institution_id=g.institution_id,
                   institution=g.institution.name, categories=g.categories, purpose=g.purpose,
                   valid_until=g.valid_until, notice_version=g.notice_version, granted_at=g.granted_at,
                   revoked_at=g.revoked_at, valid=grant_is_valid(g))


class AccessOut(Schema):
    id: int
    institution: str
    purpose: str
    categories: list[str]
    accessed_by: str
    accessed_at: datetime
    grant_id: int
    ledger_entry: str

    @classmethod
    def build(cls, a: m.AccessRecord) -> "AccessOut":
        return cls(id=a.pk, institution=a.institution.name, purpose=a.purpose, categories=a.categories,
                   accessed_by=a.accessed_by, accessed_at=a.accessed_at, grant_id=a.grant_id,
                   ledger_entry=a.ledger_entry)


class EnterpriseDataOut(Schema):
    credit_code: str
    purpose: str
    categories: list[str]
    grant_id: int
    valid_until: date
    access_id: int
    data: dict[str, Any]


class IndexOut(Schema):
    year: int
    score: Decimal
    percentile_industry: Decimal
    percentile_city: Decimal
    contributions: dict[str, float]
    formula_version: int


class AuthorisedEnterpriseOut(Schema):
    credit_code: str
    name: str
    region: str
    industry_code: str
    purposes: list[str]
    categories: list[str]
    valid_until: date
    listed: bool
    registration_number: str | None
    index: IndexOut | None


class OutcomeIn(Schema):
    purpose: str = Field(max_length=20)
    reference: str = Field(min_length=1, max_length=64)
    outcome: Literal["approved", "rejected", "withdrawn"]
    amount_fen: Fen = Field(0, ge=0, le=10**15)
    annual_rate: Decimal | None = Field(None, ge=0, le=1)
    term_months: int | None = Field(None, ge=1, le=600)
    decided_on: date


class OutcomeOut(Schema):
    id: int
    credit_code: str
    reference: str
    outcome: str
    amount_fen: int
    annual_rate: Decimal | None
    term_months: int | None
    decided_on: date
    reported_at: datetime


class EnterpriseOut(Schema):
    credit_code: str
    name: str
    region: str
    district: str
    industry_code: str
    legal_representative: str
    actual_controller: str | None
    listed: bool
    index: IndexOut | None
