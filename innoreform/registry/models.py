"""The tech-SME information database: enterprises keyed by unified social credit code, their
yearly indicators, ownership, qualifications, IP, awards, R&D institutions, standards and
judicial records; imports; the 科技型中小企业 annual cycle; the innovation index; consented
sharing with banks. Data only: writes go through services.py."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from innoreform.core.models import Job, Organisation
from innoreform.core.regions import Region


class ActualController(models.Model):
    """The person or body that ultimately controls one or more enterprises (a group).

    `key` is a SHA-256 of the controller's identity as given by market regulation, so the
    platform groups enterprises without storing an ID number in clear."""

    key = models.CharField(max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("actual controller")
        verbose_name_plural = _("actual controllers")

    def __str__(self) -> str:
        return self.name


class Enterprise(models.Model):
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200)
    organisation = models.OneToOneField(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="registry_enterprise",
        verbose_name=_("platform account"),
    )
    region = models.CharField(_("city"), max_length=8, choices=Region.choices)
    district = models.CharField(_("district"), max_length=64, blank=True)
    industry_code = models.CharField(_("industry (GB/T 4754)"), max_length=5, blank=True)
    industry_restricted = models.BooleanField(_("prohibited, restricted or obsolete industry"), default=False)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    registered_capital_fen = models.BigIntegerField(_("registered capital (fen)"), null=True, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    actual_controller = models.ForeignKey(
        ActualController, on_delete=models.SET_NULL, null=True, blank=True, related_name="enterprises",
        verbose_name=_("actual controller"),
    )
    major_incident = models.BooleanField(
        _("major safety, quality or environmental incident in the last year"), default=False
    )
    customs_credit_rating = models.CharField(_("customs credit rating"), max_length=32, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["id"]
        indexes = [models.Index(fields=["region", "industry_code"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.credit_code})"


class Shareholder(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Natural person")
        ORGANISATION = "organisation", _("Organisation")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="shareholders")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    credit_code = models.CharField(_("credit code"), max_length=18, blank=True)
    share_percent = models.DecimalField(_("share (%)"), max_digits=7, decimal_places=4)

    class Meta:
        verbose_name = _("shareholder")
        verbose_name_plural = _("shareholders")
        constraints = [models.UniqueConstraint(fields=["enterprise", "name"], name="uniq_registry_shareholder")]


class YearlyIndicator(models.Model):
    """One enterprise's figures for one year, merged from the sources (money in fen)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="indicators")
    year = models.PositiveSmallIntegerField(_("year"))
    staff_total = models.IntegerField(_("staff"), null=True, blank=True)
    insured_staff = models.IntegerField(_("staff with social insurance"), null=True, blank=True)
    tech_staff = models.IntegerField(_("technical staff"), null=True, blank=True)
    sales_fen = models.BigIntegerField(_("sales (fen)"), null=True, blank=True)
    total_assets_fen = models.BigIntegerField(_("total assets (fen)"), null=True, blank=True)
    rd_expense_fen = models.BigIntegerField(_("R&D expense (fen)"), null=True, blank=True)
    total_cost_fen = models.BigIntegerField(_("total cost (fen)"), null=True, blank=True)
    import_fen = models.BigIntegerField(_("imports (fen)"), null=True, blank=True)
    export_fen = models.BigIntegerField(_("exports (fen)"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("yearly indicators")
        verbose_name_plural = _("yearly indicators")
        ordering = ["enterprise_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="uniq_registry_indicator_year")]


class QualificationKind(models.TextChoices):
    HIGH_TECH = "high_tech", _("High and new technology enterprise")
    SPECIALISED = "specialised", _("Specialised, refined, distinctive and innovative SME")
    LITTLE_GIANT = "little_giant", _("Little giant")
    INNOVATIVE_SME = "innovative_sme", _("Innovative SME")


class Qualification(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="qualifications")
    kind = models.CharField(_("kind"), max_length=20, choices=QualificationKind.choices)
    certificate_no = models.CharField(_("certificate number"), max_length=64)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        constraints = [models.UniqueConstraint(fields=["kind", "certificate_no"], name="uniq_registry_certificate")]


class IpKind(models.TextChoices):
    INVENTION_PATENT = "invention_patent", _("Invention patent")
    UTILITY_MODEL = "utility_model", _("Utility model")
    DESIGN_PATENT = "design_patent", _("Design patent")
    SOFTWARE_COPYRIGHT = "software_copyright", _("Software copyright")
    IC_LAYOUT = "ic_layout", _("Integrated circuit layout design")
    PLANT_VARIETY = "plant_variety", _("Plant variety")
    CROP_VARIETY = "crop_variety", _("National crop variety")
    NEW_DRUG = "new_drug", _("National new drug")
    PROTECTED_TCM = "protected_tcm", _("First-class protected TCM variety")


class IpStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    VALID = "valid", _("Valid")
    LAPSED = "lapsed", _("Lapsed")
    INVALIDATED = "invalidated", _("Invalidated")


class IntellectualProperty(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="ip_rights")
    kind = models.CharField(_("kind"), max_length=20, choices=IpKind.choices)
    number = models.CharField(_("number"), max_length=64)
    title = models.CharField(_("title"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=IpStatus.choices)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    granted_on = models.DateField(_("granted on"), null=True, blank=True)
    citations = models.PositiveIntegerField(_("forward citations"), default=0)
    family_size = models.PositiveIntegerField(_("family size"), default=1)
    ipc = models.CharField(_("IPC codes"), max_length=300, blank=True)  # ";"-separated

    class Meta:
        verbose_name = _("intellectual property right")
        verbose_name_plural = _("intellectual property rights")
        constraints = [models.UniqueConstraint(fields=["kind", "number"], name="uniq_registry_ip_number")]
        indexes = [models.Index(fields=["enterprise", "kind", "status"])]


class Level(models.TextChoices):
    INTERNATIONAL = "international", _("International")
    NATIONAL = "national", _("National")
    INDUSTRY = "industry", _("Industry")
    PROVINCIAL = "provincial", _("Provincial")
    CITY = "city", _("City")
    LOCAL = "local", _("Local")
    GROUP = "group", _("Group")


class Award(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="awards")
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    name = models.CharField(_("award"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    rank = models.PositiveSmallIntegerField(_("rank among the units"))

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [models.UniqueConstraint(fields=["enterprise", "name", "year"], name="uniq_registry_award")]


class RdInstitution(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="rd_institutions")
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    name = models.CharField(_("name"), max_length=200)
    recognised_year = models.PositiveSmallIntegerField(_("recognised in"))

    class Meta:
        verbose_name = _("R&D institution")
        verbose_name_plural = _("R&D institutions")
        constraints = [models.UniqueConstraint(fields=["enterprise", "name"], name="uniq_registry_rd_institution")]


class StandardRecord(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="standards")
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    code = models.CharField(_("standard number"), max_length=64)
    name = models.CharField(_("name"), max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    led = models.BooleanField(_("led the drafting"), default=True)

    class Meta:
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        constraints = [models.UniqueConstraint(fields=["enterprise", "code"], name="uniq_registry_standard")]


class CourtJudgment(models.Model):
    class Role(models.TextChoices):
        PLAINTIFF = "plaintiff", _("Plaintiff")
        DEFENDANT = "defendant", _("Defendant")
        THIRD_PARTY = "third_party", _("Third party")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="judgments")
    case_number = models.CharField(_("case number"), max_length=64)
    court = models.CharField(_("court"), max_length=200)
    judged_on = models.DateField(_("judged on"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    cause = models.CharField(_("cause of action"), max_length=200, blank=True)
    amount_fen = models.BigIntegerField(_("amount (fen)"), default=0)

    class Meta:
        verbose_name = _("court judgment")
        verbose_name_plural = _("court judgments")
        constraints = [models.UniqueConstraint(fields=["enterprise", "case_number"], name="uniq_registry_judgment")]


class DishonestDebtorEntry(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="dishonest_entries")
    case_number = models.CharField(_("case number"), max_length=64)
    court = models.CharField(_("court"), max_length=200)
    listed_on = models.DateField(_("listed on"))
    removed_on = models.DateField(_("removed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("dishonest-debtor entry")
        verbose_name_plural = _("dishonest-debtor entries")
        constraints = [models.UniqueConstraint(fields=["enterprise", "case_number"], name="uniq_registry_dishonest")]


class AbnormalOperationEntry(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="abnormal_entries")
    listed_on = models.DateField(_("listed on"))
    reason = models.CharField(_("reason"), max_length=300)
    authority = models.CharField(_("deciding authority"), max_length=200, blank=True)
    removed_on = models.DateField(_("removed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("abnormal-operation entry")
        verbose_name_plural = _("abnormal-operation entries")
        constraints = [models.UniqueConstraint(fields=["enterprise", "listed_on"], name="uniq_registry_abnormal")]


# --- imports ----------------------------------------------------------------------------------------


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    APPLIED = "applied", _("Applied")
    REJECTED = "rejected", _("Rejected: errors found, nothing imported")
    DUPLICATE = "duplicate", _("Same file already imported: nothing changed")
    FAILED = "failed", _("Failed")


def import_upload_to(instance, filename: str) -> str:
    return f"registry/imports/{instance.template}/{instance.content_sha256[:2]}/{instance.content_sha256}-{filename}"


class ImportBatch(models.Model):
    template = models.CharField(_("template"), max_length=64)
    file = models.FileField(_("source file"), upload_to=import_upload_to, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_sha256 = models.CharField(_("content hash"), max_length=64)
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"row": n, "messages": [...]}]
    summary = models.JSONField(default=dict, blank=True)  # {"created": n, "updated": n, "unchanged": n}
    duplicate_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "content_sha256"], condition=Q(status="applied"),
                                    name="uniq_registry_import_applied_once"),
        ]


# --- the 科技型中小企业 annual cycle ----------------------------------------------------------------------


class DeclarationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    RECOMMENDED = "recommended", _("Reviewed, awaiting approval")
    APPROVED = "approved", _("Approved, awaiting publication")
    LISTED = "listed", _("Listed")
    REJECTED = "rejected", _("Rejected")
    REVOKED = "revoked", _("Revoked")
    LAPSED = "lapsed", _("Lapsed: not updated by the deadline")


ACTIVE_DECLARATION = (DeclarationStatus.SUBMITTED, DeclarationStatus.RECOMMENDED, DeclarationStatus.APPROVED,
                      DeclarationStatus.LISTED)


class ListingBatch(models.Model):
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("batch"))
    region = models.CharField(_("city"), max_length=8, choices=Region.choices)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    size = models.PositiveIntegerField(_("enterprises"), default=0)
    sample_size = models.PositiveIntegerField(_("random on-site checks"), default=0)
    policy_version = models.PositiveIntegerField(_("cycle policy version"))

    class Meta:
        verbose_name = _("listing batch")
        verbose_name_plural = _("listing batches")
        ordering = ["-year", "-number"]
        constraints = [models.UniqueConstraint(fields=["year", "region", "number"], name="uniq_registry_batch")]


class Declaration(models.Model):
    """An enterprise's self-declaration for one evaluation year, with the figures of the year before."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="declarations")
    year = models.PositiveSmallIntegerField(_("evaluation year"))
    status = models.CharField(_("status"), max_length=12, choices=DeclarationStatus.choices,
                              default=DeclarationStatus.SUBMITTED)
    staff_total = models.IntegerField(_("staff"))
    tech_staff = models.IntegerField(_("technical staff"))
    sales_fen = models.BigIntegerField(_("sales (fen)"))
    total_assets_fen = models.BigIntegerField(_("total assets (fen)"))
    rd_expense_fen = models.BigIntegerField(_("R&D expense (fen)"))
    total_cost_fen = models.BigIntegerField(_("total cost (fen)"))
    major_incident = models.BooleanField(_("major incident declared"), default=False)
    evaluation = models.JSONField(_("evaluation"), default=dict)
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    passed = models.BooleanField(_("meets the rules"), default=False)
    route = models.CharField(_("direct route"), max_length=32, blank=True)
    policy_version = models.PositiveIntegerField(_("rule version"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    recommendation = models.CharField(_("reviewer's recommendation"), max_length=8, blank=True)
    review_note = models.CharField(_("review note"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    risk_flags = models.JSONField(_("risk cases"), default=list, blank=True)
    sampled = models.BooleanField(_("drawn for a random check"), default=False)
    batch = models.ForeignKey(ListingBatch, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="declarations")
    registration_number = models.CharField(_("registration number"), max_length=24, unique=True, null=True,
                                           blank=True)
    listed_at = models.DateTimeField(_("listed at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True)
    revoke_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)
    falsification = models.BooleanField(_("revoked for falsification"), default=False)

    class Meta:
        verbose_name = _("tech-SME declaration")
        verbose_name_plural = _("tech-SME declarations")
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], condition=Q(status__in=ACTIVE_DECLARATION),
                                    name="uniq_registry_active_declaration"),
        ]

    @property
    def onsite_check_required(self) -> bool:
        return bool(self.risk_flags) or self.sampled


# --- innovation index ----------------------------------------------------------------------------------


class IndexScore(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="index_scores")
    year = models.PositiveSmallIntegerField(_("year"))
    score = models.DecimalField(_("innovation index"), max_digits=5, decimal_places=2)
    percentile_industry = models.DecimalField(_("percentile in industry"), max_digits=5, decimal_places=2)
    percentile_city = models.DecimalField(_("percentile in city"), max_digits=5, decimal_places=2)
    contributions = models.JSONField(_("contribution of each factor"), default=dict)
    inputs = models.JSONField(default=dict)
    policy_version = models.PositiveIntegerField(_("formula version"))
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("innovation index")
        verbose_name_plural = _("innovation index scores")
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="uniq_registry_index_year")]


# --- consented sharing ----------------------------------------------------------------------------------


class DataCategory(models.TextChoices):
    BASIC = "basic", _("Basic registration data")
    OWNERSHIP = "ownership", _("Shareholders and actual controller")
    INDICATORS = "indicators", _("Yearly indicators (staff, sales, assets, R&D)")
    QUALIFICATIONS = "qualifications", _("Qualifications")
    IP = "ip", _("Intellectual property")
    HONOURS = "honours", _("Awards, R&D institutions and standards")
    JUDICIAL = "judicial", _("Judgments, dishonest-debtor and abnormal-operation records")
    EVALUATION = "evaluation", _("Tech-SME evaluation and listing")
    INNOVATION_INDEX = "innovation_index", _("Innovation-capability index")


class Purpose(models.TextChoices):
    LOAN_APPLICATION = "loan_application", _("Assess a loan application")
    CREDIT_LINE = "credit_line", _("Grant or renew a credit line")
    GUARANTEE = "guarantee", _("Assess a guarantee")
    INSURANCE = "insurance", _("Underwrite insurance")
    INVESTMENT = "investment", _("Assess an investment")
    POST_LOAN = "post_loan", _("Post-loan monitoring")


class ConsentGrant(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="grants")
    institution = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="registry_grants",
                                    verbose_name=_("institution"))
    categories = models.JSONField(_("data categories"))
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    valid_until = models.DateField(_("valid until"))
    notice_version = models.PositiveIntegerField(_("notice version read"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True)

    class Meta:
        verbose_name = _("data authorisation")
        verbose_name_plural = _("data authorisations")
        ordering = ["-id"]
        indexes = [models.Index(fields=["institution", "enterprise", "purpose"])]


class AccessRecord(models.Model):
    """One read of an enterprise's data by an institution under a grant (append-only)."""

    grant = models.ForeignKey(ConsentGrant, on_delete=models.PROTECT, related_name="accesses")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="accesses")
    institution = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    categories = models.JSONField(_("data categories returned"))
    accessed_by = models.CharField(_("accessed by"), max_length=150)
    accessed_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ledger_entry = models.CharField(_("ledger entry"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("data access")
        verbose_name_plural = _("data accesses")
        ordering = ["-id"]


class FinancingOutcome(models.Model):
    class Outcome(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    grant = models.ForeignKey(ConsentGrant, on_delete=models.PROTECT, related_name="outcomes")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="financing_outcomes")
    institution = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("institution's reference"), max_length=64)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"), default=0)
    annual_rate = models.DecimalField(_("annual rate"), max_digits=7, decimal_places=4, null=True, blank=True)
    term_months = models.PositiveSmallIntegerField(_("term (months)"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"))
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("financing outcome")
        verbose_name_plural = _("financing outcomes")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["institution", "reference"], name="uniq_registry_outcome_ref")]
