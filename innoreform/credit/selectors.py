"""Reads for credit, scoped by the actor (invisible objects are NotFound)."""

from django.db.models import QuerySet

from innoreform.core.actor import Actor
from innoreform.core.errors import NotFound
from innoreform.registry import selectors as registry_selectors

from . import models as m
from .permissions import can


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
    scores = version.scores.all()
    if actor.city_limit:
        # A city department sees the scores of its city's registered firms only (their codes,
        # through the registry's own actor-scoped selector).
        scores = scores.filter(credit_code__in=registry_selectors.enterprise_list(actor=actor).values("credit_code"))
    return list(scores.order_by("-id")[:limit])


def champion_version() -> m.ModelVersion | None:
    """The champion in force for enterprises: the most recently approved champion that reads at
    least one registry column. A loan-level model (trained on loan files, say the SBA case) may
    be a champion for scoring such files, but would give every enterprise the same score."""
    from .integration import registry_feature_names

    offered = set(registry_feature_names())
    champions = (m.ModelVersion.objects.filter(status=m.VersionStatus.APPROVED, role=m.ModelRole.CHAMPION)
                 .order_by("-decided_at", "-id"))
    for version in champions.iterator():
        if offered.intersection(version.spec.get("meta", {}).get("features", [])):
            return version
    return None


def latest_score_value(*, credit_code: str) -> float | None:
    """The enterprise's latest score from the champion model, or None if the champion has not
    scored it.

    No actor, unlike every other selector here: this is a system lookup that financing's
    eligibility matching (financing.facts.credit_score) makes on behalf of the enterprise itself
    or of the platform, to test a rule such as "credit score >= 600". It returns one number, no
    reasons and no PD, and it reads only stored scores (it never scores, so it leaves no
    ScoreRecord); an institution's own read goes through services.bank_score, which checks the
    enterprise's consent and records the read."""
    version = champion_version()
    if version is None or not credit_code:
        return None
    score = (m.ScoreRecord.objects.filter(model_version=version, credit_code=credit_code.strip().upper())
             .order_by("-id").values_list("score", flat=True).first())
    return float(score) if score is not None else None


def run_list(*, actor: Actor) -> QuerySet[m.Run]:
    if not can(actor, "credit.model_view"):
        return m.Run.objects.none()
    runs = m.Run.objects.select_related("job", "model_version", "created_by")
    # A run's result lists the scored firms: a city department sees its own organisation's runs.
    return runs.filter(organisation_id=actor.organisation_id) if actor.city_limit else runs


def run_get(*, actor: Actor, run_id: int) -> m.Run:
    run = run_list(actor=actor).filter(pk=run_id).first()
    if run is None:
        raise NotFound()
    return run
