"""Credit model registry: model versions with their report and approval, scores (each naming the
model version that produced it) and drift checks. Writes go through services.py only."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from innoreform.core.models import Organisation


class ModelKind(models.TextChoices):
    SCORECARD = "scorecard", _("Scorecard")
    GBM = "gbm", _("Gradient boosting challenger")


class VersionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RETIRED = "retired", _("Retired")


class ModelRole(models.TextChoices):
    CHAMPION = "champion", _("Champion")
    CHALLENGER = "challenger", _("Challenger")


class ModelVersion(models.Model):
    name = models.CharField(_("model name"), max_length=100)
    version = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=16, choices=ModelKind.choices)
    status = models.CharField(_("status"), max_length=16, choices=VersionStatus.choices,
                              default=VersionStatus.SUBMITTED)
    role = models.CharField(_("role"), max_length=16, choices=ModelRole.choices, blank=True)
    spec = models.JSONField(_("model"))  # model.json: format, meta, model
    booster_text = models.TextField(blank=True)  # the challenger's LightGBM text model
    report = models.JSONField(_("validation report"), default=dict)
    fingerprint = models.CharField(_("data fingerprint (SHA-256)"), max_length=64)
    holdout_auc = models.FloatField(_("holdout AUC"), null=True)
    holdout_ks = models.FloatField(_("holdout KS"), null=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", null=True,
                                     verbose_name=_("organisation"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     null=True, verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True, verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("credit model version")
        verbose_name_plural = _("credit model versions")
        ordering = ["name", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="uniq_credit_model_version")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ScoreRecord(models.Model):
    """One score as produced: who asked, for which enterprise, with which model version."""

    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="scores",
                                      verbose_name=_("model version"))
    credit_code = models.CharField(_("unified social credit code"), max_length=18, db_index=True)
    enterprise_name = models.CharField(_("enterprise"), max_length=200, blank=True)
    score = models.IntegerField(_("score"))
    pd = models.FloatField(_("probability of default"))
    reasons = models.JSONField(_("reasons"), default=list)
    job_id = models.UUIDField(null=True, blank=True, db_index=True)
    requested_by = models.CharField(_("requested by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("scored at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("credit score")
        verbose_name_plural = _("credit scores")
        ordering = ["-id"]
        indexes = [models.Index(fields=["credit_code", "-id"])]


class DriftCheck(models.Model):
    """Population stability of scores and features between training and a live population."""

    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="drift_checks",
                                      verbose_name=_("model version"))
    job_id = models.UUIDField(null=True, blank=True)
    population = models.PositiveIntegerField(_("population"))
    score_psi = models.FloatField(_("score PSI"))
    feature_psi = models.JSONField(_("feature PSI"), default=dict)
    threshold = models.FloatField(_("alert threshold"))
    # The version of the credit.drift policy whose threshold applied (null: checks before the policy).
    policy_version = models.PositiveIntegerField(_("policy version"), null=True, blank=True)
    alert = models.BooleanField(_("alert"), default=False)
    created_at = models.DateTimeField(_("checked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("drift check")
        verbose_name_plural = _("drift checks")
        ordering = ["-id"]


class RunKind(models.TextChoices):
    TRAIN = "train", _("Model training")
    SCORE_FILE = "score_file", _("File scoring")


class RunSource(models.TextChoices):
    UPLOAD = "upload", _("Uploaded file")
    REGISTRY = "registry", _("Registry snapshot")


class Run(models.Model):
    """A training or file-scoring request done in the background: the uploaded data (kept so the
    version's data fingerprint can be checked against it), the choices made, the core Job that
    shows progress, and what came out (the registered version, or the scores file)."""

    kind = models.CharField(_("kind"), max_length=16, choices=RunKind.choices)
    source = models.CharField(_("data source"), max_length=16, choices=RunSource.choices)
    data = models.FileField(_("data file"), upload_to="credit/runs/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_sha256 = models.CharField(_("content hash"), max_length=64, blank=True)
    parameters = models.JSONField(_("parameters"), default=dict)
    job = models.OneToOneField("core.Job", on_delete=models.PROTECT, related_name="+", verbose_name=_("job"))
    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="runs", null=True,
                                      blank=True, verbose_name=_("model version"))
    result = models.FileField(_("result file"), upload_to="credit/results/", blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", null=True,
                                     verbose_name=_("organisation"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("started by"))
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)

    class Meta:
        verbose_name = _("credit run")
        verbose_name_plural = _("credit runs")
        ordering = ["-id"]

    @property
    def model_kind_label(self) -> str:
        kind = self.parameters.get("kind")
        return ModelKind(kind).label if kind in ModelKind.values else (kind or "")
