from datetime import datetime
from uuid import UUID

from ninja import Schema


class VersionOut(Schema):
    id: int
    name: str
    version: int
    kind: str
    status: str
    role: str
    fingerprint: str
    holdout_auc: float | None
    holdout_ks: float | None
    submitted_by: str | None
    decided_by: str | None
    submitted_at: datetime
    decided_at: datetime | None


class ModelReportOut(Schema):
    version: VersionOut
    report: dict


class DecisionIn(Schema):
    role: str = "champion"
    note: str = ""


class RejectIn(Schema):
    note: str = ""


class ScoringJobOut(Schema):
    id: UUID
    kind: str
    status: str
    total: int
    done: int


class ReasonOut(Schema):
    variable: str
    points_lost: int
    bin: str = ""
    text: str


class ScoreOut(Schema):
    credit_code: str
    score: int
    pd: float
    model: str
    model_version_id: int
    scored_at: datetime
    reasons: list[ReasonOut]


class CreditRunOut(Schema):
    id: int
    kind: str
    source: str
    status: str
    done: int
    total: int
    message: str
    error: str
    original_name: str
    content_sha256: str
    parameters: dict
    rows: int
    model_version_id: int | None
    result_url: str | None
    job_id: UUID
    created_at: datetime
