"""Patent navigation: imported datasets (their rows live in Parquet files, see engine/), the
versioned strategic-industry rule table, and the applicant alias table."""

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from innoreform.core.models import Job, Organisation, User
from innoreform.core.regions import Region


class DatasetStatus(models.TextChoices):
    IMPORTING = "importing", _("Importing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Dataset(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("organisation"))
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=DatasetStatus.choices,
                              default=DatasetStatus.IMPORTING)
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    files = models.JSONField(_("files"), default=list, blank=True)
    data_version = models.CharField(_("data version"), max_length=32, blank=True)
    cutoff_date = models.DateField(_("data cut-off"), null=True, blank=True)
    patents = models.PositiveIntegerField(_("patents"), default=0)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    rows_with_warnings = models.PositiveIntegerField(_("rows with warnings"), default=0)
    report = models.JSONField(_("import report"), default=dict, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("patent dataset")
        verbose_name_plural = _("patent datasets")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def path(self) -> Path:
        return Path(settings.MEDIA_ROOT) / "patents" / "datasets" / str(self.pk)

    @property
    def upload_dir(self) -> Path:
        return Path(settings.MEDIA_ROOT) / "patents" / "uploads" / str(self.pk)


class RuleSetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class RuleSet(models.Model):
    """One version of the strategic emerging industry mapping table. Approved versions are
    immutable; the version in force is the latest approved one."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    status = models.CharField(_("status"), max_length=10, choices=RuleSetStatus.choices,
                              default=RuleSetStatus.DRAFT)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    approved_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("industry rule set")
        verbose_name_plural = _("industry rule sets")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version}"


class Position(models.TextChoices):
    UPSTREAM = "upstream", _("Upstream")
    MIDSTREAM = "midstream", _("Midstream")
    DOWNSTREAM = "downstream", _("Downstream")


class IndustryRule(models.Model):
    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rules")
    order = models.PositiveIntegerField(_("order"), default=0)
    industry = models.CharField(_("industry code"), max_length=40)
    industry_zh = models.CharField(_("industry (Chinese)"), max_length=100)
    industry_en = models.CharField(_("industry (English)"), max_length=100)
    segment = models.CharField(_("segment code"), max_length=40)
    segment_zh = models.CharField(_("segment (Chinese)"), max_length=100)
    segment_en = models.CharField(_("segment (English)"), max_length=100)
    position = models.CharField(_("chain position"), max_length=10, choices=Position.choices)
    include = models.TextField(_("IPC prefixes"), blank=True, help_text=_("Separated by semicolons."))
    exclude = models.TextField(_("excluded IPC prefixes"), blank=True)
    keywords = models.TextField(_("required keywords"), blank=True,
                                help_text=_("Any one must appear in the title or abstract; separated by semicolons."))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("industry rule")
        verbose_name_plural = _("industry rules")
        ordering = ["ruleset", "order", "id"]


class ApplicantKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    UNIVERSITY = "university", _("University")
    INSTITUTE = "institute", _("Research institute")
    INDIVIDUAL = "individual", _("Individual")
    OTHER = "other", _("Other")


GD_REGION_CHOICES = [(code, label) for code, label in Region.choices if code.startswith("44")]


class ApplicantAlias(models.Model):
    """Harmonises applicant names: every spelling with this alias's key becomes `canonical`;
    optionally overrides the applicant's kind and Guangdong city. Applied at query time."""

    alias = models.CharField(_("name as written"), max_length=300)
    alias_key = models.CharField(_("matching key"), max_length=300, unique=True)
    canonical = models.CharField(_("harmonised name"), max_length=300)
    kind = models.CharField(_("applicant kind"), max_length=12, choices=ApplicantKind.choices, blank=True)
    city = models.CharField(_("Guangdong city"), max_length=8, choices=GD_REGION_CHOICES, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("applicant alias")
        verbose_name_plural = _("applicant aliases")
        ordering = ["canonical", "alias"]

    def __str__(self) -> str:
        return f"{self.alias} → {self.canonical}"
