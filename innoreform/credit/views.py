"""Credit pages: the model registry, a version's validation report (with charts), approval,
registry scoring, and training / file scoring as background runs. Thin: call a selector or
service, render."""

from django.contrib import messages
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from innoreform.core.errors import DomainError
from innoreform.core.forms import NoFilters, apply_domain_error
from innoreform.core.listing import Column, list_page
from innoreform.core.models import JobStatus
from innoreform.core.views import portal_view

from . import models as m
from . import selectors, services
from .forms import ScoreFileForm, TrainForm
from .permissions import can, can_use_whole_registry, require
from .policies import DRIFT_KEY


@portal_view
def model_list(request):
    require(request.actor, "credit.model_view", hide=True)
    versions = selectors.version_list(actor=request.actor)[:200]
    return render(request, "credit/model_list.html", {
        "versions": versions, "can_train": can(request.actor, "credit.model_submit")})


@portal_view
def model_report(request, version_id: int):
    version = selectors.version_get(actor=request.actor, version_id=version_id)
    report = version.report or {}
    charts = [
        {"name": v["name"], "labels": [b["bin"] for b in v["bins"]],
         "woe": [round(b["woe"], 4) for b in v["bins"]],
         "bad_rate": [round(b["bad_rate"], 4) if b["bad_rate"] is not None else None for b in v["bins"]],
         "count": [b["count"] for b in v["bins"]]}
        for v in report.get("variables", [])
    ]
    ctx = {
        "version": version,
        "report": report,
        "charts": charts,
        "drift": selectors.drift_checks(actor=request.actor, version=version)[:10],
        "scores": selectors.recent_scores(actor=request.actor, version=version),
        "can_decide": (can(request.actor, "credit.model_approve") and version.status == m.VersionStatus.SUBMITTED
                       and version.submitted_by_id != request.user.pk),
        "can_score": (can(request.actor, "credit.score_registry") and can_use_whole_registry(request.actor)
                      and version.status == m.VersionStatus.APPROVED),
        "score_form": ScoreFileForm(),
        "registry_columns": services.registry_columns_used(version),
        "model_columns": version.spec.get("meta", {}).get("features", []),
        "drift_policy_key": DRIFT_KEY,
        "chart_data": {"charts": charts, "distribution": report.get("score_distribution"),
                       "calibration": report.get("calibration", []), "lift": report.get("lift", [])},
    }
    return render(request, "credit/model_report.html", ctx)


@portal_view
def model_report_json(request, version_id: int):
    version = selectors.version_get(actor=request.actor, version_id=version_id)
    return JsonResponse({"name": version.name, "version": version.version, "status": version.status,
                         "fingerprint": version.fingerprint, "report": version.report})


def _act(request, version_id: int, fn, success: str):
    try:
        fn()
        messages.success(request, success)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("credit:model_report", version_id=version_id)


@require_POST
@portal_view
def model_approve(request, version_id: int):
    selectors.version_get(actor=request.actor, version_id=version_id)
    role = request.POST.get("role", m.ModelRole.CHAMPION)
    return _act(request, version_id, lambda: services.version_approve(
        actor=request.actor, version_id=version_id, role=role, note=request.POST.get("note", "")),
        _("The model version is approved."))


@require_POST
@portal_view
def model_reject(request, version_id: int):
    selectors.version_get(actor=request.actor, version_id=version_id)
    return _act(request, version_id, lambda: services.version_reject(
        actor=request.actor, version_id=version_id, note=request.POST.get("note", "")),
        _("The model version is rejected."))


@require_POST
@portal_view
def score_registry(request, version_id: int):
    selectors.version_get(actor=request.actor, version_id=version_id)
    try:
        job = services.scoring_job_start(actor=request.actor, version_id=version_id)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("credit:model_report", version_id=version_id)
    messages.success(request, _("Scoring of the registry has started."))
    return redirect("core:job_detail", pk=job.pk)


# -- training and file scoring runs ---------------------------------------------------------------------
RUN_COLUMNS = [
    Column(gettext_lazy("ID"), lambda r: r.pk),
    Column(gettext_lazy("Kind"), lambda r: r.get_kind_display()),
    Column(gettext_lazy("Data"), lambda r: r.original_name or r.get_source_display()),
    Column(gettext_lazy("Model version"), lambda r: str(r.model_version) if r.model_version else ""),
    Column(gettext_lazy("Status"), lambda r: r.job.get_status_display()),
    Column(gettext_lazy("Rows"), lambda r: r.rows),
    Column(gettext_lazy("Error"), lambda r: r.error),
    Column(gettext_lazy("Started by"), lambda r: r.created_by.username),
    Column(gettext_lazy("Started at"), lambda r: r.created_at.isoformat()),
]


@portal_view
def run_list(request):
    require(request.actor, "credit.model_view", hide=True)
    return list_page(request, form_class=NoFilters, columns=RUN_COLUMNS,
                     rows=lambda f: selectors.run_list(actor=request.actor), template="credit/run_list.html",
                     filename="credit-runs", context={"can_train": can(request.actor, "credit.model_submit")})


@portal_view
def train(request):
    require(request.actor, "credit.model_submit", hide=True)
    form = TrainForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        upload = d.get("file") if d["source"] == m.RunSource.UPLOAD else None
        try:
            run = services.training_start(
                actor=request.actor, name=d["name"], source=d["source"],
                target=d["target"] if d["source"] == m.RunSource.UPLOAD else d["registry_label"],
                filename=upload.name if upload else "", content=upload.read() if upload else b"",
                bad=d["bad"], id_column=d["id_column"], kind=d["kind"], seed=d["seed"] or 0)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Training has started; this page shows its progress."))
            return redirect("credit:run_detail", run_id=run.pk)
    return render(request, "credit/train.html", {"form": form})


def _run_context(run: m.Run) -> dict:
    return {"run": run, "job": run.job,
            "finished": run.job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)}


@portal_view
def run_detail(request, run_id: int):
    run = selectors.run_get(actor=request.actor, run_id=run_id)
    return render(request, "credit/run_detail.html", _run_context(run))


@never_cache
@portal_view
def run_status(request, run_id: int):
    """HTMX fragment: polled every second while the job runs; the finished fragment stops polling."""
    run = selectors.run_get(actor=request.actor, run_id=run_id)
    return render(request, "credit/partials/run_status.html", _run_context(run))


@portal_view
def run_result(request, run_id: int):
    run = selectors.run_get(actor=request.actor, run_id=run_id)
    if not run.result:
        raise Http404
    return FileResponse(run.result.open("rb"), as_attachment=True, filename=f"credit-scores-{run.pk}.csv",
                        content_type="text/csv; charset=utf-8")


@require_POST
@portal_view
def score_file(request, version_id: int):
    selectors.version_get(actor=request.actor, version_id=version_id)
    form = ScoreFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("credit:model_report", version_id=version_id)
    upload = form.cleaned_data["file"]
    try:
        run = services.scoring_file_start(actor=request.actor, version_id=version_id, filename=upload.name,
                                          content=upload.read(), id_column=form.cleaned_data["id_column"])
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("credit:model_report", version_id=version_id)
    messages.success(request, _("Scoring of the file has started."))
    return redirect("credit:run_detail", run_id=run.pk)
