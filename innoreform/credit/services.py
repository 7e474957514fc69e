"""Writes for credit: register, approve (maker-checker) and reject model versions; score the
registry as a background job; drift checks; a bank's consented read of one score.

Each service takes keyword-only arguments and an `actor`, runs in one transaction and writes its
audit record in it."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import tempfile
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from innoreform.core import audit
from innoreform.core import services as core_services
from innoreform.core.actor import Actor
from innoreform.core.errors import BadRequest, Conflict, DomainError, NotFound, PermissionDenied
from innoreform.core.models import Job, JobStatus
from innoreform.core.permissions import is_maker_checker_violation
from innoreform.core.selectors import policy_in_force

from . import integration, selectors
from . import models as m
from .engine import metrics, model_io
from .engine.errors import CreditDataError
from .engine.frame import SUPPORTED, Frame, read_table
from .engine.scorecard import Scorecard
from .engine.train import MODEL_KINDS, TrainResult, model_features, score_frame, train
from .permissions import can_use_whole_registry, require
from .policies import DRIFT_KEY

JOB_KIND = "credit.score_registry"
CHUNK = 500


def reason_text(reason: dict) -> str:
    bin_label = reason.get("bin", "")
    if bin_label == "missing":
        bin_label = _("missing")
    elif bin_label == "unseen":
        bin_label = _("a value not seen in training")
    return _("%(variable)s (%(bin)s) lowered the score by %(points)s points") % {
        "variable": integration.feature_label(reason["variable"]), "bin": bin_label, "points": reason["points_lost"]}


def load_model(version: m.ModelVersion):
    return model_io.model_from_dict(version.spec, version.booster_text or None)


# -- registry ---------------------------------------------------------------------------------------
def version_register(*, actor: Actor, name: str, spec: dict, report: dict, booster_text: str = "") -> m.ModelVersion:
    """Submit a trained model for approval as the next version of `name`."""
    require(actor, "credit.model_submit")
    name = name.strip()
    if not name or len(name) > 100:
        raise BadRequest(_("Give the model a name of at most 100 characters."))
    try:
        model_io.model_from_dict(spec, booster_text or None)
    except (CreditDataError, KeyError, TypeError) as exc:
        raise BadRequest(_("The model cannot be read: %(error)s") % {"error": exc}) from exc
    kind = spec["model"]["kind"]
    cv = report.get("cv") or {}  # a report without a holdout gives its cross-validated figures
    holdout = report.get("holdout") or {"auc": cv.get("auc_mean"), "ks": cv.get("ks_mean")}
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
    require(actor, "credit.model_view", hide=True)
    require(actor, "credit.model_approve")
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
        audit.record(actor=actor, action="credit.model_approved", obj=version,
                     changes={"role": role, "note": note[:500]})
    return version


def version_reject(*, actor: Actor, version_id: int, note: str = "") -> m.ModelVersion:
    require(actor, "credit.model_view", hide=True)
    require(actor, "credit.model_approve")
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
def registry_columns_used(version: m.ModelVersion) -> list[str]:
    """The model's columns that a registry snapshot provides."""
    offered = set(integration.registry_feature_names())
    return [f for f in version.spec.get("meta", {}).get("features", []) if f in offered]


def scoring_job_start(*, actor: Actor, version_id: int) -> Job:
    """Queue scoring of every registered enterprise with an approved version; progress on a Job."""
    require(actor, "credit.model_view", hide=True)
    require(actor, "credit.score_registry")
    if not can_use_whole_registry(actor):
        raise PermissionDenied(_("Only a province-level department can score the whole registry."),
                               code="province_only")
    from .tasks import score_registry

    with transaction.atomic():
        version = m.ModelVersion.objects.filter(pk=version_id).first()
        if version is None:
            raise NotFound()
        if version.status != m.VersionStatus.APPROVED:
            raise Conflict(_("Only an approved model version can score the registry."))
        if not registry_columns_used(version):
            # Every enterprise would get the same score, and financing's matching rules read it.
            raise Conflict(_("This model reads none of the registry's columns (%(columns)s), so it cannot score "
                             "registered enterprises. Train it on registry data or on a file with these columns.")
                           % {"columns": ", ".join(integration.registry_feature_names())}, code="no_registry_columns")
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
        message = _("Scored %(n)s enterprises with %(model)s.") % {"n": n, "model": version}
        if absent:
            message += " " + _("Not in the registry, scored as missing: %(columns)s.") % {"columns": ", ".join(absent)}
        with transaction.atomic():
            Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, result=result, finished_at=timezone.now(),
                                                 message=message[:300])
            audit.record(actor=actor, action="credit.scoring_finished", obj=version,
                         changes={"job": str(job.pk), **result}, organisation=job.organisation)
        return result
    except Exception as exc:
        Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, message=str(exc)[:300],
                                             finished_at=timezone.now())
        raise


def drift_check(*, actor: Actor, version: m.ModelVersion, model, frame, scores: np.ndarray,
                job_id=None) -> m.DriftCheck:
    """PSI of the live scores against the training scores (deciles recorded in the report) and,
    for scorecards, of each variable's bins against its training bin counts. The alert threshold
    is the credit.drift policy in force; the check records which version applied."""
    policy = policy_in_force(DRIFT_KEY)
    threshold = float(policy.parameters["psi_alert"])
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
                                            policy_version=policy.version, alert=alert)
        audit.record(actor=actor, action="credit.drift_alert" if alert else "credit.drift_checked", obj=check,
                     changes={"score_psi": score_psi, "threshold": threshold, "alert": alert,
                              "policy_version": policy.version},
                     organisation=version.organisation)
    return check


# -- bank read --------------------------------------------------------------------------------------
def bank_score(*, actor: Actor, credit_code: str, purpose: str) -> tuple[m.ScoreRecord, list[str]]:
    """Score one enterprise for an institution with the enterprise's consent (404 without it).
    Uses the approved champion; records the score with the model version and an audit row."""
    require(actor, "credit.bank_score", hide=True)
    if not integration.consent_allows_credit_score(institution_id=actor.organisation_id, credit_code=credit_code,
                                                   purpose=purpose):
        raise NotFound()
    version = selectors.champion_version()
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


# -- training and file scoring in the background ------------------------------------------------------
TRAIN_JOB_KIND = "credit.train"
SCORE_FILE_JOB_KIND = "credit.score_file"
MAX_UPLOAD_BYTES = 100 * 1024 * 1024

log = logging.getLogger("innoreform.credit")


def _problem_titles() -> dict[str, str]:
    # Engine errors are English one-liners; a translated headline per code tells a portal user
    # what to fix, with the engine's detail (column names, counts) after it.
    return {
        "empty": _("The file has no data rows."),
        "unreadable": _("The file cannot be read."),
        "unsupported": _("This file type is not supported."),
        "duplicate_columns": _("Two columns have the same name."),
        "no_target": _("The target column is not in the data."),
        "missing_target": _("The target column has missing values."),
        "one_class": _("The target has only one class; training needs both good and bad cases."),
        "too_few_rows": _("Too few good or bad cases to train and test a model."),
        "no_features": _("No usable feature columns."),
        "no_signal": _("No feature separates good from bad cases."),
        "no_id": _("The id column is not in the data."),
        "no_column": _("A column named in the request is not in the data."),
        "bad_value": _("The bad value does not occur in the target column."),
        "missing_columns": _("The data lacks columns the model needs."),
    }


def problem_message(exc: CreditDataError) -> str:
    title = _problem_titles().get(exc.code, _("The data cannot be used."))
    return f"{title} {exc}"[:500]


def _check_upload(filename: str, content: bytes) -> str:
    suffix = Path(filename or "").suffix.lower()
    if suffix not in SUPPORTED:
        raise BadRequest(_("Upload a CSV, Excel (.xlsx), Parquet or ARFF file."), code="unsupported")
    if not content:
        raise BadRequest(_("The file is empty."), code="empty")
    if len(content) > MAX_UPLOAD_BYTES:
        raise BadRequest(_("The file is larger than 100 MB."), code="too_large")
    return suffix


def _run_create(*, actor: Actor, kind: str, job_kind: str, source: str, parameters: dict, filename: str = "",
                content: bytes = b"", version: m.ModelVersion | None = None) -> m.Run:
    job = core_services.job_create(actor=actor, kind=job_kind)
    run = m.Run(kind=kind, source=source, parameters=parameters, job=job, model_version=version,
                original_name=Path(filename).name[:255], organisation=actor.organisation, created_by=actor.user)
    if content:
        run.content_sha256 = hashlib.sha256(content).hexdigest()
        run.data.save(f"{job.pk}{Path(filename).suffix.lower()}", ContentFile(content), save=False)
    run.save()
    return run


def training_start(*, actor: Actor, name: str, target: str, source: str = m.RunSource.UPLOAD, filename: str = "",
                   content: bytes = b"", bad: str = "", id_column: str = "", kind: str = "scorecard",
                   seed: int = 0) -> m.Run:
    """Queue training on an uploaded file or the registry snapshot. The task registers the model
    as a submitted version in the starter's name (approval by another person follows)."""
    require(actor, "credit.model_view", hide=True)
    require(actor, "credit.model_submit")
    name, target, bad, id_column = name.strip(), target.strip(), bad.strip(), id_column.strip()
    if not name or len(name) > 100:
        raise BadRequest(_("Give the model a name of at most 100 characters."), code="bad_name")
    if kind not in MODEL_KINDS:
        raise BadRequest(_("Unknown model kind."), code="bad_model")
    if source == m.RunSource.UPLOAD:
        if not target:
            raise BadRequest(_("Name the target column (the one that says good or bad)."), code="no_target")
        _check_upload(filename, content)
    elif source == m.RunSource.REGISTRY:
        if not can_use_whole_registry(actor):
            raise PermissionDenied(_("Only a province-level department can train on the whole registry."),
                                   code="province_only")
        if target not in integration.REGISTRY_LABELS:
            raise BadRequest(_("Choose what counts as bad in the registry."), code="no_target")
        filename, content, id_column = "", b"", ""
    else:
        raise BadRequest(_("Unknown data source."))
    parameters = {"name": name, "target": target, "bad": bad or None, "id_column": id_column or None,
                  "kind": kind, "seed": int(seed), "lang": translation.get_language() or settings.LANGUAGE_CODE}
    from .tasks import train_run

    with transaction.atomic():
        run = _run_create(actor=actor, kind=m.RunKind.TRAIN, job_kind=TRAIN_JOB_KIND, source=source,
                          parameters=parameters, filename=filename, content=content)
        audit.record(actor=actor, action="credit.training_started", obj=run,
                     changes={**parameters, "source": source, "file": run.original_name,
                              "sha256": run.content_sha256, "job": str(run.job_id)})
        run_id = run.pk
        transaction.on_commit(lambda: train_run.enqueue(run_id=run_id))
    return run


def scoring_file_start(*, actor: Actor, version_id: int, filename: str, content: bytes,
                       id_column: str = "", lang: str = "") -> m.Run:
    """Queue scoring of an uploaded file with an approved version; the result is a CSV file."""
    require(actor, "credit.model_view", hide=True)
    require(actor, "credit.score_registry")
    version = m.ModelVersion.objects.filter(pk=version_id).first()
    if version is None:
        raise NotFound()
    if version.status != m.VersionStatus.APPROVED:
        raise Conflict(_("Only an approved model version can score data."))
    _check_upload(filename, content)
    parameters = {"id_column": id_column.strip() or None,
                  "lang": lang or translation.get_language() or settings.LANGUAGE_CODE}
    from .tasks import score_file_run

    with transaction.atomic():
        run = _run_create(actor=actor, kind=m.RunKind.SCORE_FILE, job_kind=SCORE_FILE_JOB_KIND,
                          source=m.RunSource.UPLOAD, parameters=parameters, filename=filename, content=content,
                          version=version)
        audit.record(actor=actor, action="credit.file_scoring_started", obj=run,
                     changes={"version": version.pk, "file": run.original_name, "sha256": run.content_sha256,
                              "job": str(run.job_id)})
        run_id = run.pk
        transaction.on_commit(lambda: score_file_run.enqueue(run_id=run_id))
    return run


def _read_run_data(run: m.Run) -> Frame:
    """The uploaded file as a Frame (through a temporary file: the engine reads by path and
    extension, and the storage may be remote)."""
    suffix = Path(run.data.name).suffix.lower()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"data{suffix}"
        with run.data.open("rb") as src:
            path.write_bytes(src.read())
        return read_table(path)


def _run_failed(run: m.Run, message: str) -> None:
    with transaction.atomic():
        m.Run.objects.filter(pk=run.pk).update(error=message[:500])
        core_services.job_finish(job_id=run.job_id, ok=False, message=message)
        audit.record(actor=Actor.system(run.organisation), action="credit.run_failed", obj=run,
                     changes={"error": message[:500]}, organisation=run.organisation)


def _run_guarded(run_id: int, body) -> dict:
    """Run a task body: bad data ends the job with a clear message; anything else is logged and
    shown as an internal error (never a traceback on the page)."""
    run = m.Run.objects.select_related("job", "organisation", "created_by", "model_version").get(pk=run_id)
    with translation.override(run.parameters.get("lang") or settings.LANGUAGE_CODE):
        try:
            return body(run)
        except CreditDataError as exc:
            _run_failed(run, problem_message(exc))
        except DomainError as exc:
            _run_failed(run, str(exc.message))
        except Exception:
            log.exception("credit run %s failed", run_id)
            _run_failed(run, _("An internal error stopped the job; the operators have been told."))
    return {"ok": False}


def training_run(*, run_id: int) -> dict:
    return _run_guarded(run_id, _train_body)


def _train_body(run: m.Run) -> dict:
    p = run.parameters
    steps = 3
    core_services.job_progress(job_id=run.job_id, done=0, total=steps, message=_("Reading the data"))
    exclude: tuple[str, ...] = ()
    if run.source == m.RunSource.REGISTRY:
        frame = integration.registry_training_frame()
        id_column = integration.REGISTRY_ID_COLUMN
        exclude = tuple(label for label in integration.REGISTRY_LABELS if label != p["target"])
        fp = None
        data_source = "registry snapshot"
    else:
        frame = _read_run_data(run)
        id_column = p.get("id_column")
        fp = run.content_sha256
        data_source = run.original_name
    m.Run.objects.filter(pk=run.pk).update(rows=len(frame))
    core_services.job_progress(job_id=run.job_id, done=1, message=_("Training the model"))
    result = train(frame, target=p["target"], bad=p.get("bad"), id_column=id_column, kind=p["kind"],
                   seed=p.get("seed", 0), exclude=exclude, fingerprint=fp, source=data_source)
    core_services.job_progress(job_id=run.job_id, done=2, message=_("Registering the model version"))
    actor = Actor.for_user(run.created_by, run.organisation_id)
    with transaction.atomic():
        version = version_register_result(actor=actor, name=p["name"], result=result)
        m.Run.objects.filter(pk=run.pk).update(model_version=version)
        summary = model_io.clean_nan(result.summary())
        outcome = {"model_version_id": version.pk, "model": str(version), **summary}
        core_services.job_progress(job_id=run.job_id, done=steps)
        core_services.job_finish(job_id=run.job_id, ok=True, result=json.loads(model_io.dumps(outcome)),
                                 message=_("Registered %(model)s for approval.") % {"model": version})
    return outcome


def scoring_file_run(*, run_id: int) -> dict:
    return _run_guarded(run_id, _score_file_body)


def _score_file_body(run: m.Run) -> dict:
    version = run.model_version
    model = load_model(version)
    frame = _read_run_data(run)
    needed = model_features(model)
    absent = [f for f in needed if f not in frame]
    if absent:
        raise CreditDataError(", ".join(absent), code="missing_columns")
    id_column = run.parameters.get("id_column") or version.spec.get("meta", {}).get("id_column")
    if run.parameters.get("id_column") and id_column not in frame:
        raise CreditDataError(str(id_column), code="no_id")
    ids = frame[id_column] if id_column and id_column in frame else None
    n = len(frame)
    m.Run.objects.filter(pk=run.pk).update(rows=n)
    core_services.job_progress(job_id=run.job_id, done=0, total=n, message=_("Scoring"))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "score", "pd", "reason_1", "reason_2", "reason_3",
                     "reason_1_text", "reason_2_text", "reason_3_text"])
    unseen: dict[str, int] = {}
    for start in range(0, n, CHUNK * 4):
        stop = min(start + CHUNK * 4, n)
        out = score_frame(model, frame.take(np.arange(start, stop)))
        for k, v in out["unseen"].items():
            unseen[k] = unseen.get(k, 0) + int(v)
        for i in range(stop - start):
            rid = ids[start + i] if ids is not None else start + i + 1
            if isinstance(rid, float) and rid.is_integer():
                rid = int(rid)
            reasons = (out["reasons"][i] + [None, None, None])[:3]
            writer.writerow([rid, int(out["score"][i]), f"{out['pd'][i]:.6f}",
                             *[r["variable"] if r else "" for r in reasons],
                             *[reason_text(r) if r else "" for r in reasons]])
        core_services.job_progress(job_id=run.job_id, done=stop)
    outcome = {"rows": n, "model": str(version), "model_version_id": version.pk, "unseen_categories": unseen,
               "warnings": list(frame.warnings)[:20]}
    with transaction.atomic():
        run.result.save(f"scores-{run.job_id}.csv", ContentFile(buffer.getvalue().encode("utf-8-sig")), save=False)
        m.Run.objects.filter(pk=run.pk).update(result=run.result.name)
        core_services.job_finish(job_id=run.job_id, ok=True, result=outcome,
                                 message=_("Scored %(rows)s rows with %(model)s.") % {"rows": n, "model": version})
        audit.record(actor=Actor.system(run.organisation), action="credit.file_scored", obj=run,
                     changes={"rows": n, "version": version.pk}, organisation=run.organisation)
    return outcome
