"""Core models: organisations, people and roles, API keys, audit, idempotency, policy records,
notifications and background-job progress.

Models hold data only. Every write goes through innoreform.core.services (or a domain's services).
"""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .regions import Region


class OrgKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    SERVICE_INSTITUTION = "service_institution", _("Service institution")
    BANK = "bank", _("Bank")
    GUARANTOR = "guarantor", _("Guarantor")
    INSURER = "insurer", _("Insurer")
    INVESTOR = "investor", _("Investor")
    DEPARTMENT = "department", _("Government department")
    COURT = "court", _("Court")
    MEDIATION_BODY = "mediation_body", _("Mediation body")
    NOTARY_OFFICE = "notary_office", _("Notary office")
    COLLEGE = "college", _("College")
    CUSTOMS = "customs", _("Customs")
    PLATFORM_OPERATOR = "platform_operator", _("Platform operator")


# Kinds whose users must use a second factor (TOTP) to sign in.
TWO_FACTOR_KINDS = frozenset(
    {OrgKind.BANK, OrgKind.DEPARTMENT, OrgKind.COURT, OrgKind.NOTARY_OFFICE, OrgKind.PLATFORM_OPERATOR}
)
# Kinds that call the bank/institution API with API keys.
API_KEY_KINDS = frozenset(
    {
        OrgKind.BANK,
        OrgKind.GUARANTOR,
        OrgKind.INSURER,
        OrgKind.INVESTOR,
        OrgKind.SERVICE_INSTITUTION,
        OrgKind.CUSTOMS,  # customs systems record special-goods declarations (biomed)
    }
)
FINANCIAL_KINDS = frozenset({OrgKind.BANK, OrgKind.GUARANTOR, OrgKind.INSURER, OrgKind.INVESTOR})


class Jurisdiction(models.TextChoices):
    # A context, because plain "City" and "District" are column headings elsewhere (城市, 区县).
    PROVINCE = "province", pgettext_lazy("jurisdiction", "Province")
    CITY = "city", pgettext_lazy("jurisdiction", "City")
    DISTRICT = "district", pgettext_lazy("jurisdiction", "District")


class DepartmentLine(models.TextChoices):
    SCIENCE = "science", _("Science and technology")
    FINANCE = "finance", _("Finance")
    DEVELOPMENT_REFORM = "development_reform", _("Development and reform")
    FINANCIAL_REGULATION = "financial_regulation", _("Local financial regulation")
    CENTRAL_BANK = "central_bank", _("Central bank branch")
    BANKING_INSURANCE_REGULATION = "banking_insurance", _("Banking and insurance regulation")
    MARKET_REGULATION = "market_regulation", _("Market regulation")
    EDUCATION = "education", _("Education")
    HUMAN_RESOURCES = "human_resources", _("Human resources and social security")
    SOE_ASSETS = "soe_assets", _("State-owned assets")
    JUSTICE = "justice", _("Justice")
    COURTS = "courts", _("Courts")
    CUSTOMS = "customs", _("Customs")
    INTELLECTUAL_PROPERTY = "intellectual_property", _("Intellectual property")
    TAX = "tax", _("Taxation")


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    REVIEWER = "reviewer", _("Reviewer")
    APPROVER = "approver", _("Approver")
    ADMINISTRATOR = "administrator", _("Administrator")


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, default="zh-hans", choices=[("zh-hans", "简体中文"), ("en", "English")]
    )
    totp_secret = models.CharField(_("TOTP secret"), max_length=64, blank=True)
    totp_confirmed = models.BooleanField(_("two-factor enrolled"), default=False)
    totp_last_counter = models.BigIntegerField(default=0)  # refuses a replayed code
    failed_logins = models.PositiveIntegerField(_("failed logins"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    # Wrong second-factor codes, counted apart from failed_logins: a correct password resets
    # failed_logins, and a shared counter let a holder of the password guess codes forever.
    totp_failures = models.PositiveIntegerField(_("failed second-factor codes"), default=0)
    # Bumped on password change, disable, or "sign out everywhere": older sessions stop working.
    session_generation = models.PositiveIntegerField(default=0)
    is_demo = models.BooleanField(_("demo account"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrgKind.choices)
    region = models.CharField(_("region"), max_length=8, choices=Region.choices)
    district = models.CharField(_("district"), max_length=64, blank=True)
    # Null for organisations outside the mainland system (Hong Kong, Macao), which have none.
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True, null=True, blank=True)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=16, choices=Jurisdiction.choices, blank=True)
    line = models.CharField(_("line"), max_length=32, choices=DepartmentLine.choices, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["id"]
        indexes = [models.Index(fields=["kind", "region"])]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("user"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="uniq_membership")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"


class ApiKey(models.Model):
    """A bank/institution API key. Only the SHA-256 of the secret is stored; the key is shown once."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    DENIED = "denied", _("Denied")
    FAILED = "failed", _("Failed")


class AuditEvent(models.Model):
    """Append-only record of a change or a denial. Never updated or deleted (database triggers)."""

    created_at = models.DateTimeField(_("time (UTC)"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # Set when the event is written, so that the chainer that runs after the commit finds the
    # events of its own transaction by token. See audit_chain.
    chain_token = models.UUIDField(null=True, blank=True, editable=False, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]


class AuditChainLink(models.Model):
    """Position `seq` of the audit hash chain: a keyed MAC over the previous link's MAC and the
    event's content (core.audit_chain). Append-only like the events; `event_id` is a plain
    number, not a foreign key, so that a deleted event leaves its link behind as evidence."""

    seq = models.BigIntegerField(primary_key=True)
    event_id = models.BigIntegerField(unique=True)
    mac = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("audit chain link")
        verbose_name_plural = _("audit chain links")
        ordering = ["seq"]


class IdempotencyRecord(models.Model):
    """Stored result of a money-moving call, keyed per client (IETF Idempotency-Key draft)."""

    scope = models.CharField(max_length=64)  # "org:<id>" for API keys, "user:<id>" for sessions
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="uniq_idempotency_scope_key")]


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class PolicyVersion(models.Model):
    """One version of a set of policy parameters (ratios, caps, periods) for one policy key.

    Parameters are validated against the pydantic schema registered for the key
    (innoreform.core.policies_registry). Approved versions are immutable; a change is a new version.
    """

    key = models.CharField(_("policy"), max_length=100)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    parameters = models.JSONField(_("parameters"))
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT)
    source = models.CharField(_("source"), max_length=300, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        ordering = ["key", "-version"]
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="uniq_policy_key_version")]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class Notification(models.Model):
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    # Stored as a message id plus parameters so it renders in the reader's language.
    message_id = models.CharField(max_length=100)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """Progress of a background job as users see it (the task itself runs on django-tasks)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=100)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", null=True)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
