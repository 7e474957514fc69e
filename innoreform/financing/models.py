"""Financing: needs and products, applications, collective credit programmes, loans with their
schedules, repayments, classification, defaults and recoveries; IP pledges, equipment and its
registry, investment-linked deals and warrants; interest subsidies; bank loan imports.

Data only: writes go through services (the services package, imports.py).
Money is integer fen; rates are annual fractions (0.0435 = 4.35 %)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from innoreform.core.models import Organisation
from innoreform.core.regions import Region

RATE = {"max_digits": 9, "decimal_places": 6}


class ProductKind(models.TextChoices):
    LOAN = "loan", _("Loan")
    GUARANTEE = "guarantee", _("Guarantee")
    INSURANCE = "insurance", _("Insurance")
    EQUITY = "equity", _("Equity investment")
    LOAN_WITH_WARRANTS = "loan_with_warrants", _("Loan with warrants")
    IP_PLEDGE_LOAN = "ip_pledge_loan", _("IP-pledge loan")
    EQUIPMENT_LOAN = "equipment_loan", _("Equipment credit loan")


class Purpose(models.TextChoices):
    WORKING_CAPITAL = "working_capital", _("Working capital")
    EQUIPMENT = "equipment", _("Buying instruments and equipment")
    RESEARCH = "research", _("Research and development")
    EXPANSION = "expansion", _("Expansion")
    OTHER = "other", _("Other")


class Collateral(models.TextChoices):
    IP = "ip", _("Patents and other IP")
    EQUIPMENT = "equipment", _("The equipment bought")
    RECEIVABLES = "receivables", _("Receivables")
    REAL_ESTATE = "real_estate", _("Real estate")
    GUARANTEE = "guarantee", _("A guarantor")
    EQUITY = "equity", _("Equity or warrants")


class Urgency(models.TextChoices):
    LOW = "low", _("Within three months")
    NORMAL = "normal", _("Within a month")
    HIGH = "high", _("Within two weeks")


class Product(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    institution = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="financing_products",
                                    verbose_name=_("institution"))
    kind = models.CharField(_("kind"), max_length=24, choices=ProductKind.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    min_amount_fen = models.BigIntegerField(_("minimum amount (fen)"))
    max_amount_fen = models.BigIntegerField(_("maximum amount (fen)"))
    min_term_months = models.PositiveSmallIntegerField(_("minimum term (months)"))
    max_term_months = models.PositiveSmallIntegerField(_("maximum term (months)"))
    min_rate = models.DecimalField(_("lowest annual rate or fee"), **RATE)
    max_rate = models.DecimalField(_("highest annual rate or fee"), **RATE)
    rules = models.JSONField(_("eligibility rules"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("financial product")
        verbose_name_plural = _("financial products")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class FinancingNeed(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="financing_needs",
                                   verbose_name=_("enterprise"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    purpose_detail = models.CharField(_("purpose in detail"), max_length=500, blank=True)
    collateral = models.JSONField(_("collateral offered"), default=list, blank=True)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    preferred_kinds = models.JSONField(_("preferred kinds"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        verbose_name = _("financing need")
        verbose_name_plural = _("financing needs")
        ordering = ["-id"]


class Application(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted for review")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    need = models.ForeignKey(FinancingNeed, on_delete=models.PROTECT, related_name="applications")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="applications")
    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    institution = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    consent_grant_id = models.BigIntegerField(_("data authorisation"))
    consent_purpose = models.CharField(_("authorised purpose"), max_length=20)
    match_snapshot = models.JSONField(_("match explanation when applying"), default=dict)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    data_read_at = models.DateTimeField(_("data last read at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_seconds = models.BigIntegerField(_("time to decision (s)"), null=True, blank=True)
    approved_amount_fen = models.BigIntegerField(_("approved amount (fen)"), null=True, blank=True)
    approved_rate = models.DecimalField(_("approved annual rate"), null=True, blank=True, **RATE)
    approved_term_months = models.PositiveSmallIntegerField(_("approved term (months)"), null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=500, blank=True)
    reported_at = models.DateTimeField(_("outcome reported at"), null=True, blank=True)
    outcome_reference = models.CharField(_("outcome reference"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("financing application")
        verbose_name_plural = _("financing applications")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["need", "product"],
                                    condition=Q(status__in=["submitted", "accepted", "approved"]),
                                    name="uniq_financing_live_application"),
        ]


# --- collective credit programmes --------------------------------------------------------------------


class Programme(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    department = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="financing_programmes",
                                   verbose_name=_("department"))
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    policy_version = models.PositiveIntegerField(_("policy version"))
    guarantor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
                                  verbose_name=_("guarantor"))
    insurer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
                                verbose_name=_("insurer"))
    loss_sharing = models.JSONField(_("loss-sharing vector (%)"))
    selection_rules = models.JSONField(_("selection rules"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("collective credit programme")
        verbose_name_plural = _("collective credit programmes")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name


class ProgrammeMember(models.Model):
    class Source(models.TextChoices):
        RULES = "rules", _("Selected by the rules")
        HAND = "hand", _("Added by hand")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="members")
    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    name = models.CharField(_("name"), max_length=200)
    region = models.CharField(_("city"), max_length=8, choices=Region.choices, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    included = models.BooleanField(_("included"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["programme", "credit_code"], name="uniq_financing_member")]


class CreditLine(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="credit_lines")
    bank = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("bank"))
    line_fen = models.BigIntegerField(_("unified credit line (fen)"))

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["programme", "bank"], name="uniq_financing_credit_line")]


# --- loans ----------------------------------------------------------------------------------------------


class LoanKind(models.TextChoices):
    STANDARD = "standard", _("Loan")
    IP_PLEDGE = "ip_pledge", _("IP-pledge loan")
    EQUIPMENT = "equipment", _("Equipment credit loan")
    INVESTMENT_LINKED = "investment_linked", _("Investment-linked loan")
    WITH_WARRANTS = "with_warrants", _("Loan with warrants")


class Method(models.TextChoices):
    EQUAL_INSTALMENT = "equal_instalment", _("Equal instalments")
    EQUAL_PRINCIPAL = "equal_principal", _("Equal principal")
    INTEREST_ONLY = "interest_only", _("Interest only, principal at maturity")


class LoanStatus(models.TextChoices):
    CONTRACTED = "contracted", _("Contracted, not yet drawn")
    ACTIVE = "active", _("Active")
    REPAID = "repaid", _("Repaid")
    DEFAULTED = "defaulted", _("Defaulted")


class Category(models.TextChoices):
    """The five-category loan classification (五级分类)."""

    NORMAL = "normal", _("Normal (正常)")
    SPECIAL_MENTION = "special_mention", _("Special mention (关注)")
    SUBSTANDARD = "substandard", _("Substandard (次级)")
    DOUBTFUL = "doubtful", _("Doubtful (可疑)")
    LOSS = "loss", _("Loss (损失)")


CATEGORY_ORDER = [Category.NORMAL, Category.SPECIAL_MENTION, Category.SUBSTANDARD, Category.DOUBTFUL, Category.LOSS]


class Loan(models.Model):
    class Source(models.TextChoices):
        PLATFORM = "platform", pgettext_lazy("financing loan source", "Platform")
        IMPORT = "import", _("Bank import")

    institution = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="financing_loans",
                                    verbose_name=_("lender"))
    borrower = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="financing_borrowings",
                                 null=True, blank=True, verbose_name=_("borrower account"))
    borrower_credit_code = models.CharField(_("borrower's credit code"), max_length=18, db_index=True)
    borrower_name = models.CharField(_("borrower"), max_length=200)
    region = models.CharField(_("city"), max_length=8, choices=Region.choices)
    application = models.OneToOneField(Application, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="loan")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, null=True, blank=True, related_name="loans")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="loans")
    contract_no = models.CharField(_("contract number"), max_length=64)
    kind = models.CharField(_("kind"), max_length=20, choices=LoanKind.choices, default=LoanKind.STANDARD)
    principal_fen = models.BigIntegerField(_("principal (fen)"))
    annual_rate = models.DecimalField(_("annual rate"), **RATE)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    method = models.CharField(_("repayment method"), max_length=20, choices=Method.choices)
    period_months = models.PositiveSmallIntegerField(_("months per instalment"), default=1)
    contract_on = models.DateField(_("contract date"))
    disbursed_on = models.DateField(_("disbursed on"), null=True, blank=True)
    maturity_on = models.DateField(_("maturity"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=LoanStatus.choices, default=LoanStatus.CONTRACTED)
    classification = models.CharField(_("classification"), max_length=16, choices=Category.choices,
                                      default=Category.NORMAL)
    overdue_days = models.PositiveIntegerField(_("days overdue"), default=0)
    as_of = models.DateField(_("overdue computed on"), null=True, blank=True)
    principal_outstanding_fen = models.BigIntegerField(_("principal outstanding (fen)"), default=0)
    interest_scheduled_fen = models.BigIntegerField(_("scheduled interest (fen)"), default=0)
    # Sum of the tranches paid out so far; never above principal_fen (the contract amount).
    disbursed_fen = models.BigIntegerField(_("disbursed (fen)"), default=0)
    purpose_category = models.CharField(_("equipment category"), max_length=40, blank=True)
    purpose_text = models.CharField(_("purpose"), max_length=300, blank=True)
    central_bank_relending = models.BooleanField(_("funded by central-bank relending"), default=False)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.PLATFORM)
    import_batch = models.ForeignKey("LoanImport", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="loans")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "contract_no"], name="uniq_financing_contract"),
            models.CheckConstraint(condition=Q(principal_fen__gt=0), name="financing_loan_principal_positive"),
            models.CheckConstraint(condition=Q(principal_outstanding_fen__gte=0),
                                   name="financing_loan_outstanding_nonnegative"),
            models.CheckConstraint(condition=Q(disbursed_fen__gte=0) & Q(disbursed_fen__lte=models.F("principal_fen")),
                                   name="financing_loan_disbursed_within_contract"),
        ]
        indexes = [models.Index(fields=["status", "classification"])]

    def __str__(self) -> str:
        return self.contract_no


class Instalment(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="instalments")
    # The tranche whose schedule this instalment belongs to (null only for rows older than tranches).
    disbursement = models.ForeignKey("Disbursement", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="instalments")
    number = models.PositiveSmallIntegerField(_("instalment"))
    due_on = models.DateField(_("due on"))
    principal_fen = models.BigIntegerField(_("principal (fen)"))
    interest_fen = models.BigIntegerField(_("interest (fen)"))
    principal_paid_fen = models.BigIntegerField(_("principal paid (fen)"), default=0)
    interest_paid_fen = models.BigIntegerField(_("interest paid (fen)"), default=0)

    class Meta:
        ordering = ["loan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="uniq_financing_instalment"),
            models.CheckConstraint(condition=Q(principal_paid_fen__lte=models.F("principal_fen"))
                                   & Q(interest_paid_fen__lte=models.F("interest_fen")),
                                   name="financing_instalment_not_overpaid"),
        ]

    @property
    def principal_due_fen(self) -> int:
        return self.principal_fen - self.principal_paid_fen

    @property
    def interest_due_fen(self) -> int:
        return self.interest_fen - self.interest_paid_fen


class Disbursement(models.Model):
    """One tranche of a loan; the tranches of a loan add up to at most its contract amount."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="disbursements")
    number = models.PositiveSmallIntegerField(_("tranche"), default=1)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    disbursed_on = models.DateField(_("disbursed on"))
    books_reference = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["loan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="uniq_financing_tranche"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="financing_tranche_positive"),
        ]


class Repayment(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="repayments")
    paid_on = models.DateField(_("paid on"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    principal_fen = models.BigIntegerField(_("principal (fen)"))
    interest_fen = models.BigIntegerField(_("interest (fen)"))
    allocation = models.JSONField(default=list)  # [[instalment, principal, interest], ...]
    books_reference = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["loan_id", "paid_on", "id"]


class ClassificationChange(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="classification_changes")
    from_category = models.CharField(_("from"), max_length=16, choices=Category.choices)
    to_category = models.CharField(_("to"), max_length=16, choices=Category.choices)
    on = models.DateField(_("on"))
    overdue_days = models.PositiveIntegerField(_("days overdue"))
    automatic = models.BooleanField(_("by the overdue rule"), default=False)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    policy_version = models.PositiveIntegerField(_("rule version"))
    actor_label = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["loan_id", "id"]


class LoanDefault(models.Model):
    """A default event: the exposure when the loan defaulted, in fen. The risk-compensation pools
    read these (selectors.defaults_for_pools) to accept claims."""

    loan = models.OneToOneField(Loan, on_delete=models.PROTECT, related_name="default_event")
    declared_on = models.DateField(_("default date"))
    overdue_days = models.PositiveIntegerField(_("days overdue"))
    principal_fen = models.BigIntegerField(_("principal outstanding (fen)"))
    interest_fen = models.BigIntegerField(_("interest due and unpaid (fen)"))
    amount_fen = models.BigIntegerField(_("exposure (fen)"))
    recovered_fen = models.BigIntegerField(_("recovered (fen)"), default=0)
    automatic = models.BooleanField(_("by the overdue rule"), default=False)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    policy_version = models.PositiveIntegerField(_("rule version"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("loan default")
        verbose_name_plural = _("loan defaults")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(recovered_fen__lte=models.F("amount_fen")) & Q(recovered_fen__gte=0),
                                   name="financing_default_recovery_bounded"),
        ]

    @property
    def outstanding_fen(self) -> int:
        return self.amount_fen - self.recovered_fen


class RecoverySource(models.TextChoices):
    BORROWER = "borrower", _("Borrower")
    COLLATERAL = "collateral", _("Collateral or pledged IP")
    EQUIPMENT_SALE = "equipment_sale", _("Sale of pledged equipment")
    EQUIPMENT_REDEPLOY = "equipment_redeploy", _("Redeployment of pledged equipment")
    GUARANTOR = "guarantor", _("Guarantor")
    OTHER = "other", _("Other")


class Recovery(models.Model):
    default = models.ForeignKey(LoanDefault, on_delete=models.PROTECT, related_name="recoveries")
    received_on = models.DateField(_("received on"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    source = models.CharField(_("source"), max_length=20, choices=RecoverySource.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    books_reference = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["default_id", "id"]


# --- special kinds --------------------------------------------------------------------------------------


class PledgedIp(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="pledged_ip")
    ip = models.ForeignKey("registry.IntellectualProperty", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("number"), max_length=64)
    kind = models.CharField(_("kind"), max_length=20)
    title = models.CharField(_("title"), max_length=300, blank=True)
    appraised_value_fen = models.BigIntegerField(_("appraised value (fen)"), default=0)
    pledged_on = models.DateField(_("pledged on"))
    released_on = models.DateField(_("released on"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["ip"], condition=Q(released_on__isnull=True),
                                               name="uniq_financing_ip_pledged_once")]


class PurchaseInvoice(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="invoices")
    invoice_no = models.CharField(_("invoice number"), max_length=64, unique=True)
    seller_name = models.CharField(_("seller"), max_length=200)
    buyer_credit_code = models.CharField(_("buyer's credit code"), max_length=18)
    issued_on = models.DateField(_("issued on"))
    total_fen = models.BigIntegerField(_("total (fen)"))
    lines = models.JSONField(_("lines"))
    checks = models.JSONField(_("purpose checks"))
    created_at = models.DateTimeField(auto_now_add=True)


class Equipment(models.Model):
    """The equipment registry: each item bought with an equipment loan, its disposal right pledged
    to the platform until the loan is repaid."""

    class Status(models.TextChoices):
        PLEDGED = "pledged", _("In use, disposal right pledged to the platform")
        RELEASED = "released", _("Released: loan repaid")
        REDEPLOYED = "redeployed", _("Redeployed to another enterprise")
        SOLD = "sold", _("Sold")

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="equipment")
    invoice = models.ForeignKey(PurchaseInvoice, on_delete=models.PROTECT, related_name="equipment")
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=40)
    serial_no = models.CharField(_("serial number"), max_length=100, blank=True)
    price_fen = models.BigIntegerField(_("price (fen)"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLEDGED)
    disposal_right_holder = models.CharField(_("disposal right held by"), max_length=40, default="platform")
    disposed_on = models.DateField(_("disposed on"), null=True, blank=True)
    proceeds_fen = models.BigIntegerField(_("proceeds (fen)"), default=0)
    counterparty = models.CharField(_("new holder or buyer"), max_length=200, blank=True)
    recovery = models.OneToOneField(Recovery, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pledged equipment")
        verbose_name_plural = _("equipment registry")
        ordering = ["id"]


class EquityStake(models.Model):
    investor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("investor"))
    credit_code = models.CharField(_("enterprise's credit code"), max_length=18, db_index=True)
    enterprise_name = models.CharField(_("enterprise"), max_length=200)
    amount_fen = models.BigIntegerField(_("amount invested (fen)"))
    share_percent = models.DecimalField(_("share (%)"), max_digits=7, decimal_places=4)
    invested_on = models.DateField(_("invested on"))
    partner_bank = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", null=True,
                                     blank=True, verbose_name=_("partner bank"))
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, null=True, blank=True, related_name="stakes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]


class Warrant(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        EXERCISED = "exercised", _("Exercised")
        EXPIRED = "expired", _("Expired")

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="warrants")
    share_percent = models.DecimalField(_("share (%)"), max_digits=7, decimal_places=4)
    strike_fen = models.BigIntegerField(_("strike (fen)"))
    expires_on = models.DateField(_("expires on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    exercised_on = models.DateField(_("exercised on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class ScreeningNote(models.Model):
    """A screening note an investor and a bank share about one enterprise (investment-linked deals)."""

    credit_code = models.CharField(_("enterprise's credit code"), max_length=18, db_index=True)
    author = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    shared_with = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]


# --- interest subsidies ---------------------------------------------------------------------------------


class Subsidy(models.Model):
    class Status(models.TextChoices):
        COMPUTED = "computed", _("Computed, awaiting approval")
        APPROVED = "approved", _("Approved and booked")
        REJECTED = "rejected", _("Rejected")

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="subsidies")
    department = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    interest_paid_fen = models.BigIntegerField(_("interest paid in the quarter (fen)"))
    share_percent = models.DecimalField(_("share (%)"), max_digits=7, decimal_places=4)
    amount_fen = models.BigIntegerField(_("subsidy (fen)"))
    capped = models.BooleanField(_("limited by the yearly cap"), default=False)
    policy_version = models.PositiveIntegerField(_("policy version"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.COMPUTED)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    books_reference = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("interest subsidy")
        verbose_name_plural = _("interest subsidies")
        ordering = ["-year", "-quarter", "id"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "year", "quarter"], condition=~Q(status="rejected"),
                                    name="uniq_financing_subsidy_quarter"),
        ]


class LoanImport(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued: a background job is checking the file")
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected: errors found, nothing imported")

    institution = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A large file is checked by a background job (never in a web worker): it waits here, with the
    # bank's API key when one sent it (an API key has no user, hence no Job row to show progress),
    # and is cleared once the job has run.
    content = models.BinaryField(null=True, editable=False)
    api_key = models.ForeignKey("core.ApiKey", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    job = models.ForeignKey("core.Job", on_delete=models.SET_NULL, related_name="+", null=True, blank=True)

    class Meta:
        ordering = ["-id"]
