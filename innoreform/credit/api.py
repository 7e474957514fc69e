"""Portal API (/api/v1/credit) and bank/institution API (/api/bank/v1/credit)."""

from django.urls import reverse
from ninja import File, Form, Query, Router, Status, UploadedFile

from innoreform.core.api_support import DbId, responses

from . import models as m
from . import selectors, services
from .schemas import (
    CreditRunOut,
    DecisionIn,
    ModelReportOut,
    ReasonOut,
    RejectIn,
    ScoreOut,
    ScoringJobOut,
    VersionOut,
)

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


@router.get("/models/{version_id}", response=responses(ModelReportOut, 404), operation_id="credit_model_get")
def model_get(request, version_id: DbId):
    v = selectors.version_get(actor=request.auth, version_id=version_id)
    return ModelReportOut(version=_version_out(v), report=v.report)


@router.post("/models/{version_id}/approve", response=responses(VersionOut, 403, 404, 409),
             operation_id="credit_model_approve")
def model_approve(request, version_id: DbId, payload: DecisionIn):
    v = services.version_approve(actor=request.auth, version_id=version_id, role=payload.role, note=payload.note)
    return _version_out(v)


@router.post("/models/{version_id}/reject", response=responses(VersionOut, 403, 404, 409),
             operation_id="credit_model_reject")
def model_reject(request, version_id: DbId, payload: RejectIn):
    return _version_out(services.version_reject(actor=request.auth, version_id=version_id, note=payload.note))


@router.post("/models/{version_id}/score-registry", response=responses({202: ScoringJobOut}, 403, 404, 409),
             operation_id="credit_score_registry")
def score_registry(request, version_id: DbId):
    job = services.scoring_job_start(actor=request.auth, version_id=version_id)
    job.refresh_from_db()
    return Status(202, ScoringJobOut(id=job.pk, kind=job.kind, status=job.status, total=job.total, done=job.done))


def _run_out(r: m.Run) -> CreditRunOut:
    job = r.job
    return CreditRunOut(
        id=r.pk, kind=r.kind, source=r.source, status=job.status, done=job.done, total=job.total,
        message=job.message, error=r.error, original_name=r.original_name, content_sha256=r.content_sha256,
        parameters=r.parameters, rows=r.rows, model_version_id=r.model_version_id,
        result_url=reverse("credit:run_result", args=[r.pk]) if r.result else None, job_id=job.pk,
        created_at=r.created_at,
    )


@router.post("/runs/train", response=responses({202: CreditRunOut}, 403, 404), operation_id="credit_train")
def train(request, name: str = Form(..., min_length=1, max_length=100), target: Form[str] = "",
          source: Form[str] = m.RunSource.UPLOAD, bad: Form[str] = "", id_column: Form[str] = "",
          kind: Form[str] = m.ModelKind.SCORECARD, seed: Form[int] = 0, file: File[UploadedFile] = None):
    """Train on an uploaded file (CSV, Excel, Parquet, ARFF) or, with source=registry, on the
    registry snapshot (target: dishonest_debtor or abnormal_operation). Runs in the background;
    poll GET /runs/{id}. On success the model is a submitted version awaiting approval."""
    run = services.training_start(
        actor=request.auth, name=name, target=target, source=source, bad=bad, id_column=id_column, kind=kind,
        seed=max(0, min(seed, 2**31 - 1)), filename=file.name if file is not None else "",
        content=file.read() if file is not None else b"")
    return Status(202, _run_out(selectors.run_get(actor=request.auth, run_id=run.pk)))


@router.post("/models/{version_id}/score-file", response=responses({202: CreditRunOut}, 403, 404, 409),
             operation_id="credit_score_file")
def score_file(request, version_id: DbId, file: File[UploadedFile], id_column: Form[str] = ""):
    """Score an uploaded file with an approved version in the background; when the run has
    succeeded, result_url gives the CSV (id, score, pd, top three reasons)."""
    run = services.scoring_file_start(actor=request.auth, version_id=version_id, filename=file.name or "",
                                      content=file.read(), id_column=id_column)
    return Status(202, _run_out(selectors.run_get(actor=request.auth, run_id=run.pk)))


@router.get("/runs", response=responses(list[CreditRunOut]), operation_id="credit_run_list")
def run_list(request):
    return [_run_out(r) for r in selectors.run_list(actor=request.auth)[:200]]


@router.get("/runs/{run_id}", response=responses(CreditRunOut, 404), operation_id="credit_run_get")
def run_get(request, run_id: DbId):
    return _run_out(selectors.run_get(actor=request.auth, run_id=run_id))


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
