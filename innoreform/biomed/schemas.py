"""API schemas: explicit In/Out, quantities as whole numbers of the approval's unit."""

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import Strict

from innoreform.core.api_support import Name

from . import models as m
from . import services

# A quantity: a JSON integer only (not "5", 5.0 or true), in the smallest unit it is counted in.
Quantity = Annotated[int, Strict()]


class BiomedItemIn(Schema):
    name: Name = Field(..., min_length=1, max_length=200)
    category: str = Field(..., max_length=24)
    material: str = Field(..., max_length=24)
    hs_code: str = Field(..., max_length=10)
    ciq_code: str = Field(..., max_length=3)
    composition: str = Field(..., min_length=1, max_length=500)
    pathogen_class: str = Field(..., max_length=8)
    specification: str = Field(..., min_length=1, max_length=200)
    storage: str = Field(..., min_length=1, max_length=200)
    biosafety_level: str = Field(..., max_length=8)
    other_approvals: str = Field("", max_length=300)


class BiomedItemOut(Schema):
    id: int
    enterprise_id: int
    name: str
    category: str
    material: str
    hs_code: str
    ciq_code: str
    composition: str
    pathogen_class: str
    specification: str
    storage: str
    biosafety_level: str
    other_approvals: str

    @staticmethod
    def of(i: m.Item) -> "BiomedItemOut":
        return BiomedItemOut(id=i.pk, enterprise_id=i.enterprise_id, name=i.name, category=i.category,
                             material=i.material, hs_code=i.hs_code, ciq_code=i.ciq_code, composition=i.composition,
                             pathogen_class=i.pathogen_class, specification=i.specification, storage=i.storage,
                             biosafety_level=i.biosafety_level, other_approvals=i.other_approvals)


class BiomedAttachmentIn(Schema):
    kind: str = Field(..., max_length=24)
    filename: Name = Field(..., min_length=1, max_length=200)
    content_base64: str = Field(..., min_length=4, max_length=14_000_000)


class BiomedApplicationIn(Schema):
    item_id: int = Field(..., ge=1, le=2**63 - 1)
    quantity: Quantity = Field(..., ge=1, le=services.MAX_QUANTITY)
    unit: str = Field(..., max_length=8)
    ports: list[str] = Field(..., min_length=1, max_length=10)
    origin: Name = Field(..., min_length=1, max_length=100)
    purpose: str = Field(..., min_length=1, max_length=500)
    attachments: list[BiomedAttachmentIn] = Field(..., max_length=10)


class BiomedCheckOut(Schema):
    rule: str
    ok: bool
    explanation: str


class BiomedApplicationOut(Schema):
    id: int
    enterprise_id: int
    item_id: int
    quantity: Quantity
    unit: str
    ports: list[str]
    level: str
    level_rule: str
    policy_version: int
    status: str
    automatic: bool
    whitelisted: bool
    checks: list[BiomedCheckOut]
    findings: str
    conditions: str
    decision_note: str
    submitted_at: datetime
    decided_at: datetime | None
    approval_id: int | None

    @staticmethod
    def of(a: m.Application) -> "BiomedApplicationOut":
        approval = m.Approval.objects.filter(application=a).values_list("pk", flat=True).first()
        return BiomedApplicationOut(
            id=a.pk, enterprise_id=a.enterprise_id, item_id=a.item_id, quantity=a.quantity, unit=a.unit, ports=a.ports,
            level=a.level, level_rule=a.level_rule, policy_version=a.policy_version, status=a.status,
            automatic=a.automatic, whitelisted=a.whitelisted,
            checks=[BiomedCheckOut(rule=c["rule"], ok=c["ok"], explanation=services.explain(c)) for c in a.checks],
            findings=a.findings, conditions=a.conditions, decision_note=a.decision_note,
            submitted_at=a.submitted_at, decided_at=a.decided_at, approval_id=approval)


class BiomedAssessmentIn(Schema):
    findings: str = Field(..., min_length=1, max_length=5000)
    conditions: str = Field("", max_length=2000)


class BiomedDecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=500)


class BiomedApprovalOut(Schema):
    id: int
    number: str
    enterprise_id: int
    item_id: int
    level: str
    policy_version: int
    quantity: Quantity
    unit: str
    written_off: Quantity
    balance: Quantity
    ports: list[str]
    single_use: bool
    valid_from: date
    valid_until: date
    status: str
    closed_reason: str

    @staticmethod
    def of(a: m.Approval) -> "BiomedApprovalOut":
        return BiomedApprovalOut(id=a.pk, number=a.number, enterprise_id=a.enterprise_id, item_id=a.item_id,
                                 level=a.level, policy_version=a.policy_version, quantity=a.quantity, unit=a.unit,
                                 written_off=a.written_off, balance=a.balance, ports=a.ports, single_use=a.single_use,
                                 valid_from=a.valid_from, valid_until=a.valid_until, status=a.status,
                                 closed_reason=a.closed_reason)


class BiomedBatchIn(Schema):
    declaration_no: str = Field(..., min_length=6, max_length=32)
    quantity: Quantity = Field(..., ge=1, le=services.MAX_QUANTITY)
    unit: str = Field(..., max_length=8)
    port: str = Field(..., max_length=24)


class BiomedBatchOut(Schema):
    id: int
    approval_id: int
    approval_number: str
    declaration_no: str
    quantity: Quantity
    unit: str
    port: str
    balance_after: Quantity
    declared_at: datetime

    @staticmethod
    def of(b: m.Batch, approval_number: str | None = None) -> "BiomedBatchOut":
        return BiomedBatchOut(id=b.pk, approval_id=b.approval_id,
                              approval_number=approval_number or b.approval.number, declaration_no=b.declaration_no,
                              quantity=b.quantity, unit=b.unit, port=b.port, balance_after=b.balance_after,
                              declared_at=b.declared_at)


class BiomedFollowUpOut(Schema):
    id: int
    approval_id: int
    kind: str
    due_on: date
    status: str
    report: str
    result: str

    @staticmethod
    def of(f: m.FollowUp) -> "BiomedFollowUpOut":
        return BiomedFollowUpOut(id=f.pk, approval_id=f.approval_id, kind=f.kind, due_on=f.due_on, status=f.status,
                                 report=f.report, result=f.result)


class BiomedFollowUpReportIn(Schema):
    report: str = Field(..., min_length=1, max_length=5000)


class BiomedLevelStatOut(Schema):
    level: str
    approved: int
    automatic: int
    hours: float | None


class BiomedVolumeStatOut(Schema):
    key: str
    unit: str
    batches: int
    volume: int


class BiomedStatisticsOut(Schema):
    applications: int
    batches: int
    by_level: list[BiomedLevelStatOut]
    by_category: list[BiomedVolumeStatOut]
    by_port: list[BiomedVolumeStatOut]
