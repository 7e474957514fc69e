"""Credit pages: the model registry, a version's validation report (with charts), approval and
registry scoring. Thin: call a selector or service, render."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from innoreform.core.errors import DomainError
from innoreform.core.views import portal_view

from . import models as m
from . import selectors, services
from .policies import can


def require(actor, operation: str) -> None:
    """Pages an actor may not use do not exist for them (404, never 403); credit operations."""
    if not can(actor, operation):
        raise Http404


@portal_view
def model_list(request):
    require(request.actor, "credit.model_view")
    versions = selectors.version_list(actor=request.actor)[:200]
    return render(request, "credit/model_list.html", {"versions": versions})


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
        "can_score": can(request.actor, "credit.score_registry") and version.status == m.VersionStatus.APPROVED,
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
