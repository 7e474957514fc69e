"""Reads for credit, scoped by the actor (invisible objects are NotFound)."""

from django.db.models import QuerySet

from innoreform.core.actor import Actor
from innoreform.core.errors import NotFound

from . import models as m
from .policies import can


def version_list(*, actor: Actor) -> QuerySet[m.ModelVersion]:
    if not can(actor, "credit.model_view"):
        return m.ModelVersion.objects.none()
    return m.ModelVersion.objects.select_related("submitted_by", "decided_by").defer("spec", "booster_text", "report")


def version_get(*, actor: Actor, version_id: int) -> m.ModelVersion:
    version = m.ModelVersion.objects.filter(pk=version_id).select_related("submitted_by", "decided_by").first()
    if version is None or not can(actor, "credit.model_view"):
        raise NotFound()
    return version


def drift_checks(*, actor: Actor, version: m.ModelVersion) -> QuerySet[m.DriftCheck]:
    if not can(actor, "credit.model_view"):
        return m.DriftCheck.objects.none()
    return version.drift_checks.all()


def recent_scores(*, actor: Actor, version: m.ModelVersion, limit: int = 20) -> list[m.ScoreRecord]:
    if not can(actor, "credit.model_view"):
        return []
    return list(version.scores.order_by("-id")[:limit])
