"""Portal API schemas for IP cases. Every class name starts with Ipcase (the OpenAPI document
keeps one namespace: a test fails on collisions). Files travel as base64 in JSON (10 MB cap)."""

import base64
import binascii
from datetime import date, datetime

from ninja import Field, Schema
from pydantic import field_validator

from innoreform.core.api_support import DbId, Fen, Name

B64_MAX = 14_000_000  # 10 MB of bytes in base64
# Published so that clients (and schemathesis) know what the server accepts: standard base64, padded.
B64_PATTERN = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"


def decode(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not valid base64") from exc


class IpcaseIdentityMixin(Schema):
    legal_name: Name = Field(..., min_length=1, max_length=100)
    id_number: str = Field(..., min_length=6, max_length=40)


class IpcaseFileIn(Schema):
    title: Name = Field("", max_length=200)
    filename: Name = Field(..., min_length=1, max_length=200)
    content_base64: str = Field(..., min_length=4, max_length=B64_MAX, pattern=B64_PATTERN)

    @field_validator("content_base64")
    @classmethod
    def _b64(cls, v: str) -> str:
        decode(v)
        return v


class IpcaseFilingIn(IpcaseIdentityMixin):
    site_id: DbId
    subject: Name = Field(..., min_length=1, max_length=200)
    claims: str = Field(..., min_length=1, max_length=20000)
    respondent_name: Name = Field(..., min_length=1, max_length=200)
    respondent_id: DbId | None = None
    respondent_has_domicile: bool = True
    claim_fen: Fen = Field(0, ge=0, le=10**13)
    complaint: IpcaseFileIn
    evidence: list[IpcaseFileIn] = Field(default_factory=list, max_length=10)
    consent: bool = Field(..., description="Consent to online litigation for the filing stage (must be true).")


class IpcaseFilingDecisionIn(Schema):
    decision: str = Field(..., pattern="^(docket|correct|refuse)$")
    items: list[str] = Field(default_factory=list, max_length=50)
    reasons: str = Field("", max_length=5000)
    procedure: str = Field("ordinary", pattern="^(ordinary|simplified)$")
    judge_id: DbId | None = None


class IpcaseCorrectionIn(IpcaseIdentityMixin):
    note: str = Field("", max_length=500)
    documents: list[IpcaseFileIn] = Field(default_factory=list, max_length=10)
    consent: bool


class IpcaseFilingOut(Schema):
    id: int
    dispute_id: int
    platform_id: str
    status: str
    site: str
    decision_due: date
    correction_items: list[str]
    refusal_reasons: str

    @staticmethod
    def of(f) -> "IpcaseFilingOut":
        return IpcaseFilingOut(id=f.pk, dispute_id=f.dispute_id, platform_id=f.dispute.platform_id, status=f.status,
                               site=f.site.code, decision_due=f.decision_due, correction_items=f.correction_items,
                               refusal_reasons=f.refusal_reasons)


class IpcaseCaseOut(Schema):
    id: int
    number: str
    dispute_id: int
    platform_id: str
    instance: int
    lower_number: str | None
    status: str
    docketed_on: date
    trial_limit_due: date

    @staticmethod
    def of(c) -> "IpcaseCaseOut":
        return IpcaseCaseOut(id=c.pk, number=c.number, dispute_id=c.dispute_id, platform_id=c.dispute.platform_id,
                             instance=c.instance, lower_number=c.lower.number if c.lower_id else None,
                             status=c.status, docketed_on=c.docketed_on, trial_limit_due=c.trial_limit_due)


class IpcaseDecisionOut(Schema):
    filing: IpcaseFilingOut
    case: IpcaseCaseOut | None = None


class IpcaseDisputeOut(Schema):
    id: int
    platform_id: str
    subject: str
    status: str
    claimant: str
    respondent_name: str
    case_numbers: list[str]

    @staticmethod
    def of(d) -> "IpcaseDisputeOut":
        return IpcaseDisputeOut(id=d.pk, platform_id=d.platform_id, subject=d.subject, status=d.status,
                                claimant=d.claimant.name, respondent_name=d.respondent_name,
                                case_numbers=[c.number for c in d.cases.all()])


class IpcaseDeadlineOut(Schema):
    id: int
    kind: str
    starts_on: date
    due_on: date
    status: str
    owner_id: int
    case_number: str | None
    platform_id: str | None
    rule: str
    policy_version: int
    calendar_version: int

    @staticmethod
    def of(d) -> "IpcaseDeadlineOut":
        return IpcaseDeadlineOut(id=d.pk, kind=d.kind, starts_on=d.starts_on, due_on=d.due_on, status=d.status,
                                 owner_id=d.owner_id, case_number=d.case.number if d.case_id else None,
                                 platform_id=d.dispute.platform_id if d.dispute_id else None, rule=d.rule_text,
                                 policy_version=d.policy_version, calendar_version=d.calendar_version)


class IpcaseDeadlineIn(Schema):
    kind: str = Field(..., pattern="^(answer|evidence|appeal_judgment|appeal_ruling)$")
    starts_on: date


class IpcaseExcludedIn(Schema):
    kind: str = Field(..., pattern="^(publication|appraisal|settlement|jurisdiction)$")
    starts_on: date


class IpcaseExcludedEndIn(Schema):
    ends_on: date


class IpcaseExcludedOut(Schema):
    id: int
    kind: str
    starts_on: date
    ends_on: date | None
    trial_limit_due: date


class IpcaseEntrustIn(Schema):
    organisation_id: DbId
    phase: str = Field("pre", pattern="^(pre|post)$")
    procedure: str = Field("ordinary", pattern="^(ordinary|simplified)$")


class IpcaseSelectIn(IpcaseIdentityMixin):
    mediator_id: DbId
    consent: bool


class IpcaseAssignIn(Schema):
    mediator_id: DbId


class IpcaseAcceptIn(Schema):
    conflict_disclosure: str = Field(..., min_length=1, max_length=2000)


class IpcaseReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=300)


class IpcaseRecordIn(Schema):
    record: str = Field(..., min_length=1, max_length=20000)


class IpcaseAgreementIn(Schema):
    text: str = Field(..., min_length=1, max_length=20000)


class IpcaseSignIn(Schema):
    legal_name: Name = Field("", max_length=100)
    id_number: str = Field("", max_length=40)


class IpcaseMediationOut(Schema):
    id: int
    dispute_id: int
    platform_id: str
    status: str
    phase: str
    mediator_id: int | None
    select_due: date
    assign_due: date
    accept_due: date | None
    period_due: date | None
    agreement_sha256: str
    signed_by: list[int]
    effective_at: datetime | None

    @staticmethod
    def of(med) -> "IpcaseMediationOut":
        return IpcaseMediationOut(
            id=med.pk, dispute_id=med.dispute_id, platform_id=med.dispute.platform_id, status=med.status,
            phase=med.phase, mediator_id=med.mediator_id, select_due=med.select_due, assign_due=med.assign_due,
            accept_due=med.accept_due, period_due=med.period_due, agreement_sha256=med.agreement_sha256,
            signed_by=sorted(med.signatures.values_list("organisation_id", flat=True)), effective_at=med.effective_at)


class IpcaseMediatorOut(Schema):
    id: int
    name: str
    organisation_id: int
    region: str
    scope: str
    specialty: str
    fee_fen: int


class IpcaseHearingIn(Schema):
    mode: str = Field(..., pattern="^(circuit|video)$")
    starts_at: datetime
    ends_at: datetime
    judge_id: DbId
    site_id: DbId | None = None
    room: str = Field("", max_length=50)
    video_url: str = Field("", max_length=200)


class IpcaseHearingOut(Schema):
    id: int
    case_id: int
    mode: str
    starts_at: datetime
    ends_at: datetime
    transcript_sha256: str


class IpcaseTranscriptIn(Schema):
    content_base64: str = Field(..., min_length=4, max_length=B64_MAX, pattern=B64_PATTERN)


class IpcaseConfirmIn(Schema):
    sha256: str = Field(..., max_length=80)


class IpcaseServeIn(Schema):
    recipient_id: DbId
    title: Name = Field(..., min_length=1, max_length=200)
    content_base64: str = Field(..., min_length=4, max_length=B64_MAX, pattern=B64_PATTERN)


class IpcaseServiceOut(Schema):
    id: int
    case_id: int
    recipient_id: int
    title: str
    sha256: str
    sent_at: datetime
    arrived_at: datetime | None
    opened_at: datetime | None
    trace: list[dict]


class IpcaseConsentIn(IpcaseIdentityMixin):
    stage: str = Field(..., pattern="^(filing|mediation|evidence|hearing|service)$")


class IpcaseConsentOut(Schema):
    dispute_id: int
    stage: str
    given_at: datetime


class IpcaseNotarialIn(Schema):
    notary_id: DbId
    title: Name = Field(..., min_length=1, max_length=200)
    purpose: str = Field(..., min_length=1, max_length=300)
    target_url: str = Field("", max_length=200)
    dispute_id: DbId | None = None


class IpcaseCaptureIn(Schema):
    filename: Name = Field(..., min_length=1, max_length=200)
    content_base64: str = Field(..., min_length=4, max_length=B64_MAX, pattern=B64_PATTERN)
    time_source: str = Field(..., min_length=1, max_length=200)
    checklist: dict[str, bool]
    metadata: dict[str, str] = Field(default_factory=dict)


class IpcaseAttachIn(Schema):
    dispute_id: DbId


class IpcaseNotarialOut(Schema):
    id: int
    title: str
    status: str
    requester_id: int
    notary_id: int
    dispute_id: int | None
    certificate_due: date
    sha256: str
    evidence_uid: str | None
    certificate_number: str
    receipt: str

    @staticmethod
    def of(r) -> "IpcaseNotarialOut":
        return IpcaseNotarialOut(id=r.pk, title=r.title, status=r.status, requester_id=r.requester_id,
                                 notary_id=r.notary_id, dispute_id=r.dispute_id, certificate_due=r.certificate_due,
                                 sha256=r.sha256, evidence_uid=str(r.evidence_uid) if r.evidence_uid else None,
                                 certificate_number=r.certificate_number, receipt=r.receipt)


class IpcaseStepOut(Schema):
    ok: bool
    title: str
    detail: str


class IpcaseVerificationOut(Schema):
    ok: bool
    steps: list[IpcaseStepOut]
    proven: list[str]
    not_proven: list[str]


class IpcaseDashboardOut(Schema):
    total: int
    by_stage: dict[str, int]
    by_site: dict[str, int]
    due_week: int
    overdue: int
    mediation_settled: int
    mediation_failed: int
    mediation_rate: int | None
    decision_days: float | None
