"""Writes for credit: register, approve (maker-checker) and reject model versions; score the
registry as a background job; drift checks; a bank's consented read of one score.

Each service takes keyword-only arguments and an `actor`, runs in one transaction and writes its
audit record in it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.errors import BadRequest, Conflict, NotFound, PermissionDenied
from innoreform.core.models import Job, JobStatus
from innoreform.core.policies import is_maker_checker_violation

from . import integration
from . import models as m
from .engine import metrics, model_io
from .engine.errors import CreditDataError
from .engine.scorecard import Scorecard
from .engine.train import TrainResult, score_frame
from .policies import can

PSI_ALERT = 0.25  # conventional: < 0.1 stable, 0.1-0.25 watch, > 0.25 shifted
JOB_KIND = "credit.score_registry"
CHUNK = 500


def _require(actor: Actor, operation: str) -> None:
    if not can(actor, operation):
        raise PermissionDenied()


def reason_text(reason: dict) -> str:
    bin_label = reason.get("bin", "")
    if bin_label == "missing":
        bin_label = _("missing")
    elif bin_label == "unseen":
        bin_label = _("a value not seen in training")
    return _("%(variable)s (%(bin)s) lowered the score by %(points)s points") % {
        "variable": reason["variable"], "bin": bin_label, "points": reason["points_lost"]}


def load_model(version: m.ModelVersion):
    return model_io.model_from_dict(version.spec, version.booster_text or None)


# -- registry ---------------------------------------------------------------------------------------
def version_register(*, actor: Actor, name: str, spec: dict, report: dict, booster_text: str = "") -> m.ModelVersion:
    """Submit a trained model for approval as the next version of `name`."""
    _require(actor, "credit.model_submit")
    name = name.strip()
    if not name or len(name) > 100:
        raise BadRequest(_("Give the model a name of at most 100 characters."))
    try:
        model_io.model_from_dict(spec, booster_text or None)
    except (CreditDataError, KeyError, TypeError) as exc:
        raise BadRequest(_("The model cannot be read: %(error)s") % {"error": exc}) from exc
    kind = spec["model"]["kind"]
    holdout = report.get("holdout", {})
    with transaction.atomic():
        last = m.ModelVersion.objects.select_for_update().filter(name=name).aggregate(v=Max("version"))["v"] or 0
        version = m.ModelVersion.objects.create(
            name=name, version=last + 1, kind=kind, spec=spec, booster_text=booster_text, report=report,
            fingerprint=spec.get("meta", {}).get("fingerprint", "")[:64], holdout_auc=holdout.get("auc"),
            holdout_ks=holdout.get("ks"), organisation=actor.organisation, submitted_by=actor.user,
        )
        audit.record(actor=actor, action="credit.model_submitted", obj=version,
                     changes={"name": name, "version": version.version, "kind": kind,
                              "fingerprint": version.fingerprint, "holdout_auc": version.holdout_auc})
    return version


def version_register_result(*, actor: Actor, name: str, result: TrainResult) -> m.ModelVersion:
    spec = json.loads(model_io.dumps(model_io.clean_nan(model_io.model_to_dict(result.model, result.meta))))
    report = json.loads(model_io.dumps(model_io.clean_nan(result.report)))
    return version_register(actor=actor, name=name, spec=spec, report=report,
                            booster_text=getattr(result.model, "booster_text", "") or "")


def version_register_dir(*, actor: Actor, name: str, directory: str | Path) -> m.ModelVersion:
    directory = Path(directory)
    model_io.load(directory)  # validates the directory
    spec = json.loads((directory / "model.json").read_text(encoding="utf-8"))
    booster = directory / "booster.txt"
    return version_register(actor=actor, name=name, spec=spec, report=model_io.load_report(directory),
                            booster_text=booster.read_text(encoding="utf-8") if booster.exists() else "")


def _locked_version(version_id: int) -> m.ModelVersion:
    version = m.ModelVersion.objects.select_for_update().filter(pk=version_id).first()
    if version is None:
        raise NotFound()
    return version


def version_approve(*, actor: Actor, version_id: int, role: str = m.ModelRole.CHAMPION,
                    note: str = "") -> m.ModelVersion:
    """Approve a submitted version as champion or challenger. The approver is never the submitter.
    A new champion retires the previous champion of the same model name."""
    if not can(actor, "credit.model_view"):
        raise NotFound()
    _require(actor, "credit.model_approve")
    if role not in m.ModelRole.values:
        raise BadRequest(_("Unknown role."))
    with transaction.atomic():
        version = _locked_version(version_id)
        if is_maker_checker_violation(submitted_by_id=version.submitted_by_id,
                                      approver_id=actor.user.pk if actor.user else None):
            raise PermissionDenied(_("You submitted this model version; another approver must decide."),
                                   code="maker_checker")
        if version.status != m.VersionStatus.SUBMITTED:
            raise Conflict(_("Only a submitted version can be approved."))
        if role == m.ModelRole.CHAMPION:
            previous = list(m.ModelVersion.objects.select_for_update().filter(
                name=version.name, role=m.ModelRole.CHAMPION, status=m.VersionStatus.APPROVED).exclude(pk=version.pk))
            for p in previous:
                p.status = m.VersionStatus.RETIRED
                p.role = ""
                p.save(update_fields=["status", "role"])
                audit.record(actor=actor, action="credit.model_retired", obj=p, changes={"replaced_by": version.pk})
        version.status = m.VersionStatus.APPROVED
        version.role = role
        version.decided_by = actor.user
        version.decided_at = timezone.now()
        version.decision_note = note[:500]
        version.save(update_fields=["status", "role", "decided_by", "decided_at", "decision_note"])
        audit.record(actor=actor, action="credit.model_approved", obj=version, changes={"role": role, "note": note[:500]})
    return version


def version_reject(*, actor: Actor, version_id: int, note: str = "") -> m.ModelVersion:
    if not can(actor, "credit.model_view"):
        raise NotFound()
    _require(actor, "credit.model_approve")
    with transaction.atomic():
        version = _locked_version(version_id)
        if is_maker_checker_violation(submitted_by_id=version.submitted_by_id,
                                      approver_id=actor.user.pk if actor.user else None):
            raise PermissionDenied(_("You submitted this model version; another approver must decide."),
                                   code="maker_checker")
        if version.status != m.VersionStatus.SUBMITTED:
            raise Conflict(_("Only a submitted version can be rejected."))
        version.status = m.VersionStatus.REJECTED
        version.decided_by = actor.user
        version.decided_at = timezone.now()
        version.decision_note = note[:500]
        version.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit.record(actor=actor, action="credit.model_rejected", obj=version, changes={"note": note[:500]})
    return version


# -- batch scoring ----------------------------------------------------------------------------------
def scoring_job_start(*, actor: Actor, version_id: int) -> Job:
    """Queue scoring of every registered enterprise with an approved version; progress on a Job."""
    if not can(actor, "credit.model_view"):
        raise NotFound()
    _require(actor, "credit.score_registry")
    from .tasks import score_registry

    with transaction.atomic():
        version = m.ModelVersion.objects.filter(pk=version_id).first()
        if version is None:
            raise NotFound()
        if version.status != m.VersionStatus.APPROVED:
            raise Conflict(_("Only an approved model version can score the registry."))
        job = Job.objects.create(kind=JOB_KIND, owner=actor.user, organisation=actor.organisation,
                                 message=str(version))
        audit.record(actor=actor, action="credit.scoring_started", obj=version, changes={"job": str(job.pk)})
        job_id, vid = str(job.pk), version.pk
        transaction.on_commit(lambda: score_registry.enqueue(job_id=job_id, version_id=vid))
    return job


def scoring_job_run(*, job_id: str, version_id: int) -> dict:
    """The task body: score the registry snapshot in chunks, recording progress, then check drift."""
    actor = Actor.system()
    job = Job.objects.get(pk=job_id)
    version = m.ModelVersion.objects.get(pk=version_id)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    try:
        model = load_model(version)
        snap = integration.registry_snapshot()
        n = len(snap.credit_codes)
        Job.objects.filter(pk=job.pk).update(total=n)
        scores = np.zeros(n, dtype=np.int64)
        absent: list[str] = []
        for start in range(0, n, CHUNK):
            stop = min(start + CHUNK, n)
            part = snap.frame.take(np.arange(start, stop))
            out = score_frame(model, part, absent_as_missing=True)
            absent = out["absent"]
            scores[start:stop] = out["score"]
            with transaction.atomic():
                m.ScoreRecord.objects.bulk_create([
                    m.ScoreRecord(model_version=version, credit_code=snap.credit_codes[start + i],
                                  enterprise_name=snap.names[start + i][:200], score=int(out["score"][i]),
                                  pd=float(out["pd"][i]), reasons=out["reasons"][i], job_id=job.pk,
                                  requested_by="system")
                    for i in range(stop - start)
                ])
                Job.objects.filter(pk=job.pk).update(done=stop)
        drift = drift_check(actor=actor, version=version, model=model, frame=snap.frame, scores=scores,
                            job_id=job.pk) if n else None
        result = {"scored": n, "absent_columns": absent, "score_psi": drift.score_psi if drift else None,
                  "alert": bool(drift and drift.alert)}
        with transaction.atomic():
            Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, result=result, finished_at=timezone.now())
            audit.record(actor=actor, action="credit.scoring_finished", obj=version,
                         changes={"job": str(job.pk), **result}, organisation=job.organisation)
        return result
    except Exception as exc:
        Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, message=str(exc)[:300],
                                             finished_at=timezone.now())
        raise


def drift_check(*, actor: Actor, version: m.ModelVersion, model, frame, scores: np.ndarray,
                job_id=None, threshold: float = PSI_ALERT) -> m.DriftCheck:
    """PSI of the live scores against the training scores (deciles recorded in the report) and,
    for scorecards, of each variable's bins against its training bin counts."""
    report = version.report or {}
    edges = report.get("score_edges") or metrics.score_edges(scores)
    expected = report.get("train_score_counts") or np.bincount(np.searchsorted(edges, scores, side="right"),
                                                               minlength=len(edges) + 1)
    live = np.bincount(np.searchsorted(edges, scores, side="right"), minlength=len(edges) + 1)
    score_psi = metrics.psi_from_counts(np.asarray(expected), live)
    feature_psi = {}
    if isinstance(model, Scorecard):
        for b in model.variables:
            if b.name not in frame:
                continue
            size = b.unseen_index + 1
            counts = np.bincount(b.index(frame[b.name]), minlength=size)
            feature_psi[b.name] = metrics.psi_from_counts(np.r_[b.n, 0], counts)
    alert = score_psi > threshold or any(v > threshold for v in feature_psi.values())
    with transaction.atomic():
        check = m.DriftCheck.objects.create(model_version=version, job_id=job_id, population=len(scores),
                                            score_psi=score_psi, feature_psi=feature_psi, threshold=threshold,
                                            alert=alert)
        audit.record(actor=actor, action="credit.drift_alert" if alert else "credit.drift_checked", obj=check,
                     changes={"score_psi": score_psi, "threshold": threshold, "alert": alert},
                     organisation=version.organisation)
    return check


# -- bank read --------------------------------------------------------------------------------------
def bank_score(*, actor: Actor, credit_code: str, purpose: str) -> tuple[m.ScoreRecord, list[str]]:
    """Score one enterprise for an institution with the enterprise's consent (404 without it).
    Uses the approved champion; records the score with the model version and an audit row."""
    if not can(actor, "credit.bank_score"):
        raise NotFound()
    if not integration.consent_allows_credit_score(institution_id=actor.organisation_id, credit_code=credit_code,
                                                   purpose=purpose):
        raise NotFound()
    version = (m.ModelVersion.objects.filter(status=m.VersionStatus.APPROVED, role=m.ModelRole.CHAMPION)
               .order_by("-decided_at", "-id").first())
    if version is None:
        raise Conflict(_("No approved champion model is in force."), code="no_model")
    snap = integration.registry_snapshot([credit_code])
    if not snap.credit_codes:
        raise NotFound()
    out = score_frame(load_model(version), snap.frame, absent_as_missing=True)
    with transaction.atomic():
        record = m.ScoreRecord.objects.create(
            model_version=version, credit_code=credit_code, enterprise_name=snap.names[0][:200],
            score=int(out["score"][0]), pd=float(out["pd"][0]), reasons=out["reasons"][0],
            requested_by=actor.label)
        audit.record(actor=actor, action="credit.score_read", obj=record,
                     changes={"credit_code": credit_code, "purpose": purpose, "model_version": version.pk})
    return record, [reason_text(r) for r in record.reasons]
