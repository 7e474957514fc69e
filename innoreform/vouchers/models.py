"""Innovation vouchers (科技创新券 通用通兑): budgets, enterprise applications and vouchers,
institution listing (入库) with public notice, service catalogue, orders, voucher use
(deduction or reimbursement), redemption claims, settlement batches.

Money lives in the books (innoreform.books): these models keep the domain state and the ids of the
book accounts they post to. Every write goes through the services package, settlement.py or use.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from innoreform.core.models import Organisation
from innoreform.core.regions import Region


class Category(models.TextChoices):
    TESTING = "testing", _("Testing and inspection")
    DESIGN = "design", _("Industrial design")
    RD_OUTSOURCING = "rd_outsourcing", _("Contract research and development")
    TECHNOLOGY_TRANSFER = "technology_transfer", _("Technology transfer")
    IP_SERVICES = "ip_services", _("Intellectual property services")
    CONSULTING = "consulting", _("Technology consulting")
    LARGE_INSTRUMENTS = "large_instruments", _("Shared large instruments")


class FlowChoice(models.TextChoices):
    TONGDUI = "tongdui", _("Deduction by the institution (通兑)")
    TONGYONG = "tongyong", _("Reimbursement of the enterprise (通用)")


# --- budgets --------------------------------------------------------------------------------------


class BudgetLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")


class Budget(models.Model):
    """A year's voucher budget of the province or of one Guangdong city. The money is in the books:
    `available` (BUDGET, guarded) and `reserved` (RESERVED, guarded) accounts."""

    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=8, choices=BudgetLevel.choices)
    city = models.CharField(_("city"), max_length=8, choices=Region.choices, blank=True)
    available_account = models.ForeignKey("books.Account", on_delete=models.PROTECT, related_name="+")
    reserved_account = models.ForeignKey("books.Account", on_delete=models.PROTECT, related_name="+")
    source_account = models.ForeignKey("books.Account", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("voucher budget")
        verbose_name_plural = _("voucher budgets")
        ordering = ["-year", "level", "city"]
        constraints = [models.UniqueConstraint(fields=["year", "level", "city"], name="uniq_voucher_budget")]

    def __str__(self) -> str:
        return f"{self.year} {self.get_level_display()} {self.get_city_display() if self.city else ''}".strip()


class Appropriation(models.Model):
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="appropriations")
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]


# --- enterprise applications and vouchers -----------------------------------------------------------


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, awaiting review")
    INELIGIBLE = "ineligible", _("Not eligible")
    APPROVED = "approved", _("Approved, voucher issued")
    REJECTED = "rejected", _("Rejected")


class Application(models.Model):
    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="voucher_applications")
    year = models.PositiveSmallIntegerField(_("year"))
    requested_fen = models.BigIntegerField(_("amount requested (fen)"))
    purpose = models.CharField(_("what the voucher is for"), max_length=500)
    contact_address = models.CharField(_("business address"), max_length=300, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.SUBMITTED)
    eligibility = models.JSONField(_("eligibility checks"), default=list)
    grantable_fen = models.BigIntegerField(_("amount that can be granted (fen)"), default=0)
    policy_version = models.PositiveIntegerField(_("policy version"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                   blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("voucher application")
        verbose_name_plural = _("voucher applications")
        ordering = ["-id"]


class VoucherStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


class Voucher(models.Model):
    """Face value reserved in the budgets at issuance (province and city parts).

    used_fen: deducted or reimbursed so far (active uses); paid_fen: settled; released_fen: given
    back to the budgets (expiry, cancellation). consumed_fen/city_consumed_fen split every payment
    and release between province and city cumulatively, so the parts add up exactly."""

    serial = models.CharField(_("serial number"), max_length=32, unique=True)
    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="vouchers")
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="voucher")
    year = models.PositiveSmallIntegerField(_("budget year"))
    city = models.CharField(_("city"), max_length=8, choices=Region.choices)
    flow = models.CharField(_("redemption flow"), max_length=8, choices=FlowChoice.choices)
    share = models.DecimalField(_("voucher share of a fee"), max_digits=5, decimal_places=4)
    policy_version = models.PositiveIntegerField(_("policy version"))
    face_fen = models.BigIntegerField(_("face value (fen)"))
    city_reserved_fen = models.BigIntegerField(_("city co-funding reserved (fen)"))
    used_fen = models.BigIntegerField(_("used (fen)"), default=0)
    paid_fen = models.BigIntegerField(_("paid (fen)"), default=0)
    released_fen = models.BigIntegerField(_("released (fen)"), default=0)
    consumed_fen = models.BigIntegerField(default=0)
    city_consumed_fen = models.BigIntegerField(default=0)
    status = models.CharField(_("status"), max_length=10, choices=VoucherStatus.choices, default=VoucherStatus.ACTIVE)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    expires_on = models.DateField(_("expires on"))
    closed_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(used_fen__gte=0) & Q(used_fen__lte=models.F("face_fen")),
                                   name="voucher_used_within_face"),
            models.CheckConstraint(condition=Q(paid_fen__gte=0) & Q(paid_fen__lte=models.F("face_fen")),
                                   name="voucher_paid_within_face"),
            models.CheckConstraint(condition=Q(consumed_fen__lte=models.F("face_fen")),
                                   name="voucher_consumed_within_face"),
        ]

    def __str__(self) -> str:
        return self.serial

    @property
    def remaining_fen(self) -> int:
        return self.face_fen - self.used_fen


# --- institutions -------------------------------------------------------------------------------------


class ListingStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, awaiting review")
    IN_NOTICE = "in_notice", _("In public notice")
    LISTED = "listed", _("Listed")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    BLACKLISTED = "blacklisted", _("Blacklisted")


class Institution(models.Model):
    """A service institution's listing (入库) application and its state."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="voucher_listing")
    region = models.CharField(_("region"), max_length=8, choices=Region.choices)
    founded_on = models.DateField(_("operating since"))
    categories = models.JSONField(_("service categories"), default=list)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=100)
    actual_controller = models.CharField(_("actual controller"), max_length=200, blank=True)
    shareholders = models.JSONField(_("shareholders"), default=list)
    address = models.CharField(_("address"), max_length=300)
    phone = models.CharField(_("phone"), max_length=40)
    status = models.CharField(_("status"), max_length=12, choices=ListingStatus.choices,
                              default=ListingStatus.SUBMITTED)
    policy_version = models.PositiveIntegerField(_("policy version"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                    blank=True)
    notice_starts_at = models.DateTimeField(_("notice starts"), null=True, blank=True)
    notice_ends_at = models.DateTimeField(_("notice ends"), null=True, blank=True)
    listed_at = models.DateTimeField(_("listed at"), null=True, blank=True)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("listed institution")
        verbose_name_plural = _("listed institutions")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.organisation.name


class InstitutionDocument(models.Model):
    class Kind(models.TextChoices):
        LICENCE = "licence", _("Business licence or registration")
        ACCREDITATION = "accreditation", _("Accreditation (CMA, CNAS, HOKLAS ...)")
        FINANCIALS = "financials", _("Financial statements")
        OTHER = "other", _("Other")

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="vouchers/institutions/%Y/")
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class Objection(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="objections")
    text = models.TextField(_("objection"), max_length=2000)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    submitted_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", null=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.OPEN)
    resolution = models.CharField(_("resolution"), max_length=500, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                    blank=True)

    class Meta:
        ordering = ["id"]


class CreditEvent(models.Model):
    """The institution's credit file: listing, suspension, blacklisting, confirmed fraud."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="credit_events")
    kind = models.CharField(_("event"), max_length=32)
    reason = models.CharField(_("reason"), max_length=500)
    claim = models.ForeignKey("Claim", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]


class ServiceItem(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="services")
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    name = models.CharField(_("service"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, default="次")
    price_fen = models.BigIntegerField(_("price (fen)"))
    is_active = models.BooleanField(_("offered"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("catalogued service")
        verbose_name_plural = _("catalogued services")
        ordering = ["category", "price_fen", "id"]
        constraints = [models.CheckConstraint(condition=Q(price_fen__gt=0), name="voucher_service_price_positive")]


# --- use ------------------------------------------------------------------------------------------


class OrderStatus(models.TextChoices):
    OPEN = "open", _("Open")
    USED = "used", _("Voucher used")
    CANCELLED = "cancelled", _("Cancelled")


class Order(models.Model):
    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="orders")
    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="orders")
    service = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="orders")
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    fee_fen = models.BigIntegerField(_("fee (fen)"))
    voucher_fen = models.BigIntegerField(_("voucher share (fen)"))
    project_code = models.CharField(_("project code"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("voucher order")
        verbose_name_plural = _("voucher orders")
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(voucher_fen__gt=0) & Q(voucher_fen__lte=models.F("fee_fen")),
                                              name="voucher_order_share_within_fee")]


class RedemptionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    VOID = "void", _("Void")


class Redemption(models.Model):
    """One use of a voucher: the institution's deduction (通兑) or the enterprise's proven full
    payment (通用). One per order."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="redemptions")
    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="redemption")
    flow = models.CharField(_("flow"), max_length=8, choices=FlowChoice.choices)
    amount_fen = models.BigIntegerField(_("voucher amount (fen)"))
    payee = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    proof = models.FileField(_("proof of full payment"), upload_to="vouchers/proofs/%Y/", blank=True)
    proof_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=RedemptionStatus.choices,
                              default=RedemptionStatus.ACTIVE)
    created_by_label = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="voucher_redemption_positive")]


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    FLAGGED = "flagged", _("Flagged for manual review")
    REVIEWED = "reviewed", _("Reviewed, awaiting approval")
    APPROVED = "approved", _("Approved, awaiting settlement")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")
    FRAUD = "fraud", _("Confirmed fraud")


OPEN_CLAIM = (ClaimStatus.SUBMITTED, ClaimStatus.FLAGGED, ClaimStatus.REVIEWED, ClaimStatus.APPROVED,
              ClaimStatus.PAID)


class Claim(models.Model):
    redemption = models.ForeignKey(Redemption, on_delete=models.PROTECT, related_name="claims")
    payee = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    contract_no = models.CharField(_("contract number"), max_length=64)
    contract_file = models.FileField(_("contract"), upload_to="vouchers/claims/%Y/", blank=True)
    invoice_no = models.CharField(_("invoice number"), max_length=64)
    invoice_no_normalised = models.CharField(max_length=64, db_index=True)
    invoice_amount_fen = models.BigIntegerField(_("invoice amount (fen)"))
    invoice_date = models.DateField(_("invoice date"))
    invoice_file = models.FileField(_("invoice"), upload_to="vouchers/claims/%Y/", blank=True)
    deliverable = models.CharField(_("deliverable"), max_length=500)
    deliverable_file = models.FileField(_("deliverable file"), upload_to="vouchers/claims/%Y/", blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED)
    flags = models.JSONField(_("fraud-rule flags"), default=list)
    submitted_by_label = models.CharField(max_length=150, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                    blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=500, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                    blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    # Split fixed at approval (cumulative on the voucher), paid from these budgets.
    province_fen = models.BigIntegerField(default=0)
    city_fen = models.BigIntegerField(default=0)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("redemption claim")
        verbose_name_plural = _("redemption claims")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["redemption"], condition=Q(status__in=OPEN_CLAIM),
                                    name="uniq_voucher_open_claim_per_redemption"),
        ]


class ProgrammeFunding(models.Model):
    """A project already funded by a science programme (for the double-funding rule). Entered or
    imported by departments until the projects app offers a selector."""

    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    project_code = models.CharField(_("project code"), max_length=64)
    programme = models.CharField(_("programme"), max_length=200)
    amount_fen = models.BigIntegerField(_("amount (fen)"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enterprise", "project_code", "programme"],
                                               name="uniq_voucher_programme_funding")]


# --- settlement ---------------------------------------------------------------------------------------


class BatchStatus(models.TextChoices):
    BUILT = "built", _("Built, awaiting approval")
    APPROVED = "approved", _("Approved, paying")
    PAID = "paid", _("Paid")


class SettlementBatch(models.Model):
    period = models.CharField(_("period"), max_length=10)
    cadence = models.CharField(_("cadence"), max_length=10)
    status = models.CharField(_("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.BUILT)
    total_fen = models.BigIntegerField(_("total (fen)"), default=0)
    province_fen = models.BigIntegerField(_("province (fen)"), default=0)
    city_fen = models.BigIntegerField(_("cities (fen)"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                    blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("settlement batch")
        verbose_name_plural = _("settlement batches")
        ordering = ["-id"]


class BatchItem(models.Model):
    batch = models.ForeignKey(SettlementBatch, on_delete=models.PROTECT, related_name="items")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="batch_items")
    payee = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    amount_fen = models.BigIntegerField()
    province_fen = models.BigIntegerField()
    city_fen = models.BigIntegerField()
    city = models.CharField(max_length=8, choices=Region.choices)
    paid = models.BooleanField(default=False)
    books_reference = models.CharField(max_length=200, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "claim"], name="uniq_voucher_batch_claim"),
            # A claim belongs to one batch at most: it cannot be paid from two.
            models.UniqueConstraint(fields=["claim"], name="uniq_voucher_claim_in_one_batch"),
        ]


class Release(models.Model):
    """Reservation given back to the budgets (expiry, cancellation, a voided use after expiry)."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="releases")
    tag = models.CharField(max_length=40)
    amount_fen = models.BigIntegerField()
    province_fen = models.BigIntegerField()
    city_fen = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["voucher", "tag"], name="uniq_voucher_release_tag")]
