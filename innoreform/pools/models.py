"""Risk-compensation pools (风险缓释资金池): pools at each level with contributions, claims for
defaulted loans, the per-layer payout queue and the flow-back of recoveries.

Money never lives here: every amount moves in the books (innoreform.books); these rows say why.
Amounts are integer fen."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from innoreform.core.models import Organisation
from innoreform.core.regions import Region


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    SOCIAL_CAPITAL = "social_capital", _("Social capital")


class Pool(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    # The department (or social-capital organisation) that manages the pool and owns its account.
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("manager"))
    region = models.CharField(_("city"), max_length=8, choices=Region.choices, blank=True)
    district = models.CharField(_("district"), max_length=64, blank=True)
    leverage_target = models.DecimalField(_("leverage target (covered loans / pool)"), max_digits=8,
                                          decimal_places=2, default=10)
    institutions = models.ManyToManyField(Organisation, blank=True, related_name="+",
                                          verbose_name=_("covered institutions"))
    programmes = models.ManyToManyField("financing.Programme", blank=True, related_name="+",
                                        verbose_name=_("covered programmes"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    books_account_id = models.BigIntegerField(_("books account"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("risk-compensation pool")
        verbose_name_plural = _("risk-compensation pools")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Contribution(models.Model):
    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="contributions")
    contributor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("contributor"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    received_on = models.DateField(_("received on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    books_reference = models.CharField(max_length=200, blank=True)
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)
    reverse_reason = models.CharField(_("reason for reversal"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="pools_contribution_positive")]


class KeyListEntry(models.Model):
    """An enterprise on a key list (重点名单) the department keeps: its loans earn the bonus."""

    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200)
    list_name = models.CharField(_("list"), max_length=200)
    added_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("key-list enterprise")
        verbose_name_plural = _("key-list enterprises")
        ordering = ["id"]


class LossRatioReport(models.Model):
    """An institution's loss (non-performing) ratio of covered tech loans, as reported to the
    department. The latest report is used for the pause rule; without one the platform computes
    the ratio from the loans it knows (selectors.loss_ratio)."""

    institution = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    ratio = models.DecimalField(_("loss ratio"), max_digits=7, decimal_places=6)
    as_of = models.DateField(_("as of"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["institution_id", "-as_of", "-id"]


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    REVIEWED = "reviewed", _("Reviewed, awaiting approval")
    APPROVED = "approved", _("Approved, paying")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")
    INELIGIBLE = "ineligible", _("Not eligible under the rules")
    WITHDRAWN = "withdrawn", _("Withdrawn")


LIVE_STATUSES = (ClaimStatus.SUBMITTED, ClaimStatus.REVIEWED, ClaimStatus.APPROVED, ClaimStatus.PAID)


class Mode(models.TextChoices):
    BANK_LOSS = "bank_loss", _("Bank loss")
    GUARANTOR_PAYOUT = "guarantor_payout", _("Guarantor payout")
    # 投贷联动: an investor's principal loss on its equity stake in a firm whose linked loan defaulted.
    INVESTOR_PRINCIPAL = "investor_principal", _("Investor principal loss")


class Claim(models.Model):
    institution = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("claimant"))
    loan = models.ForeignKey("financing.Loan", on_delete=models.PROTECT, related_name="+", verbose_name=_("loan"))
    default = models.ForeignKey("financing.LoanDefault", on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices)
    principal_fen = models.BigIntegerField(_("loan principal (fen)"))
    loss_fen = models.BigIntegerField(_("loss claimed (fen)"))
    key_list_firm = models.BooleanField(_("key-list firm"), default=False)
    ip_pledge = models.BooleanField(_("IP-pledge loan"), default=False)
    central_bank_relending = models.BooleanField(_("central-bank relending"), default=False)
    ip_pledge_sharing = models.BooleanField(_("four-party IP-pledge loss sharing"), default=False)
    loss_ratio = models.DecimalField(_("institution loss ratio"), max_digits=7, decimal_places=6, null=True)
    # "computed" from the platform's loans, or "reported" by the department (an override).
    loss_ratio_source = models.CharField(_("loss ratio source"), max_length=10, blank=True)
    # The loss-sharing vector applied to an IP-pledge loan and where it came from.
    sharing_vector = models.JSONField(_("loss-sharing vector"), null=True, blank=True)
    # Investor mode: the equity stake whose principal loss is claimed (its loan is `loan`).
    stake = models.ForeignKey("financing.EquityStake", on_delete=models.PROTECT, related_name="+", null=True,
                              blank=True, verbose_name=_("equity stake"))
    # Recoveries with an id above this were received after filing and flow back to the payers.
    last_recovery_id = models.BigIntegerField(default=0)
    statement = models.TextField(_("statement"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED)
    # The computation: policy version, rate, total, layers and the explanation lines.
    policy_version = models.PositiveIntegerField(_("policy version"), null=True)
    eligible = models.BooleanField(default=False)
    rate = models.DecimalField(_("rate"), max_digits=7, decimal_places=6, default=0)
    total_fen = models.BigIntegerField(_("compensation (fen)"), default=0)
    layers = models.JSONField(default=list)  # [{"level", "amount_fen", "pool_id"}]
    lines = models.JSONField(default=list)  # [{"rule", "text", "rate", "amount_fen"}]
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                    blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                   blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        verbose_name = _("compensation claim")
        verbose_name_plural = _("compensation claims")
        ordering = ["-id"]
        constraints = [
            # One live claim per loan and mode; the rules refuse the other mode (one loan, one mode).
            models.UniqueConstraint(fields=["loan", "mode"], condition=Q(status__in=[s.value for s in LIVE_STATUSES])
                                    & ~Q(mode="investor_principal"), name="uniq_pools_live_claim"),
            # Several investors may hold stakes linked to one loan: one live claim per stake.
            models.UniqueConstraint(fields=["stake"], condition=Q(status__in=[s.value for s in LIVE_STATUSES]),
                                    name="uniq_pools_live_stake_claim"),
            models.CheckConstraint(condition=Q(loss_fen__gte=0) & Q(total_fen__gte=0), name="pools_claim_amounts"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def rule_lines(self) -> list[dict]:
        """The rule lines in the reader's language (claims filed before lines were stored in every
        language show the filing language)."""
        language = translation.get_language()
        return [{**line, "text": line.get("texts", {}).get(language, line["text"])} for line in self.lines]


class ClaimDocument(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="pools/claims/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class PayoutItem(models.Model):
    """One layer's payout of an approved claim from one pool. Items of a pool are paid strictly in
    id order (FIFO): an item that the pool cannot fund waits, and so does every later item of that
    pool, until contributions arrive."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for funds")
        PAID = "paid", _("Paid")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="payouts")
    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="payouts")
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.WAITING)
    books_reference = models.CharField(max_length=200, blank=True)
    ledger_uid = models.CharField(max_length=64, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "level"], name="uniq_pools_payout_layer"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="pools_payout_positive"),
        ]
        indexes = [models.Index(fields=["pool", "status", "id"])]


class StakeRecovery(models.Model):
    """Money an investor recovers on a stake after claiming its principal loss (a liquidation
    distribution, a sale of the shares): it flows back to the pools that paid, like a loan recovery
    on a bank's claim. Never edited."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="stake_recoveries")
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    received_on = models.DateField(_("received on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("recovery on a stake")
        verbose_name_plural = _("recoveries on stakes")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="pools_stake_recovery_positive")]


class RecoveryShare(models.Model):
    """The part of one recovery (received after compensation) that flows back to one payer pool:
    a loan recovery (bank and guarantor claims) or a recovery on a stake (investor claims)."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="recovery_shares")
    payout = models.ForeignKey(PayoutItem, on_delete=models.PROTECT, related_name="recovery_shares")
    recovery = models.ForeignKey("financing.Recovery", on_delete=models.PROTECT, related_name="+", null=True)
    stake_recovery = models.ForeignKey(StakeRecovery, on_delete=models.PROTECT, related_name="+", null=True)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    books_reference = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["payout", "recovery"], name="uniq_pools_recovery_share"),
            models.UniqueConstraint(fields=["payout", "stake_recovery"], name="uniq_pools_stake_recovery_share"),
            models.CheckConstraint(condition=(Q(recovery__isnull=True) & Q(stake_recovery__isnull=False))
                                   | (Q(recovery__isnull=False) & Q(stake_recovery__isnull=True)),
                                   name="pools_recovery_share_one_source"),
        ]


class RecoveryProcessed(models.Model):
    """Marks that a recovery has been shared out for a claim (also when every share rounds to 0)."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="+")
    recovery = models.ForeignKey("financing.Recovery", on_delete=models.PROTECT, related_name="+", null=True)
    stake_recovery = models.ForeignKey(StakeRecovery, on_delete=models.PROTECT, related_name="+", null=True)
    returned_fen = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["claim", "recovery"], name="uniq_pools_recovery_processed"),
            models.UniqueConstraint(fields=["claim", "stake_recovery"], name="uniq_pools_stake_recovery_processed"),
        ]
