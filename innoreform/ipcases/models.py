"""Remote IP litigation and mediation (measure 2.4) and notarial evidence (2.5).

One `Dispute` carries a platform-wide id across pre-filing mediation, first and second instance;
each court instance is a `Case` with the court's own number ((2026)粤73民初123号), numbered
gap-free from a `CaseCounter` row locked per court, year and type. Writes go through services.py.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

ORG = "core.Organisation"


class SiteKind(models.TextChoices):
    COURT = "court", _("Court seat")
    CIRCUIT = "circuit", _("Circuit court")
    OFFICE = "office", _("Service office")


class CourtProfile(models.Model):
    """A court's numbering code and its local service points (configuration, edited in the back office)."""

    organisation = models.OneToOneField(ORG, on_delete=models.PROTECT, related_name="ipcases_court",
                                        verbose_name=_("court"))
    code = models.CharField(_("court code"), max_length=20, help_text=_("As in case numbers, e.g. 粤73."))

    class Meta:
        verbose_name = _("court profile")
        verbose_name_plural = _("court profiles")

    def __str__(self) -> str:
        return self.code


class ServicePoint(models.Model):
    court = models.ForeignKey(CourtProfile, on_delete=models.PROTECT, related_name="sites", verbose_name=_("court"))
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=10, choices=SiteKind.choices)
    region = models.CharField(_("region"), max_length=10)
    rooms = models.JSONField(_("hearing rooms"), default=list, blank=True)

    class Meta:
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        ordering = ["court", "kind", "code"]
        constraints = [models.UniqueConstraint(fields=["court", "code"], name="ipcases_site_code_unique")]

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    """Stages at which consent to online litigation and a real-name re-check are recorded."""

    FILING = "filing", _("Filing")
    MEDIATION = "mediation", _("Mediation")
    EVIDENCE = "evidence", _("Evidence exchange")
    HEARING = "hearing", _("Hearing")
    SERVICE = "service", _("Electronic service")


class DisputeStatus(models.TextChoices):
    FILING = "filing", _("Filing under review")
    MEDIATION = "mediation", _("In mediation")
    SETTLED = "settled", _("Settled by mediation")
    FIRST_INSTANCE = "first", _("First instance")
    SECOND_INSTANCE = "second", _("Second instance")
    REFUSED = "refused", _("Filing refused")
    CLOSED = "closed", _("Closed")


class Dispute(models.Model):
    """One dispute, one platform id, whatever court or instance it is in."""

    platform_id = models.CharField(_("platform dispute id"), max_length=30, unique=True, null=True)
    court = models.ForeignKey(CourtProfile, on_delete=models.PROTECT, related_name="disputes", verbose_name=_("court"))
    claimant = models.ForeignKey(ORG, on_delete=models.PROTECT, related_name="+", verbose_name=_("plaintiff"))
    respondent = models.ForeignKey(ORG, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
                                   verbose_name=_("respondent (on the platform)"))
    respondent_name = models.CharField(_("respondent"), max_length=200)
    respondent_has_domicile = models.BooleanField(_("respondent domiciled in China"), default=True)
    subject = models.CharField(_("subject"), max_length=200)
    claim_fen = models.BigIntegerField(_("claim (fen)"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.FILING)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.platform_id or f"#{self.pk}"


class FilingStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting the court's decision")
    MEDIATION = "mediation", _("Pre-filing mediation")
    CORRECTION = "correction", _("Correction requested")
    DOCKETED = "docketed", _("Docketed")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn (settled)")


class Filing(models.Model):
    dispute = models.OneToOneField(Dispute, on_delete=models.PROTECT, related_name="filing")
    site = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, related_name="filings",
                             verbose_name=_("service point"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    claims = models.TextField(_("claims and facts"))
    complaint = models.FileField(_("complaint"), upload_to="ipcases/complaints/")
    complaint_sha256 = models.CharField(max_length=80)
    status = models.CharField(_("status"), max_length=12, choices=FilingStatus.choices,
                              default=FilingStatus.SUBMITTED)
    submitted_at = models.DateTimeField(_("submitted"))
    received_on = models.DateField(_("materials complete on"))
    decision_due = models.DateField(_("decision due"))
    correction_items = models.JSONField(_("correction notice"), default=list, blank=True)
    correction_at = models.DateTimeField(null=True, blank=True)
    refusal_reasons = models.TextField(_("refusal reasons"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                   blank=True)
    policy_version = models.PositiveIntegerField(default=0)
    calendar_version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("filing")
        verbose_name_plural = _("filings")
        ordering = ["decision_due", "id"]


class FilingDocument(models.Model):
    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to="ipcases/filings/")
    sha256 = models.CharField(max_length=80)
    uploaded_at = models.DateTimeField(auto_now_add=True)


class Consent(models.Model):
    """Consent to online litigation, one row per party and stage (the rules ask it per stage)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="consents")
    organisation = models.ForeignKey(ORG, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    given_at = models.DateTimeField(_("given"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dispute", "organisation", "stage"],
                                               name="ipcases_consent_once")]


class PartyIdentity(models.Model):
    """A person's real-name identity as first declared; later stages re-check against it. Only a
    keyed hash of the document number is kept, with its last four characters for display."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ipcases_identity")
    legal_name = models.CharField(_("legal name"), max_length=100)
    number_hash = models.CharField(max_length=64)
    number_tail = models.CharField(max_length=4)
    registered_at = models.DateTimeField(auto_now_add=True)


class IdentityCheck(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="identity_checks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    passed = models.BooleanField(_("passed"))
    checked_at = models.DateTimeField(_("checked"), auto_now_add=True)


class CaseType(models.TextChoices):
    FIRST = "民初", _("Civil, first instance")
    SECOND = "民终", _("Civil, second instance")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DECIDED = "decided", _("Judgment given")
    CLOSED = "closed", _("Closed")


class CaseCounter(models.Model):
    """The last serial issued per court, year and type; locked (select_for_update) while a case
    is numbered, so numbers never repeat or skip: the increment commits or rolls back with the case."""

    court = models.ForeignKey(CourtProfile, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    case_type = models.CharField(max_length=4, choices=CaseType.choices)
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["court", "year", "case_type"], name="ipcases_counter_unique")]


class Case(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="cases")
    court = models.ForeignKey(CourtProfile, on_delete=models.PROTECT, related_name="cases", verbose_name=_("court"))
    year = models.PositiveSmallIntegerField(_("year"))
    case_type = models.CharField(_("type"), max_length=4, choices=CaseType.choices)
    serial = models.PositiveIntegerField(_("serial"))
    number = models.CharField(_("case number"), max_length=40, unique=True)
    instance = models.PositiveSmallIntegerField(_("instance"), default=1)
    lower = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="appeals",
                              verbose_name=_("first-instance case"))
    procedure = models.CharField(_("procedure"), max_length=10, default="ordinary",
                                 choices=[("ordinary", _("Ordinary")), ("simplified", _("Simplified"))])
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("judge"))
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    docketed_on = models.DateField(_("docketed"))
    trial_limit_due = models.DateField(_("trial limit"))
    policy_version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["court", "year", "case_type", "serial"],
                                               name="ipcases_case_serial_unique")]

    def __str__(self) -> str:
        return self.number


class DeadlineKind(models.TextChoices):
    FILING_DECISION = "filing_decision", _("Filing decision")
    ANSWER = "answer", _("Answer")
    EVIDENCE = "evidence", _("Evidence period")
    APPEAL_JUDGMENT = "appeal_judgment", _("Appeal against a judgment")
    APPEAL_RULING = "appeal_ruling", _("Appeal against a ruling")
    TRIAL_LIMIT = "trial_limit", _("Trial time limit")
    MEDIATION_SELECT = "mediation_select", _("Parties choose a mediator")
    MEDIATION_ASSIGN = "mediation_assign", _("Court assigns a mediator")
    MEDIATION_ACCEPT = "mediation_accept", _("Mediator accepts")
    MEDIATION_PERIOD = "mediation_period", _("Mediation period")
    NOTARIAL_CERTIFICATE = "notarial_cert", _("Notarial certificate")


class DeadlineStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Met")
    LAPSED = "lapsed", _("Overdue (lapsed)")


class Deadline(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="deadlines", null=True, blank=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="deadlines", null=True, blank=True)
    notarial = models.ForeignKey("NotarialRequest", on_delete=models.PROTECT, related_name="deadlines", null=True,
                                 blank=True)
    kind = models.CharField(_("deadline"), max_length=20, choices=DeadlineKind.choices)
    starts_on = models.DateField(_("counted from"))
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=8, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN)
    owner = models.ForeignKey(ORG, on_delete=models.PROTECT, related_name="+", verbose_name=_("who must act"))
    rule = models.CharField(_("rule"), max_length=200)  # an untranslated message id, see rule_text
    rule_params = models.JSONField(default=dict, blank=True)
    policy_version = models.PositiveIntegerField(default=0)
    calendar_version = models.PositiveIntegerField(default=0)
    reminded_on = models.DateField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_on", "id"]

    @property
    def rule_text(self) -> str:
        from django.utils.translation import gettext

        try:
            return gettext(self.rule) % self.rule_params
        except (KeyError, TypeError, ValueError):
            return self.rule


class ExcludedPeriod(models.Model):
    """Time that does not count towards the trial limit (publication, appraisal, settlement,
    jurisdiction disputes). An open period (no end) suspends the limit until it is closed."""

    KINDS = [("publication", _("Service by publication")), ("appraisal", _("Appraisal")),
             ("settlement", _("Settlement")), ("jurisdiction", _("Jurisdiction dispute"))]
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="excluded_periods")
    kind = models.CharField(_("kind"), max_length=15, choices=KINDS)
    starts_on = models.DateField(_("excluded from"))
    ends_on = models.DateField(_("excluded until"), null=True, blank=True)


class Mediator(models.Model):
    organisation = models.ForeignKey(ORG, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("mediation organisation"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+")
    name = models.CharField(_("name"), max_length=100)
    region = models.CharField(_("region"), max_length=10, help_text=_("Hong Kong and Macao mediators are allowed."))
    scope = models.CharField(_("scope"), max_length=200)
    specialty = models.CharField(_("specialty"), max_length=200)
    fee_fen = models.BigIntegerField(_("fee (fen)"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")
        ordering = ["organisation", "name"]

    def __str__(self) -> str:
        return self.name


class MediationPhase(models.TextChoices):
    PRE_FILING = "pre", _("Before filing")
    POST_FILING = "post", _("After filing")


class MediationStatus(models.TextChoices):
    SELECTING = "selecting", _("Parties choosing a mediator")
    AWAITING = "awaiting", _("Awaiting the mediator's acceptance")
    ACTIVE = "active", _("Mediating")
    SIGNING = "signing", _("Agreement awaiting signatures")
    SETTLED = "settled", _("Agreement in effect")
    FAILED = "failed", _("Failed, returned to the court")


class Mediation(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="mediations")
    organisation = models.ForeignKey(ORG, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("mediation organisation"))
    phase = models.CharField(_("phase"), max_length=4, choices=MediationPhase.choices)
    procedure = models.CharField(_("procedure"), max_length=10, default="ordinary")
    status = models.CharField(_("status"), max_length=10, choices=MediationStatus.choices,
                              default=MediationStatus.SELECTING)
    mediator = models.ForeignKey(Mediator, on_delete=models.PROTECT, null=True, blank=True, related_name="mediations",
                                 verbose_name=_("mediator"))
    chosen_by = models.CharField(_("chosen by"), max_length=10, blank=True)  # parties | court
    entrusted_on = models.DateField(_("entrusted"))
    select_due = models.DateField(_("parties choose by"))
    assign_due = models.DateField(_("court assigns by"))
    accept_due = models.DateField(_("mediator accepts by"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted"), null=True, blank=True)
    period_due = models.DateField(_("mediation ends by"), null=True, blank=True)
    conflict_disclosure = models.TextField(_("conflict disclosure"), blank=True)
    record = models.TextField(_("mediation record"), blank=True)
    agreement_text = models.TextField(_("agreement"), blank=True)
    agreement_pdf = models.FileField(upload_to="ipcases/agreements/", blank=True)
    agreement_sha256 = models.CharField(max_length=80, blank=True)
    effective_at = models.DateTimeField(_("agreement in effect"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    policy_version = models.PositiveIntegerField(default=0)
    calendar_version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("mediation")
        verbose_name_plural = _("mediations")
        ordering = ["-id"]


class MediatorDecline(models.Model):
    mediation = models.ForeignKey(Mediation, on_delete=models.PROTECT, related_name="declines")
    mediator = models.ForeignKey(Mediator, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    at = models.DateTimeField(auto_now_add=True)


class AgreementSignature(models.Model):
    mediation = models.ForeignKey(Mediation, on_delete=models.PROTECT, related_name="signatures")
    organisation = models.ForeignKey(ORG, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    signed_sha256 = models.CharField(max_length=80)  # the PDF revision this signer signed
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mediation", "organisation"], name="ipcases_sign_once")]


class HearingMode(models.TextChoices):
    CIRCUIT = "circuit", _("At a circuit site")
    VIDEO = "video", _("By video")


class Hearing(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="hearings")
    mode = models.CharField(_("hearing mode"), max_length=8, choices=HearingMode.choices)
    site = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("site"))
    room = models.CharField(_("room"), max_length=50, blank=True)
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("judge"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    video_url = models.URLField(_("video link"), blank=True)
    transcript = models.FileField(upload_to="ipcases/transcripts/", blank=True)
    transcript_sha256 = models.CharField(max_length=80, blank=True)

    class Meta:
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        ordering = ["starts_at"]


class TranscriptConfirmation(models.Model):
    hearing = models.ForeignKey(Hearing, on_delete=models.PROTECT, related_name="confirmations")
    organisation = models.ForeignKey(ORG, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    transcript_sha256 = models.CharField(max_length=80)
    at = models.DateTimeField(auto_now_add=True)


class ServiceOfDocument(models.Model):
    """Electronic service: needs the recipient's consent; in effect on arrival; every event traced."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="services")
    recipient = models.ForeignKey(ORG, on_delete=models.PROTECT, related_name="+", verbose_name=_("recipient"))
    title = models.CharField(_("document"), max_length=200)
    sha256 = models.CharField(max_length=80)
    sent_at = models.DateTimeField(_("sent"))
    arrived_at = models.DateTimeField(_("arrived (in effect)"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    trace = models.JSONField(_("trace"), default=list)


class NotarialStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CAPTURED = "captured", _("Captured and preserved")
    CERTIFIED = "certified", _("Certificate issued")


class NotarialRequest(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requester = models.ForeignKey(ORG, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by"))
    notary = models.ForeignKey(ORG, on_delete=models.PROTECT, related_name="+", verbose_name=_("notary office"))
    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence",
                                verbose_name=_("dispute"))
    title = models.CharField(_("title"), max_length=200)
    target_url = models.URLField(_("web page to capture"), blank=True)
    purpose = models.CharField(_("purpose"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=NotarialStatus.choices,
                              default=NotarialStatus.REQUESTED)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    certificate_due = models.DateField(_("certificate due"))
    # capture record
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("operator"))
    captured_at = models.DateTimeField(_("captured"), null=True, blank=True)
    time_source = models.CharField(_("time source"), max_length=200, blank=True)
    capture_metadata = models.JSONField(_("capture metadata"), default=dict, blank=True)
    environment_checklist = models.JSONField(_("clean-environment checklist"), default=dict, blank=True)
    file = models.FileField(upload_to="ipcases/evidence/", blank=True)
    filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=80, blank=True)
    evidence_uid = models.UUIDField(_("ledger evidence"), null=True, blank=True)
    receipt = models.TextField(_("ledger receipt"), blank=True)
    certificate_pdf = models.FileField(upload_to="ipcases/certificates/", blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=60, blank=True)
    certified_at = models.DateTimeField(_("certified"), null=True, blank=True)
    policy_version = models.PositiveIntegerField(default=0)
    calendar_version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("notarial evidence request")
        verbose_name_plural = _("notarial evidence requests")
        ordering = ["-id"]
