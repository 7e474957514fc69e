"""Biomedical special goods (特殊物品) one-stop inspection: an enterprise's items, applications
decided by risk level (A–D, a versioned policy), approvals with quantity, validity, ports and
single or multiple use, import batches written off against them ("assess once, import in
batches"), follow-up supervision after entry, and the white list of trusted enterprises.

Quantities are whole numbers of the approval's unit, which is the smallest unit it is counted
in (no fractions): a vial, a tube, a millilitre. Every write goes through services.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from innoreform.core.models import Organisation


class Category(models.TextChoices):
    # The brief's four categories; organs fall under tissues.
    MICROORGANISM = "microorganism", _("Microorganisms")
    HUMAN_TISSUE = "human_tissue", _("Human tissues")
    BLOOD = "blood", _("Blood and blood products")
    BIOLOGICAL_PRODUCT = "biological_product", _("Biological products")


class PathogenClass(models.TextChoices):
    # The national catalogue of pathogenic microorganisms: class 1 is the most dangerous.
    CLASS_1 = "1", _("Class 1 pathogen")
    CLASS_2 = "2", _("Class 2 pathogen")
    CLASS_3 = "3", _("Class 3 pathogen")
    CLASS_4 = "4", _("Class 4 pathogen")
    UNKNOWN = "unknown", _("Unknown pathogenicity")
    NONE = "none", _("Not a pathogen")


class Material(models.TextChoices):
    """What the item is, beyond its category: the risk-level rules match on it."""

    CULTURE = "culture", _("Microbial culture or strain")
    CELL_LINE = "cell_line", _("Commercial cell line")
    TISSUE = "tissue", _("Tissue or organ")
    BLOOD = "blood", _("Blood or blood component")
    TOXIN = "toxin", _("Toxin")
    CRUDE_PROTEIN = "crude_protein", _("Crude protein")
    PURIFIED_PROTEIN = "purified_protein", _("Purified protein")
    APPROVED_DRUG = "approved_drug", _("Product approved as a drug")
    GENETIC_RESOURCE = "genetic_resource", _("Human genetic resource")
    OTHER = "other", _("Other")


class BiosafetyLevel(models.TextChoices):
    BSL1 = "BSL-1", "BSL-1"
    BSL2 = "BSL-2", "BSL-2"
    BSL3 = "BSL-3", "BSL-3"
    BSL4 = "BSL-4", "BSL-4"


class Level(models.TextChoices):
    A = "A", pgettext_lazy("risk level", "A (highest risk)")
    B = "B", pgettext_lazy("risk level", "B (high risk)")
    C = "C", pgettext_lazy("risk level", "C (low risk)")
    D = "D", pgettext_lazy("risk level", "D (lowest risk)")


HIGH_RISK = frozenset({Level.A, Level.B})


class Unit(models.TextChoices):
    VIAL = "vial", pgettext_lazy("unit", "vials")
    TUBE = "tube", pgettext_lazy("unit", "tubes")
    PIECE = "piece", pgettext_lazy("unit", "pieces")
    ML = "ml", pgettext_lazy("unit", "ml")
    MG = "mg", pgettext_lazy("unit", "mg")


class Port(models.TextChoices):
    BAIYUN = "baiyun_airport", _("Guangzhou Baiyun Airport")
    NANSHA = "nansha_port", _("Guangzhou Nansha Port")
    HUANGPU = "huangpu_port", _("Huangpu Port")
    SHENZHEN_AIRPORT = "shenzhen_airport", _("Shenzhen Bao'an Airport")
    HENGQIN = "hengqin", _("Zhuhai Hengqin")


class AttachmentKind(models.TextChoices):
    DESCRIPTION = "description", _("Product description and composition")
    BIOSAFETY = "biosafety", _("Biosafety statement")
    LAB_RECORD = "lab_record", _("Laboratory biosafety record")
    PATHOGEN_PERMIT = "pathogen_permit", _("Pathogen transport permit")
    GENETIC_APPROVAL = "genetic_approval", _("Human genetic resources approval")
    DRUG_REGISTRATION = "drug_registration", _("Drug registration certificate")
    USE_STATEMENT = "use_statement", _("Statement of use")


# --- items ---------------------------------------------------------------------------------------------


class Item(models.Model):
    """An enterprise's special good, registered once and reused across applications."""

    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="biomed_items",
                                   verbose_name=_("enterprise"))
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    material = models.CharField(_("material"), max_length=24, choices=Material.choices)
    hs_code = models.CharField(_("HS code"), max_length=10)
    ciq_code = models.CharField(_("CIQ code"), max_length=3)
    composition = models.CharField(_("composition"), max_length=500)
    pathogen_class = models.CharField(_("pathogen class"), max_length=8, choices=PathogenClass.choices)
    specification = models.CharField(_("specification"), max_length=200)
    storage = models.CharField(_("storage conditions"), max_length=200)
    biosafety_level = models.CharField(_("biosafety level"), max_length=8, choices=BiosafetyLevel.choices)
    other_approvals = models.CharField(_("other approvals held"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("special-goods item")
        verbose_name_plural = _("special-goods items")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "name", "specification"],
                                               name="uniq_biomed_item_per_enterprise")]

    def __str__(self) -> str:
        return self.name


# --- applications ----------------------------------------------------------------------------------------


class ApplicationStatus(models.TextChoices):
    ASSESSING = "assessing", _("Awaiting risk assessment")
    AWAITING_DECISION = "awaiting_decision", _("Assessed, awaiting decision")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    RETURNED = "returned", _("Returned for changes")


class Application(models.Model):
    """One-stop application for an item. Its level, the rule that set it and the policy version
    are fixed at submission, so a later re-levelling does not change a decision already taken."""

    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="biomed_applications",
                                   verbose_name=_("enterprise"))
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="applications", verbose_name=_("item"))
    quantity = models.BigIntegerField(_("quantity"))
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    ports = models.JSONField(_("ports"), default=list)
    origin = models.CharField(_("country or region of origin"), max_length=100)
    purpose = models.CharField(_("use"), max_length=500)
    level = models.CharField(_("risk level"), max_length=1, choices=Level.choices)
    level_rule = models.CharField(_("levelling rule"), max_length=64)
    policy_version = models.PositiveIntegerField(_("policy version"))
    whitelisted = models.BooleanField(_("on the white list"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=ApplicationStatus.choices)
    # The rule lines that decided a low-risk application automatically (and the checks of any other).
    checks = models.JSONField(_("checks"), default=list)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                 blank=True, verbose_name=_("assessor"))
    findings = models.TextField(_("assessment findings"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                   blank=True, verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    automatic = models.BooleanField(_("decided automatically"), default=False)

    class Meta:
        verbose_name = _("special-goods application")
        verbose_name_plural = _("special-goods applications")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "level"])]

    @property
    def port_labels(self) -> list[str]:
        return [str(Port(p).label) if p in Port.values else p for p in self.ports]


class Attachment(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=24, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to="biomed/attachments/%Y/")
    filename = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


# --- approvals and the write-off ledger ----------------------------------------------------------------------


class ApprovalStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed (used up or single use)")
    REVOKED = "revoked", _("Revoked")


class Approval(models.Model):
    """The approval (审批单) an application gave: batches are written off against it until its
    quantity, validity or single use ends it. written_off only grows, under the row's lock."""

    number = models.CharField(_("approval number"), max_length=32, unique=True)
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="approval")
    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="biomed_approvals",
                                   verbose_name=_("enterprise"))
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="approvals", verbose_name=_("item"))
    level = models.CharField(_("risk level"), max_length=1, choices=Level.choices)
    policy_version = models.PositiveIntegerField(_("policy version"))
    quantity = models.BigIntegerField(_("approved quantity"))
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    written_off = models.BigIntegerField(_("written off"), default=0)
    ports = models.JSONField(_("ports"), default=list)
    single_use = models.BooleanField(_("single use"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(_("status"), max_length=8, choices=ApprovalStatus.choices,
                              default=ApprovalStatus.ACTIVE)
    conditions = models.TextField(_("conditions"), blank=True)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    closed_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("special-goods approval")
        verbose_name_plural = _("special-goods approvals")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(written_off__gte=0) & Q(written_off__lte=models.F("quantity")),
                                   name="biomed_written_off_within_quantity"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="biomed_approval_quantity_positive"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def balance(self) -> int:
        return self.quantity - self.written_off


class Batch(models.Model):
    """One import batch, written off against an approval with its customs declaration number.
    Append-only: the ledger is these rows in order, each with the balance it left."""

    approval = models.ForeignKey(Approval, on_delete=models.PROTECT, related_name="batches",
                                 verbose_name=_("approval"))
    declaration_no = models.CharField(_("declaration number"), max_length=32, unique=True)
    quantity = models.BigIntegerField(_("quantity"))
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    port = models.CharField(_("port"), max_length=24, choices=Port.choices)
    balance_after = models.BigIntegerField(_("balance after"))
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    declared_by_label = models.CharField(_("declared by"), max_length=150)
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0) & Q(balance_after__gte=0),
                                              name="biomed_batch_quantity_positive")]


# --- follow-up supervision --------------------------------------------------------------------------------


class FollowUpKind(models.TextChoices):
    STORAGE = "storage", _("Storage check")
    USE = "use", _("Use")
    DISPOSAL = "disposal", _("Disposal")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    REPORTED = "reported", _("Reported by the enterprise")
    ESCALATED = "escalated", _("Overdue, escalated")
    CLOSED = "closed", _("Closed")


class FollowUp(models.Model):
    """A supervision task after a high-risk item's entry (created with its first batch)."""

    approval = models.ForeignKey(Approval, on_delete=models.PROTECT, related_name="follow_ups")
    kind = models.CharField(_("kind"), max_length=12, choices=FollowUpKind.choices)
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=12, choices=FollowUpStatus.choices,
                              default=FollowUpStatus.OPEN)
    report = models.TextField(_("enterprise's report"), blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    result = models.TextField(_("customs finding"), blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                  blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["approval", "kind"], name="uniq_biomed_followup_kind")]


# --- white list -------------------------------------------------------------------------------------


class WhitelistEntry(models.Model):
    """A trusted enterprise (item empty: all its items) or one of its products (as in Shenzhen's
    scheme). Entries are never deleted: removal keeps who, when and why."""

    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("enterprise"))
    item = models.ForeignKey(Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("item"))
    reason = models.CharField(_("reason for listing"), max_length=500)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    added_at = models.DateTimeField(_("listed at"), auto_now_add=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                   blank=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removal_reason = models.CharField(_("reason for removal"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("white-list entry")
        verbose_name_plural = _("white-list entries")
        ordering = ["-id"]

    @property
    def active(self) -> bool:
        return self.removed_at is None
