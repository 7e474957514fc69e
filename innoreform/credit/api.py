"""Portal API (/api/v1/credit) and bank/institution API (/api/bank/v1/credit)."""

from ninja import Query, Router

from innoreform.core.api_support import responses

from . import models as m
from . import selectors, services
from .schemas import DecisionIn, JobOut, ReasonOut, RejectIn, ReportOut, ScoreOut, VersionOut

router = Router(tags=["credit"])
bank_router = Router(tags=["credit"])


def _version_out(v: m.ModelVersion) -> VersionOut:
    return VersionOut(
        id=v.pk, name=v.name, version=v.version, kind=v.kind, status=v.status, role=v.role, fingerprint=v.fingerprint,
        holdout_auc=v.holdout_auc, holdout_ks=v.holdout_ks,
        submitted_by=v.submitted_by.username if v.submitted_by else None,
        decided_by=v.decided_by.username if v.decided_by else None, submitted_at=v.submitted_at,
        decided_at=v.decided_at,
    )


@router.get("/models", response=responses(list[VersionOut]), operation_id="credit_model_list")
def model_list(request):
    return [_version_out(v) for v in selectors.version_list(actor=request.auth)[:200]]


@router.get("/models/{version_id}", response=responses(ReportOut, 404), operation_id="credit_model_get")
def model_get(request, version_id: int):
    v = selectors.version_get(actor=request.auth, version_id=version_id)
    return ReportOut(version=_version_out(v), report=v.report)


@router.post("/models/{version_id}/approve", response=responses(VersionOut, 403, 404, 409),
             operation_id="credit_model_approve")
def model_approve(request, version_id: int, payload: DecisionIn):
    v = services.version_approve(actor=request.auth, version_id=version_id, role=payload.role, note=payload.note)
    return _version_out(v)


@router.post("/models/{version_id}/reject", response=responses(VersionOut, 403, 404, 409),
             operation_id="credit_model_reject")
def model_reject(request, version_id: int, payload: RejectIn):
    return _version_out(services.version_reject(actor=request.auth, version_id=version_id, note=payload.note))


@router.post("/models/{version_id}/score-registry", response=responses({202: JobOut}, 403, 404, 409),
             operation_id="credit_score_registry")
def score_registry(request, version_id: int):
    job = services.scoring_job_start(actor=request.auth, version_id=version_id)
    job.refresh_from_db()
    return 202, JobOut(id=job.pk, kind=job.kind, status=job.status, total=job.total, done=job.done)


@bank_router.get("/enterprises/{credit_code}/score", response=responses(ScoreOut, 404, 409),
                 operation_id="credit_bank_score")
def bank_score(request, credit_code: str, purpose: Query[str]):
    """The enterprise's credit score with its top adverse reasons, under the enterprise's consent
    for this purpose (404 without it). Every read is recorded with the model version used."""
    record, texts = services.bank_score(actor=request.auth, credit_code=credit_code.strip().upper()[:18],
                                        purpose=purpose)
    return ScoreOut(
        credit_code=record.credit_code, score=record.score, pd=record.pd, model=str(record.model_version),
        model_version_id=record.model_version_id, scored_at=record.created_at,
        reasons=[ReasonOut(variable=r["variable"], points_lost=r["points_lost"], bin=r.get("bin", ""), text=t)
                 for r, t in zip(record.reasons, texts, strict=True)],
    )
